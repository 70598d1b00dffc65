"""pix2pixHD's networks and objective compute what its PyTorch originals compute: a user converting
pix2pixHD's weights gets the same generator, and training follows the same losses and updates.

tests/fixtures/torch_hd/ comes from tests/fixtures/make_hd_fixtures.py (PyTorch 2.13.0, the networks of
benchmarks/torch_hd_networks.py); the VGG19 weights are drawn from a seed on both sides."""
import os
import re

import mindspore as ms
import numpy as np
import pytest

from src.models.loss import FeatureMatchingLoss, Objective, make_gan_loss
from src.models.networks import build_discriminator, build_generator, generator_size_multiple
from src.models.pix2pix import Pix2PixTrainStep, build_adam, count_parameters
from src.models.spec import ModelSpec
from src.models.vgg_loss import PerceptualLoss, VGG19Features
from src.weights.convert import convert_generator
from src.models.checkpoint import load_generator
from tests.conftest import REPO_ROOT
from tests.fixtures.seeded_vgg import seeded_vgg19_state
from src.weights.torch_checkpoint import read_torch_weights

FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "torch_hd")
OUTPUTS = np.load(os.path.join(FIXTURES, "outputs.npz"))
NUM_D, N_LAYERS = 3, 2
DISCRIMINATOR_SPEC = ModelSpec(in_channels=5, netG="global", norm_mode="instance", netD="multiscale", ndf=4,
                               n_layers_D=N_LAYERS, options={"num_D": NUM_D, "n_downsample_global": 2,
                                                             "n_blocks_global": 2})


def relative_error(ours, theirs):
    """|ours - theirs| / |theirs| over the whole array (L2 norms)."""
    return float(np.linalg.norm(np.asarray(ours, np.float64) - theirs) / max(np.linalg.norm(theirs), 1e-12))


def converted(name, tmp_path, folder=FIXTURES):
    """Our generator (eval mode) from the PyTorch fixture `folder`/`name`.pth, by convert_weights.py's path."""
    path = str(tmp_path / f"{name}.ckpt")
    overrides = {"netG": None, "norm_mode": None, "use_dropout": None}
    convert_generator(os.path.join(folder, f"{name}.pth"), path, overrides, log=lambda line: None)
    generator, spec = load_generator(path, None)
    generator.set_train(False)
    return generator, spec


def discriminator_from_fixture():
    """Our multi-scale discriminator holding the fixture's weights: pix2pixHD's scale{num_D-1-i}_layer{j} is
    our scales.{i}.stages.{j}."""
    discriminator = build_discriminator(DISCRIMINATOR_SPEC)
    state = read_torch_weights(os.path.join(FIXTURES, "discriminator.pth"))
    for parameter in discriminator.get_parameters():
        scale, stage, rest = re.match(r"scales\.(\d+)\.stages\.(\d+)\.(.*)", parameter.name).groups()
        parameter.set_data(ms.Tensor(state[f"scale{NUM_D - 1 - int(scale)}_layer{stage}.{rest}"]))
    return discriminator


def seeded_vgg():
    vgg = VGG19Features()
    state = seeded_vgg19_state()
    for index, conv in vgg.convs:
        conv.weight.set_data(ms.Tensor(state[f"features.{index}.weight"]))
        conv.bias.set_data(ms.Tensor(state[f"features.{index}.bias"]))
    return vgg


@pytest.mark.parametrize("name, options", [
    ("global", {"n_downsample_global": 3, "n_blocks_global": 2}),
    ("local", {"n_downsample_global": 2, "n_blocks_global": 1, "n_local_enhancers": 1, "n_blocks_local": 1})])
def test_converted_pix2pixhd_generators_compute_what_pytorch_computes(name, options, tmp_path):
    generator, spec = converted(name, tmp_path)
    assert (spec.netG, spec.ngf, spec.in_channels, spec.norm_mode, spec.options) == (name, 4, 5, "instance", options)
    assert generator_size_multiple(spec) == 8
    output = generator(ms.Tensor(OUTPUTS["real_a"])).asnumpy()
    assert relative_error(output, OUTPUTS[f"{name}_out"]) < 1e-5
    # As pictures: the same to one grey level.
    assert np.abs(np.rint((output + 1) * 127.5) - np.rint((OUTPUTS[f"{name}_out"] + 1) * 127.5)).max() <= 1


def test_every_feature_map_of_the_multiscale_discriminator_matches():
    discriminator = discriminator_from_fixture()
    scales = discriminator(ms.Tensor(OUTPUTS["real_a"]), ms.Tensor(OUTPUTS["global_out"]))
    assert len(scales) == NUM_D and all(len(scale) == N_LAYERS + 2 for scale in scales)
    for scale, features in enumerate(scales):
        for index, feature in enumerate(features):
            assert relative_error(feature.asnumpy(), OUTPUTS[f"features.{scale}.{index}"]) < 1e-5, (scale, index)


def test_feature_matching_gan_and_vgg_losses_match():
    discriminator = discriminator_from_fixture()
    real_a, real_b, fake = (ms.Tensor(OUTPUTS[key]) for key in ("real_a", "real_b", "global_out"))
    judged_fake, judged_real = discriminator(real_a, fake), discriminator(real_a, real_b)
    matching = FeatureMatchingLoss(NUM_D, N_LAYERS)(judged_fake, judged_real).asnumpy()
    assert relative_error(matching, OUTPUTS["feature_matching"]) < 1e-5
    assert relative_error(make_gan_loss("lsgan", NUM_D)(judged_real, True).asnumpy(), OUTPUTS["gan_real"]) < 1e-5
    assert relative_error(PerceptualLoss(seeded_vgg())(fake, real_b).asnumpy(), OUTPUTS["vgg_loss"]) < 1e-5


