"""Compiled kernels the networks can run on the CPU instead of MindSpore's own: convolutions on oneDNN's
direct kernels (onednn_ops.cc), and pix2pixHD's halving pool on oneDNN's pooling, reflection padding and dropout's
mask (spatial_ops.cc), sharing one thread pool (onednn_runtime.cc); built into one library on first use by
build.py, used through direct_conv.py and direct_spatial.py; which a run uses: choice.py."""

# --conv_kernel: auto (choice.py's rule), MindSpore's own convolutions, or the built kernels.
CONV_KERNELS = ("auto", "mindspore", "onednn")
# --cpu_precision: the direct kernels' arithmetic, float32 or bfloat16 (on float32 tensors).
CPU_PRECISIONS = ("float32", "bf16")
