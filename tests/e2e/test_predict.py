"""predict.py as a user runs it: folders of any images, a single file, and bad input."""
import json
import os
from dataclasses import replace

import numpy as np
import mindspore as ms
import pytest
from PIL import Image

from src.models.checkpoint import save_generator_checkpoint, save_training_checkpoint
from src.models.networks import build_generator
from tests.conftest import TINY_SPEC, run_entry, structured_generator

SPEC = TINY_SPEC


@pytest.fixture(scope="module")
def generator():
    return structured_generator()


@pytest.fixture(scope="module")
def checkpoints(generator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    save_generator_checkpoint(str(folder / "generator.ckpt"), generator, SPEC, epoch=1, step=1)
    ms.save_checkpoint(build_generator(replace(SPEC, ngf=16)), str(folder / "wide.ckpt"))
    from src.models.pix2pix import TrainingState, build_adam
    from src.models.networks import build_discriminator
    discriminator = build_discriminator(SPEC)
    ms.save_checkpoint(discriminator, str(folder / "discriminator.ckpt"))
    state = TrainingState(generator, discriminator, build_adam(generator, "optimizer_g", 1e-3, 0.5, 0.999),
                          build_adam(discriminator, "optimizer_d", 1e-3, 0.5, 0.999), epoch=1, step=1)
    save_training_checkpoint(str(folder / "training.ckpt"), state, SPEC)
    return folder


@pytest.mark.e2e
def test_predict_translates_a_folder_of_any_images_and_skips_unreadable_ones(checkpoints, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    Image.fromarray(np.random.default_rng(3).integers(0, 255, (173, 300, 3), np.uint8)).save(inputs / "odd.png")
    Image.new("L", (640, 400), 90).save(inputs / "grey.jpg")
    Image.new("RGBA", (50, 70), (200, 10, 10, 100)).save(inputs / "tiny rgba.png")
    (inputs / "broken.jpg").write_bytes(b"not really a jpeg")
    result = run_entry(["predict.py", "--ckpt", str(checkpoints / "training.ckpt"), "--input_path", str(inputs),
                        "--output_path", str(tmp_path / "out"), "--tile_size", "256", "--tile_overlap", "64",
                        "--netG", "unet_32"])
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["translated"], summary["skipped"]) == (3, 1)
    assert "warning: skipping" in result.stdout and "[4/4]" in result.stdout
    for name, size in (("odd.png", (300, 173)), ("grey.png", (640, 400)), ("tiny rgba.png", (50, 70))):
        with Image.open(os.path.join(summary["output_dir"], name)) as image:
            assert image.size == size and image.mode == "RGB"


@pytest.mark.e2e
def test_predict_on_a_single_file(checkpoints, tmp_path):
    Image.new("RGB", (100, 60), (10, 200, 30)).save(tmp_path / "one.png")
    result = run_entry(["predict.py", "--ckpt", str(checkpoints / "generator.ckpt"), "--input_path",
                        str(tmp_path / "one.png"), "--output_path", str(tmp_path / "out"), "--netG", "unet_32",
                        "--tile_size", "256", "--tile_overlap", "64"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1])["translated"] == 1


@pytest.mark.e2e
@pytest.mark.parametrize("make_args, fragment", [
    (lambda c, t: ["--ckpt", str(c / "discriminator.ckpt"), "--input_path", str(t)], "holds a discriminator"),
    (lambda c, t: ["--ckpt", str(c / "wide.ckpt"), "--input_path", str(t)], "does not fit the model"),
    (lambda c, t: ["--ckpt", str(c / "generator.ckpt"), "--input_path", str(t / "empty")], "holds no images"),
    (lambda c, t: ["--ckpt", str(c / "generator.ckpt"), "--input_path", str(t / "bad")], "could be read as an image"),
    (lambda c, t: ["--ckpt", str(c / "generator.ckpt"), "--input_path", str(t),
                   "--output_path", str(t / "a_file" / "out")], "cannot write results to"),
    (lambda c, t: ["--ckpt", str(c / "generator.ckpt")], "--input_path is not set"),
    (lambda c, t: ["--ckpt", str(c / "generator.ckpt"), "--input_path", str(t), "--tile_size", "1000"],
     "--tile_size (1000) must be a multiple of 32 for the generator unet_32"),
])
def test_predict_bad_input(checkpoints, tmp_path, make_args, fragment):
    Image.new("RGB", (64, 64)).save(tmp_path / "ok.png")
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.png").write_bytes(b"junk")
    (tmp_path / "a_file").write_text("a file, not a folder")
    result = run_entry(["predict.py", "--netG", "unet_32", "--tile_size", "256", "--tile_overlap", "64",
                        "--output_path", str(tmp_path / "results"), *make_args(checkpoints, tmp_path)])
    assert result.returncode == 2, result.stdout[-1000:] + result.stderr[-1000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and fragment in errors[0] and "Traceback" not in result.stderr
