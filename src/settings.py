"""What each command reads, and the rules its settings obey.

default_config.yaml holds every setting's default and help line. Here: the allowed values of each choice
(taken from the code that implements it), the range of each number, which settings each command
(train.py, eval.py, ...) reads, and the checks across settings. A command checks the settings it reads and
no others, so a predict-only value never blocks training. The choices of --netG, --netD, --gan_mode,
--dataset_mode and --backend, and the settings their entries bring, come from the registries, so a new
entry needs no edit here.
"""
from src.dataset.pair_dataset import DATASET_MODES
from src.dataset.pair_sources import DIRECTIONS
from src.dataset.transforms import PREPROCESS_MODES, size_settings
from src.kernels import CONV_KERNELS, CPU_PRECISIONS
from src.deployment.export_info import EXPORT_FORMATS, export_image_size, export_size_setting
from src.models.checkpoint import TEST_MODES
from src.models.init_w import INIT_TYPES
from src.models.layers import NORM_MODES
from src.models.loss import GAN_MODES, GAN_OBJECTIVES
from src.models.networks import (DISCRIMINATOR_NAMES, DISCRIMINATORS, GENERATORS, check_generator_name,
                                 require_networks_fit, require_size_multiples, spec_from_settings)
from src.models.fid_inception import BLOCK_INDEX_BY_DIM
from src.models.pix2pix import AMP_LEVELS
from src.training.models import MODEL_NAMES, MODELS
from src.training.validation import BEST_METRICS
from src.translation.backends import BACKENDS, require_backend_mode
from src.utils.config import DEFAULT_CONFIG_PATH, format_help, given_settings, parse_config, read_yaml_documents
from src.utils.device import DEVICE_TARGETS, EXECUTION_MODES
from src.utils.errors import UserInputError
from src.utils.lr_schedule import LR_POLICIES
from src.utils.setting_rules import COUNT, FRACTION, POSITIVE_INTEGER, POSITIVE_NUMBER, WEIGHT, Range

# demo.py --palette: the canvas's brush colours.
PALETTES = ("auto", "facades", "cityscapes", "none")
# --input_nc / --output_nc: grey or RGB (colorization's 1 -> 2 channels come with --dataset_mode colorization).
IMAGE_CHANNELS = (1, 3)
CHOICES = {"device_target": DEVICE_TARGETS, "mode": EXECUTION_MODES, "direction": DIRECTIONS,
           "netD": DISCRIMINATOR_NAMES, "norm_mode": NORM_MODES, "init_type": INIT_TYPES, "gan_mode": GAN_MODES,
           "lr_policy": LR_POLICIES, "amp_level": AMP_LEVELS, "conv_kernel": CONV_KERNELS,
           "cpu_precision": CPU_PRECISIONS, "eval_mode": TEST_MODES, "export_mode": TEST_MODES,
           "file_format": EXPORT_FORMATS, "dataset_mode": DATASET_MODES, "preprocess": PREPROCESS_MODES,
           "input_nc": IMAGE_CHANNELS, "output_nc": IMAGE_CHANNELS, "backend": BACKENDS.names(), "palette": PALETTES,
           "fid_dims": tuple(BLOCK_INDEX_BY_DIM), "best_metric": BEST_METRICS, "model": MODEL_NAMES}


# numpy and MindSpore's dataset engine take unsigned 32-bit seeds.
SEED = Range(0, 2 ** 32 - 1, wording=f"an integer from 0 to {2 ** 32 - 1}")

RANGES = {"device_id": COUNT, "seed": SEED, "load_size": POSITIVE_INTEGER, "crop_size": POSITIVE_INTEGER,
          "batch_size": POSITIVE_INTEGER, "num_parallel_workers": POSITIVE_INTEGER, "ngf": POSITIVE_INTEGER,
          "ndf": POSITIVE_INTEGER, "n_layers_D": POSITIVE_INTEGER, "init_gain": POSITIVE_NUMBER,
          "lambda_L1": WEIGHT, "lambda_feat": WEIGHT, "lambda_vgg": WEIGHT, "niter_fix_global": COUNT,
          "label_nc": COUNT, "lr": POSITIVE_NUMBER, "beta1": FRACTION, "beta2": FRACTION,
          "n_epochs": COUNT, "n_epochs_decay": COUNT, "lr_step_epochs": POSITIVE_INTEGER,
          "epoch_num": POSITIVE_INTEGER, "save_checkpoint_epochs": POSITIVE_INTEGER, "keep_checkpoint_max": COUNT,
          "log_interval": POSITIVE_INTEGER, "val_every": COUNT, "num_test": POSITIVE_INTEGER, "tile_size": POSITIVE_INTEGER,
          "tile_overlap": COUNT, "image_size": POSITIVE_INTEGER, "max_dataset_size": POSITIVE_INTEGER,
          "port": Range(1, 65535, wording="a port number from 1 to 65535")}
