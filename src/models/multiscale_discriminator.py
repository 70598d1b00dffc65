"""pix2pixHD's multi-scale discriminator (NVIDIA/pix2pixHD models/networks.py, MultiscaleDiscriminator with
getIntermFeat): num_D PatchGANs of one layout judge concat(condition, image) at full size, then average-pooled
(3x3, stride 2, padding 1, padding not counted) to half, quarter, ... size, and each returns every
intermediate feature map, for the feature-matching loss (--netD multiscale).

pix2pixHD's PatchGAN differs from pix2pix's (discriminator_model.PatchDiscriminator): its 4x4 convs pad by 2
(ceil(3 / 2)), every conv carries a bias, and the filters stop doubling at 512 rather than at 8 * ndf. A scale's
n_layers_D + 2 stages are: conv s2 -> LeakyReLU; n_layers_D - 1 times conv s2 -> norm -> LeakyReLU; conv s1
-> norm -> LeakyReLU; conv s1 to one logit map. Scale i (0 = full size) is pix2pixHD's scale{num_D-1-i}, as
its forward pass takes them.
"""
from mindspore import nn, ops

from src.models.discriminator_model import receptive_field
from src.models.layers import HalvingAvgPool, LeakyReLU, conv2d, largest_halvings, norm_layers
from src.utils.setting_rules import POSITIVE_INTEGER

KERNEL, PADDING, MAX_FILTERS = 4, 2, 512


def patch_stages(in_channels, ndf, n_layers, norm_mode):
    """pix2pixHD's NLayerDiscriminator stages (model0 .. model{n_layers+1}) as lists of cells."""
    stages = [[conv2d(in_channels, ndf, KERNEL, 2, PADDING, True), LeakyReLU(0.2)]]
    filters = ndf
    for depth in range(1, n_layers + 1):
        previous, filters = filters, min(filters * 2, MAX_FILTERS)
        stride = 2 if depth < n_layers else 1
        norm = norm_layers(norm_mode, filters)
        stages.append([conv2d(previous, filters, KERNEL, stride, PADDING, True)] + norm + [LeakyReLU(0.2)])
    stages.append([conv2d(filters, 1, KERNEL, 1, PADDING, True)])
    return stages


class FeaturePatchDiscriminator(nn.Cell):
    """One scale: construct(x) with x (N, C, H, W) returns the tuple of its n_layers + 2 stages' outputs, the
    last being the logits."""

    def __init__(self, in_channels, ndf=64, n_layers=3, norm_mode="instance"):
        super().__init__()
        self.stages = nn.CellList([nn.SequentialCell(stage) for stage in patch_stages(in_channels, ndf, n_layers,
                                                                                       norm_mode)])

    def construct(self, x):
        features = ()
        for stage in self.stages:
            x = stage(x)
            features = features + (x,)
        return features

    def convs(self):
        return [layer for stage in self.stages for layer in stage if isinstance(layer, nn.Conv2d)]


class MultiscaleDiscriminator(nn.Cell):
    """pix2pixHD's discriminator over concat(A, B).

    Args:
        in_channels: channels of concat(condition, image) (label_nc + 1 + 3 for Cityscapes with instances).
        ndf, n_layers, norm_mode: each scale's PatchGAN (64, 3, instance in pix2pixHD).
        num_D: scales (2 in pix2pixHD's 512p model, 3 in its 1024p model).

    construct(condition, image): both (N, C, H, W); returns a tuple of num_D tuples (full size first), each of
    the n_layers + 2 feature maps of one scale, the last being its logits.
    """

    def __init__(self, in_channels=6, ndf=64, n_layers=3, norm_mode="instance", num_D=2):
        super().__init__()
        self.scales = nn.CellList([FeaturePatchDiscriminator(in_channels, ndf, n_layers, norm_mode)
                                   for _ in range(num_D)])
        self.pool = HalvingAvgPool()
        self.num_D = num_D
        self.n_layers = n_layers
        self.receptive_field = receptive_field(self.scales[0].convs())

    def construct(self, condition, image):
        x = ops.concat((condition, image), axis=1)
        outputs = ()
        for index, scale in enumerate(self.scales):
            if index > 0:
                x = self.pool(x)
            outputs = outputs + (scale(x),)
        return outputs

    def logit_map_side(self, side):
        """Side of the full-size scale's logit map for inputs of `side` px."""
        for conv in self.scales[0].convs():
            side = (side + 2 * PADDING - KERNEL) // conv.stride[0] + 1
        return side


class MultiscaleFamily:
    """--netD multiscale: pix2pixHD's --num_D PatchGANs of --n_layers_D layers at successive half sizes, with
    their feature maps for --lambda_feat."""
    names = ("multiscale",)
    hint = ""
    settings = {"num_D": POSITIVE_INTEGER}
    defaults = {"gan_mode": "lsgan", "lambda_L1": 0.0}  # pix2pixHD's objective has no L1 term

    @staticmethod
    def match(name):
        return True if name == "multiscale" else None

    @staticmethod
    def build(spec, _):
        return MultiscaleDiscriminator(spec.in_channels + spec.out_channels, spec.ndf, spec.n_layers_D,
                                       spec.norm_mode, spec.options["num_D"])

    @staticmethod
    def scales(spec, _):
        return spec.options["num_D"]

    @staticmethod
    def size_problem(spec, _, side):
        """Why pictures of short side `side` px are too small for --num_D scales of --n_layers_D layers (the
        coarsest scale must keep 2**n_layers_D px, one for each halving of its PatchGAN), or None."""
        num_d, layers = spec.options["num_D"], spec.n_layers_D
        needed = 2 ** layers
        if -(-side // 2 ** (num_d - 1)) >= needed:
            return None
        if side < needed:
            return (f"--n_layers_D {layers} halves pictures of {side} px {layers} times, to less than a pixel: the "
                    f"largest that fits is {largest_halvings(side, 1)}")
        fits = max(scales for scales in range(1, num_d) if -(-side // 2 ** (scales - 1)) >= needed)
        return (f"--num_D {num_d}: the coarsest discriminator sees pictures of {side} px at 1/{2 ** (num_d - 1)} of "
                f"their size, smaller than the {needed} px its {layers} layers need: the largest --num_D that fits is "
                f"{fits}")

    @staticmethod
    def describe(spec, _):
        return f"multiscale ({spec.options['num_D']} scales of n_layers {spec.n_layers_D}, pix2pixHD's layout)"
