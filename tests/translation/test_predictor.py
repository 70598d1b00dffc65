"""predict.py reads what Pillow decodes (a gif from its first frame) and names the rest."""
from dataclasses import replace
import os

import mindspore as ms
import pytest
from PIL import Image

from src.models.networks import build_generator
from src.models.checkpoint import save_generator_checkpoint, save_training_checkpoint
from tests.conftest import TINY_SPEC, structured_generator

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


def test_a_gif_is_translated_from_its_first_frame_and_other_files_are_named(checkpoints, tmp_path):
    from src.translation.predictor import predict
    from src.settings import load_config

    inputs = tmp_path / "in"
    inputs.mkdir()
    frames = [Image.new("RGB", (90, 60), colour) for colour in ((200, 20, 20), (20, 200, 20))]
    frames[0].save(inputs / "animated.gif", save_all=True, append_images=frames[1:])
    (inputs / "labels.json").write_text("{}")
    config = load_config(["--ckpt", str(checkpoints / "generator.ckpt"), "--input_path", str(inputs),
                          "--output_path", str(tmp_path / "out"), "--tile_size", "256", "--tile_overlap", "64",
                          "--eval_mode", "eval"], "predict")
    messages = []
    summary = predict(config, log=messages.append)
    assert (summary["translated"], summary["skipped"]) == (1, 0)
    assert any("labels.json" in line and line.startswith("warning: skipping 1 file(s)") for line in messages)
    with Image.open(os.path.join(summary["output_dir"], "animated.png")) as image:
        assert image.size == (90, 60)
