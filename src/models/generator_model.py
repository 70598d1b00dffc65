"""Generators of the reference implementation, layer for layer: the U-Net of pix2pix (Isola et al. 2017)
and the ResNet generator (--netG unet_256 | unet_128 | resnet_9blocks | resnet_6blocks).

U-Net encoder C64-C128-C256-C512-C512-C512-C512-C512 (for ngf=64, num_downs=8), each a 4x4 stride-2
conv; the first has no norm and no activation before it, the innermost no norm; every other
starts with LeakyReLU(0.2). The decoder mirrors it with ReLU -> 4x4 stride-2 transposed conv ->
norm, dropout(0.5) on the num_downs - 5 blocks just below the innermost, and concatenates each
output after the matching encoder feature map (skip first, as torch.cat([x, block(x)])).
The last layer is ReLU -> transposed conv (with bias) -> Tanh.
"""
import re

from mindspore import nn, ops

from src.kernels.direct_conv import DirectConv2dTranspose
from src.models.layers import Dropout, LeakyReLU, ReflectionPad, Tanh, conv2d, conv_has_bias, norm_layers


def _up_conv(in_channels, out_channels, has_bias):
    return DirectConv2dTranspose(in_channels, out_channels, kernel_size=4, stride=2, pad_mode="pad", padding=1,
                                 has_bias=has_bias)


class DownBlock(nn.SequentialCell):
    """[LeakyReLU(0.2)] -> conv 4x4 s2 -> [norm]: halves H and W."""

    def __init__(self, in_channels, out_channels, norm_mode, activation=True, norm=True):
        layers = [LeakyReLU(0.2)] if activation else []
        layers.append(conv2d(in_channels, out_channels, 4, 2, 1, conv_has_bias(norm_mode)))
        if norm:
            layers += norm_layers(norm_mode, out_channels)
        super().__init__(layers)


class UpBlock(nn.SequentialCell):
    """ReLU -> transposed conv 4x4 s2 -> [norm] -> [Dropout(0.5)]: doubles H and W."""

    def __init__(self, in_channels, out_channels, norm_mode, dropout=False):
        layers = [nn.ReLU(), _up_conv(in_channels, out_channels, conv_has_bias(norm_mode))]
        layers += norm_layers(norm_mode, out_channels)
        if dropout:
            layers.append(Dropout(p=0.5))
        super().__init__(layers)


class OutputBlock(nn.SequentialCell):
    """ReLU -> transposed conv (with bias) -> Tanh: the image in [-1, 1]."""

    def __init__(self, in_channels, out_channels):
        super().__init__([nn.ReLU(), _up_conv(in_channels, out_channels, has_bias=True), Tanh()])


def encoder_channels(ngf, num_downs):
    """Output channels of each encoder level: ngf, 2ngf, 4ngf, then 8ngf for the rest."""
    return [ngf * min(2 ** level, 8) for level in range(num_downs)]


class UnetGenerator(nn.Cell):
    """U-Net generator.

    Args:
        in_channels, out_channels: image channels of A and B (3 for RGB).
        ngf: filters of the first conv (64 in the paper).
        num_downs: downsamplings; 8 = unet_256, 7 = unet_128. Inputs must be multiples of 2**num_downs.
        norm_mode: "batch", "instance" or "none".
        use_dropout: dropout(0.5) in the num_downs - 5 decoder blocks below the innermost.

    Input (N, in_channels, H, W) in [-1, 1]; output (N, out_channels, H, W) in [-1, 1].
    """

    def __init__(self, in_channels=3, out_channels=3, ngf=64, num_downs=8, norm_mode="batch", use_dropout=True):
        super().__init__()
        if num_downs < 5:
            raise ValueError(f"num_downs must be at least 5, got {num_downs}")
        channels = encoder_channels(ngf, num_downs)
        innermost = num_downs - 1
        encoder = []
        for level, out_ch in enumerate(channels):
            in_ch = in_channels if level == 0 else channels[level - 1]
            encoder.append(DownBlock(in_ch, out_ch, norm_mode, activation=level > 0,
                                     norm=0 < level < innermost))
        decoder = []
        # Decoder block k rebuilds encoder level innermost-1-k; all but the innermost take a concat input.
        for step, level in enumerate(range(innermost - 1, -1, -1)):
            in_ch = channels[innermost] if step == 0 else 2 * channels[level + 1]
            decoder.append(UpBlock(in_ch, channels[level], norm_mode,
                                   dropout=use_dropout and 1 <= step <= num_downs - 5))
        self.encoder = nn.CellList(encoder)
        self.decoder = nn.CellList(decoder)
        self.output_block = OutputBlock(2 * channels[0], out_channels)
        self.num_downs = num_downs
        self.in_channels = in_channels
        self.size_multiple = 2 ** num_downs

    def construct(self, x):
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
        for index, block in enumerate(self.decoder):
            x = ops.concat((skips[self.num_downs - 2 - index], block(x)), axis=1)
        return self.output_block(x)


class UpsampleConv(nn.Cell):
    """PyTorch's ConvTranspose2d(kernel 3, stride 2, padding 1, output_padding 1): doubles H and W.

    MindSpore 2.10's Conv2dTranspose with output_padding=1 does not compute that (max difference 0.48 against
    PyTorch on random weights, in graph and eager mode). The same output is the full transposed convolution
    (2H + 1 rows) without its first row and column, which is padding (top 1, bottom 0, left 1, right 0).
    """

    def __init__(self, in_channels, out_channels, has_bias):
        super().__init__()
        self.conv = DirectConv2dTranspose(in_channels, out_channels, kernel_size=3, stride=2, pad_mode="pad",
                                          padding=(1, 0, 1, 0), has_bias=has_bias)

    @property
    def output_convolution(self):
        """The convolution whose output this cell returns (layers.skip_cancelled_biases)."""
        return self.conv

    def construct(self, x):
        return self.conv(x)


