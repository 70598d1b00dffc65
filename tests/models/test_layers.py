"""The fast layers compute what their plain forms do: LeakyReLU what nn.LeakyReLU computes (and at 0 the
gradient PyTorch uses), the fused InstanceNorm the plain one, ReflectionPad numpy's reflect."""
import numpy as np
import pytest
import mindspore as ms
from mindspore import nn

from src.models.layers import LeakyReLU


def test_matches_mindspore_leaky_relu_in_values_and_gradients():
    values = np.concatenate([np.random.default_rng(0).normal(0, 2, 1000), [0.0, -0.0, 1e-8, -1e-8]])
    x = ms.Tensor(values.astype(np.float32).reshape(1, 4, 1, 251))
    fast, reference = LeakyReLU(0.2), nn.LeakyReLU(0.2)
    np.testing.assert_allclose(fast(x).asnumpy(), reference(x).asnumpy(), atol=1e-6)
    gradient, reference_gradient = ms.grad(fast)(x).asnumpy().ravel(), ms.grad(reference)(x).asnumpy().ravel()
    nonzero = values != 0
    np.testing.assert_array_equal(gradient[nonzero], reference_gradient[nonzero])
    # At exactly 0, MindSpore's maximum(0.2x, x) splits the gradient (0.6); PyTorch's leaky_relu, the
    # reference implementation's, uses the slope.
    np.testing.assert_allclose(gradient[~nonzero], 0.2)


def test_both_forms_of_instance_norm_compute_the_same_and_export_takes_the_plain_one():
    from src.models.layers import InstanceNorm, exportable_forms
    x = ms.Tensor(np.random.default_rng(0).normal(2.0, 3.0, (2, 4, 9, 7)).astype(np.float32))
    fused, plain = InstanceNorm(4), InstanceNorm(4, fused=False)
    assert np.abs(fused(x).asnumpy() - plain(x).asnumpy()).max() < 1e-5
    network = nn.SequentialCell([InstanceNorm(4), nn.ReLU()])
    assert exportable_forms(network) is network and not network[0].fused
    assert not list(fused.get_parameters())  # no affine parameters, as the reference's


class WeightedSum(nn.Cell):
    """sum(weights * layer(x)): its gradient by x is the layer's backward pass of `weights`."""

    def __init__(self, layer, weights):
        super().__init__()
        self.layer, self.weights = layer, ms.Tensor(weights)

    def construct(self, x):
        return (self.layer(x) * self.weights).sum()


def test_fused_instance_norm_has_the_plain_forms_gradient_at_every_call():
    """On the CPU the fused form is batch norm over the (1, N*C, H, W) view, which writes running statistics
    into its inputs: a second compiled call must still give the same gradient (nothing shared was written)."""
    from src.models.layers import InstanceNorm
    rng = np.random.default_rng(1)
    x = ms.Tensor(rng.normal(1.0, 3.0, (2, 5, 9, 11)).astype(np.float32))
    weights = rng.normal(size=(2, 5, 9, 11)).astype(np.float32)

    def gradient(norm):
        return ms.jit(ms.grad(WeightedSum(norm, weights)))(x).asnumpy()

    expected = gradient(InstanceNorm(5, fused=False))
    fused = InstanceNorm(5)
    for _ in range(2):
        np.testing.assert_allclose(gradient(fused), expected, atol=1e-5)


@pytest.mark.parametrize("padding", [1, 3])
def test_reflection_pad_is_numpys_reflect_in_values_and_gradients(padding):
    from src.models.layers import ReflectionPad
    rng = np.random.default_rng(padding)
    x = rng.normal(size=(2, 3, 8, 11)).astype(np.float32)
    weights = rng.normal(size=(2, 3, 8 + 2 * padding, 11 + 2 * padding)).astype(np.float32)
    pad = ReflectionPad(padding)
    expected = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="reflect")
    np.testing.assert_array_equal(pad(ms.Tensor(x)).asnumpy(), expected)
    # The gradient of sum(w * pad(x)) adds each padded pixel's weight to the pixel it mirrors.
    expected_gradient = np.zeros_like(x)
    rows = np.pad(np.arange(8), padding, mode="reflect")
    columns = np.pad(np.arange(11), padding, mode="reflect")
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            expected_gradient[:, :, row, column] += weights[:, :, i, j]
    gradient = ms.grad(WeightedSum(pad, weights))(ms.Tensor(x)).asnumpy()
    np.testing.assert_allclose(gradient, expected_gradient, atol=1e-5)