# The settings the registered networks and objectives bring, each with its rule (a Range or choices).
REGISTERED_SETTINGS = dict(GENERATORS.settings(), **DISCRIMINATORS.settings(), **GAN_OBJECTIVES.settings(),
                           **MODELS.settings())
RANGES.update({key: rule for key, rule in REGISTERED_SETTINGS.items() if isinstance(rule, Range)})
CHOICES.update({key: rule for key, rule in REGISTERED_SETTINGS.items() if not isinstance(rule, Range)})

DEVICE = ("device_target", "device_id", "mode", "seed")
# The generator's settings: what train.py builds, and what rebuilds a checkpoint that carries no settings.
GENERATOR = ("netG", "ngf", "norm_mode", "no_dropout", "input_nc", "output_nc", "dataset_mode", "label_nc",
             "no_instance", *GENERATORS.settings())
DISCRIMINATOR = ("netD", "ndf", "n_layers_D", *DISCRIMINATORS.settings())
OBJECTIVE = ("gan_mode", "lambda_L1", "lambda_feat", "no_ganFeat_loss", "lambda_vgg", "vgg_weights", "lr",
             *GAN_OBJECTIVES.settings())
COMMAND_SETTINGS = {
    "train": ("model",) + DEVICE + GENERATOR + DISCRIMINATOR + OBJECTIVE + tuple(MODELS.settings()) + (
        "distribute", "train_data_dir", "val_data_dir", "direction", "preprocess", "load_size", "crop_size", "no_flip",
        "batch_size", "num_parallel_workers", "max_dataset_size", "init_type", "init_gain", "beta1", "beta2", "lr_policy",
        "n_epochs",
        "n_epochs_decay", "lr_step_epochs", "epoch_num", "amp_level", "conv_kernel", "cpu_precision", "output_path", "save_checkpoint_epochs",
        "keep_checkpoint_max", "log_interval", "resume", "eval_mode", "num_test", "niter_fix_global", "load_pretrain",
        "val_every", "best_metric", "fid_weights", "fid_dims"),
    "eval": DEVICE + GENERATOR + ("ckpt", "val_data_dir", "direction", "preprocess", "crop_size", "eval_mode",
                                  "num_test", "output_path", "fid_weights", "fid_dims", "fid_reference_stats",
                                  "fid_dirs", "conv_kernel", "cpu_precision"),
    "predict": DEVICE + GENERATOR + ("ckpt", "direction", "input_path", "eval_mode", "backend", "tile_size", "tile_overlap",
                                     "output_path", "conv_kernel", "cpu_precision"),
    "demo": DEVICE + GENERATOR + ("ckpt", "direction", "eval_mode", "backend", "tile_size", "tile_overlap", "port", "share",
                                  "palette", "output_path", "conv_kernel", "cpu_precision"),
    "export": DEVICE + GENERATOR + ("ckpt", "direction", "file_format", "file_name", "image_size", "crop_size", "batch_size",
                                    "export_mode"),
    "preprocess": ("val_data_dir", "dataset_mode", "direction", "crop_size", "image_size", "num_test", "infer_dir",
                   "file_name", "output_path"),
    "postprocess": ("val_data_dir", "num_test", "infer_dir", "output_path", "fid_weights", "fid_dims"),
    "infer_onnx": ("onnx_path", "val_data_dir", "dataset_mode", "direction", "preprocess", "crop_size", "num_test",
                   "output_path"),
    "benchmark": ("model",) + DEVICE + GENERATOR + DISCRIMINATOR + OBJECTIVE + tuple(MODELS.settings()) + (
        "batch_size", "crop_size", "image_size", "direction", "num_parallel_workers", "conv_kernel", "cpu_precision"),
}


# Settings a command that reads a checkpoint (or, preprocess, an export) takes from it unless the run gives them
# (None until then): the direction it trained (a cycle_gan checkpoint translates the other way with G_B), and
# eval's and preprocess's layout (a cycle_gan model's test sets are unaligned).
CHECKPOINT_OWN = {"eval": ("direction", "dataset_mode"), "predict": ("direction",), "demo": ("direction",),
                  "export": ("direction",), "preprocess": ("direction", "dataset_mode")}


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
    given = given_settings(argv)
    apply_network_defaults(config, keys, given)
    for key in keys:
        check_setting(key, getattr(config, key), nullable=defaults[key] is None)
    CROSS_CHECKS.get(command, lambda _: None)(config)
    for key in CHECKPOINT_OWN.get(command, ()):
        if key not in given:
            setattr(config, key, None)
    return config


