"""Where commands write results: new folders that never overwrite earlier results, created with one clear
error when they cannot be."""
import os

from src.utils.errors import UserInputError


def unused_folder(path):
    """`path`, or `path_2`, `path_3`, ... if it exists: earlier results are never overwritten."""
    candidate, number = path, 1
    while os.path.exists(candidate):
        number += 1
        candidate = f"{path}_{number}"
    return candidate


def make_output_folder(path, setting="output_path"):
    """Create `path` (and its parents), with one clear error if that is not possible."""
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".write_test")
        with open(probe, "w", encoding="utf-8"):
            pass
        os.remove(probe)
    except OSError as error:
        raise UserInputError(f"cannot write results to '{path}' ({error.strerror or error}): "
                             f"choose a writable --{setting}") from None


def results_folder(output_path, kind, source, data_dir=None):
    """A new folder OUTPUT_PATH/KIND/NAME for one command's results, NAME being the file name of `source`
    (a checkpoint or model) without extension, then _DATA for the data folder it ran on (eval/DATA_NAME);
    `_2`, `_3`, ... when it already exists. The folder is not created."""
    name = os.path.splitext(os.path.basename(source))[0]
    if data_dir:
        name += "_" + os.path.basename(os.path.normpath(data_dir))
    return unused_folder(os.path.join(output_path, kind, name))
