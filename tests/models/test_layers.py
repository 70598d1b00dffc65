"""The fast LeakyReLU computes what nn.LeakyReLU computes, and at 0 the gradient PyTorch uses."""
import numpy as np
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
    from src.models.layers import InstanceNorm, plain_instance_norms
    x = ms.Tensor(np.random.default_rng(0).normal(2.0, 3.0, (2, 4, 9, 7)).astype(np.float32))
    fused, plain = InstanceNorm(4), InstanceNorm(4, fused=False)
    assert np.abs(fused(x).asnumpy() - plain(x).asnumpy()).max() < 1e-5
    network = nn.SequentialCell([InstanceNorm(4), nn.ReLU()])
    assert plain_instance_norms(network) is network and not network[0].fused
    assert not list(fused.get_parameters())  # no affine parameters, as the reference's
