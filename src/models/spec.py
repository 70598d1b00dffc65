"""The model spec: the settings that define the networks' shapes, which checkpoints and exports carry so
that eval, predict, export and deployment rebuild the very model that was trained.

Its dict form (checkpoints' `model_spec` entry, export.py's JSON) is versioned: `version` 2 holds the
fields below; a dict without `version` is version 1, the same fields flat, where `options` is empty,
`colorization` may be missing (an RGB model) and the oldest form names the U-Net by `num_downs` and the
PixelGAN by `n_layers_D` 0.
"""
from dataclasses import asdict, dataclass, field, fields, replace

from src.utils.errors import UserInputError

SPEC_VERSION = 2
# Channels of A and B in colorization: L and ab of CIE Lab.
COLORIZATION_CHANNELS = (1, 2)


@dataclass(frozen=True)
class ModelSpec:
    """in_channels, out_channels: of A and B; colorization: A is L and B is ab of CIE Lab; label_nc: A is a
    class-ID map one-hot encoded to label_nc channels (0: A is an image), followed by an instance boundary
    channel when instance_edges; netG, ngf,
    norm_mode, use_dropout: the generator; netD, ndf, n_layers_D: the discriminator (None in a generator's
    spec that never had one, such as a converted one); options: the chosen networks' own settings
    ({setting: value}, see the registries' `settings`). The defaults describe an RGB model of unknown
    architecture, which is what an export without export.py's JSON is taken to be."""
    in_channels: int = 3
    out_channels: int = 3
    colorization: bool = False
    netG: str = None
    ngf: int = 64
    norm_mode: str = "batch"
    use_dropout: bool = True
    netD: str = None
    ndf: int = None
    n_layers_D: int = None
    options: dict = field(default_factory=dict)
    label_nc: int = 0
    instance_edges: bool = False

    @classmethod
    def from_settings(cls, settings, with_discriminator=True, option_keys=()):
        """The spec a run's settings describe (any object with the settings as attributes): colorization
        translates L into ab (1 -> 2 channels), label maps (--label_nc N) become N one-hot channels [+ the
        instance boundaries], other modes --input_nc -> --output_nc. `option_keys`: the chosen networks' own
        settings, copied into `options`."""
        colorization = settings.dataset_mode == "colorization"
        label_nc = 0 if colorization else settings.label_nc
        edges = bool(label_nc) and not settings.no_instance
        in_channels, out_channels = (COLORIZATION_CHANNELS if colorization else
                                     (label_nc + edges if label_nc else settings.input_nc, settings.output_nc))
        discriminator = ({"netD": settings.netD, "ndf": settings.ndf, "n_layers_D": settings.n_layers_D}
                         if with_discriminator else {})
        return cls(in_channels, out_channels, colorization, settings.netG, settings.ngf, settings.norm_mode,
                   not settings.no_dropout, options={key: getattr(settings, key) for key in option_keys},
                   label_nc=label_nc, instance_edges=edges, **discriminator)

    def to_dict(self):
        """The versioned dict form (JSON-able)."""
        return dict(version=SPEC_VERSION, **asdict(self))

    @classmethod
    def from_dict(cls, values, where="the model spec"):
        """A spec from its dict form, any version (see the module docstring); UserInputError for a dict
        that is not one."""
        if not isinstance(values, dict):
            raise UserInputError(f"{where} is not a model spec (a {type(values).__name__})")
        values = dict(values)
        version = values.pop("version", 1)
        if version not in (1, SPEC_VERSION):
            raise UserInputError(f"{where} has model spec version {version}; this version of the code reads "
                                 f"versions 1 and {SPEC_VERSION}: update the code")
        if "num_downs" in values:
            values["netG"] = f"unet_{2 ** values.pop('num_downs')}"
            values["netD"] = "pixel" if values.get("n_layers_D") == 0 else "n_layers"
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise UserInputError(f"{where} has settings this version does not know: {', '.join(unknown)}")
        return cls(**values)

    def reversed(self):
        """The spec of the generator translating the other way (CycleGAN's G_B): A's and B's channels swapped."""
        return replace(self, in_channels=self.out_channels, out_channels=self.in_channels)

    def differences(self, other):
        """'key=mine (other has theirs)' for each field where `other` differs."""
        return [f"{item.name}={getattr(self, item.name)} (config has {getattr(other, item.name)})"
                for item in fields(self) if getattr(self, item.name) != getattr(other, item.name)]


@dataclass(frozen=True)
class RunIdentity:
    """What a checkpoint says of the run that wrote it: the model (--model) and the direction it trained (A -> B
    is G_A's way for cycle_gan); an export's JSON, of the generator exported and the way it translates.
    Checkpoints and exports from before it, and from elsewhere, read as pix2pix, BtoA."""
    model: str = "pix2pix"
    direction: str = "BtoA"

    def entries(self):
        return {"model": self.model, "direction": self.direction}

    def test_dataset_mode(self):
        """The layout its test sets have unless --dataset_mode says: unaligned for a cycle_gan model, else the
        default aligned pairs (a colorization or label-map model is named with the mode it needs, not guessed)."""
        return "unaligned" if self.model == "cycle_gan" else "aligned"

    @classmethod
    def of(cls, contents):
        return cls(*(str(contents.get(key, default)) for key, default in cls().entries().items()))
