"""Convolutions that can run on oneDNN's direct kernels (onednn_ops.cc) on the CPU: DirectConv2d and
DirectConv2dTranspose are MindSpore's nn.Conv2d and nn.Conv2dTranspose (same parameters, checkpoints, init and
export) whose forward and both backward passes go to the compiled kernels once use_direct_convolutions has
switched them on, or from their construction on once start_direct_convolutions has switched the process to them
(the entry points' --conv_kernel onednn). Off, they are MindSpore's own cells, which is what export and every
device but the CPU use.

MindSpore's own CPU convolution runs im2col + SGEMM on plain NCHW data (oneDNN's gemm path); the direct kernels
work on blocked layouts oneDNN chooses, need no im2col buffer, and reach the AVX-512 and AMX kernels that
MindSpore's plain weights cannot (docs/performance.md)."""
import ctypes
from functools import lru_cache

import numpy as np
import mindspore as ms
from mindspore import nn, ops

from src.kernels.build import KernelsUnavailable, built_library, mindspore_onednn
from src.utils.cpu_isa import lift_project_cap, onednn_isa_in_force
from src.utils.device import release_kernel_threads

# The built kernels every DirectConv2d and DirectConv2dTranspose made in this process runs on from its
# construction (start_direct_convolutions), or None.
_process_library = None


def same_dtype(*dtypes):
    """A Custom op's out_dtype: its first input's."""
    return dtypes[0]


def _output_side(side, kernel, stride, before, after, dilation, transposed):
    span = dilation * (kernel - 1) + 1
    if transposed:
        return (side - 1) * stride - before - after + span
    return (side + before + after - span) // stride + 1


@lru_cache(maxsize=None)
def direct_ops(library, geometry, transposed):
    """The forward Custom op of one convolution form (`geometry`: stride h, w, padding top, bottom, left, right,
    dilation h, w), with the two backward ops as its bprop. Shapes: x (N, C, H, W); weights (O, C, kh, kw), or
    (C, O, kh, kw) transposed, as MindSpore keeps them.

    The three ops are linear in each input, so each one's bprop is made of the other two: the backward ops can
    be differentiated again, as the WGAN-GP gradient penalty does (gradients of gradients)."""
    prefix = "TransposedConv" if transposed else "Conv"
    stride_h, stride_w, top, bottom, left, right, dilation_h, dilation_w = geometry

    def output_shape(x, weights, _geometry, _shape_of):
        out_channels = weights[1] if transposed else weights[0]
        return (x[0], out_channels,
                _output_side(x[2], weights[2], stride_h, top, bottom, dilation_h, transposed),
                _output_side(x[3], weights[3], stride_w, left, right, dilation_w, transposed))

    def custom(name, shape, bprop):
        return ops.Custom(f"{library}:{prefix}{name}", out_shape=shape, out_dtype=same_dtype, func_type="aot",
                          bprop=bprop)

    def no_gradient(geometry_tensor, shape_of):
        return ops.zeros_like(geometry_tensor), ops.zeros_like(shape_of)

    # y = forward(x, w); dx = backward_data(dy, w); dw = backward_weights(dy, x). Inside the bprops every op takes
    # its output's shape from its last input (forward_like: y's), never from this form's geometry. The ops are
    # looked up when MindSpore compiles a bprop, after all of them exist.
    def forward_bprop(x, weights, geometry_tensor, shape_of, out, dout):
        return (backward_data(dout, weights, geometry_tensor, x), backward_weights(dout, x, geometry_tensor, weights),
                *no_gradient(geometry_tensor, shape_of))

    def backward_data_bprop(dy, weights, geometry_tensor, shape_of, out, dout):
        return (forward_like(dout, weights, geometry_tensor, dy), backward_weights(dy, dout, geometry_tensor, weights),
                *no_gradient(geometry_tensor, shape_of))

    def backward_weights_bprop(dy, x, geometry_tensor, shape_of, out, dout):
        return (forward_like(x, dout, geometry_tensor, dy), backward_data(dy, dout, geometry_tensor, x),
                *no_gradient(geometry_tensor, shape_of))

    forward = custom("Forward", output_shape, forward_bprop)
    forward_like = custom("Forward", lambda x, weights, _geometry, y: y, forward_bprop)
    backward_data = custom("BackwardData", lambda dy, weights, _geometry, x: x, backward_data_bprop)
    backward_weights = custom("BackwardWeights", lambda dy, x, _geometry, weights: weights, backward_weights_bprop)
    return forward


def _geometry(cell, transposed):
    """(stride h, w, padding top, bottom, left, right, dilation h, w) of a MindSpore conv cell."""
    if cell.pad_mode != "pad" or cell.group != 1:
        raise ValueError(f"the direct convolutions take pad_mode 'pad' and group 1, not {cell.pad_mode!r}, "
                         f"{cell.group}")
    padding = cell.padding if isinstance(cell.padding, tuple) else (cell.padding,) * 4
    if transposed and cell.output_padding not in (0, (0, 0)):
        raise ValueError("the direct transposed convolution takes output_padding 0 (pad the output instead)")
    return (*cell.stride, *padding, *cell.dilation)


