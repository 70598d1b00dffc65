"""Reading settings: default_config.yaml, then an optional --config_path file, then command-line flags.

This module knows yaml and flags only: which settings a command reads and the rules they obey are in
src/settings.py. Nothing is parsed at import time.
"""
import os

import yaml

from src.utils.errors import UserInputError, first_line
from src.utils.tools import atomic_write_path

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CONFIG_PATH = os.path.join(REPO_ROOT, "default_config.yaml")

# Keys whose default is null take these types when given; every other null default is a path (str).
NULLABLE_KEY_TYPES = {"epoch_num": int, "num_test": int, "image_size": list, "max_dataset_size": int, "fid_dirs": list}
# Lists of paths, taken as given (other lists hold integers).
PATH_LISTS = ("fid_dirs",)
NULL_WORDS = ("null", "none", "~")
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
    """Return (values, help) from a config yaml of one or two documents (the second: a help line per key)."""
    if not os.path.isfile(path):
        raise UserInputError(f"config file '{path}' does not exist")
    try:
        with open(path, encoding="utf-8") as handle:
            documents = [document or {} for document in yaml.safe_load_all(handle)]
    except yaml.YAMLError as error:
        raise UserInputError(f"config file '{path}' is not valid yaml: {first_line(error)}") from None
    if not documents or len(documents) > 2 or not all(isinstance(document, dict) for document in documents):
        raise UserInputError(f"config file '{path}' must hold key: value pairs")
    return documents[0], (documents[1] if len(documents) > 1 else {})


def type_example(key, default):
    """A value of the type `key` takes: its default, or for null defaults an example of its type."""
    return NULLABLE_KEY_TYPES.get(key, str)() if default is None else default


def _parse_list(key, tokens):
    if key in PATH_LISTS:
        return None if len(tokens) == 1 and str(tokens[0]).lower() in NULL_WORDS else [str(token) for token in tokens]
    parts = [part for token in tokens for part in str(token).replace(",", " ").split()]
    if len(parts) == 1 and parts[0].lower() in NULL_WORDS:
        return None
    try:
        return [int(part) for part in parts]
    except ValueError:
        raise UserInputError(f"--{key} expects one or more integers, got '{' '.join(map(str, tokens))}'") from None


def _parse_scalar(key, text, default):
    if isinstance(default, bool):
        word = str(text).strip().lower()
        if word not in _BOOLEAN_WORDS:
            raise UserInputError(f"--{key} expects true or false, got '{text}'")
        return _BOOLEAN_WORDS[word]
    for kind, noun in ((int, "an integer"), (float, "a number")):
        if isinstance(default, kind):
            try:
                return kind(text)
            except (TypeError, ValueError):
                raise UserInputError(f"--{key} expects {noun}, got '{text}'") from None
    return str(text)


def parse_value(key, text, default, allowed=()):
    """Convert `text` (a string, or a list of strings for a multi-value flag) given for `key` to the type
    of its default value. Lists hold integers: "--image_size 256 512" or "--image_size=256,512", except the
PATH_LISTS ("--fid_dirs DIR1 DIR2").
    null, none and ~ mean "not set", except where they are among the key's `allowed` values
    (--norm_mode none)."""
    tokens = text if isinstance(text, list) else [text]
    if isinstance(default, list):
        return _parse_list(key, tokens)
    if len(tokens) != 1:
        raise UserInputError(f"--{key} takes one value, got '{' '.join(tokens)}'")
    text = tokens[0]
    if isinstance(text, str) and text.strip().lower() in NULL_WORDS and text.strip() not in allowed:
        return None
    return _parse_scalar(key, text, default)


def split_flags(argv):
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


def parse_config(argv, defaults, choices=None):
    """The settings of a run: `defaults` (default_config.yaml's values), overridden by an optional
    --config_path file, then by the `argv` flags. Values are typed (as their defaults) but not yet checked
    against any rule.

    choices: {key: allowed values}, so that a word that is one of them (--norm_mode none) is not read as null.
    Raises UserInputError for an unknown key or a value of the wrong type.
    """
    choices = choices or {}
    pairs = split_flags(list(argv))
    values = dict(defaults)
    for key, text in pairs:
        if key == "config_path":
            overrides, _ = read_yaml_documents(" ".join(text))
            for override_key, override_value in overrides.items():
                _check_known(override_key, defaults, f" (in {' '.join(text)})")
                values[override_key] = _typed_yaml_value(override_key, override_value,
                                                         type_example(override_key, defaults[override_key]))
    for key, text in pairs:
        if key != "config_path":
            _check_known(key, defaults, "")
            values[key] = parse_value(key, text, type_example(key, defaults[key]), choices.get(key, ()))
    return Config(values)


def given_settings(argv):
    """The keys a run sets itself: its flags and the keys of its --config_path file (not the defaults)."""
    given = set()
    for key, text in split_flags(list(argv)):
        given.update(read_yaml_documents(" ".join(text))[0] if key == "config_path" else {key})
    return given


def format_value(value):
    """A setting's value as yaml writes it on one line: null, true, 0.0002, [256, 512], outputs/pix2pix."""
    return yaml.safe_dump(value, default_flow_style=True).splitlines()[0]


def format_help(command, keys, defaults, helps, choices):
    """The --help text of `command`: the settings it reads, with their defaults, allowed values and help."""
    lines = [f"Settings {command} reads (defaults from default_config.yaml; override with --key value or --key=value):",
             "  --config_path PATH: a yaml file whose keys override the defaults (a run's config.yaml works)"]
    for key in (key for key in defaults if key in keys):
        allowed = f" [{'|'.join(str(choice) for choice in choices[key])}]" if key in choices else ""
        lines.append(f"  --{key} (default {format_value(defaults[key])}){allowed}: "
                     f"{helps.get(key, '')}")
    return "\n".join(lines)
