"""U-Net generator of pix2pix (Isola et al. 2017), layer for layer as the reference implementation.

Encoder C64-C128-C256-C512-C512-C512-C512-C512 (for ngf=64, num_downs=8), each a 4x4 stride-2
conv; the first has no norm and no activation before it, the innermost no norm; every other
starts with LeakyReLU(0.2). The decoder mirrors it with ReLU -> 4x4 stride-2 transposed conv ->
norm, dropout(0.5) on the num_downs - 5 blocks just below the innermost, and concatenates each
output after the matching encoder feature map (skip first, as torch.cat([x, block(x)])).
The last layer is ReLU -> transposed conv (with bias) -> Tanh.
"""
from mindspore import nn, ops

from src.models.activation import LeakyReLU
from src.models.norm import conv_has_bias, make_norm_layer


def _down_conv(in_channels, out_channels, has_bias):
    return nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, pad_mode="pad", padding=1,
                     has_bias=has_bias)


def _up_conv(in_channels, out_channels, has_bias):
    return nn.Conv2dTranspose(in_channels, out_channels, kernel_size=4, stride=2, pad_mode="pad", padding=1,
                              has_bias=has_bias)


class DownBlock(nn.SequentialCell):
    """[LeakyReLU(0.2)] -> conv 4x4 s2 -> [norm]: halves H and W."""

    def __init__(self, in_channels, out_channels, norm_mode, activation=True, norm=True):
        layers = [LeakyReLU(0.2)] if activation else []
        layers.append(_down_conv(in_channels, out_channels, conv_has_bias(norm_mode)))
        if norm:
            layers.append(make_norm_layer(norm_mode, out_channels))
        super().__init__(layers)


class UpBlock(nn.SequentialCell):
    """ReLU -> transposed conv 4x4 s2 -> norm -> [Dropout(0.5)]: doubles H and W."""

    def __init__(self, in_channels, out_channels, norm_mode, dropout=False):
        layers = [nn.ReLU(), _up_conv(in_channels, out_channels, conv_has_bias(norm_mode)),
                  make_norm_layer(norm_mode, out_channels)]
        if dropout:
            layers.append(nn.Dropout(p=0.5))
        super().__init__(layers)


class OutputBlock(nn.SequentialCell):
    """ReLU -> transposed conv (with bias) -> Tanh: the image in [-1, 1]."""

    def __init__(self, in_channels, out_channels):
        super().__init__([nn.ReLU(), _up_conv(in_channels, out_channels, has_bias=True), nn.Tanh()])


def encoder_channels(ngf, num_downs):
    """Output channels of each encoder level: ngf, 2ngf, 4ngf, then 8ngf for the rest."""
    return [ngf * min(2 ** level, 8) for level in range(num_downs)]


class UnetGenerator(nn.Cell):
    """U-Net generator.

    Args:
        in_channels, out_channels: image channels of A and B (3 for RGB).
        ngf: filters of the first conv (64 in the paper).
        num_downs: downsamplings; 8 = unet_256, 7 = unet_128. Inputs must be multiples of 2**num_downs.
        norm_mode: "batch" or "instance".
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

    def construct(self, x):
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
        for index, block in enumerate(self.decoder):
            x = ops.concat((skips[self.num_downs - 2 - index], block(x)), axis=1)
        return self.output_block(x)
