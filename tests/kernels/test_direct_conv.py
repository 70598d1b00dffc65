"""The convolutions on oneDNN's direct kernels: built on first use, the same numbers as MindSpore's own
convolutions on every form the networks use (forward, and the gradients of input, weights and bias), the same
networks, and one clear line when they cannot be built."""
import os

import numpy as np
import mindspore as ms
import pytest
from mindspore import nn, ops

from src.kernels import build
from src.kernels.direct_conv import (DirectConv2d, DirectConv2dTranspose, count_direct_convolutions,
                                     use_direct_convolutions)
from src.models.loss import critic_logits_sum
from src.models.networks import build_discriminator, build_generator, discriminator_scales
from src.models.spec import ModelSpec
from src.utils.errors import UserInputError

# float32 round-off of a sum over a few hundred products, relative to the largest value.
TOLERANCE = 1e-5


@pytest.fixture(scope="session")
def direct_kernels(tmp_path_factory):
    """The library built once into a fresh cache (the build starts g++, before the fast floor's guard)."""
    os.environ["PIX2PIX_KERNEL_CACHE"] = str(tmp_path_factory.mktemp("kernel_cache"))
    lines = []
    library = build.built_library(lines.append)
    assert os.path.isfile(library) and lines and lines[0].startswith("Building onednn_ops.cc")
    assert build.built_library(lines.append) == library and len(lines) == 1  # cached
    return library


class InputAndWeightGradients(nn.Cell):
    def __init__(self, network):
        super().__init__()
        self.network, self.parameters = network, ms.ParameterTuple(network.trainable_params())
        self.gradients = ops.GradOperation(get_all=True, get_by_list=True)

    def construct(self, x, dy):
        return self.gradients(lambda image: (self.network(image) * dy).sum(), self.parameters)(x)


def relative(ours, theirs):
    return float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-12))


def outputs_and_gradients(network, x, seed=1):
    y = network(x).asnumpy()
    dy = ms.Tensor(np.random.default_rng(seed).standard_normal(y.shape).astype(np.float32))
    (dx,), dweights = InputAndWeightGradients(network)(x, dy)
    return [y, dx.asnumpy()] + [gradient.asnumpy() for gradient in dweights]


# (cell, in, out, kernel, stride, padding, bias): U-Net's 4x4/2 down and up, the PatchGAN's 4x4/1, the ResNet's
# 7x7 stem, 3x3 blocks and 3x3/2 down, pix2pixHD's 3x3/2 up (output padding as asymmetric padding), a 1x1, and
# the FID Inception's 1x7 and 7x1.
FORMS = [(DirectConv2d, 3, 8, 4, 2, 1, True), (DirectConv2d, 8, 1, 4, 1, 1, True), (DirectConv2d, 3, 8, 7, 1, 3, True),
         (DirectConv2d, 8, 8, 3, 1, 0, False), (DirectConv2d, 8, 16, 3, 2, 1, False), (DirectConv2d, 8, 4, 1, 1, 0, True),
         (DirectConv2dTranspose, 8, 4, 4, 2, 1, True), (DirectConv2dTranspose, 8, 4, 3, 2, (1, 0, 1, 0), False),
         (DirectConv2d, 8, 4, (1, 7), 1, (0, 0, 3, 3), True), (DirectConv2d, 8, 4, (7, 1), 1, (3, 3, 0, 0), True)]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: f"{form[0].__name__}-k{form[3]}s{form[4]}p{form[5]}")
def test_every_form_gives_mindsporess_outputs_and_gradients(direct_kernels, form):
    cell, in_channels, out_channels, kernel, stride, padding, bias = form
    networks = []
    for _ in range(2):
        ms.set_seed(1)
        networks.append(cell(in_channels, out_channels, kernel, stride=stride, pad_mode="pad", padding=padding,
                             has_bias=bias, weight_init="normal", bias_init="normal"))
    assert use_direct_convolutions(networks[:1], log=lambda line: None) == 1
    x = ms.Tensor(np.random.default_rng(0).standard_normal((2, in_channels, 16, 12)).astype(np.float32))
    ours, theirs = (outputs_and_gradients(network, x) for network in networks)
    assert ours[0].shape == theirs[0].shape and len(ours) == len(theirs) == 3 + bias
    for name, mine, reference in zip(("output", "input gradient", "weight gradient", "bias gradient"), ours, theirs):
        assert relative(mine, reference) < TOLERANCE, name


@pytest.mark.parametrize("spec", [
    ModelSpec(netG="unet_32", ngf=4, norm_mode="batch", use_dropout=False, netD="basic", ndf=4),
    ModelSpec(netG="resnet_2blocks", ngf=4, norm_mode="instance", use_dropout=False, netD="n_layers", ndf=4,
              n_layers_D=2)], ids=["unet", "resnet"])
