"""What each command reads, and the rules its settings obey.

default_config.yaml holds every setting's default and help line. Here: the allowed values of each choice
(taken from the code that implements it), the range of each number, which settings each command
(train.py, eval.py, ...) reads, and the checks across settings. A command checks the settings it reads and
no others, so a predict-only value never blocks training.
"""
import math
from typing import NamedTuple

from src.dataset.pair_dataset import DATASET_MODES
from src.dataset.pair_sources import DIRECTIONS
from src.dataset.transforms import CROPPING_MODES, PREPROCESS_MODES
from src.deploy.export_model import EXPORT_FORMATS
from src.models.checkpoint import TEST_MODES
from src.models.discriminator_model import DISCRIMINATOR_NAMES
from src.models.generator_model import generator_architecture, generator_size_multiple, round_up_to_multiple
from src.models.init_w import INIT_TYPES
from src.models.layers import NORM_MODES
from src.models.loss import GAN_MODES
from src.models.pix2pix import AMP_LEVELS
from src.translator import BACKENDS, require_backend_mode
from src.utils.config import DEFAULT_CONFIG_PATH, format_help, parse_config, read_yaml_documents
from src.utils.device import DEVICE_TARGETS, EXECUTION_MODES
from src.utils.errors import UserInputError
from src.utils.lr_schedule import LR_POLICIES

# demo.py --palette: the canvas's brush colours.
PALETTES = ("auto", "facades", "none")
# --input_nc / --output_nc: grey or RGB (colorization's 1 -> 2 channels come with --dataset_mode colorization).
IMAGE_CHANNELS = (1, 3)
# Channels of A and B in colorization: L and ab of CIE Lab.
COLORIZATION_CHANNELS = (1, 2)

CHOICES = {"device_target": DEVICE_TARGETS, "mode": EXECUTION_MODES, "direction": DIRECTIONS,
           "netD": DISCRIMINATOR_NAMES, "norm_mode": NORM_MODES, "init_type": INIT_TYPES, "gan_mode": GAN_MODES,
           "lr_policy": LR_POLICIES, "amp_level": AMP_LEVELS, "eval_mode": TEST_MODES, "export_mode": TEST_MODES,
           "file_format": EXPORT_FORMATS, "dataset_mode": DATASET_MODES, "preprocess": PREPROCESS_MODES,
           "input_nc": IMAGE_CHANNELS, "output_nc": IMAGE_CHANNELS, "backend": BACKENDS, "palette": PALETTES}


class Range(NamedTuple):
    """Allowed numbers: from `low` (excluded when low_open) up to `high` (None: no bound; excluded when
    high_open); `wording` completes "--key must be ..."."""
    low: float
    high: float = None
    low_open: bool = False
    high_open: bool = False
    wording: str = ""

    def holds(self, value):
        if isinstance(value, float) and not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return above and below


POSITIVE_INTEGER = Range(1, wording="a positive integer")
COUNT = Range(0, wording="zero or a positive integer")
POSITIVE_NUMBER = Range(0, low_open=True, wording="a positive number")
WEIGHT = Range(0, wording="zero or positive")
FRACTION = Range(0, 1, high_open=True, wording="in [0, 1)")
# numpy and MindSpore's dataset engine take unsigned 32-bit seeds.
SEED = Range(0, 2 ** 32 - 1, wording=f"an integer from 0 to {2 ** 32 - 1}")

RANGES = {"device_id": COUNT, "seed": SEED, "load_size": POSITIVE_INTEGER, "crop_size": POSITIVE_INTEGER,
          "batch_size": POSITIVE_INTEGER, "num_parallel_workers": POSITIVE_INTEGER, "ngf": POSITIVE_INTEGER,
          "ndf": POSITIVE_INTEGER, "n_layers_D": POSITIVE_INTEGER, "init_gain": POSITIVE_NUMBER,
          "lambda_L1": WEIGHT, "lambda_gp": WEIGHT, "lr": POSITIVE_NUMBER, "beta1": FRACTION, "beta2": FRACTION,
          "n_epochs": COUNT, "n_epochs_decay": COUNT, "lr_step_epochs": POSITIVE_INTEGER,
          "epoch_num": POSITIVE_INTEGER, "save_checkpoint_epochs": POSITIVE_INTEGER, "keep_checkpoint_max": COUNT,
          "log_interval": POSITIVE_INTEGER, "num_test": POSITIVE_INTEGER, "tile_size": POSITIVE_INTEGER,
          "tile_overlap": COUNT, "image_size": POSITIVE_INTEGER, "max_dataset_size": POSITIVE_INTEGER,
          "port": Range(1, 65535, wording="a port number from 1 to 65535")}

