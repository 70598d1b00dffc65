"""export.py: a checkpoint's generator as MINDIR, ONNX or AIR, in the test-time mode asked for, reloaded and
compared with the checkpoint."""
import os

import numpy as np
import mindspore as ms

from src.deployment.export_info import export_image_size, export_size_setting, write_export_info
from src.deployment.export_model import export_generator
from src.deployment.runners import mindir_translator, onnx_translator
from src.models.checkpoint import load_translator_generator, set_test_mode
from src.models.networks import require_size_multiples, spec_from_settings
from src.utils.device import seed_everything, setup_device
from src.utils.errors import UserInputError


def _check_format(config):
    if config.file_format == "AIR" and config.device_target != "Ascend":
        raise UserInputError("AIR export needs an Ascend device and toolkit (--device_target Ascend); "
                             "on this device export MINDIR (Ascend 310 and MindSpore) or ONNX")
    if config.file_format == "ONNX" and config.export_mode == "train":
        raise UserInputError("MindSpore's ONNX exporter cannot export batch norm in training mode: use "
                             "--export_mode eval for ONNX, or --file_format MINDIR for the paper's train mode")


def export_from_config(config, log=print):
    """export.py: export config.ckpt's generator per config; returns a summary dict.

    In eval mode the export is reloaded (MINDIR with mindspore.load, ONNX with ONNX Runtime) and its
    output compared with the checkpoint's on the same random input: `parity_max_abs_diff`.
    """
    _check_format(config)
    setup_device(config.device_target, config.device_id, config.mode)
    seed_everything(config.seed, deterministic=True)
    loaded = load_translator_generator(config.ckpt, spec_from_settings(config, with_discriminator=False), config.direction)
    generator, spec = loaded.generator, loaded.spec
    height, width = export_image_size(config)
    require_size_multiples(config, spec, (export_size_setting(config),))
    set_test_mode(generator, config.export_mode)
    path = export_generator(generator, config.file_format, config.file_name, config.batch_size, height, width)
    summary = {"file": path, "file_format": config.file_format, "export_mode": config.export_mode,
               "input_shape": [config.batch_size, generator.in_channels, height, width],
               "size_mb": round(os.path.getsize(path) / 2**20, 1)}
    write_export_info(config.file_name, spec, summary["input_shape"], config.export_mode, **loaded.run.entries())
    if config.export_mode == "eval" and config.file_format in ("MINDIR", "ONNX"):
        sample = np.random.default_rng(config.seed).uniform(-1, 1, summary["input_shape"]).astype(np.float32)
        expected = generator(ms.Tensor(sample)).asnumpy()
        exported = (mindir_translator if config.file_format == "MINDIR" else onnx_translator)(path)(sample)
        summary["parity_max_abs_diff"] = float(np.abs(exported - expected).max())
    log(f"Exported {config.file_format} ({config.export_mode} mode, input {summary['input_shape']}) to {path}"
        + (f"; reloaded output matches the checkpoint within {summary['parity_max_abs_diff']:.1e}"
           if "parity_max_abs_diff" in summary else ""))
    return summary
