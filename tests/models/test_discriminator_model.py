"""The discriminators (--netD basic | n_layers | pixel) match the reference's counts, maps and receptive fields."""
import numpy as np
import mindspore as ms
import pytest

from src.models.discriminator_model import PatchDiscriminator
from tests.conftest import define_discriminator
from src.models.pix2pix import count_parameters


def test_70x70_patchgan_has_the_reference_count_and_a_30x30_map():
    discriminator = PatchDiscriminator(6, ndf=64, n_layers=3, norm_mode="batch")
    assert count_parameters(discriminator) == 2_768_705
    discriminator.set_train(False)
    image = ms.Tensor(np.zeros((1, 3, 256, 256), np.float32))
    assert discriminator(image, image).shape == (1, 1, 30, 30)


# The reference's counts (BatchNorm / InstanceNorm), receptive fields and 256 px logit maps.
@pytest.mark.parametrize("name, n_layers, batch_count, instance_count, field, side", [
    ("basic", 3, 2_768_705, 2_767_809, 70, 30),
    ("n_layers", 1, 139_585, 139_457, 16, 126),
    ("n_layers", 2, 666_433, 666_049, 34, 62),
    ("n_layers", 4, 6_964_033, 6_962_625, 142, 14),
    ("n_layers", 5, 11_159_361, 11_157_441, 286, 6),
    ("pixel", 3, 9_024, 8_897, 1, 256),
])
def test_every_depth_matches_the_reference(name, n_layers, batch_count, instance_count, field, side):
    discriminator = define_discriminator(name, ndf=64, n_layers=n_layers)
    assert count_parameters(discriminator) == batch_count
    assert count_parameters(define_discriminator(name, 64, n_layers, "instance")) == instance_count
    assert discriminator.receptive_field == field and discriminator.logit_map_side(256) == side
    if side > 100:  # run the cheap ones; the others' shapes follow from the same arithmetic
        discriminator.set_train(False)
        image = ms.Tensor(np.zeros((1, 3, 256, 256), np.float32))
        assert discriminator(image, image).shape == (1, 1, side, side)


def test_norm_none_gives_every_conv_a_bias():
    """The reference drops conv biases with --norm none (its test knows only InstanceNorm): 2,766,913 for
    basic; here the convs keep them, as with instance norm, which has no parameters of its own."""
    basic = define_discriminator("basic", 64, 3, "none")
    assert count_parameters(basic) == 2_767_809
    convs = [layer for layer in basic.layers if isinstance(layer, ms.nn.Conv2d)]
    assert len(convs) == 5 and all(conv.has_bias for conv in convs)
    with pytest.raises(ValueError, match="netD must be one of"):
        define_discriminator("patch")


def test_batch_norm_makes_train_and_eval_outputs_differ():
    discriminator = PatchDiscriminator(6, ndf=8, n_layers=3)
    condition = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (2, 3, 64, 64)).astype(np.float32))
    discriminator.set_train(True)
    train_logits = discriminator(condition, condition).asnumpy()
    discriminator.set_train(False)
    assert np.abs(train_logits - discriminator(condition, condition).asnumpy()).max() > 1e-4