DEVICE = ("device_target", "device_id", "mode", "seed")
# The generator's settings: what train.py builds, and what rebuilds a checkpoint that carries no settings.
GENERATOR = ("netG", "ngf", "norm_mode", "no_dropout", "input_nc", "output_nc", "dataset_mode")
DISCRIMINATOR = ("netD", "ndf", "n_layers_D")
OBJECTIVE = ("gan_mode", "lambda_L1", "lambda_gp", "lr")
COMMAND_SETTINGS = {
    "train": DEVICE + GENERATOR + DISCRIMINATOR + OBJECTIVE + (
        "distribute", "train_data_dir", "val_data_dir", "direction", "preprocess", "load_size", "crop_size", "no_flip",
        "batch_size", "num_parallel_workers", "max_dataset_size", "init_type", "init_gain", "beta1", "beta2", "lr_policy",
        "n_epochs",
        "n_epochs_decay", "lr_step_epochs", "epoch_num", "amp_level", "output_path", "save_checkpoint_epochs",
        "keep_checkpoint_max", "log_interval", "resume", "eval_mode", "num_test"),
    "eval": DEVICE + GENERATOR + ("ckpt", "val_data_dir", "direction", "preprocess", "crop_size", "eval_mode",
                                  "num_test", "output_path"),
    "predict": DEVICE + GENERATOR + ("ckpt", "input_path", "eval_mode", "backend", "tile_size", "tile_overlap",
                                     "output_path"),
    "demo": DEVICE + GENERATOR + ("ckpt", "eval_mode", "backend", "tile_size", "tile_overlap", "port", "share",
                                  "palette", "output_path"),
    "export": DEVICE + GENERATOR + ("ckpt", "file_format", "file_name", "image_size", "crop_size", "batch_size",
                                    "export_mode"),
    "preprocess": ("val_data_dir", "dataset_mode", "direction", "crop_size", "image_size", "num_test", "infer_dir",
                   "file_name", "output_path"),
    "postprocess": ("val_data_dir", "num_test", "infer_dir", "output_path"),
    "infer_onnx": ("onnx_path", "val_data_dir", "dataset_mode", "direction", "preprocess", "crop_size", "num_test",
                   "output_path"),
    "benchmark": DEVICE + GENERATOR + DISCRIMINATOR + OBJECTIVE + (
        "batch_size", "crop_size", "image_size", "direction", "num_parallel_workers"),
}


def load_config(argv, command):
    """The settings `command` (a key of COMMAND_SETTINGS) runs with: defaults, --config_path, flags.

    Checks every setting the command reads (type, allowed values, range, the rules across settings) and
    ignores the others; raises UserInputError naming the setting. Prints the command's settings and exits
    0 on --help / -h.
    """
    keys = COMMAND_SETTINGS[command]
    defaults, helps = read_yaml_documents(DEFAULT_CONFIG_PATH)
    if "--help" in argv or "-h" in argv:
        print(format_help(command, keys, defaults, helps, CHOICES))
        raise SystemExit(0)
    config = parse_config(argv, defaults, CHOICES)
    for key in keys:
        check_setting(key, getattr(config, key), nullable=defaults[key] is None)
    CROSS_CHECKS.get(command, lambda _: None)(config)
    return config


def check_setting(key, value, nullable):
    """One setting on its own: set unless it may be null (its default is), one of its choices, within its range."""
    if value is None or value == "":
        allowed = (f"be one of {', '.join(map(str, CHOICES[key]))}" if key in CHOICES else
                   f"be {RANGES[key].wording}" if key in RANGES else "have a value")
        _require(nullable, f"--{key} must {allowed}; got null")
        return
    if key in CHOICES:
        _require(value in CHOICES[key], f"--{key} must be one of {', '.join(map(str, CHOICES[key]))}; got '{value}'")
    if key in RANGES:
        for number in (value if isinstance(value, list) else [value]):
            _require(RANGES[key].holds(number), f"--{key} must be {RANGES[key].wording}; got {number}")


def _require(condition, message):
    if not condition:
        raise UserInputError(message)


def total_epochs(config):
    """Epochs this run trains in total."""
    return config.epoch_num if config.epoch_num is not None else config.n_epochs + config.n_epochs_decay


