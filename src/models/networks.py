"""The doors for networks: GENERATORS (--netG) and DISCRIMINATORS (--netD) list their entries; everything
else builds, sizes and describes networks through them, from a ModelSpec.

A generator entry has `match(name)` (what the name carries, e.g. unet_256's 8 downsamplings, or None),
`build(spec, variant)`, `size_multiple(spec, variant)` (what input sides must be multiples of), `kind` (the
family, for weight conversion), `names`, `hint` and `settings` (its own settings and their rules). A
discriminator entry has `match`, `build(spec, variant)`, `describe(spec, variant)`, `scales(spec, variant)`
(0 for one logit map, else the scales of feature maps it returns), `names`, `hint` and `settings`. Either may carry `defaults`: settings it trains with unless the run sets them (pix2pixHD's
instance norm and LSGAN). A new network is a module with its entry and one line in the lists below.
"""
from src.models.discriminator_model import PatchFamily, PixelFamily
from src.models.generator_model import ResnetFamily, UnetFamily
from src.models.hd_generator_model import GlobalFamily, LocalFamily
from src.models.multiscale_discriminator import MultiscaleFamily
from src.models.init_w import init_weights
from src.models.layers import skip_cancelled_biases
from src.models.spec import ModelSpec
from src.utils.errors import UserInputError
from src.utils.registry import Registry

GENERATORS = Registry("netG", [UnetFamily, ResnetFamily, GlobalFamily, LocalFamily])
DISCRIMINATORS = Registry("netD", [PatchFamily, PixelFamily, MultiscaleFamily])
DISCRIMINATOR_NAMES = DISCRIMINATORS.names()


def check_generator_name(name):
    """UserInputError naming --netG and its choices unless `name` is a generator's."""
    GENERATORS.find(name)


def generator_architecture(name):
    """(kind, variant) of --netG `name`: ('unet', downsamplings) for unet_S, ('resnet', blocks) for
    resnet_Nblocks. Raises UserInputError for a name no generator answers to."""
    entry, variant = GENERATORS.find(name)
    return entry.kind, variant


def build_generator(spec, init_type="normal", init_gain=0.02):
    """The generator of `spec` (a ModelSpec), initialised as the reference; its `size_multiple` is what
    input sides must be multiples of."""
    entry, variant = GENERATORS.find(spec.netG)
    return skip_cancelled_biases(init_weights(entry.build(spec, variant), init_type, init_gain))


def build_discriminator(spec, init_type="normal", init_gain=0.02):
    """The discriminator over concat(A, B) of `spec`, initialised as the reference."""
    entry, variant = DISCRIMINATORS.find(spec.netD)
    return skip_cancelled_biases(init_weights(entry.build(spec, variant), init_type, init_gain))


def discriminator_scales(spec):
    """0 when the discriminator of `spec` returns one logit map, else its number of scales of feature maps."""
    entry, variant = DISCRIMINATORS.find(spec.netD)
    return entry.scales(spec, variant)


def generator_size_multiple(spec):
    """What the sides of the images the generator of `spec` translates must be multiples of (pixels)."""
    entry, variant = GENERATORS.find(spec.netG)
    return entry.size_multiple(spec, variant)


def round_up_to_multiple(side, multiple):
    """The smallest multiple of `multiple` that is at least `side` (pixels)."""
    return -(-side // multiple) * multiple


def require_size_multiples(settings, spec, keys, from_checkpoint=True):
    """The sizes the settings `keys` give (crop_size, tile_size, image_size, ...; attributes of `settings`)
    must be multiples of what the generator of `spec` needs: the checkpoint's for eval/predict/export, the
    one --netG names for train.py (which may then choose another generator, and is told so)."""
    multiple = generator_size_multiple(spec)
    for key in keys:
        value = getattr(settings, key)
        for side in (value if isinstance(value, list) else [value]):
            if side % multiple:
                raise UserInputError(
                    f"--{key} ({side}) must be a multiple of {multiple} for the generator {spec.netG}: use "
                    f"--{key} {round_up_to_multiple(side, multiple)}" + ("" if from_checkpoint else
                    ", or a generator for smaller sizes (e.g. --netG unet_128, unet_64, resnet_9blocks)"))


def require_networks_fit(spec, width, height):
    """UserInputError naming the setting, and the largest value that fits, when the networks of `spec` cannot take
    width x height pictures (their coarsest maps would vanish)."""
    side = min(width, height)
    for registry, name in ((GENERATORS, spec.netG), (DISCRIMINATORS, spec.netD)):
        entry, variant = registry.find(name)
        problem = entry.size_problem(spec, variant, side) if hasattr(entry, "size_problem") else None
        if problem:
            raise UserInputError(f"{width}x{height} training pictures: {problem}")


def describe_generator(spec):
    """One line for logs: which generator, with which norm and dropout."""
    dropout = "dropout 0.5" if spec.use_dropout else "no dropout"
    return f"{spec.netG} (ngf {spec.ngf}, {spec.norm_mode} norm, {dropout})"


def describe_discriminator(spec, discriminator, crop_size):
    """One line for logs: which discriminator, its receptive field and its logit map for a crop."""
    entry, variant = DISCRIMINATORS.find(spec.netD)
    field, side = discriminator.receptive_field, discriminator.logit_map_side(crop_size)
    return (f"{entry.describe(spec, variant)} (ndf {spec.ndf}, {spec.norm_mode} norm): receptive field "
            f"{field}x{field} px, {side}x{side} logits for {crop_size} px crops")


def spec_from_settings(settings, with_discriminator=True):
    """The ModelSpec a run's settings describe, with the chosen networks' own settings in `options`."""
    entries = [GENERATORS.get(settings.netG)] + ([DISCRIMINATORS.get(settings.netD)] if with_discriminator else [])
    return ModelSpec.from_settings(settings, with_discriminator, [key for entry in entries for key in entry.settings])
