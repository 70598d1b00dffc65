"""What an export is, without exporting: its formats and file names, the sizes export.py and preprocess.py
take from the settings, and the JSON export.py writes beside each model (its model spec and input shape),
which the offline flow, infer_onnx.py and the ONNX Runtime backend read back. Imports neither MindSpore's
exporter nor onnx, so the settings checks can use it."""
import json
import os

from src.models.spec import ModelSpec, RunIdentity
from src.utils.errors import UserInputError, first_line
from src.utils.tools import write_json_atomic

EXTENSIONS = {"MINDIR": ".mindir", "ONNX": ".onnx", "AIR": ".air"}
EXPORT_FORMATS = tuple(EXTENSIONS)


def export_size_setting(settings):
    """Which setting gives the size export.py, preprocess.py and benchmark.py use: image_size when set,
    else crop_size."""
    return "image_size" if settings.image_size else "crop_size"


def export_image_size(settings):
    """(height, width) of the images export.py and preprocess.py prepare: --image_size H [W], else crop_size."""
    sides = settings.image_size or [settings.crop_size]
    if len(sides) not in (1, 2):
        raise UserInputError(f"--image_size takes one size (square) or two (height width); got {sides}")
    return (sides[0], sides[0]) if len(sides) == 1 else tuple(sides)


def export_info_path(file_name):
    """The JSON export.py writes beside FILE_NAME.mindir/.onnx: the model spec and input shape."""
    return file_name + ".json"


def write_export_info(file_name, spec, input_shape, export_mode, **extra):
    """What the offline flow and infer_onnx.py need to feed an exported model (a ModelSpec `spec`) and show
    its output, as FILE_NAME.json beside it (with `extra` entries)."""
    write_json_atomic(dict({"model_spec": spec.to_dict(), "input_shape": input_shape, "export_mode": export_mode},
                           **extra), export_info_path(file_name))


def _read_export_json(model_path):
    """The JSON beside an exported model (given its path or prefix) as a dict, or None for a model exported
    elsewhere."""
    extension = next((e for e in EXTENSIONS.values() if model_path.endswith(e)), "")
    path = export_info_path(model_path[:len(model_path) - len(extension)])
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            values = json.load(handle)
    except ValueError as error:
        raise UserInputError(f"'{path}' is not the JSON export.py writes ({first_line(error)}): export again") from None
    if not isinstance(values, dict) or "model_spec" not in values:
        raise UserInputError(f"'{path}' is not the JSON export.py writes (no model_spec): export again")
    return dict(values, path=path)


def read_export_info(model_path):
    """The ModelSpec of an exported model, given its path or prefix, from the JSON beside it; a model
    without one (exported elsewhere) is taken as RGB to RGB of unknown architecture (ModelSpec())."""
    values = _read_export_json(model_path)
    return ModelSpec() if values is None else ModelSpec.from_dict(values["model_spec"], f"'{values['path']}'")


def read_export_run(model_path):
    """The RunIdentity of an exported model: the model it came from and the way its generator translates (a
    cycle_gan export of G_B: BtoA); pix2pix, BtoA for an export from before it or from elsewhere."""
    return RunIdentity.of(_read_export_json(model_path) or {})
