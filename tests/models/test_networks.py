"""Networks are built by name through their registries; a new generator is one entry, and the rest of the
code (sizes, checkpoints, rebuilding) serves it without knowing it."""
import numpy as np
import mindspore as ms
import pytest
from mindspore import nn

from src.models import networks
from src.models.checkpoint import load_generator, save_generator_checkpoint
from src.models.networks import (DISCRIMINATORS, GENERATORS, build_discriminator, build_generator, check_generator_name,
                                 describe_discriminator, generator_size_multiple, require_networks_fit,
                                 spec_from_settings)
from src.models.spec import ModelSpec
from src.utils.config import Config
from src.utils.errors import UserInputError
from src.utils.registry import Registry
from src.utils.setting_rules import POSITIVE_INTEGER


class PoolingGenerator(nn.Cell):
    """A toy generator for `levels` levels (inputs in multiples of 2**levels): a 1x1 conv and tanh."""

    def __init__(self, in_channels, out_channels, levels, width):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1, has_bias=True)
        self.in_channels, self.size_multiple, self.width = in_channels, 2 ** levels, width

    def construct(self, x):
        return ms.ops.tanh(self.conv(x))


class PoolingFamily:
    """--netG pool_N, with a setting of its own (pool_width)."""
    names = ("pool_2",)
    hint = "pool_N"
    settings = {"pool_width": POSITIVE_INTEGER}
    kind = "pool"

    @staticmethod
    def match(name):
        return int(name[5:]) if name.startswith("pool_") and name[5:].isdigit() else None

    @staticmethod
    def build(spec, levels):
        return PoolingGenerator(spec.in_channels, spec.out_channels, levels, spec.options["pool_width"])

    @staticmethod
    def size_multiple(spec, levels):
        return 2 ** levels


def test_a_registered_generator_is_built_sized_stored_and_rebuilt(monkeypatch, tmp_path):
    monkeypatch.setattr(networks, "GENERATORS", Registry("netG", [*GENERATORS.entries, PoolingFamily]))
    settings = Config({"dataset_mode": "aligned", "label_nc": 0, "no_instance": False, "input_nc": 3, "output_nc": 3, "netG": "pool_3", "ngf": 8,
                       "norm_mode": "batch", "no_dropout": False, "pool_width": 5})
    spec = spec_from_settings(settings, with_discriminator=False)
    assert spec.options == {"pool_width": 5} and generator_size_multiple(spec) == 8
    generator = build_generator(spec)
    assert isinstance(generator, PoolingGenerator) and generator.width == 5
    save_generator_checkpoint(str(tmp_path / "pool.ckpt"), generator, spec, epoch=1, step=1)
    rebuilt, stored = load_generator(str(tmp_path / "pool.ckpt"), None)
    assert stored == spec and isinstance(rebuilt, PoolingGenerator)
    image = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32))
    assert np.array_equal(rebuilt(image).asnumpy(), generator(image).asnumpy())


def test_the_builtin_networks_answer_to_their_names():
    assert GENERATORS.names() == ("unet_256", "unet_128", "resnet_9blocks", "resnet_6blocks", "global", "local")
    assert DISCRIMINATORS.names() == ("basic", "n_layers", "pixel", "multiscale")
    spec = ModelSpec(netG="unet_64", ngf=4, netD="n_layers", ndf=4, n_layers_D=2)
    assert build_generator(spec).size_multiple == 64 and generator_size_multiple(spec) == 64
    assert describe_discriminator(spec, build_discriminator(spec), 64) == (
        "n_layers 2 (ndf 4, batch norm): receptive field 34x34 px, 14x14 logits for 64 px crops")


def test_an_unknown_generator_name_is_one_line_naming_the_families():
    with pytest.raises(UserInputError, match=r"--netG must be one of .* \(or unet_S with S a power of two >= 32, "
                                             r"resnet_Nblocks with N >= 1\); got 'vgg'"):
        check_generator_name("vgg")


HD = {"n_downsample_global": 2, "n_blocks_global": 1}


