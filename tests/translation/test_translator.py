"""A notebook user loads a generator once and translates pictures of any size, on MindSpore or ONNX Runtime."""
import os
import shutil

import mindspore as ms
import numpy as np
import pytest
from PIL import Image

from src.models.checkpoint import RunIdentity, save_generator_checkpoint
from src.translation.translator import Translator
from src.utils.errors import UserInputError
from tests.conftest import TINY_SPEC, structured_generator


def picture(width=70, height=45, mode="RGB"):
    rng = np.random.default_rng(width * height)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), np.uint8)).convert(mode)


def test_pictures_and_arrays_of_any_size_come_back_as_they_went_in(tiny_checkpoint):
    translator = Translator.from_checkpoint(str(tiny_checkpoint), eval_mode="eval", log=lambda line: None)
    out = translator.translate(picture())
    assert isinstance(out, Image.Image) and out.size == (70, 45) and out.mode == "RGB"
    array = np.asarray(picture(33, 40))
    for given in (array, array[..., 0], np.asarray(picture(33, 40, "RGBA"))):
        result = translator.translate(given)
        assert isinstance(result, np.ndarray) and result.dtype == np.uint8 and result.shape == (40, 33, 3)
    assert (translator.translate(array) == np.asarray(translator.translate(Image.fromarray(array)))).all()
    batch = translator.translate_batch([array, picture(64, 64)])
    assert batch[0].shape == (40, 33, 3) and batch[1].size == (64, 64)


def test_onnx_runtime_agrees_with_mindspore_and_its_export_is_cached_until_the_checkpoint_changes(tiny_checkpoint, tmp_path):
    copy = tmp_path / "generator.ckpt"
    shutil.copy(tiny_checkpoint, copy)
    lines = []
    onnx = Translator.from_checkpoint(str(copy), eval_mode="eval", backend="onnxruntime", log=lines.append)
    mindspore = Translator.from_checkpoint(str(copy), eval_mode="eval", log=lines.append)
    image = picture(100, 70)
    difference = np.abs(np.asarray(onnx.translate(image), int) - np.asarray(mindspore.translate(image), int))
    assert difference.max() <= 1  # grey levels: the float outputs agree to rounding
    assert os.path.isfile(tmp_path / "generator.onnx") and len(lines) == 1
    Translator.from_checkpoint(str(copy), eval_mode="eval", backend="onnxruntime", log=lines.append)
    assert len(lines) == 1  # the cached export was used
    save_generator_checkpoint(str(copy), structured_generator(seed=5), TINY_SPEC, epoch=2, step=2)
    changed = Translator.from_checkpoint(str(copy), eval_mode="eval", backend="onnxruntime", log=lines.append)
    assert len(lines) == 2 and not np.array_equal(np.asarray(changed.translate(image)), np.asarray(onnx.translate(image)))


def test_api_errors_are_the_standard_python_exceptions(tiny_checkpoint):
    translator = Translator.from_checkpoint(str(tiny_checkpoint), eval_mode="eval")
    for empty in (np.zeros((0, 5, 3), np.uint8), np.zeros((5, 0), np.uint8), Image.new("RGB", (0, 0))):
        with pytest.raises(ValueError, match="translate\\(\\) was given an empty image"):
            translator.translate(empty)
    with pytest.raises(TypeError, match="takes a PIL image or a uint8 array"):
        translator.translate("labels.png")
    with pytest.raises(ValueError, match="--backend must be one of"):
        Translator.from_checkpoint(str(tiny_checkpoint), backend="tensorrt")
    with pytest.raises(ValueError, match="is a folder: pass the .ckpt file inside it"):
        Translator.from_checkpoint(str(tiny_checkpoint.parent))


def test_what_the_api_refuses(tiny_checkpoint):
    with pytest.raises(UserInputError, match="ONNX Runtime runs the eval-mode graph only"):
        Translator.from_checkpoint(str(tiny_checkpoint), eval_mode="train", backend="onnxruntime")
    with pytest.raises(UserInputError, match="--backend must be one of mindspore, onnxruntime"):
        Translator.from_checkpoint(str(tiny_checkpoint), backend="tensorrt")
    translator = Translator.from_checkpoint(str(tiny_checkpoint), eval_mode="eval")
    with pytest.raises(UserInputError, match="takes a PIL image or a uint8 array .* float64 \\(4, 4\\)"):
        translator.translate(np.zeros((4, 4)))


def test_a_cycle_gan_checkpoint_translates_with_g_a_its_way_and_g_b_the_other(tmp_path):
    """Both generators in one file: the trained direction is G_A's, --direction BtoA is G_B's, on either
    backend; the ONNX export of each is cached apart."""
    path = str(tmp_path / "generator_final.ckpt")
    generators = {"generator": structured_generator(seed=1), "generator_b": structured_generator(seed=2)}
    save_generator_checkpoint(path, generators, TINY_SPEC, 4, 40, run=RunIdentity("cycle_gan", "AtoB"))
    image = picture(64, 64)
    expected = {direction: np.asarray(Translator(lambda array, g=generator: g(ms.Tensor(array)).asnumpy(), 32,
                                                 spec=TINY_SPEC).translate(image), int)
                for direction, generator in zip(("AtoB", "BtoA"), generators.values())}
    for backend in ("mindspore", "onnxruntime"):
        for direction in (None, "AtoB", "BtoA"):
            translator = Translator.from_checkpoint(path, eval_mode="eval", backend=backend, direction=direction,
                                                    log=lambda line: None)
            got = np.asarray(translator.translate(image), int)
            assert np.abs(got - expected[direction or "AtoB"]).max() <= 1, (backend, direction)
    assert sorted(name for name in os.listdir(tmp_path) if name.endswith(".onnx")) == [
        "generator_final.onnx", "generator_final_generator_b.onnx"]
