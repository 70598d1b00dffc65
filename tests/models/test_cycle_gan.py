"""CycleGAN's step against the reference's, written in PyTorch as the reference writes it
(tests/fixtures/make_cycle_gan_fixtures.py, benchmarks/torch_cycle_gan.py): the same weights give the same
outputs, the same losses in each of three steps and the same weights after them; and the history pool draws as
the reference's ImagePool."""
import os
import re

import numpy as np
import mindspore as ms
import pytest

from src.models.cycle_gan import CycleGANNetworks, CycleGANTrainStep, CycleObjective, LOSS_NAMES
from src.models.image_pool import ImagePool
from src.models.networks import build_discriminator
from src.models.pix2pix import build_adam
from src.models.spec import ModelSpec
from src.weights.torch_checkpoint import read_torch_weights
from tests.conftest import REPO_ROOT
from tests.models.test_hd_networks import converted, relative_error, update_agreement

FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "torch_cycle_gan")
OUTPUTS = np.load(os.path.join(FIXTURES, "outputs.npz"))
LR = 2e-4
# An unconditional PatchGAN judging RGB: in_channels 0 + out_channels 3.
DISCRIMINATOR_SPEC = ModelSpec(in_channels=0, out_channels=3, norm_mode="instance", netD="basic", ndf=4, n_layers_D=3)


def discriminator_from_fixture(name):
    """Our PatchGAN holding the fixture's weights: the reference's model.{i} is our layers.{i}."""
    discriminator = build_discriminator(DISCRIMINATOR_SPEC)
    state = read_torch_weights(os.path.join(FIXTURES, f"{name}.pth"))
    for parameter in discriminator.get_parameters():
        parameter.set_data(ms.Tensor(state[re.sub(r"^layers\.", "model.", parameter.name)]))
    return discriminator


def networks_from_fixture(tmp_path):
    generators = []
    for name in ("generator_a", "generator_b"):
        generator, spec = converted(name, tmp_path, FIXTURES)
        assert (spec.netG, spec.ngf, spec.norm_mode) == ("resnet_2blocks", 4, "instance")
        generators.append(generator)
    return CycleGANNetworks(*generators, *(discriminator_from_fixture(name)
                                          for name in ("discriminator_a", "discriminator_b")))


def test_the_networks_compute_what_the_reference_computes(tmp_path):
    networks = networks_from_fixture(tmp_path)
    assert relative_error(networks.generator(ms.Tensor(OUTPUTS["real_a.0"])).asnumpy(), OUTPUTS["fake_b"]) < 1e-5
    judged = networks.discriminator_a.judge(ms.Tensor(OUTPUTS["real_b.0"])).asnumpy()
    assert judged.shape == (1, 1, 2, 2) and relative_error(judged, OUTPUTS["judged_b"]) < 1e-5


def test_three_steps_give_the_references_losses_and_weights(tmp_path):
    """lsgan, lambda_A = lambda_B = 10, identity 0.5, Adam 2e-4 (0.5, 0.999), pools off, batch 1 of 32 px."""
    networks = networks_from_fixture(tmp_path)
    optimizer_g = build_adam([networks.generator, networks.generator_b], "optimizer_g", LR, 0.5, 0.999)
    optimizer_d = build_adam([networks.discriminator_a, networks.discriminator_b], "optimizer_d", LR, 0.5, 0.999)
    step = CycleGANTrainStep(networks, optimizer_g, optimizer_d, CycleObjective("lsgan", 10.0, 10.0, 0.5),
                             (ImagePool(0), ImagePool(0)), pool_rng=None)
    step.set_train(True)
    before = {p.name: p.asnumpy().copy() for p in networks.trainable_params()}
    for index in range(3):
        losses, _ = step(ms.Tensor(OUTPUTS[f"real_a.{index}"]), ms.Tensor(OUTPUTS[f"real_b.{index}"]), index)
        assert len(losses) == len(LOSS_NAMES)
        assert np.allclose(losses, OUTPUTS[f"losses.{index}"], rtol=1e-4), (index, losses, OUTPUTS[f"losses.{index}"])
    for network in ("generator_a", "generator_b", "discriminator_a", "discriminator_b"):
        prefix = "generator." if network == "generator_a" else f"{network}."
        parameters = [p for p in networks.trainable_params() if p.name.startswith(prefix)]
        keys = {p.name: theirs_key(network, p.name[len(prefix):]) for p in parameters}
        largest = max(OUTPUTS[f"gradient.{key}"].max() for key in keys.values())
        differing, total = 0, 0
        for parameter in parameters:
            key = keys[parameter.name]
            # Three Adam steps agree to 1% of lr, but for weights whose gradient was at noise level in one of
            # them (biases before instance norm, and a few weights whose gradient crossed zero).
            count, at_noise = update_agreement(parameter.asnumpy(), before[parameter.name], OUTPUTS[f"after.{key}"],
                                               OUTPUTS[f"quietest.{key}"], LR, largest)
            assert at_noise, parameter.name
            differing, total = differing + count, total + parameter.size
        print(f"{network}: {differing} of {total} weights differ from the peer's, all at noise-level gradients")
        assert differing < 0.01 * total


