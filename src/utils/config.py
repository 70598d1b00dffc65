"""Configuration: default_config.yaml, then an optional --config_path file, then command-line flags.

Nothing is parsed at import time: entry points call `load_config(argv)`.
"""
import os

import yaml

from src.utils.errors import UserInputError
from src.utils.tools import atomic_write_path

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CONFIG_PATH = os.path.join(REPO_ROOT, "default_config.yaml")

# Keys whose default is null take these types when given; every other null default is a path (str).
NULLABLE_KEY_TYPES = {"epoch_num": int, "num_test": int, "image_size": list}
_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class Config:
    """Attribute access to the settings of one run (`config.lr`), in the order of the yaml file."""

    def __init__(self, values):
        self.__dict__.update(values)

    def to_dict(self):
        return dict(self.__dict__)

    def save(self, path):
        """Write the settings as yaml (atomically), so every run keeps the config it used."""
        with atomic_write_path(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
            yaml.safe_dump(self.to_dict(), handle, sort_keys=False)

    def __repr__(self):
        return "Config(" + ", ".join(f"{key}={value!r}" for key, value in self.__dict__.items()) + ")"


def read_yaml_documents(path):
    """Return (values, help, choices) from a config yaml of one to three documents."""
    if not os.path.isfile(path):
        raise UserInputError(f"config file '{path}' does not exist")
    try:
        with open(path, encoding="utf-8") as handle:
            documents = [document or {} for document in yaml.safe_load_all(handle)]
    except yaml.YAMLError as error:
        raise UserInputError(f"config file '{path}' is not valid yaml: {str(error).splitlines()[0]}") from None
    if not documents or not all(isinstance(document, dict) for document in documents):
        raise UserInputError(f"config file '{path}' must hold key: value pairs")
    documents += [{}] * (3 - len(documents))
    return documents[0], documents[1], documents[2]


def parse_value(key, text, default, allowed=()):
    """Convert `text` (a string, or a list of strings for a multi-value flag) given for `key` to the type
    of its default value. Lists hold integers: "--image_size 256 512" or "--image_size=256,512".
    null, none and ~ mean "not set", except where they are among the key's `allowed` values
    (--norm_mode none)."""
    tokens = text if isinstance(text, list) else [text]
    if isinstance(default, list):
        parts = [part for token in tokens for part in str(token).replace(",", " ").split()]
        if len(parts) == 1 and parts[0].lower() in ("null", "none", "~"):
            return None
        try:
            return [int(part) for part in parts]
        except ValueError:
            raise UserInputError(f"--{key} expects one or more integers, got '{' '.join(map(str, tokens))}'") from None
    if len(tokens) != 1:
        raise UserInputError(f"--{key} takes one value, got '{' '.join(tokens)}'")
    text = tokens[0]
    if isinstance(text, str) and text.strip().lower() in ("null", "none", "~") and text.strip() not in allowed:
        return None
    if isinstance(default, bool):
        word = str(text).strip().lower()
        if word not in _BOOLEAN_WORDS:
            raise UserInputError(f"--{key} expects true or false, got '{text}'")
        return _BOOLEAN_WORDS[word]
    if isinstance(default, int):
        try:
            return int(text)
        except (TypeError, ValueError):
            raise UserInputError(f"--{key} expects an integer, got '{text}'") from None
    if isinstance(default, float):
        try:
            return float(text)
        except (TypeError, ValueError):
            raise UserInputError(f"--{key} expects a number, got '{text}'") from None
    return str(text)


def _split_flags(argv):
    """Turn ['--a', '1', '--b=2', '--c', '3', '4'] into [('a', ['1']), ('b', ['2']), ('c', ['3', '4'])]."""
    pairs = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if not token.startswith("--") or token == "--":
            raise UserInputError(f"unexpected argument '{token}': settings are given as --key value or --key=value")
        index += 1
        if "=" in token:
            key, text = token[2:].split("=", 1)
            pairs.append((key, [text]))
            continue
        key, values = token[2:], []
        while index < len(argv) and not argv[index].startswith("--"):
            values.append(argv[index])
            index += 1
        if not values:
            raise UserInputError(f"--{key} needs a value (--{key} VALUE or --{key}=VALUE)")
        pairs.append((key, values))
    return pairs


def format_help(values, helps, choices):
    lines = ["Settings (defaults from default_config.yaml; override with --key value or --key=value):",
             "  --config_path PATH: a yaml file whose keys override the defaults"]
    for key, default in values.items():
        allowed = f" [{'|'.join(str(choice) for choice in choices[key])}]" if key in choices else ""
        lines.append(f"  --{key} (default {yaml.safe_dump(default).splitlines()[0]}){allowed}: {helps.get(key, '')}")
    return "\n".join(lines)


def load_config(argv, default_config_path=DEFAULT_CONFIG_PATH):
    """Build the Config of a run from the defaults, an optional --config_path file and `argv` flags.

    Raises UserInputError for an unknown key, a value of the wrong type or an invalid value.
    Prints the list of settings and exits 0 on --help / -h.
    """
    defaults, helps, choices = read_yaml_documents(default_config_path)
    argv = list(argv)
    if "--help" in argv or "-h" in argv:
        print(format_help(defaults, helps, choices))
        raise SystemExit(0)
    pairs = _split_flags(argv)
    values = dict(defaults)
    for key, text in pairs:
        if key == "config_path":
            overrides, _, _ = read_yaml_documents(" ".join(text))
            for override_key, override_value in overrides.items():
                _check_known(override_key, defaults, f" (in {text})")
                values[override_key] = _typed_yaml_value(override_key, override_value,
                                                         _type_example(override_key, defaults[override_key]))
    for key, text in pairs:
        if key == "config_path":
            continue
        _check_known(key, defaults, "")
        values[key] = parse_value(key, text, _type_example(key, defaults[key]), choices.get(key, ()))
    for key, allowed in choices.items():
        if (values.get(key) is not None or defaults.get(key) is not None) and values[key] not in allowed:
            raise UserInputError(f"--{key} must be one of {', '.join(map(str, allowed))}; got '{values[key]}'")
    config = Config(values)
    validate_config(config)
    return config


def _type_example(key, default):
    """A value of the type `key` takes: its default, or for null defaults an example of its type."""
    if default is None:
        return NULLABLE_KEY_TYPES.get(key, str)()
    return default


def _check_known(key, defaults, where):
    if key not in defaults:
        close = [name for name in defaults if name.lower() == key.lower() or key.lower() in name.lower()]
        hint = f" (did you mean --{close[0]}?)" if close else " (see --help for the list)"
        raise UserInputError(f"unknown setting '{key}'{where}{hint}")


def _typed_yaml_value(key, value, default):
    """A value read from a yaml override file: already typed, but ints are accepted for floats."""
    if value is None or default is None:
        return value
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(default, list):
        return parse_value(key, [str(part) for part in (value if isinstance(value, list) else [value])], default)
    if type(value) is not type(default):
        return parse_value(key, str(value), default)
    return value


def _require(condition, message):
    if not condition:
        raise UserInputError(message)


def validate_config(config):
    """Check the values together; each failure names the setting and what would be valid."""
    for key in ("load_size", "crop_size", "batch_size", "num_parallel_workers", "ngf", "ndf",
                "save_checkpoint_epochs", "log_interval"):
        _require(getattr(config, key) is not None and getattr(config, key) >= 1,
                 f"--{key} must be a positive integer; got {getattr(config, key)}")
    for key in ("n_layers_D", "lr_step_epochs"):
        _require(getattr(config, key) is not None and getattr(config, key) >= 1,
                 f"--{key} must be a positive integer; got {getattr(config, key)}")
    for key in ("n_epochs", "n_epochs_decay", "device_id", "keep_checkpoint_max"):
        _require(getattr(config, key) is not None and getattr(config, key) >= 0,
                 f"--{key} must be zero or a positive integer; got {getattr(config, key)}")
    _require(config.crop_size <= config.load_size,
             f"--crop_size ({config.crop_size}) must not exceed --load_size ({config.load_size})")
    from src.models.generator_model import generator_architecture  # here: the model code imports MindSpore
    try:
        generator_architecture(config.netG)
    except ValueError as error:
        raise UserInputError(f"--{error}") from None
    _require(config.tile_overlap < config.tile_size,
             f"--tile_overlap ({config.tile_overlap}) must be smaller than --tile_size ({config.tile_size})")
    _require(config.num_test is None or config.num_test >= 1, f"--num_test must be a positive integer; got {config.num_test}")
    if config.image_size is not None:
        _require(len(config.image_size) in (1, 2) and all(side >= 1 for side in config.image_size),
                 f"--image_size takes one size (square) or two (height width), all positive; got {config.image_size}")
    total = config.n_epochs + config.n_epochs_decay
    _require(total >= 1, "--n_epochs + --n_epochs_decay must be at least 1")
    if config.epoch_num is not None:
        _require(1 <= config.epoch_num <= total,
                 f"--epoch_num must be between 1 and n_epochs + n_epochs_decay = {total} "
                 f"(the learning rate is zero after that); got {config.epoch_num}")
    for key in ("lr", "init_gain"):
        _require(getattr(config, key) is not None and getattr(config, key) > 0,
                 f"--{key} must be a positive number; got {getattr(config, key)}")
    for key in ("lambda_L1", "lambda_gp"):
        _require(getattr(config, key) is not None and getattr(config, key) >= 0,
                 f"--{key} must be zero or positive; got {getattr(config, key)}")
    _require(config.lr_policy != "plateau" or bool(config.val_data_dir),
             "--lr_policy plateau watches the validation L1 each epoch: set --val_data_dir")
    for key in ("beta1", "beta2"):
        _require(getattr(config, key) is not None and 0 <= getattr(config, key) < 1,
                 f"--{key} must be in [0, 1); got {getattr(config, key)}")
    for key in ("train_data_dir", "output_path"):
        _require(bool(getattr(config, key)), f"--{key} must be a folder path")


def check_size_multiples(config, generator_name):
    """crop_size, tile_size and tile_overlap must be multiples of what generator `generator_name` needs:
    train.py checks --netG, eval/predict/export the generator stored in the checkpoint."""
    from src.models.generator_model import generator_size_multiple  # here: the model code imports MindSpore
    try:
        multiple = generator_size_multiple(generator_name)
    except ValueError as error:
        raise UserInputError(f"--{error}") from None
    if config.crop_size % multiple:
        raise UserInputError(f"--crop_size ({config.crop_size}) must be a multiple of {multiple} for the generator "
                             f"{generator_name}: use --crop_size {-(-config.crop_size // multiple) * multiple}, or "
                             "a generator for smaller sizes (e.g. --netG unet_128, unet_64, resnet_9blocks)")
    for key in ("tile_size", "tile_overlap"):
        value = getattr(config, key)
        _require(value is not None and value >= (1 if key == "tile_size" else 0) and value % multiple == 0,
                 f"--{key} must be a multiple of {multiple} for the generator {generator_name}; got {value}")


def total_epochs(config):
    """Epochs this run trains in total."""
    return config.epoch_num if config.epoch_num is not None else config.n_epochs + config.n_epochs_decay