def apply_network_defaults(config, keys, given):
    """The chosen model's and networks' `defaults` (CycleGAN's ResNet generator, pix2pixHD's instance norm,
    LSGAN, ...) for the settings among `keys` that the run does not set itself; the model's come first, as
    they choose the networks."""
    doors = (("model", MODELS), ("netG", GENERATORS), ("netD", DISCRIMINATORS))
    for setting, registry in doors:
        if setting not in keys:
            continue
        for key, value in registry.get(getattr(config, setting)).defaults.items():
            if key in keys and key not in given:
                setattr(config, key, value)


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


def _check_generator_name(config):
    check_generator_name(config.netG)


def _check_label_maps(config):
    """Training reads label maps exactly when --label_nc says how many classes they have."""
    _require((config.dataset_mode == "labels") == (config.label_nc > 0),
             "--dataset_mode labels reads class-ID maps: give their number of classes with --label_nc (Cityscapes: "
             "35)" if config.dataset_mode == "labels" else
             f"--label_nc {config.label_nc} is for label maps: use --dataset_mode labels (or --label_nc 0)")


def _check_conv_kernel(config):
    """The direct convolutions are CPU kernels (auto keeps MindSpore's elsewhere); bf16 is their arithmetic."""
    _require(config.conv_kernel != "onednn" or config.device_target == "CPU",
             f"--conv_kernel onednn runs on the CPU: on {config.device_target} use --conv_kernel mindspore or auto")
    _require(config.cpu_precision == "float32" or (config.conv_kernel != "mindspore" and config.device_target == "CPU"),
             f"--cpu_precision {config.cpu_precision} is the arithmetic of the direct kernels on the CPU: use it with "
             "--conv_kernel onednn (or auto) and --device_target CPU")


def _check_training(config):
    _check_generator_name(config)
    _check_conv_kernel(config)
    _require((config.conv_kernel != "onednn" and config.cpu_precision == "float32") or config.amp_level == "O0",
             "--conv_kernel onednn and --cpu_precision set the convolutions' arithmetic themselves: use --amp_level O0 "
             "with them")
    _check_model(config)
    _check_label_maps(config)
    _require(config.crop_size <= config.load_size or config.preprocess not in ("resize_and_crop", "scale_width_and_crop"),
             f"--crop_size ({config.crop_size}) must not exceed --load_size ({config.load_size})")
    train_sizes, test_sizes = size_settings(config.preprocess)
    require_size_multiples(config, spec_from_settings(config), tuple(dict.fromkeys(train_sizes + test_sizes)),
                           from_checkpoint=False)
    total = config.n_epochs + config.n_epochs_decay
    _require(total >= 1, "--n_epochs + --n_epochs_decay must be at least 1")
    _require(config.epoch_num is None or config.epoch_num <= total,
             f"--epoch_num must be between 1 and n_epochs + n_epochs_decay = {total} "
             f"(the learning rate is zero after that); got {config.epoch_num}")
    _require(config.lr_policy != "plateau" or bool(config.val_data_dir),
             "--lr_policy plateau watches the validation L1 each epoch: set --val_data_dir")
    _check_hd_training(config)
    _check_validation(config)


def _check_model(config):
    """pix2pix learns from pairs, cycle_gan from two unpaired domains with the options its step has."""
    if config.model == "pix2pix":
        _require(config.dataset_mode != "unaligned", "--dataset_mode unaligned holds two unpaired domains, which "
                 "pix2pix cannot learn from: use --model cycle_gan (or give pairs: --dataset_mode aligned)")
        return
    _require(config.dataset_mode == "unaligned", f"--model cycle_gan learns from two unpaired domains "
             f"(--dataset_mode unaligned: trainA/ and trainB/), not --dataset_mode {config.dataset_mode}: for pairs "
             f"use --model pix2pix --dataset_mode {config.dataset_mode}")
    _require(not config.lambda_identity or config.input_nc == config.output_nc,
             f"--lambda_identity {config.lambda_identity:g} compares G_A(B) with B, which needs --input_nc = "
             f"--output_nc (got {config.input_nc} and {config.output_nc}): set --lambda_identity 0")
    unsupported = [(config.netD == "multiscale", "--netD multiscale (pix2pixHD's feature matching)"),
                   (config.netG == "local", "--netG local (pix2pixHD's enhancer)"),
                   (config.gan_mode == "wgangp", "--gan_mode wgangp"),
                   (config.lr_policy == "plateau", "--lr_policy plateau (it watches a paired L1)"),
                   (config.lambda_vgg > 0, "--lambda_vgg"), (config.amp_level != "O0", f"--amp_level {config.amp_level}")]
    for refused, what in unsupported:
        _require(not refused, f"--model cycle_gan does not train with {what}: leave it out (the reference's "
                 "CycleGAN: netD basic or n_layers, gan_mode lsgan or vanilla, amp_level O0)")


