"""Read a weights file given by a flag: a PyTorch .pth/.pt (read without PyTorch, nothing in it runs) or a
MindSpore .ckpt, as {name: NumPy array}."""
import os

import mindspore as ms

from src.models.checkpoint import read_checkpoint
from src.utils.errors import UserInputError
from src.weights.torch_checkpoint import read_torch_weights


def read_weights_file(path, flag):
    """{name: NumPy array} of the file `path` that --`flag` names; UserInputError when it is not a file."""
    if not os.path.isfile(path):
        raise UserInputError(f"--{flag} '{path}' does not exist or is not a file")
    if path.lower().endswith(".ckpt"):
        contents = read_checkpoint(path)
        return {name: value.asnumpy() for name, value in contents.items() if isinstance(value, ms.Parameter)}
    return read_torch_weights(path)
