"""PatchGAN discriminator of pix2pix: classifies overlapping patches of concat(A, B) as real or fake.

n_layers=3 is the paper's 70x70 PatchGAN (a 256x256 pair gives 30x30 logits); 1 gives 16x16
patches, 5 gives 286x286, and 0 the 1x1 PixelGAN. Layers match the reference: every conv 4x4 with
padding 1; the first and the last conv carry a bias, the ones followed by norm do not (unless
instance norm); no sigmoid (the loss works on logits).
"""
from mindspore import nn, ops

from src.models.activation import LeakyReLU
from src.models.norm import conv_has_bias, make_norm_layer


def _conv(in_channels, out_channels, kernel_size, stride, padding, has_bias):
    return nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride, pad_mode="pad",
                     padding=padding, has_bias=has_bias)


def _patch_layers(in_channels, ndf, n_layers, norm_mode):
    layers = [_conv(in_channels, ndf, 4, 2, 1, has_bias=True), LeakyReLU(0.2)]
    multiplier = 1
    for depth in range(1, n_layers + 1):
        previous, multiplier = multiplier, min(2 ** depth, 8)
        stride = 2 if depth < n_layers else 1  # the last norm layer keeps the resolution
        layers += [_conv(ndf * previous, ndf * multiplier, 4, stride, 1, conv_has_bias(norm_mode)),
                   make_norm_layer(norm_mode, ndf * multiplier), LeakyReLU(0.2)]
    layers.append(_conv(ndf * multiplier, 1, 4, 1, 1, has_bias=True))
    return layers


def _pixel_layers(in_channels, ndf, norm_mode):
    bias = conv_has_bias(norm_mode)
    return [_conv(in_channels, ndf, 1, 1, 0, has_bias=True), LeakyReLU(0.2),
            _conv(ndf, ndf * 2, 1, 1, 0, has_bias=bias), make_norm_layer(norm_mode, ndf * 2), LeakyReLU(0.2),
            _conv(ndf * 2, 1, 1, 1, 0, has_bias=bias)]


class PatchDiscriminator(nn.Cell):
    """Conditional PatchGAN.

    Args:
        in_channels: channels of concat(A, B) (6 for RGB pairs).
        ndf: filters of the first conv (64 in the paper).
        n_layers: 0 = PixelGAN, 3 = 70x70 PatchGAN.
        norm_mode: "batch" or "instance".

    construct(condition, image): both (N, C, H, W); returns logits (N, 1, h, w), h = w = 30 for 256x256.
    """

    def __init__(self, in_channels=6, ndf=64, n_layers=3, norm_mode="batch"):
        super().__init__()
        if n_layers < 0:
            raise ValueError(f"n_layers must be >= 0, got {n_layers}")
        layers = _pixel_layers(in_channels, ndf, norm_mode) if n_layers == 0 else \
            _patch_layers(in_channels, ndf, n_layers, norm_mode)
        self.layers = nn.SequentialCell(layers)

    def construct(self, condition, image):
        return self.layers(ops.concat((condition, image), axis=1))
