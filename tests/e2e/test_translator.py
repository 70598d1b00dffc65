"""predict.py writes exactly what the Python API returns, on both backends."""
import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from src.translation.translator import Translator
from tests.conftest import run_entry


def picture(width=70, height=45, mode="RGB"):
    rng = np.random.default_rng(width * height)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), np.uint8)).convert(mode)


@pytest.mark.e2e
@pytest.mark.parametrize("backend", ["mindspore", "onnxruntime"])
def test_predict_writes_what_the_api_returns(tiny_checkpoint, tmp_path, backend):
    shutil.copy(tiny_checkpoint, tmp_path / "generator.ckpt")
    picture(90, 50).save(tmp_path / "input.png")
    result = run_entry(["predict.py", "--ckpt", str(tmp_path / "generator.ckpt"), "--input_path",
                        str(tmp_path / "input.png"), "--output_path", str(tmp_path / "out"), "--eval_mode", "eval",
                        "--backend", backend])
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    written = np.asarray(Image.open(os.path.join(summary["output_dir"], "input.png")))
    api = Translator.from_checkpoint(str(tmp_path / "generator.ckpt"), eval_mode="eval", backend=backend)
    assert summary["backend"] == backend and (written == np.asarray(api.translate(picture(90, 50)))).all()