def _check_validation(config):
    """--val_every scores val_data_dir; FID and KID need their weights."""
    _require(not config.val_every or bool(config.val_data_dir),
             f"--val_every {config.val_every} scores the held-out pairs while training: set --val_data_dir")
    _require(config.best_metric not in ("fid", "kid") or bool(config.fid_weights),
             f"--best_metric {config.best_metric} needs --fid_weights (bash data/download_pretrained.sh fid_inception)")


def _check_evaluation(config):
    _check_generator_name(config)
    _check_conv_kernel(config)
    if config.fid_dirs is not None:
        _require(len(config.fid_dirs) == 2, f"--fid_dirs takes two folders (or .npz files), got {len(config.fid_dirs)}")
        _require(bool(config.fid_weights), "--fid_dirs needs --fid_weights: pytorch-fid's "
                 "pt_inception-2015-12-05-6726825d.pth (bash data/download_pretrained.sh fid_inception)")
    _require(not config.fid_reference_stats or bool(config.fid_weights),
             "--fid_reference_stats needs --fid_weights (FID is taken on the Inception's features)")


def _check_hd_training(config):
    """pix2pixHD's settings: a local run starts from a global generator, its D takes no gradient penalty, the
    VGG loss needs its weights."""
    _require(config.netG != "local" or bool(config.load_pretrain) or bool(config.resume),
             "--netG local starts from a trained global generator: give --load_pretrain RUN_FOLDER_OR_CHECKPOINT "
             "of a --netG global run (see configs/cityscapes_hd_1024p.yaml)")
    _require(config.netG == "local" or not config.niter_fix_global,
             f"--niter_fix_global ({config.niter_fix_global}) trains the local enhancers alone: it needs --netG local")
    _require(config.netG == "local" or config.model == "cycle_gan" or not config.load_pretrain,
             "--load_pretrain starts a --netG local run from a global generator: leave it out for --netG "
             f"{config.netG} (--resume continues a run)")
    _require(config.netD != "multiscale" or config.gan_mode != "wgangp",
             "--gan_mode wgangp differentiates D twice, and --netD multiscale's halving average pool has no second "
             "derivative in MindSpore: use --gan_mode lsgan (pix2pixHD's) or --netD basic")
    _require(not config.lambda_vgg or bool(config.vgg_weights),
             f"--lambda_vgg is {config.lambda_vgg:g} but --vgg_weights is not set: give torchvision's vgg19 file "
             "(bash data/download_pretrained.sh vgg19) or set --lambda_vgg 0")


def _check_prediction(config):
    _check_generator_name(config)
    _check_conv_kernel(config)
    require_backend_mode(config.backend, config.eval_mode)
    _require((config.conv_kernel != "onednn" and config.cpu_precision == "float32") or config.backend == "mindspore",
             f"--conv_kernel onednn and --cpu_precision are for MindSpore's generator: with --backend {config.backend} "
             "ONNX Runtime computes the convolutions (use --backend mindspore)")
    _require(config.tile_overlap < config.tile_size,
             f"--tile_overlap ({config.tile_overlap}) must be smaller than --tile_size ({config.tile_size})")


def _check_export(config):
    _check_generator_name(config)
    export_image_size(config)


def _check_benchmark(config):
    _check_generator_name(config)
    _check_conv_kernel(config)
    spec = spec_from_settings(config)
    require_size_multiples(config, spec, (export_size_setting(config),), from_checkpoint=False)
    height, width = export_image_size(config)
    require_networks_fit(spec, width, height)


CROSS_CHECKS = {"train": _check_training, "eval": _check_evaluation, "predict": _check_prediction,
                "demo": _check_prediction,
                "export": _check_export, "preprocess": export_image_size, "benchmark": _check_benchmark}