def test_whole_networks_switch_every_conv_and_keep_their_numbers(direct_kernels, spec):
    x = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32))
    results = []
    for direct in (False, True):
        ms.set_seed(3)
        generator, discriminator = build_generator(spec), build_discriminator(spec)
        if direct:
            use_direct_convolutions([generator, discriminator], log=lambda line: None)
            assert count_direct_convolutions([generator, discriminator]) == sum(
                isinstance(cell, (nn.Conv2d, nn.Conv2dTranspose))
                for network in (generator, discriminator) for _, cell in network.cells_and_names())
            # Convs before instance norm skip their bias: the same numbers, checked below.
            assert any(getattr(cell, "bias_cancelled", False) for _, cell in generator.cells_and_names()) == (
                spec.norm_mode == "instance")
        fake = generator(x)
        results.append(outputs_and_gradients(generator, x) + [discriminator(x, fake).asnumpy()])
    scale = max(float(np.abs(reference).max()) for reference in results[0])
    for mine, reference in zip(*results):
        if np.abs(reference).max() < 1e-3 * scale:  # zero but for round-off (a bias before instance norm): so ours
            assert np.abs(mine).max() < 1e-3 * scale
        else:
            assert relative(mine, reference) < 10 * TOLERANCE


def test_a_missing_compiler_or_headers_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("CXX", "no-such-compiler")
    with pytest.raises(UserInputError, match="built on first use with a C.. compiler, and none was found"):
        build.compiler()
    with pytest.raises(UserInputError, match=r"oneDNN.s headers .* are not installed \(pip install -r requirements.txt brings them: onednn-devel\)"):
        build.onednn_include(str(tmp_path))


def test_a_form_the_kernels_do_not_take_is_named_when_switched(direct_kernels):
    same = DirectConv2d(4, 4, 3, pad_mode="same")  # built as MindSpore's cell: only switching it is refused
    with pytest.raises(ValueError, match="the direct convolutions take pad_mode 'pad' and group 1, not 'same', 1"):
        use_direct_convolutions([same], log=lambda line: None)


def test_a_generator_on_the_direct_kernels_exports_with_mindsporess_convolutions(direct_kernels, tmp_path):
    """ONNX cannot hold the kernels' custom operators: export switches the convolutions back (same function)."""
    from src.deployment.export_model import export_generator
    ms.set_seed(2)
    generator = build_generator(ModelSpec(netG="resnet_2blocks", ngf=4, norm_mode="instance", use_dropout=False))
    generator.set_train(False)
    assert use_direct_convolutions([generator], log=lambda line: None) > 0
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32)
    direct_output = generator(ms.Tensor(x)).asnumpy()
    path = export_generator(generator, "ONNX", str(tmp_path / "generator"), 1, 32, 32)
    assert count_direct_convolutions([generator]) == 0
    import onnxruntime
    session = onnxruntime.InferenceSession(path)
    exported = session.run(None, {session.get_inputs()[0].name: x})[0]
    assert relative(exported, direct_output) < 10 * TOLERANCE


class PenaltyGradients(nn.Cell):
    """The gradients of WGAN-GP's penalty term, sum((d sum(D(A, B)) / dB)^2), by B and by D's weights: gradients of
    gradients."""

    def __init__(self, discriminator, num_D):
        super().__init__()
        self.discriminator, self.num_D = discriminator, num_D
        self.parameters = ms.ParameterTuple(discriminator.trainable_params())
        self.image_gradient = ops.grad(self.logits_sum, grad_position=1)
        self.gradients = ops.GradOperation(get_all=True, get_by_list=True)

    def logits_sum(self, condition, image):
        return critic_logits_sum(self.discriminator(condition, image), self.num_D)

    def penalty(self, image, condition):
        slope = self.image_gradient(condition, image)
        return (slope * slope).sum()

    def construct(self, image, condition):
        return self.gradients(self.penalty, self.parameters)(image, condition)


@pytest.mark.parametrize("spec", [ModelSpec(netD="basic", ndf=4, norm_mode="instance", n_layers_D=3),
                                  ModelSpec(netD="n_layers", ndf=4, norm_mode="batch", n_layers_D=2)],
                         ids=["patch-instance", "n_layers-batch"])
def test_the_gradient_penalty_gets_mindsporess_gradients_of_gradients(direct_kernels, spec):
    """WGAN-GP differentiates D's input gradient by D's weights: the backward ops are differentiated again."""
    condition, image = (ms.Tensor(np.random.default_rng(seed).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32))
                        for seed in (0, 1))
    results = []
    for direct in (False, True):
        ms.set_seed(4)
        discriminator = build_discriminator(spec)
        if direct:
            assert use_direct_convolutions([discriminator], log=lambda line: None) > 0
        (dimage, _), dweights = PenaltyGradients(discriminator, discriminator_scales(spec))(image, condition)
        results.append([dimage.asnumpy()] + [gradient.asnumpy() for gradient in dweights])
    scale = max(float(np.abs(reference).max()) for reference in results[0])
    for mine, reference in zip(*results):
        if np.abs(reference).max() < 1e-3 * scale:  # the last bias does not move the slope
            assert np.abs(mine).max() < 1e-3 * scale
        else:
            assert relative(mine, reference) < 10 * TOLERANCE


