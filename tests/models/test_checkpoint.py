"""Checkpoints hold everything resume and eval need, and refuse what does not fit."""
import os
from dataclasses import replace

import numpy as np
import mindspore as ms
import pytest

from src.models.checkpoint import (load_generator, load_generator_weights, read_checkpoint, restore_training_state,
                                   save_generator_checkpoint, save_training_checkpoint, weights_digest)
from src.models.networks import build_discriminator, build_generator
from src.models.pix2pix import TrainingState, build_adam
from src.models.spec import ModelSpec
from src.utils.errors import UserInputError
from tests.conftest import REPO_ROOT

SPEC = ModelSpec(in_channels=3, out_channels=3, ngf=8, netG="unet_32",
                 norm_mode="batch", use_dropout=True, netD="n_layers", ndf=8, n_layers_D=2)


def training_state(seed, spec=SPEC):
    ms.set_seed(seed)
    generator, discriminator = build_generator(spec), build_discriminator(spec)
    return TrainingState(generator, discriminator, build_adam(generator, "optimizer_g", 1e-3, 0.5, 0.999),
                         build_adam(discriminator, "optimizer_d", 1e-3, 0.5, 0.999))


def all_values(state):
    cells = (state.generator, state.discriminator, state.optimizer_g, state.optimizer_d)
    return {id(cell): [p.asnumpy().copy() for p in cell.get_parameters()] for cell in cells}


def test_training_checkpoint_round_trip_restores_everything(tmp_path):
    saved = training_state(1)
    saved.optimizer_g.moment1[0].set_data(ms.Tensor(np.full(saved.optimizer_g.moment1[0].shape, 0.5, np.float32)))
    saved.optimizer_d.global_step.set_data(ms.Tensor([7], ms.int32))
    saved.epoch, saved.step, saved.step_in_epoch = 3, 42, 5
    path = str(tmp_path / "pix2pix_epoch_0003.ckpt")
    plateau = {"plateau_lr": 4e-5, "best": 21.5, "bad_epochs": 2}
    save_training_checkpoint(path, saved, model_spec=SPEC, lr_policy_state=plateau)
    restored = training_state(2)
    assert restore_training_state(path, restored, model_spec=SPEC) == plateau
    assert (restored.epoch, restored.step, restored.step_in_epoch) == (3, 42, 5)
    for before, after in zip(all_values(saved).values(), all_values(restored).values()):
        assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert os.listdir(tmp_path) == ["pix2pix_epoch_0003.ckpt"]  # no temporary file left


def test_generator_checkpoint_loads_for_eval_and_is_refused_for_resume(tmp_path):
    state = training_state(1)
    path = str(tmp_path / "generator.ckpt")
    save_generator_checkpoint(path, state.generator, SPEC, epoch=5, step=50)
    fresh = build_generator(SPEC)
    load_generator_weights(fresh, read_checkpoint(path), path)
    assert all(np.array_equal(a.asnumpy(), b.asnumpy()) for a, b in zip(state.generator.get_parameters(), fresh.get_parameters()))
    with pytest.raises(UserInputError, match="not a training checkpoint"):
        restore_training_state(path, training_state(2), model_spec=SPEC)


def test_bare_generator_checkpoint_of_unet_generator_loads(tmp_path):
    generator = training_state(1).generator
    path = str(tmp_path / "bare.ckpt")
    ms.save_checkpoint(generator, path)
    fresh = build_generator(SPEC)
    load_generator_weights(fresh, read_checkpoint(path), path)
    np.testing.assert_array_equal(fresh.encoder[1][1].weight.asnumpy(), generator.encoder[1][1].weight.asnumpy())


def test_checkpoint_that_does_not_fit_is_named(tmp_path):
    path = str(tmp_path / "wide.ckpt")
    wide = training_state(1, replace(SPEC, ngf=16))
    wide.epoch, wide.step = 1, 1
    save_training_checkpoint(path, wide, model_spec=replace(SPEC, ngf=16))
    with pytest.raises(UserInputError, match="trained with ngf=16"):
        restore_training_state(path, training_state(2), model_spec=SPEC)
    with pytest.raises(UserInputError, match="does not fit the model"):
        load_generator_weights(build_generator(SPEC), read_checkpoint(path), path)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(UserInputError, match="does not exist"):
        read_checkpoint(str(tmp_path / "nothing.ckpt"))
    (tmp_path / "junk.ckpt").write_bytes(b"\x00junk" * 10)
    with pytest.raises(UserInputError, match="not a readable MindSpore checkpoint"):
        read_checkpoint(str(tmp_path / "junk.ckpt"))


VERSION_1 = os.path.join(REPO_ROOT, "tests", "fixtures", "checkpoints_v1")


def test_checkpoints_with_a_version_1_spec_load_compute_and_resume():
    generator, spec = load_generator(os.path.join(VERSION_1, "generator_final.ckpt"), None)
    assert spec == ModelSpec(3, 3, False, "unet_32", 4, "batch", True, "n_layers", 4, 2)
    generator.set_train(False)
    fixed = np.load(os.path.join(VERSION_1, "outputs.npz"))
    assert np.abs(generator(ms.Tensor(fixed["input"])).asnumpy() - fixed["output"]).max() < 1e-6
    state = training_state(1, spec)
    lr_policy_state = restore_training_state(os.path.join(VERSION_1, "pix2pix_epoch_0002.ckpt"), state, spec)
    assert (state.epoch, state.step, state.step_in_epoch) == (2, 8, 0) and lr_policy_state["plateau_lr"] == 2e-4
    assert weights_digest(state.generator) == "5a541b75804b694c"  # the digest train.py logged when it wrote them
