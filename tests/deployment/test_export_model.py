"""A user exports a trained generator and runs it elsewhere: MINDIR and ONNX reproduce the checkpoint."""
import json
import os
from dataclasses import replace

import numpy as np
import mindspore as ms
import onnx
import onnxruntime
import pytest

from src.deployment.export_model import export_generator, repair_onnx
from src.deployment.runners import mindir_translator, onnx_translator
from src.models.checkpoint import save_generator_checkpoint, save_training_checkpoint
from src.models.networks import build_discriminator
from src.models.pix2pix import TrainingState, build_adam
from tests.conftest import TINY_SPEC, run_entry, structured_generator

SPEC = TINY_SPEC


@pytest.fixture(scope="module")
def generator():
    return structured_generator()


@pytest.fixture(scope="module")
def exported(generator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    return {fmt: export_generator(generator, fmt, str(folder / "gen"), 1, 64, 96) for fmt in ("MINDIR", "ONNX")}


def sample(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


def test_mindir_and_onnx_reproduce_the_eval_mode_output(generator, exported):
    batch = sample((1, 3, 64, 96))
    expected = generator(ms.Tensor(batch)).asnumpy()
    assert exported["MINDIR"].endswith(".mindir") and exported["ONNX"].endswith(".onnx")
    assert np.abs(mindir_translator(exported["MINDIR"])(batch) - expected).max() < 1e-4
    assert np.abs(onnx_translator(exported["ONNX"])(batch) - expected).max() < 1e-4


def test_onnx_passes_the_checker_has_named_io_and_dynamic_shapes(generator, exported):
    model = onnx.load(exported["ONNX"])
    onnx.checker.check_model(model, full_check=True)
    assert [i.name for i in model.graph.input] == ["real_A"] and [o.name for o in model.graph.output] == ["fake_B"]
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 11)]  # MindSpore's choice, as the docs say
    assert not any(a.name == "output_shape" for n in model.graph.node if n.op_type == "ConvTranspose"
                   for a in n.attribute)
    session = onnxruntime.InferenceSession(exported["ONNX"], providers=["CPUExecutionProvider"])
    batch = sample((2, 3, 128, 64), seed=1)  # another batch and size than exported
    output = session.run(["fake_B"], {"real_A": batch})[0]
    assert output.shape == (2, 3, 128, 64)
    assert np.abs(output - generator(ms.Tensor(batch)).asnumpy()).max() < 1e-4


def test_mindspore_onnx_as_exported_is_what_onnxruntime_rejects(generator, tmp_path):
    """The repair is needed: MindSpore's own file carries the 4-entry output_shape."""
    import mindspore.onnx
    mindspore.onnx.export(generator, ms.Tensor(sample((1, 3, 64, 64))), file_name=str(tmp_path / "raw.onnx"))
    with pytest.raises(Exception, match="output_shape"):
        onnxruntime.InferenceSession(str(tmp_path / "raw.onnx"), providers=["CPUExecutionProvider"])
    repaired = repair_onnx(onnx.load(str(tmp_path / "raw.onnx")))
    onnxruntime.InferenceSession(repaired.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def checkpoints(generator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpts")
    discriminator = build_discriminator(SPEC)
    state = TrainingState(generator, discriminator, build_adam(generator, "optimizer_g", 1e-3, 0.5, 0.999),
                          build_adam(discriminator, "optimizer_d", 1e-3, 0.5, 0.999), epoch=1, step=1)
    save_training_checkpoint(str(folder / "training.ckpt"), state, SPEC)
    save_generator_checkpoint(str(folder / "generator.ckpt"), generator, SPEC, 1, 1)
    ms.save_checkpoint(discriminator, str(folder / "discriminator.ckpt"))
    return folder


@pytest.mark.e2e
@pytest.mark.parametrize("file_format, extra", [("MINDIR", []), ("ONNX", ["--image_size", "64", "96"]),
                                                ("MINDIR", ["--export_mode", "train", "--batch_size", "2"])])
def test_export_py_writes_the_file_and_reports_parity(checkpoints, tmp_path, file_format, extra):
    result = run_entry(["export.py", "--ckpt", str(checkpoints / "training.ckpt"), "--file_format", file_format,
                        "--file_name", str(tmp_path / "out" / "model"), "--crop_size", "64", "--netG", "unet_32", *extra])
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert os.path.isfile(summary["file"]) and summary["file"].startswith(str(tmp_path / "out" / "model."))
    if "train" in extra:
        assert summary["input_shape"] == [2, 3, 64, 64] and "parity_max_abs_diff" not in summary
    else:
        assert summary["parity_max_abs_diff"] < 1e-4
    # No temporary left; the JSON beside the model tells the offline flow its channels.
    assert sorted(os.listdir(tmp_path / "out")) == sorted([os.path.basename(summary["file"]), "model.json"])


@pytest.mark.e2e
@pytest.mark.parametrize("args, fragment", [
    (["--ckpt", "missing.ckpt"], "does not exist"),
    (["--ckpt", "{c}/discriminator.ckpt"], "holds a discriminator"),
    (["--ckpt", "{c}/generator.ckpt", "--file_format", "TFLITE"], "--file_format must be one of"),
    (["--ckpt", "{c}/generator.ckpt", "--image_size", "100"], "must be a multiple of 32"),
    (["--ckpt", "{c}/generator.ckpt", "--file_format", "AIR"], "AIR export needs an Ascend device"),
    (["--ckpt", "{c}/generator.ckpt", "--file_format", "ONNX", "--export_mode", "train"], "training mode"),
    (["--ckpt", "{c}/generator.ckpt", "--file_name", "{t}/a_file/model"], "cannot write the export"),
])
def test_export_bad_input(checkpoints, tmp_path, args, fragment):
    (tmp_path / "a_file").write_text("not a folder")
    result = run_entry(["export.py", "--crop_size", "64", "--netG", "unet_32"] + [a.format(c=checkpoints, t=tmp_path) for a in args])
    assert result.returncode == 2, result.stdout[-1000:] + result.stderr[-1000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and fragment in errors[0] and "Traceback" not in result.stderr
    assert not [name for name in os.listdir(tmp_path) if name.startswith("model")]


@pytest.mark.parametrize("netG, norm_mode", [("resnet_2blocks", "instance"), ("resnet_2blocks", "batch"),
                                             ("unet_32", "none")])
def test_every_generator_and_norm_exports_to_onnx_with_dynamic_shapes(tmp_path, netG, norm_mode):
    """The ResNet's reflection padding and the instance norm are written with ops MindSpore can export
    (its MirrorPad and Rsqrt have no ONNX converter)."""
    generator = structured_generator(replace(SPEC, netG=netG, norm_mode=norm_mode))
    path = export_generator(generator, "ONNX", str(tmp_path / "gen"), 1, 64, 64)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    batch = sample((2, 3, 96, 128), seed=2)  # another batch and size than exported
    output = onnx_translator(path)(batch)
    assert output.shape == (2, 3, 96, 128)
    assert np.abs(output - generator(ms.Tensor(batch)).asnumpy()).max() < 1e-4
