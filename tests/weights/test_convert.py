"""A user brings the reference's published generators (PyTorch, both file formats) or the ModelZoo's
checkpoints; they are converted without PyTorch, compute what they computed there, and nothing in them runs.

The fixtures in tests/fixtures/torch/ come from tests/fixtures/make_torch_fixtures.py (PyTorch 2.13.0)."""
import os
import pickle
import zipfile
from dataclasses import replace

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn, ops

from src.models.checkpoint import load_generator, load_generator_weights, read_checkpoint
from src.models.layers import Tanh
from src.models.networks import build_generator
from src.models.spec import ModelSpec
from src.utils.errors import UserInputError
from src.weights.convert import convert_generator, place_weights
from src.weights.torch_checkpoint import read_torch_weights
from tests.conftest import REPO_ROOT

FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "torch")
OUTPUTS = np.load(os.path.join(FIXTURES, "outputs.npz"))
FORMATS = ("zip", "legacy")


def convert(name, tmp_path, **overrides):
    path = str(tmp_path / f"{os.path.basename(name)}.ckpt")
    spec = convert_generator(os.path.join(FIXTURES, name), path, dict({"netG": None, "norm_mode": None,
                                                                        "use_dropout": None}, **overrides),
                             log=lambda line: None)
    return path, spec


def translate(generator, train):
    generator.set_train(train)
    return generator(ms.Tensor(OUTPUTS["input"])).asnumpy()


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_reference_unet_computes_the_references_outputs(tmp_path, file_format):
    path, spec = convert(f"unet.{file_format}.pth", tmp_path)
    assert spec == ModelSpec(netG="unet_32", ngf=2, in_channels=3, out_channels=3, norm_mode="batch",
                             use_dropout=True, colorization=False)
    generator, _ = load_generator(path, None)
    assert np.abs(translate(generator, train=False) - OUTPUTS["unet_eval"]).max() < 1e-5
    without_dropout = build_generator(replace(spec, use_dropout=False))
    load_generator_weights(without_dropout, read_checkpoint(path), path)  # batch statistics, dropout off
    assert np.abs(translate(without_dropout, train=True) - OUTPUTS["unet_train"]).max() < 1e-5


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_reference_resnet_with_instance_norm_computes_the_references_outputs(tmp_path, file_format):
    path, spec = convert(f"resnet.{file_format}.pth", tmp_path)
    assert (spec.netG, spec.norm_mode, spec.use_dropout, spec.ngf) == ("resnet_2blocks", "instance", False, 2)
    generator, _ = load_generator(path, None)
    assert np.abs(translate(generator, train=False) - OUTPUTS["resnet_eval"]).max() < 1e-5


def test_both_formats_read_the_same_tensors():
    zipped, legacy = (read_torch_weights(os.path.join(FIXTURES, f"unet.{kind}.pth")) for kind in FORMATS)
    assert list(zipped) == list(legacy) and len(zipped) == 46
    for name in zipped:
        np.testing.assert_array_equal(zipped[name], legacy[name])
    assert zipped["model.model.1.model.2.num_batches_tracked"] == 7


