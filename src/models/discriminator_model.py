"""Conditional discriminators of the reference over concat(A, B) (--netD basic | n_layers | pixel).

PatchGAN (NLayerDiscriminator): classifies overlapping patches as real or fake. n_layers=3 ('basic') is
the paper's 70x70 PatchGAN: a 256x256 pair gives 30x30 logits; 1 gives 16x16 patches, 5 gives 286x286.
Every conv is 4x4 with padding 1; the first and the last carry a bias, the ones followed by batch norm
do not. PixelGAN: 1x1 convs, one decision per pixel. No sigmoid: the losses work on logits.
"""
from mindspore import nn, ops

from src.models.layers import LeakyReLU, conv2d, conv_has_bias, largest_halvings, norm_layers

class ConditionalDiscriminator(nn.Cell):
    """A stack of layers judging concat(A, B); subclasses build `layers` and call finish()."""

    def finish(self, layers):
        self.layers = nn.SequentialCell(layers)
        self.receptive_field = receptive_field(self.layers)

    def construct(self, condition, image):
        return self.layers(ops.concat((condition, image), axis=1))

    def judge(self, image):
        """The unconditional form (CycleGAN's D_A and D_B): logits of `image` alone, for a discriminator built
        with in_channels = the image's channels."""
        return self.layers(image)

    def logit_map_side(self, side):
        """Side of the logit map for inputs of `side` px: each conv maps s to (s + 2p - k) // stride + 1."""
        for layer in self.layers:
            if isinstance(layer, nn.Conv2d):
                padding = layer.padding if isinstance(layer.padding, int) else layer.padding[0]
                side = (side + 2 * padding - layer.kernel_size[0]) // layer.stride[0] + 1
        return side


class PatchDiscriminator(ConditionalDiscriminator):
    """Conditional PatchGAN.

    Args:
        in_channels: channels of concat(A, B) (6 for RGB pairs).
        ndf: filters of the first conv (64 in the paper).
        n_layers: conv layers between the first and the last; 3 = the 70x70 PatchGAN.
        norm_mode: "batch", "instance" or "none".

    construct(condition, image): both (N, C, H, W); returns logits (N, 1, h, w), h = w = 30 for 256x256.
    """

    def __init__(self, in_channels=6, ndf=64, n_layers=3, norm_mode="batch"):
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        layers = [conv2d(in_channels, ndf, 4, 2, 1, has_bias=True), LeakyReLU(0.2)]
        multiplier = 1
        for depth in range(1, n_layers + 1):
            previous, multiplier = multiplier, min(2 ** depth, 8)
            stride = 2 if depth < n_layers else 1  # the last norm layer keeps the resolution
            layers.append(conv2d(ndf * previous, ndf * multiplier, 4, stride, 1, conv_has_bias(norm_mode)))
            layers += norm_layers(norm_mode, ndf * multiplier) + [LeakyReLU(0.2)]
        layers.append(conv2d(ndf * multiplier, 1, 4, 1, 1, has_bias=True))
        self.finish(layers)


class PixelDiscriminator(ConditionalDiscriminator):
    """Conditional PixelGAN: 1x1 convs (6 -> ndf with bias, LeakyReLU, ndf -> 2ndf, norm, LeakyReLU,
    2ndf -> 1), so each pixel is judged alone (receptive field 1). The last conv has a bias only without
    batch norm, as in the reference.

    construct(condition, image): both (N, C, H, W); returns logits (N, 1, H, W).
    """

    def __init__(self, in_channels=6, ndf=64, norm_mode="batch"):
        super().__init__()
        bias = conv_has_bias(norm_mode)
        layers = [conv2d(in_channels, ndf, 1, 1, 0, has_bias=True), LeakyReLU(0.2),
                  conv2d(ndf, ndf * 2, 1, 1, 0, has_bias=bias)]
        layers += norm_layers(norm_mode, ndf * 2)
        layers += [LeakyReLU(0.2), conv2d(ndf * 2, 1, 1, 1, 0, has_bias=bias)]
        self.finish(layers)


def receptive_field(layers):
    """Side in pixels of the input patch one output logit sees: r <- (r - 1) * stride + kernel, from the
    last conv back to the first."""
    field = 1
    for layer in reversed(list(layers)):
        if isinstance(layer, nn.Conv2d):
            field = (field - 1) * layer.stride[-1] + layer.kernel_size[-1]
    return field


class PatchFamily:
    """--netD basic (the paper's 70x70 PatchGAN: 3 layers) or n_layers (--n_layers_D layers, a setting
    every spec carries)."""
    names = ("basic", "n_layers")
    hint = ""
    settings = {}
    defaults = {}

    @staticmethod
    def match(name):
        return name if name in PatchFamily.names else None

    @staticmethod
    def depth(spec, name):
        return 3 if name == "basic" else spec.n_layers_D

    @staticmethod
    def build(spec, name):
        return PatchDiscriminator(spec.in_channels + spec.out_channels, spec.ndf, PatchFamily.depth(spec, name),
                                  spec.norm_mode)

    @staticmethod
    def describe(spec, name):
        return f"{name} (n_layers 3)" if name == "basic" else f"n_layers {spec.n_layers_D}"

    @staticmethod
    def size_problem(spec, name, side):
        """Why pictures of short side `side` px leave this PatchGAN no logit map (its n stride-2 convs halve
        them, its two 4x4 stride-1 convs take 3 px), or None."""
        layers = PatchFamily.depth(spec, name)
        if side // 2 ** layers >= 3:
            return None
        fits = largest_halvings(side, 3)
        setting = "--netD basic (3 layers)" if name == "basic" else f"--n_layers_D {layers}"
        fix = f"the largest --n_layers_D that fits is {fits} (with --netD n_layers)" if fits else "use larger pictures"
        return f"{setting} leaves pictures of {side} px no logit map: {fix}"

    @staticmethod
    def scales(spec, _):
        return 0


class PixelFamily:
    """--netD pixel: the PixelGAN."""
    names = ("pixel",)
    hint = ""
    settings = {}
    defaults = {}

    @staticmethod
    def match(name):
        return True if name == "pixel" else None

    @staticmethod
    def build(spec, _):
        return PixelDiscriminator(spec.in_channels + spec.out_channels, spec.ndf, spec.norm_mode)

    @staticmethod
    def describe(spec, _):
        return "pixel"

    @staticmethod
    def scales(spec, _):
        return 0