class ResnetBlock(nn.Cell):
    """x + [reflect pad 1 -> conv 3x3 -> norm -> ReLU -> (Dropout 0.5) -> reflect pad 1 -> conv 3x3 -> norm](x).
    has_bias: the convs' biases; None follows the reference (none before batch norm), pix2pixHD keeps them."""

    def __init__(self, channels, norm_mode, use_dropout, has_bias=None):
        super().__init__()
        has_bias = conv_has_bias(norm_mode) if has_bias is None else has_bias
        layers = [ReflectionPad(1), conv2d(channels, channels, 3, 1, 0, has_bias)]
        layers += norm_layers(norm_mode, channels) + [nn.ReLU()]
        if use_dropout:
            layers.append(Dropout(p=0.5))
        layers += [ReflectionPad(1), conv2d(channels, channels, 3, 1, 0, has_bias)]
        layers += norm_layers(norm_mode, channels)
        self.block = nn.SequentialCell(layers)

    def construct(self, x):
        return x + self.block(x)


class ResnetGenerator(nn.Cell):
    """ResNet generator of the reference (Johnson et al.'s style-transfer network): reflect pad 3 -> conv 7x7
    -> norm -> ReLU; two stride-2 conv 3x3 downsamplings; n_blocks ResnetBlocks at 4*ngf channels; two
    stride-2 transposed conv 3x3 upsamplings (output padding 1); reflect pad 3 -> conv 7x7 (with bias) -> Tanh.

    Args:
        in_channels, out_channels: image channels of A and B (3 for RGB).
        ngf: filters of the first conv (64 in the reference).
        n_blocks: residual blocks: 9 = resnet_9blocks, 6 = resnet_6blocks.
        norm_mode: "batch", "instance" or "none".
        use_dropout: dropout(0.5) inside every residual block.

    Input (N, in_channels, H, W) in [-1, 1], H and W multiples of 4; output (N, out_channels, H, W) in [-1, 1].
    """

    def __init__(self, in_channels=3, out_channels=3, ngf=64, n_blocks=9, norm_mode="batch", use_dropout=True):
        super().__init__()
        if n_blocks < 1:
            raise ValueError(f"n_blocks must be at least 1, got {n_blocks}")
        has_bias = conv_has_bias(norm_mode)
        layers = [ReflectionPad(3), conv2d(in_channels, ngf, 7, 1, 0, has_bias)]
        layers += norm_layers(norm_mode, ngf) + [nn.ReLU()]
        for level in range(2):  # downsampling
            channels = ngf * 2 ** level
            layers += [conv2d(channels, 2 * channels, 3, 2, 1, has_bias)] + norm_layers(norm_mode, 2 * channels)
            layers.append(nn.ReLU())
        layers += [ResnetBlock(4 * ngf, norm_mode, use_dropout) for _ in range(n_blocks)]
        for level in (2, 1):  # upsampling
            channels = ngf * 2 ** level
            layers.append(UpsampleConv(channels, channels // 2, has_bias))
            layers += norm_layers(norm_mode, channels // 2) + [nn.ReLU()]
        layers += [ReflectionPad(3), conv2d(ngf, out_channels, 7, 1, 0, has_bias=True), Tanh()]
        self.layers = nn.SequentialCell(layers)
        self.in_channels = in_channels
        self.size_multiple = 4

    def construct(self, x):
        return self.layers(x)


class UnetFamily:
    """--netG unet_S: the U-Net with log2(S) downsamplings, S a power of two >= 32 (unet_256 has 8;
    unet_64 suits 64 px crops); inputs in multiples of S (one pixel at the innermost level)."""
    names = ("unet_256", "unet_128")
    hint = "unet_S with S a power of two >= 32"
    settings = {}
    defaults = {}
    kind = "unet"

    @staticmethod
    def match(name):
        """The number of downsamplings of unet_S, or None."""
        found = re.fullmatch(r"unet_(\d+)", name)
        side = int(found[1]) if found else 0
        return side.bit_length() - 1 if side >= 32 and side & (side - 1) == 0 else None

    @staticmethod
    def build(spec, num_downs):
        return UnetGenerator(spec.in_channels, spec.out_channels, spec.ngf, num_downs, spec.norm_mode,
                             spec.use_dropout)

    @staticmethod
    def size_multiple(spec, num_downs):
        return 2 ** num_downs


class ResnetFamily:
    """--netG resnet_Nblocks: the ResNet generator with N >= 1 residual blocks; inputs in multiples of 4
    (two stride-2 convs)."""
    names = ("resnet_9blocks", "resnet_6blocks")
    hint = "resnet_Nblocks with N >= 1"
    settings = {}
    defaults = {}
    kind = "resnet"

    @staticmethod
    def match(name):
        """The number of residual blocks of resnet_Nblocks, or None."""
        found = re.fullmatch(r"resnet_(\d+)blocks", name)
        return int(found[1]) if found and int(found[1]) >= 1 else None

    @staticmethod
    def build(spec, n_blocks):
        return ResnetGenerator(spec.in_channels, spec.out_channels, spec.ngf, n_blocks, spec.norm_mode,
                               spec.use_dropout)

    @staticmethod
    def size_multiple(spec, n_blocks):
        return 4

    @staticmethod
    def size_problem(spec, n_blocks, side):
        """Why pictures of short side `side` px are too small (its two halvings must leave the residual blocks'
        reflection padding 2 px), or None."""
        return None if side >= 8 else f"--netG {spec.netG} needs pictures of at least 8 px, got {side} px"