class RunsCode:
    """What a malicious .pth pickles: a call of os.system when loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_pickle_that_would_run_code_is_refused_and_nothing_runs(tmp_path, file_format):
    marker = tmp_path / "ran"
    payload = pickle.dumps({"model.1.weight": RunsCode(marker)}, protocol=2)
    path = tmp_path / "evil.pth"
    if file_format == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("evil/data.pkl", payload)
    else:
        path.write_bytes(b"".join(pickle.dumps(value, protocol=2) for value in (0x1950A86A20F9469CFC6C, 1001, {}))
                         + payload)
    with pytest.raises(UserInputError, match=r"asks to run 'posix.system' while loading: refused"):
        read_torch_weights(str(path))
    assert not marker.exists()


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_truncated_file_is_named(tmp_path, file_format):
    data = open(os.path.join(FIXTURES, f"unet.{file_format}.pth"), "rb").read()
    (tmp_path / "cut.pth").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(UserInputError, match="cut.pth' is (truncated|not a readable PyTorch checkpoint)"):
        read_torch_weights(str(tmp_path / "cut.pth"))


def test_a_discriminator_several_networks_and_unknown_keys_are_refused(tmp_path):
    with pytest.raises(UserInputError, match="a discriminator's weights"):
        convert("discriminator.pth", tmp_path)
    state = read_torch_weights(os.path.join(FIXTURES, "unet.zip.pth"))
    spec = ModelSpec(netG="unet_32", ngf=2, in_channels=3, out_channels=3, norm_mode="batch", use_dropout=True)
    with pytest.raises(UserInputError, match=r"1 key\(s\) have no place in unet_32: model.extra.weight"):
        place_weights(build_generator(spec), dict(state, **{"model.extra.weight": np.zeros(3, np.float32)}), spec,
                      "reference")
    with pytest.raises(UserInputError, match="'model.model.0.weight' is .* but unet_32 needs"):
        place_weights(build_generator(replace(spec, ngf=4)), state, replace(spec, ngf=4), "reference")
    from src.weights.convert import select_network
    with pytest.raises(UserInputError, match="holds several networks \\(G_A, G_B\\): say which generator with --network"):
        select_network({"G_A": state, "G_B": state}, None, "cyclegan.pth")
    assert select_network({"G_A": state, "G_B": state}, "G_B", "cyclegan.pth") is not None


class ModelZooBlock(nn.Cell):
    """The ModelZoo's UnetSkipConnectionBlock (research/cv/Pix2Pix): the reference's layers, no dropout, no bias
    on the outermost transposed conv, and concat((model(x), x)): the skip after the features. Its nn.Tanh is
    replaced by our exact one, so the comparison sees the weights' mapping alone."""

    def __init__(self, outer_nc, inner_nc, in_planes=None, submodule=None, outermost=False, innermost=False):
        super().__init__()
        in_planes = in_planes or outer_nc
        down = nn.Conv2d(in_planes, inner_nc, 4, 2, pad_mode="pad", padding=1, has_bias=False)
        def up(channels):
            return nn.Conv2dTranspose(channels, outer_nc, 4, 2, pad_mode="pad", padding=1)
        if outermost:
            layers = [down, submodule, nn.ReLU(), up(inner_nc * 2), Tanh()]
        elif innermost:
            layers = [nn.LeakyReLU(0.2), down, nn.ReLU(), up(inner_nc), nn.BatchNorm2d(outer_nc)]
        else:
            layers = [nn.LeakyReLU(0.2), down, nn.BatchNorm2d(inner_nc), submodule, nn.ReLU(), up(inner_nc * 2),
                      nn.BatchNorm2d(outer_nc)]
        self.model = nn.SequentialCell(layers)
        self.skip = not outermost

    def construct(self, x):
        out = self.model(x)
        return ops.concat((out, x), axis=1) if self.skip else out


class ModelZooGenerator(nn.Cell):
    def __init__(self, ngf=2):
        super().__init__()
        block = ModelZooBlock(ngf * 8, ngf * 8, innermost=True)
        for outer in (4, 2, 1):
            block = ModelZooBlock(ngf * outer, ngf * outer * 2, submodule=block)
        self.model = ModelZooBlock(3, ngf, in_planes=3, submodule=block, outermost=True)

    def construct(self, x):
        return self.model(x)


class ModelZooPix2Pix(nn.Cell):
    """Its train.py saves netG after wrapping it so: the weights are named netG.model.model.*"""

    def __init__(self, generator):
        super().__init__()
        self.netG = generator


def test_a_modelzoo_checkpoint_computes_the_same_function_in_our_generator(tmp_path):
    ms.set_seed(3)
    theirs = ModelZooPix2Pix(ModelZooGenerator()).netG
    rng = np.random.default_rng(0)
    for parameter in theirs.get_parameters():  # trained-looking values: running variances in [0.5, 1.5]
        values = (rng.uniform(0.5, 1.5, parameter.shape) if "moving_variance" in parameter.name
                  else rng.normal(1.0 if "gamma" in parameter.name else 0.0, 0.3, parameter.shape))
        parameter.set_data(ms.Tensor(values.astype(np.float32)))
    assert theirs.model.model[0].weight.name.startswith("netG.model.model.")
    ms.save_checkpoint(theirs, str(tmp_path / "Generator_200.ckpt"))
    path, spec = convert(str(tmp_path / "Generator_200.ckpt"), tmp_path)
    assert (spec.netG, spec.use_dropout, spec.norm_mode) == ("unet_32", False, "batch")
    ours, _ = load_generator(path, None)
    for train in (False, True):
        theirs.set_train(train)
        expected = theirs(ms.Tensor(OUTPUTS["input"])).asnumpy()
        assert np.abs(translate(ours, train) - expected).max() < 1e-5, train