def update_agreement(ours, before, theirs, gradient, lr, largest):
    """(elements whose update differs from the peer's by over 1% of lr, whether every such element's
    gradient is at noise level: under 1e-4 of the network's largest). Adam's first step moves each weight
    by about lr * sign(gradient), so a gradient that is rounding noise (a bias before instance norm,
    whose true gradient is 0) may move either way."""
    differs = np.abs((ours - before) - (theirs - before)) > 0.01 * lr
    return int(differs.sum()), bool(np.all(np.abs(gradient[differs]) < 1e-4 * largest))


def test_one_training_step_updates_the_weights_as_the_peer(tmp_path):
    """LSGAN + 10 x feature matching + 10 x VGG, no L1: D step, then G against the updated D, Adam 2e-4."""
    generator, _ = converted("global", tmp_path)
    discriminator = discriminator_from_fixture()
    objective = Objective("lsgan", lambda_l1=0.0, num_D=NUM_D, n_layers_D=N_LAYERS, lambda_feat=10.0, lambda_vgg=10.0)
    step = Pix2PixTrainStep(generator, discriminator, build_adam(generator, "optimizer_g", 2e-4, 0.5, 0.999),
                            build_adam(discriminator, "optimizer_d", 2e-4, 0.5, 0.999), objective,
                            perceptual=PerceptualLoss(seeded_vgg()))
    step.set_train(True)
    names = {"g": _torch_names(generator, "global"), "d": _discriminator_names(discriminator)}
    before = {net: {p.name: p.asnumpy().copy() for p in network.trainable_params()}
              for net, network in (("g", generator), ("d", discriminator))}
    losses = [float(value.asnumpy()) for value in step(ms.Tensor(OUTPUTS["real_a"]), ms.Tensor(OUTPUTS["real_b"]))[:5]]
    assert np.allclose(losses, OUTPUTS["step.losses"], rtol=1e-4)
    for net, network in (("g", generator), ("d", discriminator)):
        largest = max(np.abs(OUTPUTS[f"step.grad_{net}.{key}"]).max() for key in names[net].values())
        differing, total = 0, 0
        for parameter in network.trainable_params():
            key = names[net][parameter.name]
            count, at_noise = update_agreement(parameter.asnumpy(), before[net][parameter.name],
                                               OUTPUTS[f"step.{net}.{key}"], OUTPUTS[f"step.grad_{net}.{key}"], 2e-4,
                                               largest)
            assert at_noise, parameter.name
            differing, total = differing + count, total + parameter.size
        print(f"{net}: {differing} of {total} updates differ from the peer's, all at noise-level gradients")
        assert differing < 0.01 * total


def _torch_names(generator, kind):
    from src.weights.generator_names import reference_names
    return reference_names(generator, kind, True)


def _discriminator_names(discriminator):
    return {p.name: re.sub(r"scales\.(\d+)\.stages\.(\d+)\.", lambda m: f"scale{NUM_D - 1 - int(m[1])}_layer{m[2]}.",
                           p.name) for p in discriminator.get_parameters()}


def test_pix2pixhd_sized_networks_have_pix2pixhds_parameter_counts():
    """The 512p model (global, ngf 64) and the 1024p one (local, ngf 32) on Cityscapes' 35 labels + edges."""
    options = {"n_downsample_global": 4, "n_blocks_global": 9, "n_local_enhancers": 1, "n_blocks_local": 3, "num_D": 2}
    global_spec = ModelSpec(in_channels=36, netG="global", ngf=64, norm_mode="instance", netD="multiscale", ndf=64,
                            n_layers_D=3, options=options)
    local_spec = ModelSpec(in_channels=36, netG="local", ngf=32, norm_mode="instance", options=options)
    assert count_parameters(build_generator(global_spec)) == 182_546_755
    assert count_parameters(build_generator(local_spec)) == 182_857_059
    assert count_parameters(build_discriminator(global_spec)) == 2 * 2_801_601  # per scale, on 35 + 1 + 3 channels


def test_the_hd_step_runs_in_float16_with_loss_scaling():
    """--amp_level O2 / O3 (what MindSpore 2.10 allows; O1 is refused with one line) on pix2pixHD's networks."""
    from src.models.pix2pix import apply_mixed_precision, make_loss_scaler
    from src.utils.errors import UserInputError
    spec = ModelSpec(in_channels=5, netG="global", ngf=4, norm_mode="instance", use_dropout=False, netD="multiscale",
                     ndf=4, n_layers_D=2, options={"n_downsample_global": 2, "n_blocks_global": 1, "num_D": 2})
    generator = apply_mixed_precision(build_generator(spec), "O2")
    discriminator = apply_mixed_precision(build_discriminator(spec), "O2")
    step = Pix2PixTrainStep(generator, discriminator, build_adam(generator, "optimizer_g", 2e-4, 0.5, 0.999),
                            build_adam(discriminator, "optimizer_d", 2e-4, 0.5, 0.999),
                            Objective("lsgan", 0.0, num_D=2, n_layers_D=2, lambda_feat=10.0), loss_scaler=make_loss_scaler("O2"))
    step.set_train(True)
    losses = [float(value.asnumpy()) for value in step(ms.Tensor(OUTPUTS["real_a"][:, :, :16, :16]),
                                                        ms.Tensor(OUTPUTS["real_b"][:, :, :16, :16]))[:4]]
    assert np.all(np.isfinite(losses)) and losses[3] > 0
    try:
        apply_mixed_precision(build_generator(spec), "O1")
    except UserInputError as error:
        assert "use --amp_level O2 or O3" in str(error)
