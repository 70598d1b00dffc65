"""Shared fixtures: MindSpore on CPU in graph mode, small generated datasets, tiny model settings.

Two floors: fast unit tests, and end-to-end stories marked `e2e` (entry points and scripts run as a user
runs them, msrun jobs, kills, training a model for a while). `pytest -m "not e2e"` runs the fast floor;
a fast test that starts a process fails, so the floor stays fast.
"""
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

from src.models.spec import ModelSpec  # noqa: E402  (after the path: the tests run from anywhere)

# Flags that make a model small enough to train in seconds on 64 px pairs.
TINY_MODEL_FLAGS = ["--ngf", "8", "--ndf", "8", "--netG", "unet_64", "--load_size", "72", "--crop_size", "64",
                    "--num_parallel_workers", "1"]


# A tiny generator/discriminator configuration (U-Net with 5 downsamplings: inputs in multiples of 32).
TINY_SPEC = ModelSpec(in_channels=3, out_channels=3, ngf=8, netG="unet_32", norm_mode="batch", use_dropout=True,
                      netD="n_layers", ndf=8, n_layers_D=2)


def define_generator(name, **fields):
    """The generator --netG `name` builds (a ModelSpec of `fields`), not initialised: shapes and counts."""
    from src.models.networks import GENERATORS
    entry, variant = GENERATORS.find(name)
    return entry.build(ModelSpec(netG=name, **fields), variant)


def define_discriminator(name, ndf=64, n_layers=3, norm_mode="batch"):
    """The discriminator --netD `name` builds over RGB pairs (6 channels), not initialised."""
    from src.models.networks import DISCRIMINATORS
    entry, variant = DISCRIMINATORS.find(name)
    return entry.build(ModelSpec(netD=name, ndf=ndf, n_layers_D=n_layers, norm_mode=norm_mode), variant)


def structured_generator(spec=None, seed=0):
    """A tiny generator in eval mode with Kaiming init, so its output has real spatial structure
    (the paper's N(0, 0.02) init gives an almost constant image at this size)."""
    import mindspore as ms
    from src.models.networks import build_generator
    ms.set_seed(seed)
    network = build_generator(spec or TINY_SPEC, "kaiming")
    network.set_train(False)
    return network


E2E_MARKER = "e2e: an end-to-end story (a subprocess, msrun, a kill, or minutes of training) or a slow computation " \
             "(FID's 2048-dim square root); deselect with -m 'not e2e' for the fast floor"


def pytest_configure(config):
    config.addinivalue_line("markers", E2E_MARKER)


@pytest.fixture(autouse=True)
def fast_tests_start_no_process(request, monkeypatch):
    """A test not marked e2e may not start a process: that is what the e2e floor is for."""
    if request.node.get_closest_marker("e2e") is None:
        def refuse(*args, **kwargs):
            raise AssertionError(f"{request.node.nodeid} starts a process: mark it @pytest.mark.e2e")
        monkeypatch.setattr(subprocess, "Popen", refuse)


@pytest.fixture(scope="session", autouse=True)
def cpu_graph_mode():
    """MindSpore on the CPU in graph mode, and oneDNN's instruction set fixed by one convolution: no in-process
    test can lift the project's cap for the whole test process (the entry points' --conv_kernel auto keeps
    MindSpore's convolutions here, src/kernels/choice.py; the direct kernels' own tests switch networks one by one)."""
    import mindspore as ms
    from src.utils.device import setup_device
    setup_device("CPU", 0, "GRAPH")
    ones = ms.ops.ones((1, 1, 4, 4), ms.float32)
    ms.ops.conv2d(ones, ones[:, :, :3, :3]).asnumpy()


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory):
    """A small copy of the embedded sample set at 64 px: 16 train and 4 val pairs (no test split)."""
    from src.dataset.sample_data import generate_sample_dataset
    root = tmp_path_factory.mktemp("sample")
    generate_sample_dataset(str(root), {"train": 16, "val": 4, "test": 0}, size=64)
    return root


