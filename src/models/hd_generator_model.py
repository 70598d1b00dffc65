"""pix2pixHD's coarse-to-fine generators (Wang et al., CVPR 2018; NVIDIA/pix2pixHD models/networks.py), layer
for layer and index for index, so its published weights load by name (--netG global | local).

GlobalGenerator: reflect pad 3 -> conv 7x7 -> norm -> ReLU; n_downsample stride-2 conv 3x3 (channels double);
n_blocks residual blocks; as many stride-2 transposed conv 3x3 (output padding 1, channels halve); reflect
pad 3 -> conv 7x7 -> tanh. Every conv carries a bias whatever the norm, as pix2pixHD's.

LocalEnhancer: a global generator of ngf * 2**n_local_enhancers filters, without its last three layers, sees
the input average-pooled (3x3, stride 2, padding 1, padding not counted) n_local_enhancers times; each
enhancer n = 1..N downsamples the input of its own scale once, adds the coarser result, runs n_blocks_local
residual blocks and upsamples once; the last one ends in reflect pad 3 -> conv 7x7 -> tanh.
"""
from mindspore import nn

from src.models.generator_model import ResnetBlock, UpsampleConv
from src.models.layers import HalvingAvgPool, ReflectionPad, Tanh, conv2d, largest_halvings, norm_layers
from src.utils.setting_rules import COUNT, POSITIVE_INTEGER

# The last layers of a global generator that a LocalEnhancer leaves out: reflect pad, conv 7x7, tanh.
OUTPUT_LAYERS = 3


def downsampling_input(in_channels, channels, norm_mode):
    """reflect pad 3 -> conv 7x7 (in_channels -> channels) -> norm -> ReLU: the first layers of each generator."""
    return [ReflectionPad(3), conv2d(in_channels, channels, 7, 1, 0, True)] + norm_layers(norm_mode, channels) + [nn.ReLU()]


def downsampling(channels, norm_mode):
    """conv 3x3 stride 2 (channels -> 2 channels) -> norm -> ReLU: halves H and W."""
    return [conv2d(channels, 2 * channels, 3, 2, 1, True)] + norm_layers(norm_mode, 2 * channels) + [nn.ReLU()]


