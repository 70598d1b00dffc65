"""The door for translation backends (--backend): BACKENDS lists where a generator runs, each entry
building run_generator(batch) -> G(batch) for float32 (1, C, h, w) arrays in [-1, 1], and naming the
test-time modes it can run. ONNX Runtime's entry imports onnx only when it is built, so the settings
checks and --help never do."""
import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
import mindspore as ms

from src.deployment.export_info import export_info_path, write_export_info
from src.deployment.runners import onnx_translator
from src.models.checkpoint import TEST_MODES
from src.utils.errors import UserInputError
from src.utils.registry import Entry, Registry


@dataclass(frozen=True)
class Backend(Entry):
    """A --backend: build(generator, spec, checkpoint, log) -> run_generator; the test modes it runs, and
    why it runs no other."""
    test_modes: tuple = TEST_MODES
    refusal: str = ""


def mindspore_runner(generator, spec, checkpoint, log=print, suffix=""):
    """G in MindSpore, on the device selected (utils.device.setup_device)."""
    def run_generator(batch):
        return generator(ms.Tensor(np.ascontiguousarray(batch, dtype=np.float32))).asnumpy()
    return run_generator


def checkpoint_digest(path):
    """sha256 of a checkpoint file, to know whether a cached export still belongs to it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def onnx_runner(generator, spec, checkpoint, log=print, suffix=""):
    """G through ONNX Runtime, from CHECKPOINT_NAME<suffix>.onnx beside the checkpoint (suffix: which of its
    generators, '' for the first): exported (eval mode, any height and width) unless the export there was
    made from this very checkpoint."""
    from src.deployment.export_model import export_generator  # imports onnx: only when this backend runs

    prefix = os.path.splitext(checkpoint)[0] + suffix
    digest, info_path = checkpoint_digest(checkpoint), export_info_path(prefix)
    cached = os.path.isfile(prefix + ".onnx") and os.path.isfile(info_path)
    if cached:
        with open(info_path, encoding="utf-8") as handle:
            cached = json.load(handle).get("checkpoint_sha256") == digest
    if not cached:
        multiple = generator.size_multiple
        export_generator(generator, "ONNX", prefix, 1, multiple, multiple)
        write_export_info(prefix, spec, [1, generator.in_channels, multiple, multiple], "eval",
                          checkpoint_sha256=digest)
        log(f"Exported {prefix}.onnx for ONNX Runtime (made again when the checkpoint changes)")
    return onnx_translator(prefix + ".onnx")


BACKENDS = Registry("backend", [
    Backend("mindspore", mindspore_runner),
    Backend("onnxruntime", onnx_runner, test_modes=("eval",),
            refusal="ONNX Runtime runs the eval-mode graph only (MindSpore cannot export train-mode batch norm): "
                    "use --eval_mode eval, or --backend mindspore")])


def require_backend_mode(backend, test_mode):
    """UserInputError unless `backend` runs test mode `test_mode`."""
    entry = BACKENDS.get(backend)
    if test_mode not in entry.test_modes:
        raise UserInputError(entry.refusal)