def require_size_multiples(config, generator_name, keys, from_checkpoint=True):
    """The sizes `keys` name (crop_size, tile_size, image_size, ...) must be multiples of what generator
    `generator_name` needs: the checkpoint's generator for eval/predict/export, --netG for train.py (which
    may then choose another generator, and is told so)."""
    multiple = generator_size_multiple(generator_name)
    for key in keys:
        for side in (getattr(config, key) if isinstance(getattr(config, key), list) else [getattr(config, key)]):
            if side % multiple:
                raise UserInputError(
                    f"--{key} ({side}) must be a multiple of {multiple} for the generator {generator_name}: use "
                    f"--{key} {round_up_to_multiple(side, multiple)}" + ("" if from_checkpoint else
                    ", or a generator for smaller sizes (e.g. --netG unet_128, unet_64, resnet_9blocks)"))


def export_size_setting(config):
    """Which setting gives the size export.py, preprocess.py and benchmark.py use: image_size when set,
    else crop_size."""
    return "image_size" if config.image_size else "crop_size"


def export_image_size(config):
    """(height, width) of the images export.py and preprocess.py prepare: --image_size H [W], else crop_size."""
    sides = config.image_size or [config.crop_size]
    _require(len(sides) in (1, 2), f"--image_size takes one size (square) or two (height width); got {sides}")
    return (sides[0], sides[0]) if len(sides) == 1 else tuple(sides)


def generator_spec_from_config(config):
    """The generator's settings (a model spec without the discriminator) from a config: colorization
    translates L into ab (1 -> 2 channels), other modes --input_nc -> --output_nc."""
    colorization = config.dataset_mode == "colorization"
    in_channels, out_channels = COLORIZATION_CHANNELS if colorization else (config.input_nc, config.output_nc)
    return {"in_channels": in_channels, "out_channels": out_channels, "netG": config.netG, "ngf": config.ngf,
            "norm_mode": config.norm_mode, "use_dropout": not config.no_dropout, "colorization": colorization}


def model_spec_from_config(config):
    """The network-defining settings of a training run (see MODEL_SPEC_KEYS), as a plain dict."""
    return dict(generator_spec_from_config(config), netD=config.netD, ndf=config.ndf, n_layers_D=config.n_layers_D)


def _check_generator_name(config):
    try:
        generator_architecture(config.netG)
    except ValueError as error:
        raise UserInputError(f"--{error}") from None


def preprocess_size_settings(config):
    """The settings that must be multiples of the generator's size multiple under --preprocess: the crop
    (crop modes) or the scaled width (scale_width); none rounds every side itself. At test time crop_size
    is the size (resize_and_crop) or width (scale_width*)."""
    test = ("crop_size",) if config.preprocess in ("resize_and_crop", "scale_width", "scale_width_and_crop") else ()
    train = ("crop_size",) if config.preprocess in CROPPING_MODES else (
        ("load_size",) if config.preprocess == "scale_width" else ())
    return train, test


def _check_training(config):
    _check_generator_name(config)
    _require(config.crop_size <= config.load_size or config.preprocess not in ("resize_and_crop", "scale_width_and_crop"),
             f"--crop_size ({config.crop_size}) must not exceed --load_size ({config.load_size})")
    train_sizes, test_sizes = preprocess_size_settings(config)
    require_size_multiples(config, config.netG, tuple(dict.fromkeys(train_sizes + test_sizes)), from_checkpoint=False)
    total = config.n_epochs + config.n_epochs_decay
    _require(total >= 1, "--n_epochs + --n_epochs_decay must be at least 1")
    _require(config.epoch_num is None or config.epoch_num <= total,
             f"--epoch_num must be between 1 and n_epochs + n_epochs_decay = {total} "
             f"(the learning rate is zero after that); got {config.epoch_num}")
    _require(config.lr_policy != "plateau" or bool(config.val_data_dir),
             "--lr_policy plateau watches the validation L1 each epoch: set --val_data_dir")


def _check_prediction(config):
    _check_generator_name(config)
    require_backend_mode(config.backend, config.eval_mode)
    _require(config.tile_overlap < config.tile_size,
             f"--tile_overlap ({config.tile_overlap}) must be smaller than --tile_size ({config.tile_size})")


def _check_export(config):
    _check_generator_name(config)
    export_image_size(config)


def _check_benchmark(config):
    _check_generator_name(config)
    require_size_multiples(config, config.netG, (export_size_setting(config),), from_checkpoint=False)


CROSS_CHECKS = {"train": _check_training, "eval": _check_generator_name, "predict": _check_prediction,
                "demo": _check_prediction,
                "export": _check_export, "preprocess": export_image_size, "benchmark": _check_benchmark}
