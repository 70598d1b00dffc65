"""The PatchGAN discriminator matches the reference at every depth."""
import numpy as np
import mindspore as ms
import pytest

from src.models.discriminator_model import PatchDiscriminator
from src.models.pix2pix import count_parameters


def test_70x70_patchgan_has_the_reference_count_and_a_30x30_map():
    discriminator = PatchDiscriminator(6, ndf=64, n_layers=3, norm_mode="batch")
    assert count_parameters(discriminator) == 2_768_705
    discriminator.set_train(False)
    image = ms.Tensor(np.zeros((1, 3, 256, 256), np.float32))
    assert discriminator(image, image).shape == (1, 1, 30, 30)


@pytest.mark.parametrize("n_layers, parameters, side", [
    (0, 9_024, 256), (1, 139_585, 126), (2, 666_433, 62), (4, 6_964_033, 14), (5, 11_159_361, 6)])
def test_receptive_field_variants(n_layers, parameters, side):
    discriminator = PatchDiscriminator(6, ndf=64, n_layers=n_layers)
    assert count_parameters(discriminator) == parameters
    if n_layers <= 1:  # shapes of the larger ones are covered by the counts; keep the test quick
        discriminator.set_train(False)
        image = ms.Tensor(np.zeros((1, 3, 256, 256), np.float32))
        assert discriminator(image, image).shape == (1, 1, side, side)


def test_instance_norm_variant_count():
    assert count_parameters(PatchDiscriminator(6, ndf=64, n_layers=3, norm_mode="instance")) == 2_767_809


def test_batch_norm_makes_train_and_eval_outputs_differ():
    discriminator = PatchDiscriminator(6, ndf=8, n_layers=3)
    condition = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (2, 3, 64, 64)).astype(np.float32))
    discriminator.set_train(True)
    train_logits = discriminator(condition, condition).asnumpy()
    discriminator.set_train(False)
    assert np.abs(train_logits - discriminator(condition, condition).asnumpy()).max() > 1e-4
