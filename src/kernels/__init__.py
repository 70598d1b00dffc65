"""Compiled kernels the networks can run on the CPU instead of MindSpore's own: convolutions on oneDNN's
direct kernels (onednn_conv.cc, built on first use by build.py, used through direct_conv.py)."""

# --conv_kernel: MindSpore's own convolutions, or the direct kernels of onednn_conv.cc (CPU only).
CONV_KERNELS = ("mindspore", "onednn")
