"""The U-Net generator is the reference's unet_256 / unet_128, layer for layer."""
import numpy as np
import mindspore as ms
import pytest

from src.models.generator_model import UnetGenerator
from src.models.pix2pix import count_parameters


def test_unet_256_has_the_reference_parameter_count_and_keeps_the_image_size():
    generator = UnetGenerator(3, 3, ngf=64, num_downs=8, norm_mode="batch", use_dropout=True)
    assert count_parameters(generator) == 54_413_955
    generator.set_train(False)
    image = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (1, 3, 256, 256)).astype(np.float32))
    output = generator(image).asnumpy()
    assert output.shape == (1, 3, 256, 256)
    assert np.abs(output).max() <= 1.0  # Tanh


@pytest.mark.parametrize("num_downs, norm_mode, expected", [
    (8, "instance", 54_409_603),  # the reference with InstanceNorm2d(affine=False) and conv biases
    (7, "batch", 41_828_995),  # unet_128
])
def test_other_reference_variants_match_their_parameter_counts(num_downs, norm_mode, expected):
    assert count_parameters(UnetGenerator(ngf=64, num_downs=num_downs, norm_mode=norm_mode)) == expected


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