def ramp(width, height, channels=3):
    """A picture whose every pixel differs: crops and flips show."""
    x = np.linspace(0, 255, width)[None, :, None]
    y = np.linspace(0, 200, height)[:, None, None]
    return np.broadcast_to(np.concatenate([x + 0 * y, y + 0 * x, np.full((height, width, 1), 90.0)], axis=2),
                           (height, width, 3)).astype(np.uint8)[..., :channels]


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """A generator checkpoint of TINY_SPEC with structure in its output (structured_generator)."""
    from src.models.checkpoint import save_generator_checkpoint
    path = tmp_path_factory.mktemp("tiny_checkpoint") / "generator.ckpt"
    save_generator_checkpoint(str(path), structured_generator(), TINY_SPEC, epoch=1, step=1)
    return path


# The 64 px model of the evaluation tests.
UNET_64_SPEC = ModelSpec(in_channels=3, out_channels=3, ngf=8, netG="unet_64", norm_mode="batch", use_dropout=True,
                         netD="n_layers", ndf=8, n_layers_D=2)


def evaluate_unet_64(sample_root, output, eval_mode="train", seed=1, num_test=None):
    """Evaluate a Kaiming-initialised UNET_64_SPEC generator on the sample set's val pairs, as eval.py would."""
    import mindspore as ms
    from src.evaluation.evaluator import evaluate_generator
    from src.models.networks import build_generator
    ms.set_seed(seed)
    generator = build_generator(UNET_64_SPEC, "kaiming")
    ms.set_seed(seed)  # as eval.py: the dropout stream starts from the seed
    return evaluate_generator(generator, folder_pairs(sample_root / "val", num_test=num_test), str(output), eval_mode,
                              log=lambda message: None)


def write_pair(path, left, right):
    """Save an A|B image from two HxWx3 uint8 arrays."""
    Image.fromarray(np.concatenate([left, right], axis=1)).save(path)


def run_entry(args, cwd=REPO_ROOT, timeout=600, env=None):
    """Run `python <args>` as a user would (in environment `env`, else this one); returns the CompletedProcess
    (text output)."""
    return subprocess.run([sys.executable] + list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env)


def folder_pairs(folder, size=64, direction="BtoA", num_test=None, spec=None):
    """The EvaluationPairs eval.py reads from an aligned folder at size x size (RGB, or the coding of `spec`)."""
    from src.dataset.image_coding import ImageCoding
    from src.dataset.transforms import Preprocess
    from src.evaluation.pairs import EvaluationPairs
    coding = ImageCoding.from_spec(spec) if spec else ImageCoding()
    return EvaluationPairs.open("aligned", str(folder), direction, Preprocess("resize_and_crop", size, size), coding,
                                num_test, log=lambda message: None)


@pytest.fixture(scope="session")
def fid_weights(tmp_path_factory):
    """FID Inception weights of pytorch-fid's names, seeded and calibrated as tests/fixtures/make_fid_fixtures.py
    made them (tests/fixtures/seeded_inception.py), as a MindSpore .ckpt."""
    import mindspore as ms
    from src.models.fid_inception import FIDInceptionV3
    from tests.fixtures.seeded_inception import calibrated_state
    conv_shapes = {name[len("layers."):-len(".conv.weight")]: tuple(parameter.shape)
                   for name, parameter in FIDInceptionV3(2048).parameters_and_names() if name.endswith(".conv.weight")}
    state = calibrated_state(conv_shapes, np.load(os.path.join(REPO_ROOT, "tests", "fixtures", "fid", "bn_statistics.npz")))
    path = str(tmp_path_factory.mktemp("fid_weights") / "fid_inception.ckpt")
    ms.save_checkpoint([{"name": name, "data": ms.Tensor(value)} for name, value in state.items()], path)
    return path
