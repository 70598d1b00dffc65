"""The generators are the reference's unet_256 / unet_128 / resnet_9blocks / resnet_6blocks, layer for layer."""
import numpy as np
import mindspore as ms
import pytest

from src.models.generator_model import ResnetGenerator, UnetGenerator, UpsampleConv
from src.models.networks import generator_size_multiple
from tests.conftest import define_generator
from src.models.pix2pix import count_parameters
from src.models.spec import ModelSpec


def test_unet_256_has_the_reference_parameter_count_and_keeps_the_image_size():
    generator = UnetGenerator(3, 3, ngf=64, num_downs=8, norm_mode="batch", use_dropout=True)
    assert count_parameters(generator) == 54_413_955
    generator.set_train(False)
    image = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (1, 3, 256, 256)).astype(np.float32))
    output = generator(image).asnumpy()
    assert output.shape == (1, 3, 256, 256)
    assert np.abs(output).max() <= 1.0  # Tanh


# The reference's counts: BatchNorm2d(affine) without conv biases; InstanceNorm2d(affine=False) with them.
# norm none keeps the biases too (the reference drops them: 54,404,099 for unet_256).
@pytest.mark.parametrize("name, batch_count, instance_count", [
    ("unet_256", 54_413_955, 54_409_603),
    ("unet_128", 41_828_995, 41_825_667),
    ("resnet_9blocks", 11_383_427, 11_378_179),
    ("resnet_6blocks", 7_841_411, 7_837_699),
])
def test_every_reference_generator_has_its_parameter_count(name, batch_count, instance_count):
    assert count_parameters(define_generator(name, ngf=64, norm_mode="batch")) == batch_count
    assert count_parameters(define_generator(name, ngf=64, norm_mode="instance")) == instance_count
    assert count_parameters(define_generator(name, ngf=64, norm_mode="none")) == instance_count


@pytest.mark.parametrize("name, side, multiple", [("resnet_6blocks", 68, 4), ("unet_64", 128, 64),
                                                  ("resnet_2blocks", 36, 4)])
def test_generators_keep_the_image_size_in_every_norm(name, side, multiple):
    assert generator_size_multiple(ModelSpec(netG=name)) == multiple
    image = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (2, 3, side, side)).astype(np.float32))
    for norm_mode in ("batch", "instance", "none"):
        generator = define_generator(name, ngf=8, norm_mode=norm_mode)
        generator.set_train(True)
        output = generator(image).asnumpy()
        assert output.shape == (2, 3, side, side) and np.abs(output).max() <= 1.0


def test_resnet_layout_reflection_padding_and_dropout():
    generator = ResnetGenerator(ngf=8, n_blocks=2, norm_mode="instance", use_dropout=True)
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert kinds[:4] == ["ReflectionPad", "DirectConv2d", "InstanceNorm", "ReLU"]  # nn.Conv2d, see src/kernels
    assert kinds.count("ResnetBlock") == 2 and kinds[-3:] == ["ReflectionPad", "DirectConv2d", "Tanh"]
    block = [type(layer).__name__ for layer in generator.layers[10].block]
    assert block == ["ReflectionPad", "DirectConv2d", "InstanceNorm", "ReLU", "Dropout", "ReflectionPad",
                     "DirectConv2d", "InstanceNorm"]
    transposed = [layer.conv for layer in generator.layers if isinstance(layer, UpsampleConv)]
    assert [(t.in_channels, t.out_channels, t.kernel_size, t.stride) for t in transposed] == [
        (32, 16, (3, 3), (2, 2)), (16, 8, (3, 3), (2, 2))]


def test_upsampling_is_pytorchs_transposed_conv_with_output_padding():
    """ConvTranspose2d(k=3, s=2, p=1, output_padding=1) by its definition: every input pixel (i, j) adds
    x[i, j] * w[:, :, ky, kx] at (2i + ky - 1, 2j + kx - 1), kept where 0 <= row, col < 2H, 2W."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 4, 3, 5)).astype(np.float32)
    upsample = UpsampleConv(4, 2, has_bias=False)
    weight = upsample.conv.weight.asnumpy()  # (in, out, 3, 3), PyTorch's layout
    expected = np.zeros((1, 2, 6, 10), np.float64)
    for i, j, ky, kx in np.ndindex(3, 5, 3, 3):
        row, col = 2 * i + ky - 1, 2 * j + kx - 1
        if 0 <= row < 6 and 0 <= col < 10:
            expected[0, :, row, col] += x[0, :, i, j] @ weight[:, :, ky, kx]
    assert np.abs(upsample(ms.Tensor(x)).asnumpy() - expected).max() < 1e-5


@pytest.mark.parametrize("name", ["unet_16", "unet_100", "resnet_0blocks", "resnet", "vgg"])
def test_unknown_generator_names_are_refused(name):
    with pytest.raises(ValueError, match="netG must be one of unet_256, unet_128, resnet_9blocks, resnet_6blocks"):
        define_generator(name)


def test_layout_follows_the_paper():
    generator = UnetGenerator(ngf=8, num_downs=6)
    names = [name for name, _ in generator.parameters_and_names()]
    assert "encoder.0.0.weight" in names and "encoder.0.0.bias" not in names  # first conv: no norm, no bias
    assert not any(name.startswith("encoder.5.") and "gamma" in name for name in names)  # innermost: no norm
    assert "output_block.1.bias" in names  # the last transposed conv keeps its bias
    dropouts = [index for index, block in enumerate(generator.decoder) if len(block) == 4]
    assert dropouts == [1]  # num_downs - 5 = 1 block just below the innermost
    assert [len(block) for block in UnetGenerator(ngf=8, num_downs=8).decoder][:5] == [3, 4, 4, 4, 3]


def test_dropout_and_batch_norm_behave_differently_in_train_and_eval_modes():
    ms.set_seed(0)
    generator = UnetGenerator(ngf=8, num_downs=6, use_dropout=True)
    image = ms.Tensor(np.random.default_rng(1).uniform(-1, 1, (2, 3, 64, 64)).astype(np.float32))
    generator.set_train(False)
    eval_first, eval_second = generator(image).asnumpy(), generator(image).asnumpy()
    np.testing.assert_array_equal(eval_first, eval_second)  # eval: deterministic
    generator.set_train(True)
    train_first, train_second = generator(image).asnumpy(), generator(image).asnumpy()
    assert np.abs(train_first - train_second).max() > 1e-4  # dropout draws new masks
    assert np.abs(train_first - eval_first).max() > 1e-4  # batch vs running statistics


def test_without_dropout_train_mode_is_deterministic():
    generator = UnetGenerator(ngf=8, num_downs=5, use_dropout=False)
    generator.set_train(True)
    image = ms.Tensor(np.ones((1, 3, 32, 32), np.float32))
    np.testing.assert_array_equal(generator(image).asnumpy(), generator(image).asnumpy())


def test_too_shallow_unet_is_refused():
    with pytest.raises(ValueError):
        UnetGenerator(num_downs=4)