@pytest.mark.parametrize("spec, message", [
    (ModelSpec(ngf=4, ndf=4, netG="global", netD="multiscale", n_layers_D=3, options=dict(HD, num_D=9)),
     "128x64 training pictures: --num_D 9: the coarsest discriminator sees pictures of 64 px at 1/256 of their size, "
     "smaller than the 8 px its 3 layers need: the largest --num_D that fits is 4"),
    (ModelSpec(ngf=4, ndf=4, netG="global", netD="multiscale", n_layers_D=7, options=dict(HD, num_D=1)),
     "128x64 training pictures: --n_layers_D 7 halves pictures of 64 px 7 times, to less than a pixel: the largest "
     "that fits is 6"),
    (ModelSpec(ngf=4, ndf=4, netG="global", netD="pixel", options=dict(HD, n_downsample_global=9)),
     "128x64 training pictures: --n_downsample_global 9 halves pictures of 64 px 9 times, to less than the 2 px its "
     "residual blocks need: the largest that fits is 5"),
    (ModelSpec(ngf=4, ndf=4, netG="local", netD="pixel", options=dict(HD, n_downsample_global=4, n_local_enhancers=2,
                                                       n_blocks_local=1)),
     "128x64 training pictures: --n_downsample_global 4 halves pictures of 64 px 6 times, to less than the 2 px its "
     "residual blocks need: the largest that fits is 3"),
    (ModelSpec(ngf=4, ndf=4, netG="unet_64", netD="n_layers", n_layers_D=5),
     "128x64 training pictures: --n_layers_D 5 leaves pictures of 64 px no logit map: the largest --n_layers_D that "
     "fits is 4 (with --netD n_layers)"),
])
def test_networks_too_deep_for_the_pictures_are_refused_naming_the_largest_that_fits(spec, message):
    with pytest.raises(UserInputError) as refused:
        require_networks_fit(spec, 128, 64)
    assert str(refused.value) == message


@pytest.mark.parametrize("spec", [
    ModelSpec(ngf=4, ndf=4, netG="global", netD="multiscale", n_layers_D=3, options=dict(HD, num_D=4)),
    ModelSpec(ngf=4, ndf=4, netG="global", netD="multiscale", n_layers_D=6, options=dict(HD, num_D=1, n_downsample_global=5)),
    ModelSpec(ngf=4, ndf=4, netG="unet_64", netD="n_layers", n_layers_D=4),
    ModelSpec(ngf=4, ndf=4, netG="resnet_9blocks", netD="basic"),
])
def test_the_largest_settings_named_do_fit_and_build(spec):
    """What the messages propose trains: the networks take 128x64 pictures, and give logits."""
    require_networks_fit(spec, 128, 64)
    pictures = ms.Tensor(np.zeros((1, 3, 64, 128), np.float32))
    fake = build_generator(spec)(pictures)
    logits = build_discriminator(spec)(pictures, fake)
    coarsest = logits[-1][-1] if isinstance(logits, tuple) else logits  # multiscale: the last scale's logits
    assert fake.shape == pictures.shape and min(coarsest.shape[2:]) >= 1


@pytest.mark.parametrize("spec, cancelled", [
    (ModelSpec(ngf=4, ndf=4, netG="resnet_2blocks", norm_mode="instance", netD="basic"), (None, 3)),
    (ModelSpec(ngf=4, ndf=4, netG="local", netD="multiscale", n_layers_D=3, norm_mode="instance",
               options=dict(HD, n_local_enhancers=1, n_blocks_local=1, num_D=2)), (None, 6)),
    (ModelSpec(ngf=4, ndf=4, netG="unet_64", norm_mode="batch", netD="basic"), (0, 0)),
    (ModelSpec(ngf=4, ndf=4, netG="unet_64", norm_mode="instance", netD="pixel"), (9, 1)),
], ids=["resnet", "pix2pixhd-local", "unet-batch", "unet-instance"])
def test_only_biases_an_instance_norm_removes_are_skipped(spec, cancelled):
    """A conv whose output goes straight into instance norm skips its bias (the norm subtracts it again); every
    other conv with a bias keeps it: those before tanh, LeakyReLU or batch norm, and the logit convs."""
    for network, expected in zip((build_generator(spec), build_discriminator(spec)), cancelled):
        convs = [cell for _, cell in network.cells_and_names() if isinstance(cell, (nn.Conv2d, nn.Conv2dTranspose))]
        skipped = [cell for cell in convs if cell.bias_cancelled]
        assert all(cell.has_bias for cell in skipped)
        if expected is None:  # a ResNet-style generator: every conv but the output conv
            expected = sum(cell.has_bias for cell in convs) - 1
        assert len(skipped) == expected
