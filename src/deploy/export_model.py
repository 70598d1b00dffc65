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

from src.utils.errors import UserInputError

EXTENSIONS = {"MINDIR": ".mindir", "ONNX": ".onnx", "AIR": ".air"}
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


def export_from_config(config, log=print):
    """export.py: export config.ckpt's generator per config; returns a summary dict.

    In eval mode the export is reloaded (MINDIR with mindspore.load, ONNX with ONNX Runtime) and its
    output compared with the checkpoint's on the same random input: `parity_max_abs_diff`.
    """
    from src.deploy.runners import mindir_translator, onnx_translator
    from src.evaluator import load_generator, set_test_mode
    from src.utils.device import seed_everything, setup_device

    if config.file_format == "AIR" and config.device_target != "Ascend":
        raise UserInputError("AIR export needs an Ascend device and toolkit (--device_target Ascend); "
                             "on this device export MINDIR (Ascend 310 and MindSpore) or ONNX")
    if config.file_format == "ONNX" and config.export_mode == "train":
        raise UserInputError("MindSpore's ONNX exporter cannot export batch norm in training mode: use "
                             "--export_mode eval for ONNX, or --file_format MINDIR for the paper's train mode")
    setup_device(config.device_target, config.device_id, config.mode)
    seed_everything(config.seed, deterministic=True)
    generator, _ = load_generator(config.ckpt, config)
    sides = config.image_size or [config.crop_size]
    height, width = (sides[0], sides[0]) if len(sides) == 1 else sides
    multiple = generator.size_multiple
    if height % multiple or width % multiple:
        raise UserInputError(f"--image_size {height} {width} must be a multiple of {multiple} for "
                             f"this generator: use {-(-height // multiple) * multiple} "
                             f"{-(-width // multiple) * multiple}")
    set_test_mode(generator, config.export_mode)
    path = export_generator(generator, config.file_format, config.file_name, config.batch_size, height, width)
    summary = {"file": path, "file_format": config.file_format, "export_mode": config.export_mode,
               "input_shape": [config.batch_size, 3, height, width], "size_mb": round(os.path.getsize(path) / 2**20, 1)}
    if config.export_mode == "eval" and config.file_format in ("MINDIR", "ONNX"):
        sample = np.random.default_rng(config.seed).uniform(-1, 1, summary["input_shape"]).astype(np.float32)
        expected = generator(ms.Tensor(sample)).asnumpy()
        exported = (mindir_translator if config.file_format == "MINDIR" else onnx_translator)(path)(sample)
        summary["parity_max_abs_diff"] = float(np.abs(exported - expected).max())
    log(f"Exported {config.file_format} ({config.export_mode} mode, input {summary['input_shape']}) to {path}"
        + (f"; reloaded output matches the checkpoint within {summary['parity_max_abs_diff']:.1e}"
           if "parity_max_abs_diff" in summary else ""))
    return summary