def upsampling(channels, norm_mode):
    """transposed conv 3x3 stride 2 (channels -> channels / 2) -> norm -> ReLU: doubles H and W."""
    return [UpsampleConv(channels, channels // 2, True)] + norm_layers(norm_mode, channels // 2) + [nn.ReLU()]


def output_layers(channels, out_channels):
    """reflect pad 3 -> conv 7x7 -> tanh: the image in [-1, 1]."""
    return [ReflectionPad(3), conv2d(channels, out_channels, 7, 1, 0, True), Tanh()]


def global_layers(in_channels, out_channels, ngf, n_downsample, n_blocks, norm_mode, use_dropout):
    """The layers of pix2pixHD's GlobalGenerator.model, in its order."""
    layers = downsampling_input(in_channels, ngf, norm_mode)
    for level in range(n_downsample):
        layers += downsampling(ngf * 2 ** level, norm_mode)
    layers += [ResnetBlock(ngf * 2 ** n_downsample, norm_mode, use_dropout, has_bias=True) for _ in range(n_blocks)]
    for level in range(n_downsample, 0, -1):
        layers += upsampling(ngf * 2 ** level, norm_mode)
    return layers + output_layers(ngf, out_channels)


class GlobalGenerator(nn.Cell):
    """pix2pixHD's global generator G1.

    Args:
        in_channels, out_channels: channels of the input (label_nc one-hot maps plus the instance boundary
            channel, or an image) and of the output image.
        ngf: filters of the first conv (64 in pix2pixHD's 512p model).
        n_downsample: stride-2 convs (4 in pix2pixHD); inputs must be multiples of 2**n_downsample.
        n_blocks: residual blocks at ngf * 2**n_downsample channels (9).
        norm_mode: "instance" (pix2pixHD's default), "batch" or "none".
        use_dropout: dropout(0.5) inside the residual blocks (pix2pixHD never uses it).

    Input (N, in_channels, H, W); output (N, out_channels, H, W) in [-1, 1].
    """

    def __init__(self, in_channels=36, out_channels=3, ngf=64, n_downsample=4, n_blocks=9, norm_mode="instance",
                 use_dropout=False):
        super().__init__()
        self.model = nn.SequentialCell(global_layers(in_channels, out_channels, ngf, n_downsample, n_blocks,
                                                     norm_mode, use_dropout))
        self.in_channels = in_channels
        self.size_multiple = 2 ** n_downsample

    def construct(self, x):
        return self.model(x)


class LocalEnhancer(nn.Cell):
    """pix2pixHD's local enhancer generator G2 (see the module docstring).

    Args:
        in_channels, out_channels, n_downsample_global, n_blocks_global, norm_mode, use_dropout: as
            GlobalGenerator's; the global part has ngf * 2**n_local_enhancers filters.
        ngf: filters of the outermost enhancer (32 in pix2pixHD's 1024p model).
        n_local_enhancers: enhancers (1), each doubling the resolution the global generator works at.
        n_blocks_local: residual blocks per enhancer (3).

    Parameter names follow pix2pixHD's with its `model{n}_1` / `model{n}_2` as enhancer_downsample.{n-1} /
    enhancer_upsample.{n-1}. Input (N, in_channels, H, W), H and W multiples of
    2**(n_downsample_global + n_local_enhancers); output (N, out_channels, H, W) in [-1, 1].
    """

    def __init__(self, in_channels=36, out_channels=3, ngf=32, n_downsample_global=4, n_blocks_global=9,
                 n_local_enhancers=1, n_blocks_local=3, norm_mode="instance", use_dropout=False):
        super().__init__()
        coarse = global_layers(in_channels, out_channels, ngf * 2 ** n_local_enhancers, n_downsample_global,
                               n_blocks_global, norm_mode, use_dropout)
        self.model = nn.SequentialCell(coarse[:-OUTPUT_LAYERS])
        downsample, upsample = [], []
        for n in range(1, n_local_enhancers + 1):
            channels = ngf * 2 ** (n_local_enhancers - n)
            downsample.append(nn.SequentialCell(downsampling_input(in_channels, channels, norm_mode)
                                                + downsampling(channels, norm_mode)))
            layers = [ResnetBlock(2 * channels, norm_mode, use_dropout, has_bias=True) for _ in range(n_blocks_local)]
            layers += upsampling(2 * channels, norm_mode)
            if n == n_local_enhancers:
                layers += output_layers(ngf, out_channels)
            upsample.append(nn.SequentialCell(layers))
        self.enhancer_downsample = nn.CellList(downsample)
        self.enhancer_upsample = nn.CellList(upsample)
        self.pool = HalvingAvgPool()
        self.n_local_enhancers = n_local_enhancers
        self.in_channels = in_channels
        self.size_multiple = 2 ** (n_downsample_global + n_local_enhancers)

    def fixed_while_enhancing(self):
        """Names of the parameters outside the outermost enhancer: what --niter_fix_global keeps fixed."""
        outermost = (f"enhancer_downsample.{self.n_local_enhancers - 1}.", f"enhancer_upsample.{self.n_local_enhancers - 1}.")
        return [parameter.name for parameter in self.get_parameters() if not parameter.name.startswith(outermost)]

    def construct(self, x):
        pyramid = [x]
        for _ in range(self.n_local_enhancers):
            pyramid.append(self.pool(pyramid[-1]))
        output = self.model(pyramid[self.n_local_enhancers])
        for index in range(self.n_local_enhancers):
            scale_input = pyramid[self.n_local_enhancers - 1 - index]
            output = self.enhancer_upsample[index](self.enhancer_downsample[index](scale_input) + output)
        return output


GLOBAL_SETTINGS = {"n_downsample_global": POSITIVE_INTEGER, "n_blocks_global": COUNT}
# What pix2pixHD's generators are trained with unless the run says otherwise: instance norm, no dropout, and
# 10 x its VGG loss (which it weighs by lambda_feat).
HD_DEFAULTS = {"norm_mode": "instance", "no_dropout": True, "lambda_vgg": 10.0}


def downsampling_problem(setting, value, extra, side):
    """Why halving pictures of short side `side` px value + extra times leaves under 2 px for the residual blocks'
    reflection padding (naming the largest `setting` that fits), or None."""
    if side >= 2 * 2 ** (value + extra):
        return None
    largest = largest_halvings(side) - extra
    fix = f"the largest that fits is {largest}" if largest >= 1 else "use larger pictures"
    return (f"--{setting} {value} halves pictures of {side} px {value + extra} times, to less than the 2 px its "
            f"residual blocks need: {fix}")


class HDFamily:
    """What both pix2pixHD generator entries share: one plain name each, pix2pixHD's training defaults."""
    names = ()
    hint = ""
    defaults = HD_DEFAULTS

    @classmethod
    def match(cls, name):
        return True if name in cls.names else None


class GlobalFamily(HDFamily):
    """--netG global: pix2pixHD's GlobalGenerator; inputs in multiples of 2**n_downsample_global."""
    names = ("global",)
    settings = GLOBAL_SETTINGS
    kind = "global"

    @staticmethod
    def build(spec, _):
        return GlobalGenerator(spec.in_channels, spec.out_channels, spec.ngf, spec.options["n_downsample_global"],
                               spec.options["n_blocks_global"], spec.norm_mode, spec.use_dropout)

    @staticmethod
    def size_multiple(spec, _):
        return 2 ** spec.options["n_downsample_global"]

    @staticmethod
    def size_problem(spec, _, side):
        """Why pictures of short side `side` px are too small for this generator, or None."""
        return downsampling_problem("n_downsample_global", spec.options["n_downsample_global"], 0, side)


class LocalFamily(HDFamily):
    """--netG local: pix2pixHD's LocalEnhancer; inputs in multiples of
    2**(n_downsample_global + n_local_enhancers)."""
    names = ("local",)
    settings = dict(GLOBAL_SETTINGS, n_local_enhancers=POSITIVE_INTEGER, n_blocks_local=COUNT)
    kind = "local"

    @staticmethod
    def build(spec, _):
        options = spec.options
        return LocalEnhancer(spec.in_channels, spec.out_channels, spec.ngf, options["n_downsample_global"],
                             options["n_blocks_global"], options["n_local_enhancers"], options["n_blocks_local"],
                             spec.norm_mode, spec.use_dropout)

    @staticmethod
    def size_multiple(spec, _):
        return 2 ** (spec.options["n_downsample_global"] + spec.options["n_local_enhancers"])

    @staticmethod
    def size_problem(spec, _, side):
        """Why pictures of short side `side` px are too small for this generator, or None."""
        return downsampling_problem("n_downsample_global", spec.options["n_downsample_global"],
                                    spec.options["n_local_enhancers"], side)
