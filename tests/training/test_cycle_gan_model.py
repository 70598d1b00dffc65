"""The CycleGAN room the Trainer drives: it builds the four networks a user asked for, steps, shows its eight
losses and pictures, and its checkpoints carry the pools and say which generator translates which way."""
import numpy as np
import mindspore as ms
import pytest

from src.models.checkpoint import (RunIdentity, load_translator_generator, read_checkpoint, restore_training_state,
                                   save_generator_checkpoint, save_training_checkpoint)
from src.models.networks import spec_from_settings
from src.dataset.image_coding import ImageCoding
from src.settings import load_config
from src.training.models import MODELS
from src.utils.errors import UserInputError

FLAGS = ["--model", "cycle_gan", "--netG", "resnet_1blocks", "--ngf", "4", "--ndf", "4", "--n_layers_D", "2",
         "--crop_size", "32", "--load_size", "36", "--pool_size", "2", "--output_nc", "1", "--lambda_identity", "0"]


def built(seed=0, flags=()):
    config = load_config(FLAGS + list(flags), "train")
    spec = spec_from_settings(config)
    ms.set_seed(seed)
    return MODELS.get(config.model).build(config, spec), spec


def batch(channels, seed):
    return ms.Tensor(np.random.default_rng(seed).uniform(-1, 1, (1, channels, 32, 32)).astype(np.float32))


def test_the_room_builds_rgb_to_grey_generators_and_their_judges():
    model, spec = built()
    networks = model.state.networks
    assert (networks.generator.in_channels, networks.generator_b.in_channels) == (3, 1)
    assert networks.discriminator_a.judge(batch(1, 0)).shape == networks.discriminator_b.judge(batch(3, 0)).shape
    assert model.network_lines[0].startswith("Generators G_A (A -> B) and G_B (B -> A) resnet_1blocks (ngf 4")
    assert "no history pools" not in model.objective_line() and "identity" not in model.objective_line()
    assert "idt_A" not in " ".join(model.loss_report().short_name(name) for name in model.loss_report().shown)


def test_a_step_gives_eight_finite_losses_and_a_six_column_picture():
    model, spec = built()
    model.compile_step(1)
    losses, visuals = model.step(batch(3, 1), batch(1, 2))
    model.state.step += 1
    assert len(losses) == 8 and np.all(np.isfinite(losses)) and losses[3] == losses[7] == 0.0  # identity off
    picture = model.epoch_picture(visuals, ImageCoding.from_spec(spec))
    assert picture.size == (6 * 32 + 5 * 4, 32)
    assert [len(pool.state()) for pool in model.state.pools] == [1, 1]


def test_a_training_checkpoint_brings_back_the_pools_and_is_refused_by_the_other_model(tmp_path):
    model, spec = built()
    model.compile_step(1)
    for step in range(3):
        model.step(batch(3, step), batch(1, 10 + step))
        model.state.step += 1
    path = str(tmp_path / "cycle_gan_epoch_0001.ckpt")
    save_training_checkpoint(path, model.state, spec, run=RunIdentity("cycle_gan", "AtoB"))
    fresh, _ = built(seed=5)
    restore_training_state(path, fresh.state, spec, "cycle_gan")
    for kept, restored in zip(model.state.pools, fresh.state.pools):
        assert len(restored.state()) == 2 and all(np.array_equal(a, b) for a, b in zip(kept.state(), restored.state()))
    with pytest.raises(UserInputError, match="is a --model cycle_gan training checkpoint: resume it with --model cycle_gan"):
        restore_training_state(path, fresh.state, spec, "pix2pix")


def test_the_other_direction_is_g_b_and_a_lone_g_a_cannot_give_it(tmp_path):
    model, spec = built()
    both, lone = str(tmp_path / "both.ckpt"), str(tmp_path / "lone.ckpt")
    save_generator_checkpoint(both, model.generators(), spec, 1, 1, run=RunIdentity("cycle_gan", "AtoB"))
    save_generator_checkpoint(lone, model.state.generator, spec, 1, 1, run=RunIdentity("cycle_gan", "AtoB"))
    trained_way = load_translator_generator(both, None)
    other_way = load_translator_generator(both, None, "BtoA")
    assert (trained_way.prefix, trained_way.run.direction, trained_way.spec.in_channels) == ("generator", "AtoB", 3)
    assert (other_way.prefix, other_way.run.direction, other_way.spec.in_channels) == ("generator_b", "BtoA", 1)
    grey = batch(1, 3)
    np.testing.assert_array_equal(other_way.generator(grey).asnumpy(), model.state.networks.generator_b(grey).asnumpy())
    with pytest.raises(UserInputError, match="holds only G_A .AtoB.: it cannot translate BtoA"):
        load_translator_generator(lone, None, "BtoA")
    assert RunIdentity.of(read_checkpoint(lone)) == RunIdentity("cycle_gan", "AtoB")


def test_a_checkpoint_of_other_channels_is_refused_naming_both(tmp_path):
    """RGB -> grey weights cannot start a grey -> grey fine-tune, nor resume as one: each is named in one line."""
    model, spec = built()
    generator_file, training_file = str(tmp_path / "rgb_to_grey.ckpt"), str(tmp_path / "cycle_gan_epoch_0001.ckpt")
    save_generator_checkpoint(generator_file, model.generators(), spec, 1, 1, run=RunIdentity("cycle_gan", "AtoB"))
    save_training_checkpoint(training_file, model.state, spec, run=RunIdentity("cycle_gan", "AtoB"))
    grey, grey_spec = built(flags=["--input_nc", "1", "--load_pretrain", generator_file])
    with pytest.raises(UserInputError, match=r"holds a generator of 3 -> 1 channels, but this run's is 1 -> 1 "
                                             r"\(--input_nc 1 --output_nc 1\): give --input_nc 3 --output_nc 1"):
        grey.start_from_pretrained(print)
    with pytest.raises(UserInputError, match=r"was trained with in_channels=3 \(config has 1\)"):
        restore_training_state(training_file, grey.state, grey_spec, "cycle_gan")