class DirectKernels:
    """What a cell that can run on the built kernels has: `direct` (off until use_direct_kernels), switched on at
    construction once start_direct_convolutions has switched the process to the kernels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.direct = False
        if _process_library:
            self.use_direct_kernels(_process_library)

    def use_direct_kernels(self, library):
        """Run this cell on the kernels of `library` (build.built_library) from its next compilation."""
        raise NotImplementedError


class DirectConvolution(DirectKernels):
    """What DirectConv2d and DirectConv2dTranspose add to MindSpore's cell: the form's geometry as a tensor for
    the kernels, the Custom op they run, and `bias_cancelled` (set by layers.skip_cancelled_biases where an
    instance norm follows): on the kernels the bias is then not added, as that norm would subtract it again."""
    transposed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bias_cancelled = False
        if not self.direct:
            self.geometry = ms.Tensor(np.zeros(8, np.int64))  # set, and the form checked, by use_direct_kernels

    def use_direct_kernels(self, library):
        """ValueError for a form the kernels do not take (another pad_mode, groups, output_padding)."""
        geometry = _geometry(self, self.transposed)
        self.geometry = ms.Tensor(np.array(geometry, np.int64))
        self.direct_forward = direct_ops(library, geometry, self.transposed)
        self.direct = True

    def add_bias(self, output):
        """The direct kernels' output plus the bias, unless the cell has none or it is cancelled."""
        if self.has_bias and not self.bias_cancelled:
            return self.bias_add(output, self.bias)
        return output


class DirectConv2d(DirectConvolution, nn.Conv2d):
    """nn.Conv2d (pad_mode 'pad', group 1) that runs on the direct kernels once `direct` is set."""

    def construct(self, x):
        if self.direct:
            return self.add_bias(self.direct_forward(x, self.weight, self.geometry, x))
        output = self.conv2d(x, self.weight)
        if self.has_bias:
            output = self.bias_add(output, self.bias)
        return output


class DirectConv2dTranspose(DirectConvolution, nn.Conv2dTranspose):
    """nn.Conv2dTranspose (pad_mode 'pad', group 1, no output_padding) that runs on the direct kernels once
    `direct` is set."""
    transposed = True

    def construct(self, x):
        if self.direct:
            return self.add_bias(self.direct_forward(x, self.weight, self.geometry, x))
        return super().construct(x)


def use_direct_convolutions(networks, log=print):
    """Switch every DirectConv2d, DirectConv2dTranspose and other DirectKernels cell (pix2pixHD's halving pool,
    reflection padding) of `networks` (cells) to the direct kernels, building them on first use, and free
    MindSpore's kernel threads from their cores (utils.device.release_kernel_threads); returns how many were
    switched. Call before the networks are compiled."""
    library = built_library(log)
    release_kernel_threads()
    switched = 0
    for network in networks:
        for _, cell in network.cells_and_names():
            if isinstance(cell, DirectKernels):
                cell.use_direct_kernels(library)
                switched += 1
    return switched


def count_direct_convolutions(networks):
    """How many convolutions of `networks` (cells) run on the direct kernels."""
    return sum(isinstance(cell, DirectConvolution) and cell.direct
               for network in networks for _, cell in network.cells_and_names())


def start_direct_convolutions(log=print, only_uncapped=False):
    """--conv_kernel onednn for the rest of this process (entry points; it cannot be undone): build the kernels,
    lift the project's AVX2 cap (no MindSpore convolution is left to fall onto oneDNN's AVX-512 reference code:
    utils.cpu_isa), free MindSpore's kernel threads, and make every DirectConv2d and DirectConv2dTranspose built
    from now on run on the kernels. Call after setup_device and before any network is built. Where oneDNN has
    fixed its level already (something computed first), the kernels run at the cap, or with `only_uncapped`
    (auto: they pay only above it) KernelsUnavailable says so and nothing is started."""
    global _process_library
    library = built_library(log)
    capped = onednn_isa_in_force().chosen_by == "project"
    try:
        choice = lift_project_cap(ctypes.CDLL(mindspore_onednn()[1]).dnnl_set_max_cpu_isa)
        if capped:
            log(choice.describe())
    except RuntimeError as error:
        if only_uncapped:
            raise KernelsUnavailable(str(error)) from None
        log(f"{error}: the direct kernels run at {onednn_isa_in_force().cap}")
    release_kernel_threads()
    _process_library = library


def set_convolution_precision(precision):
    """The arithmetic of the direct kernels from their next call on: float32, or bf16 (they read bfloat16 copies of
    their float32 inputs and write float32: AMX or AVX-512 BF16 products, float32 sums). After
    start_direct_convolutions."""
    if _process_library is None:
        raise RuntimeError("set_convolution_precision needs start_direct_convolutions first")
    ctypes.CDLL(_process_library).SetConvolutionPrecision(int(precision == "bf16"))
