"""Weights start as in the reference: N(0, 0.02) convs, N(1, 0.02) BN gamma, zero biases and beta."""
import numpy as np
import mindspore as ms
import pytest
from mindspore import nn

from src.models.generator_model import UnetGenerator
from src.models.init_w import init_weights


def _weights(network, kind):
    return [cell for _, cell in network.cells_and_names() if isinstance(cell, kind)]


def test_normal_init_statistics():
    ms.set_seed(3)
    generator = init_weights(UnetGenerator(ngf=32, num_downs=6), "normal", 0.02)
    conv = np.concatenate([cell.weight.asnumpy().ravel() for cell in _weights(generator, (nn.Conv2d, nn.Conv2dTranspose))])
    assert abs(conv.mean()) < 1e-3 and conv.std() == pytest.approx(0.02, rel=0.05)
    gamma = np.concatenate([cell.gamma.asnumpy() for cell in _weights(generator, nn.BatchNorm2d)])
    assert gamma.mean() == pytest.approx(1.0, abs=0.01) and gamma.std() == pytest.approx(0.02, rel=0.2)
    assert all(np.all(cell.beta.asnumpy() == 0) for cell in _weights(generator, nn.BatchNorm2d))
    assert np.all(generator.output_block[1].bias.asnumpy() == 0)


@pytest.mark.parametrize("init_type", ["xavier", "kaiming", "orthogonal"])
def test_other_init_types_change_the_weights(init_type):
    ms.set_seed(3)
    generator = UnetGenerator(ngf=8, num_downs=5)
    before = generator.encoder[1][1].weight.asnumpy().copy()
    init_weights(generator, init_type, 0.02)
    after = generator.encoder[1][1].weight.asnumpy()
    assert not np.allclose(before, after) and np.isfinite(after).all()


def test_same_seed_same_weights():
    weights = []
    for _ in range(2):
        ms.set_seed(11)
        weights.append(init_weights(UnetGenerator(ngf=8, num_downs=5)).encoder[2][1].weight.asnumpy())
    np.testing.assert_array_equal(*weights)


def test_unknown_init_type_is_refused():
    with pytest.raises(ValueError):
        init_weights(UnetGenerator(ngf=8, num_downs=5), "uniform")