def theirs_key(network, our_name):
    """The fixture's key of one of our parameters (its network's, relative name)."""
    if network.startswith("discriminator"):
        return f"{network}.{re.sub(r'^layers[.]', 'model.', our_name)}"
    return f"{network}.{GENERATOR_KEYS[our_name]}"


GENERATOR_KEYS = {}


@pytest.fixture(autouse=True, scope="module")
def generator_keys(tmp_path_factory):
    """Our generator names -> the reference's, by converting the fixture's generator and reading both orders."""
    from tests.models.test_hd_networks import _torch_names
    generator, _ = converted("generator_a", tmp_path_factory.mktemp("keys"), FIXTURES)
    GENERATOR_KEYS.update(_torch_names(generator, "resnet"))


def test_the_pool_draws_as_the_references_image_pool():
    pool = ImagePool(2)
    rng = np.random.default_rng(0)
    first, second = np.full((1, 1, 2, 2), 1.0), np.full((1, 1, 2, 2), 2.0)
    assert pool.query(first, rng)[0, 0, 0, 0] == 1.0 and pool.query(second, rng)[0, 0, 0, 0] == 2.0
    returned = [float(pool.query(np.full((1, 1, 2, 2), 3.0 + index), rng)[0, 0, 0, 0]) for index in range(40)]
    assert {1.0, 2.0} & set(returned)  # past fakes come back ...
    assert 10 < sum(value == 3.0 + index for index, value in enumerate(returned)) < 30  # ... about half the time
    assert len(pool.state()) == 2
    assert ImagePool(0).query(first, rng) is first


def test_a_training_checkpoint_restores_all_four_networks_and_both_optimisers(tmp_path):
    from src.models.checkpoint import (load_generator, restore_training_state, save_training_checkpoint)
    from src.models.cycle_gan import CycleGANState

    def state_of(networks):
        return CycleGANState(networks, build_adam([networks.generator, networks.generator_b], "optimizer_g", LR, 0.5,
                                                  0.999),
                             build_adam([networks.discriminator_a, networks.discriminator_b], "optimizer_d", LR, 0.5,
                                        0.999))

    trained = state_of(networks_from_fixture(tmp_path))
    step = CycleGANTrainStep(trained.networks, trained.optimizer_g, trained.optimizer_d, CycleObjective(),
                             (ImagePool(0), ImagePool(0)), pool_rng=None)
    step(ms.Tensor(OUTPUTS["real_a.0"]), ms.Tensor(OUTPUTS["real_b.0"]))
    trained.epoch, trained.step = 1, 1
    spec = load_generator_spec(tmp_path)
    save_training_checkpoint(str(tmp_path / "cycle.ckpt"), trained, spec)
    fresh = state_of(networks_from_fixture(tmp_path / "fresh"))
    restore_training_state(str(tmp_path / "cycle.ckpt"), fresh, spec)
    assert (fresh.epoch, fresh.step) == (1, 1)
    for ours, theirs in zip(trained.networks.get_parameters(), fresh.networks.get_parameters()):
        assert ours.name == theirs.name and np.array_equal(ours.asnumpy(), theirs.asnumpy()), ours.name
    for ours, theirs in zip(trained.optimizer_g.moment1, fresh.optimizer_g.moment1):
        assert np.array_equal(ours.asnumpy(), theirs.asnumpy())
    # G_A is the checkpoint's 'generator', as a pix2pix generator: eval, predict and export load it as it is.
    generator, _ = load_generator(str(tmp_path / "cycle.ckpt"), spec)
    assert np.array_equal(generator(ms.Tensor(OUTPUTS["real_a.0"])).asnumpy(),
                          trained.networks.generator(ms.Tensor(OUTPUTS["real_a.0"])).asnumpy())


def load_generator_spec(tmp_path):
    return converted("generator_a", tmp_path / "spec", FIXTURES)[1]
