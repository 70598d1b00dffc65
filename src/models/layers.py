"""Building blocks shared by the generators and the discriminators: padded convs, reflection padding, dropout,
LeakyReLU, tanh, the halving average pool of pix2pixHD, the normalisation layers of --norm_mode (and the biases
instance norm cancels), and how often a picture can be halved."""
import numpy as np
import mindspore as ms
from mindspore import nn, ops

from src.kernels.direct_conv import DirectConv2d, DirectConvolution, DirectKernels
from src.kernels.direct_spatial import dropout_mask_op, halving_pool_op, reflection_pad_op

NORM_MODES = ("batch", "instance", "none")


def conv2d(in_channels, out_channels, kernel_size, stride, padding, has_bias):
    """nn.Conv2d with explicit zero padding, as PyTorch's Conv2d(..., padding=padding); it can run on oneDNN's
    direct kernels (--conv_kernel)."""
    return DirectConv2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride, pad_mode="pad",
                        padding=padding, has_bias=has_bias)


def largest_halvings(side, smallest=2):
    """How many times a picture side of `side` px can be halved leaving at least `smallest` px."""
    count = 0
    while side // 2 ** (count + 1) >= smallest:
        count += 1
    return count


class ReflectionPad(DirectKernels, nn.Cell):
    """Reflection padding of H and W by `padding` pixels (PyTorch's ReflectionPad2d): the border rows and
    columns mirrored, the edge itself not repeated. On the direct kernels (the CPU's --conv_kernel onednn) it is
    one compiled pass each way (kernels.direct_spatial); otherwise one-pixel slices and a concat: MindSpore's
    MirrorPad (nn.ReflectionPad2d) cannot be exported to ONNX, and its CPU flip (ReverseV2) is 40x slower than
    slicing (docs/performance.md)."""

    def __init__(self, padding):
        self.padding = padding  # first: DirectKernels.__init__ may switch the cell on, which reads it
        super().__init__()

    def use_direct_kernels(self, library):
        self.direct_pad = reflection_pad_op(library, self.padding)
        self.direct = True

    def construct(self, x):
        if self.direct:
            return self.direct_pad(x)
        padding = self.padding
        # Slice bounds are small constants, from the start or from the end, so nothing depends on the size
        # seen at export.
        left = [x[:, :, :, i:i + 1] for i in range(padding, 0, -1)]
        right = [x[:, :, :, -i - 1:-i] for i in range(1, padding + 1)]
        x = ops.concat(left + [x] + right, axis=3)
        top = [x[:, :, i:i + 1, :] for i in range(padding, 0, -1)]
        bottom = [x[:, :, -i - 1:-i, :] for i in range(1, padding + 1)]
        return ops.concat(top + [x] + bottom, axis=2)


class Dropout(DirectKernels, nn.Dropout):
    """nn.Dropout(p): in training each value zeroed with probability p and the others scaled by 1 / (1 - p); in eval
    mode nothing. On the direct kernels (the CPU's --conv_kernel onednn) the mask is drawn by the built kernels on
    every core from a seed MindSpore draws at each call (from --seed, as nn.Dropout's masks are, so runs repeat),
    where MindSpore's CPU Dropout draws it on one core (docs/performance.md)."""

    def __init__(self, p):
        super().__init__(p=p)
        self.keep = ms.Tensor(np.array([1.0 - p], np.float32))

    def use_direct_kernels(self, library):
        self.mask = dropout_mask_op(library)
        self.direct = True

    def construct(self, x):
        if not self.direct or not self.training or self.p == 0:
            return super().construct(x)
        seed = ops.randint(0, 2 ** 31 - 1, (1,), dtype=ms.int32)
        return x * ops.stop_gradient(self.mask(seed, self.keep, x))


class LeakyReLU(nn.Cell):
    """LeakyReLU(x) = x for x > 0, slope * x otherwise (slope 0.2 in pix2pix), computed as
    slope * x + (1 - slope) * relu(x).

    Same values (up to float rounding, ~1e-7) and gradients as nn.LeakyReLU, which MindSpore 2.10
    computes as maximum(slope * x, x) and whose gradient decomposes into six elementwise ops (Select, Div,
    Maximum, Equal, Greater, Less: about 12% of a pix2pix training step on CPU). This form uses the
    fused ReLU kernels and runs forward + backward about 10x faster (1.3 ms against 13.7 ms on a
    64x128x128 map on 2 cores).
    """

    def __init__(self, slope=0.2):
        super().__init__()
        self.slope = slope
        self.relu = nn.ReLU()

    def construct(self, x):
        return self.slope * x + (1.0 - self.slope) * self.relu(x)


class Tanh(nn.Cell):
    """tanh(x), computed as 2 * sigmoid(2x) - 1. MindSpore's CPU Tanh kernel is an approximation (off by up to
    1e-4; docs/performance.md), which would keep converted reference weights from computing what PyTorch does;
    this form is exact to float32 rounding."""

    def construct(self, x):
        return 2 * ops.sigmoid(2 * x) - 1