class SpatialGradient(nn.Cell):
    """x -> (sum(tanh(op(x)) * weights), its gradient by x)."""

    def __init__(self, op, weights):
        super().__init__()
        self.op, self.weights = op, ms.Tensor(weights)
        self.input_gradient = ops.grad(self.score)

    def score(self, x):
        return (ops.tanh(self.op(x)) * self.weights).sum()

    def construct(self, x):
        return self.score(x), self.input_gradient(x)


SPATIAL_OPS = [("HalvingAvgPool", (), (2, 3, 8, 12)), ("HalvingAvgPool", (), (1, 4, 7, 9)),
               ("ReflectionPad", (1,), (2, 3, 8, 12)), ("ReflectionPad", (3,), (1, 4, 7, 9))]


@pytest.mark.parametrize("name, arguments, shape", SPATIAL_OPS, ids=["pool-even", "pool-odd", "pad1", "pad3-odd"])
def test_the_pool_and_the_padding_on_the_kernels_are_mindsporess_and_differentiable_twice(direct_kernels, name,
                                                                                          arguments, shape):
    from src.models import layers
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape).astype(np.float32)
    mindsporess, direct = (getattr(layers, name)(*arguments) for _ in range(2))
    assert use_direct_convolutions([direct], log=lambda line: None) == 1 and direct.direct
    weights = rng.standard_normal(mindsporess(ms.Tensor(x)).shape).astype(np.float32)
    outputs = (SpatialGradient(op, weights)(ms.Tensor(x)) for op in (direct, mindsporess))
    for ours, theirs in zip(*outputs):
        assert relative(ours.asnumpy(), theirs.asnumpy()) < TOLERANCE

    # The gradient of |gradient|^2 (MindSpore's AvgPoolGrad has none), against central differences.
    penalty = SpatialGradient(direct, weights)

    def squared_gradient(image):
        return (penalty(image)[1] ** 2).sum()

    squared = ops.grad(squared_gradient)(ms.Tensor(x)).asnumpy()

    def value(values):
        return float((penalty(ms.Tensor(values))[1].asnumpy().astype(np.float64) ** 2).sum())

    for index in [(0, 0, 0, 0), (0, 1, 3, 4), tuple(side - 1 for side in shape)]:
        up, down = x.copy(), x.copy()
        up[index] += 1e-2
        down[index] -= 1e-2
        assert squared[index] == pytest.approx((value(up) - value(down)) / 2e-2, rel=2e-2, abs=1e-4)


def test_dropout_on_the_kernels_keeps_half_scaled_by_two_passes_gradients_through_kept_values_and_repeats(
        direct_kernels):
    from src.models.layers import Dropout
    x = np.random.default_rng(6).uniform(0.5, 1.5, (2, 8, 64, 63)).astype(np.float32)
    weights = np.random.default_rng(7).standard_normal(x.shape).astype(np.float32)

    def two_calls():
        ms.set_seed(11)
        dropout = Dropout(p=0.5)
        assert use_direct_convolutions([dropout], log=lambda line: None) == 1 and dropout.direct
        step = SpatialGradient(dropout, weights).set_train(True)
        return [[tensor.asnumpy() for tensor in step(ms.Tensor(x))] for _ in range(2)]

    first, second = two_calls()
    for score, gradient in (first, second):
        kept = gradient != 0  # dropped values pass no gradient; kept ones are doubled: tanh(2x)
        assert abs(kept.mean() - 0.5) < 0.01  # 64,512 draws: 0.5 +- 0.002 is one standard deviation
        expected = 2 * weights * (1 - np.tanh(2 * x) ** 2)
        np.testing.assert_allclose(gradient[kept], expected[kept], rtol=1e-4, atol=2e-5)
        assert float(score) == pytest.approx(float((np.tanh(2 * x) * weights)[kept].sum()), rel=1e-4)
    # A new mask at each call, independent of the last: a quarter of the values are kept by both.
    assert np.logical_and(first[1] != 0, second[1] != 0).mean() == pytest.approx(0.25, abs=0.01)
    again, _ = two_calls()
    np.testing.assert_array_equal(again[1], first[1])  # the same seed, the same masks
    dropout = Dropout(p=0.5)
    use_direct_convolutions([dropout], log=lambda line: None)
    dropout.set_train(False)
    np.testing.assert_array_equal(dropout(ms.Tensor(x)).asnumpy(), x)  # eval mode: nothing dropped
