"""The operators around the convolutions, on the built kernels (spatial_ops.cc) for the CPU: pix2pixHD's halving
average pool (3x3, stride 2, padding 1 not counted) on oneDNN's pooling, reflection padding, and dropout's mask, for
layers.HalvingAvgPool, layers.ReflectionPad and layers.Dropout. The pool and the padding are one pass each way on the
plain layout, where MindSpore's own ops need padded copies and a second pool (the pool), or slices, a concat and a
full-size gradient per slice (the padding); the mask is drawn on every core, where MindSpore's CPU Dropout draws it
on one (docs/performance.md)."""
from functools import lru_cache

from mindspore import dtype as mstype
from mindspore import ops

from src.kernels.direct_conv import same_dtype


def linear_op(library, name, out_shape):
    """The Custom op y = `name`Forward(x) of `library`, whose output has the shape out_shape(x's), with
    `name`Backward(dy, x) -> dx as its bprop (x read for its shape). Both are linear, each the other's bprop, so the
    op can be differentiated twice (the WGAN-GP gradient penalty)."""

    def forward_bprop(x, out, dout):
        return (backward(dout, x),)

    def backward_bprop(dy, x, out, dout):
        return forward(dout), ops.zeros_like(x)

    forward = ops.Custom(f"{library}:{name}Forward", func_type="aot", out_dtype=same_dtype, bprop=forward_bprop,
                         out_shape=out_shape)
    backward = ops.Custom(f"{library}:{name}Backward", func_type="aot", out_dtype=same_dtype,
                          out_shape=lambda dy, x: x, bprop=backward_bprop)
    return forward


@lru_cache(maxsize=None)
def halving_pool_op(library):
    """x (N, C, H, W) -> y (N, C, ceil(H / 2), ceil(W / 2)), pix2pixHD's pool."""
    return linear_op(library, "HalvingPool", lambda x: (x[0], x[1], (x[2] + 1) // 2, (x[3] + 1) // 2))


@lru_cache(maxsize=None)
def reflection_pad_op(library, padding):
    """x (N, C, H, W) -> y (N, C, H + 2 padding, W + 2 padding), PyTorch's ReflectionPad2d(padding)."""
    return linear_op(library, "ReflectionPad", lambda x: (x[0], x[1], x[2] + 2 * padding, x[3] + 2 * padding))


@lru_cache(maxsize=None)
def dropout_mask_op(library):
    """(seed int32 (1,), keep float32 (1,), x) -> mask float32 of x's shape (x read for its shape): each value
    1 / keep with probability keep, else 0, a function of the seed alone. Nothing is differentiated through it."""

    def no_gradient(seed, keep, x, out, dout):
        return ops.zeros_like(seed), ops.zeros_like(keep), ops.zeros_like(x)

    return ops.Custom(f"{library}:DropoutMask", func_type="aot", out_shape=lambda seed, keep, x: x,
                      out_dtype=lambda seed, keep, x: mstype.float32, bprop=no_gradient)