class InstanceNorm(nn.Cell):
    """Per-sample, per-channel normalisation over H and W without affine parameters: the reference's
    InstanceNorm2d(affine=False). Two forms of the same function:

    fused (the default): one fused kernel that keeps only the input and the statistics for the backward pass
    (a 512x256 pix2pixHD generator step: 4.5 GB instead of 7.1 GB). On the CPU that is batch norm over the
    (1, N*C, H, W) view, as PyTorch computes instance norm: oneDNN's batch norm is 8x faster than MindSpore's
    CPU group norm (docs/performance.md). Elsewhere it is group norm with one group per channel.
    plain ops (fused False): what has the second derivative the WGAN-GP penalty needs (it switches its
    discriminator to it, see `twice_differentiable_forms`) and what ONNX can hold (export switches to it, see
    `exportable_forms`).
    """

    def __init__(self, num_channels, eps=1e-5, fused=True):
        super().__init__()
        self.num_channels, self.eps, self.fused = num_channels, eps, fused
        self.batch_norm = ops.BatchNorm(is_training=True, epsilon=eps)
        # Read when the network is built: setup_device has chosen the device by then.
        self.on_cpu = ms.get_context("device_target") == "CPU"

    def construct(self, x):
        if not self.fused:
            mean = x.mean(axis=(2, 3), keep_dims=True)
            centred = x - mean
            variance = (centred * centred).mean(axis=(2, 3), keep_dims=True)
            return centred / ops.sqrt(variance + self.eps)  # not rsqrt: MindSpore cannot export Rsqrt to ONNX
        if not self.on_cpu:
            return ops.group_norm(x, self.num_channels, None, None, self.eps)
        n, c, h, w = x.shape
        # Training-mode batch norm writes its running statistics into its mean and variance inputs: they are
        # made from x at each call, so no constant the graph shares (the scale's ones) is ever written to.
        running_mean = ops.stop_gradient(x.reshape(-1)[:n * c]) * 0.0
        scale, shift = ops.ones((n * c,), x.dtype), ops.zeros((n * c,), x.dtype)
        normalised = self.batch_norm(x.reshape(1, n * c, h, w), scale, shift, running_mean, running_mean + 1.0)[0]
        return normalised.reshape(n, c, h, w)


def skip_cancelled_biases(network):
    """Mark every convolution of `network` whose output goes straight into an InstanceNorm (the next cell of the
    same SequentialCell) `bias_cancelled`: the norm subtracts each channel's mean over H and W, which removes any
    per-channel constant exactly, so the direct kernels skip adding the bias and computing its gradient (zero:
    the bias keeps its value). The outputs and every other gradient are the same; the reference keeps these
    biases, and so do checkpoints. A cell stands for its convolution if it has `output_convolution`. Returns
    `network`."""
    for _, cell in network.cells_and_names():
        if isinstance(cell, nn.SequentialCell):
            for index in range(len(cell) - 1):
                convolution = getattr(cell[index], "output_convolution", cell[index])
                if isinstance(convolution, DirectConvolution) and isinstance(cell[index + 1], InstanceNorm):
                    convolution.bias_cancelled = True
    return network


def twice_differentiable_forms(network):
    """Switch every InstanceNorm of `network` to its plain-ops form (the same function), whose gradient can be
    differentiated again, as the WGAN-GP gradient penalty does; returns `network`."""
    for _, cell in network.cells_and_names():
        if isinstance(cell, InstanceNorm):
            cell.fused = False
    return network


def exportable_forms(network):
    """Switch every InstanceNorm of `network` to its plain-ops form and every convolution, halving pool and
    reflection padding back to MindSpore's own (the same functions), as ONNX and MINDIR export need; returns
    `network`."""
    for _, cell in twice_differentiable_forms(network).cells_and_names():
        if isinstance(cell, DirectKernels):
            cell.direct = False
    return network


class HalvingAvgPool(DirectKernels, nn.Cell):
    """pix2pixHD's AvgPool2d(3, stride=2, padding=1, count_include_pad=False): halves H and W (rounding up),
    each output the mean of the input pixels under its 3x3 window. On the direct kernels (the CPU's
    --conv_kernel onednn) it is oneDNN's pooling (kernels.direct_spatial); otherwise a zero-padded 3x3 average
    divided by the share of the window inside the image, because MindSpore runs count_include_pad=False as
    AvgPool3D, which it cannot export to ONNX."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AvgPool2d(3, 2, pad_mode="valid")

    def use_direct_kernels(self, library):
        self.direct_pool = halving_pool_op(library)
        self.direct = True

    @staticmethod
    def zero_pad(x):
        rows = x[:, :, :1, :] * 0.0
        x = ops.concat((rows, x, rows), axis=2)
        columns = x[:, :, :, :1] * 0.0
        return ops.concat((columns, x, columns), axis=3)

    def construct(self, x):
        if self.direct:
            return self.direct_pool(x)
        inside = x[:, :1, :, :] * 0.0 + 1.0
        return self.pool(self.zero_pad(x)) / self.pool(self.zero_pad(inside))


def norm_layers(norm_mode, num_channels):
    """The normalisation after a conv over `num_channels` maps (NCHW), as a list of 0 or 1 cells.

    batch: BatchNorm2d with affine gamma/beta; momentum 0.9 here equals PyTorch's 0.1.
    instance: InstanceNorm (no affine parameters), in its fused form.
    none: nothing.
    """
    if norm_mode == "batch":
        return [nn.BatchNorm2d(num_channels, momentum=0.9, eps=1e-5)]
    if norm_mode == "instance":
        return [InstanceNorm(num_channels, eps=1e-5)]
    if norm_mode == "none":
        return []
    raise ValueError(f"norm_mode must be one of {NORM_MODES}, got {norm_mode!r}")


def conv_has_bias(norm_mode):
    """Convs followed by batch norm carry no bias (BN's beta replaces it). With instance norm they do, as in
    the reference. With no norm they do too: the reference drops them there (its bias test only knows
    InstanceNorm), leaving those convs without any offset."""
    return norm_mode != "batch"
