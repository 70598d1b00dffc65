"""The VGG19 weights of the perceptual loss come from the file users already have (torchvision's .pth, read
without PyTorch) or a MindSpore .ckpt; anything else is one clear line."""
import os

import mindspore as ms
import numpy as np
import pytest

from src.utils.errors import UserInputError
from src.weights.vgg_weights import build_perceptual_loss, load_vgg19_features
from tests.conftest import REPO_ROOT
from tests.fixtures.seeded_vgg import VGG19_CONVS, seeded_vgg19_state

FEATURES_PTH = os.path.join(REPO_ROOT, "tests", "fixtures", "torch_hd", "vgg19_features.pth")


def write_ckpt(path, state):
    ms.save_checkpoint([{"name": name, "data": ms.Tensor(value)} for name, value in state.items()], str(path))
    return str(path)


def test_torchvisions_features_file_loads_every_conv():
    vgg = load_vgg19_features(FEATURES_PTH)
    assert [index for index, _ in vgg.convs] == [index for index, _, _ in VGG19_CONVS]
    for index, conv in vgg.convs:  # the fixture holds each output channel's number in its weights
        weight = conv.weight.asnumpy()
        assert np.array_equal(weight[:, 0, 0, 0], np.arange(weight.shape[0])) and np.all(weight == weight[:, :1, :1, :1])
        assert not conv.weight.requires_grad


def test_a_mindspore_checkpoint_with_a_prefix_loads_and_identical_images_cost_nothing(tmp_path):
    state = seeded_vgg19_state()
    path = write_ckpt(tmp_path / "vgg.ckpt", {f"vgg.{key}": value for key, value in state.items()})
    loss = build_perceptual_loss(path, 3)
    assert np.array_equal(loss.vgg.convs[3][1].weight.asnumpy(), state["features.7.weight"])
    image = ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32))
    assert float(loss(image, image).asnumpy()) == 0.0


def test_weights_of_another_shape_or_network_and_no_file_are_refused(tmp_path):
    state = seeded_vgg19_state()
    state["features.5.weight"] = state["features.5.weight"][:, :32]
    with pytest.raises(UserInputError, match=r"'features.5.weight' is \(128, 32, 3, 3\), VGG19 needs \(128, 64, 3, 3\)"):
        load_vgg19_features(write_ckpt(tmp_path / "narrow.ckpt", state))
    shorter = {key: value for key, value in seeded_vgg19_state().items() if key != "features.28.weight"}
    with pytest.raises(UserInputError, match="has no 'features.28.weight'"):
        load_vgg19_features(write_ckpt(tmp_path / "shorter.ckpt", shorter))
    with pytest.raises(UserInputError, match="--vgg_weights is not set"):
        load_vgg19_features(None)
    with pytest.raises(UserInputError, match="does not exist"):
        load_vgg19_features(str(tmp_path / "missing.pth"))
    with pytest.raises(UserInputError, match="the model outputs 1 channel"):
        build_perceptual_loss(FEATURES_PTH, 1)
