"""pix2pixHD's halving average pool (3x3, stride 2, padding 1 not counted) on oneDNN's pooling kernel
(onednn_ops.cc), for layers.HalvingAvgPool on the CPU: one pass each way on the plain layout, where MindSpore's
own ops need two padded copies and a second pool to count the pixels inside (docs/performance.md)."""
from functools import lru_cache

from mindspore import ops

from src.kernels.direct_conv import same_dtype


@lru_cache(maxsize=None)
def halving_pool_op(library):
    """The Custom op y = pool(x) of `library`, x (N, C, H, W) -> y (N, C, ceil(H / 2), ceil(W / 2)), with its
    backward as its bprop. Both are linear, each the other's bprop, so the pool can be differentiated twice
    (the WGAN-GP gradient penalty)."""

    def forward_bprop(x, out, dout):
        return (backward(dout, x),)

    def backward_bprop(dy, x, out, dout):
        return forward(dout), ops.zeros_like(x)

    forward = ops.Custom(f"{library}:HalvingPoolForward", func_type="aot", out_dtype=same_dtype, bprop=forward_bprop,
                         out_shape=lambda x: (x[0], x[1], (x[2] + 1) // 2, (x[3] + 1) // 2))
    backward = ops.Custom(f"{library}:HalvingPoolBackward", func_type="aot", out_dtype=same_dtype,
                          out_shape=lambda dy, x: x, bprop=backward_bprop)
    return forward
