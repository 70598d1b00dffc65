"""Export the generator as MINDIR, ONNX or AIR, and make MindSpore's ONNX load everywhere.

Exports are written under a temporary name and renamed when complete, so an interrupted or failed
export never leaves a half-written file under the requested name.
"""
import os
import shutil
import tempfile

import numpy as np
import mindspore as ms
import mindspore.onnx as mindspore_onnx
import onnx

from src.deployment.export_info import EXTENSIONS
from src.models.layers import exportable_forms
from src.utils.errors import UserInputError

INPUT_NAME, OUTPUT_NAME = "real_A", "fake_B"


def repair_onnx(model):
    """Make MindSpore's ONNX graph of the generator load in ONNX Runtime; fixes `model` in place, returns it.

    MindSpore writes a 4-entry `output_shape` (N, C, H, W) on every ConvTranspose; the ONNX spec wants
    the spatial sizes only, and recent onnxruntime rejects the model. With explicit pads and strides the
    attribute is redundant, so it is removed, which also lets batch, height and width vary.
    MindSpore also copies its own pad order (top, bottom, left, right) into `pads`, where ONNX reads
    (top, left, bottom, right): the same for the U-Net's symmetric pads, wrong for the ResNet's (1, 0, 1, 0).
    """
    for node in model.graph.node:
        if node.op_type == "ConvTranspose":
            kept = [attribute for attribute in node.attribute if attribute.name != "output_shape"]
            for attribute in kept:
                if attribute.name == "pads" and len(attribute.ints) == 4:
                    top, bottom, left, right = attribute.ints
                    attribute.ints[:] = [top, left, bottom, right]
            del node.attribute[:]
            node.attribute.extend(kept)
    del model.graph.value_info[:]  # shapes inferred from the old attribute; the checker re-infers them
    onnx.checker.check_model(model, full_check=True)
    return model


def export_generator(generator, file_format, file_name, batch_size, height, width):
    """Export `generator` (already in the wanted train/eval mode) for input (batch_size, C, height, width).

    Returns the path written: file_name + the format's extension.
    """
    destination = file_name + EXTENSIONS[file_format]
    folder = os.path.dirname(os.path.abspath(destination))
    try:
        os.makedirs(folder, exist_ok=True)
        work = tempfile.mkdtemp(prefix=".export_", dir=folder)
    except OSError as error:
        raise UserInputError(f"cannot write the export to '{folder}' ({error.strerror or error}): "
                             "choose a writable --file_name") from None
    exportable_forms(generator)  # the same function in ops ONNX and MINDIR hold
    try:
        channels = generator.in_channels
        example = ms.Tensor(np.zeros((batch_size, channels, height, width), np.float32))
        temporary = os.path.join(work, "model")
        written = temporary + EXTENSIONS[file_format]
        if file_format == "ONNX":
            symbolic = {0: "batch", 2: "height", 3: "width"}
            mindspore_onnx.export(generator, example, file_name=written, input_names=[INPUT_NAME],
                                  output_names=[OUTPUT_NAME], dynamic_axes={INPUT_NAME: symbolic, OUTPUT_NAME: symbolic})
            onnx.save(repair_onnx(onnx.load(written)), written)
        else:
            ms.export(generator, example, file_name=temporary, file_format=file_format)
        os.replace(written, destination)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return destination
