"""A user trains with --conv_kernel onednn: the convolutions are built on first use (into the cache the user
points at), every one of the networks runs on oneDNN's direct kernels, and the checkpoint it leaves is an
ordinary one that eval.py (on MindSpore's own convolutions) reads."""
import json
import os

import pytest

from tests.conftest import TINY_MODEL_FLAGS, run_entry

pytestmark = pytest.mark.e2e


def test_training_on_the_direct_kernels_leaves_an_ordinary_checkpoint(sample_root, tmp_path):
    env = dict(os.environ, PIX2PIX_KERNEL_CACHE=str(tmp_path / "kernel_cache"))
    output = str(tmp_path / "run")
    trained = run_entry(["train.py", *TINY_MODEL_FLAGS, "--train_data_dir", str(sample_root / "train"),
                         "--output_path", output, "--n_epochs", "1", "--n_epochs_decay", "0", "--log_interval", "4",
                         "--conv_kernel", "onednn"], env=env)
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    with open(os.path.join(output, "train.log"), encoding="utf-8") as handle:
        log = handle.read()
    assert "Building onednn_conv.cc with g++" in trained.stdout + trained.stderr + log
    assert "Convolutions: 17 on oneDNN's direct kernels (--conv_kernel onednn)" in log  # unet_64's 12, D's 5
    from src.utils.cpu_isa import read_cpu
    # no MindSpore convolution is left to run AVX-512 reference code, so the project's AVX2 cap is lifted
    assert ("the project's AVX2 cap lifted" in log) == read_cpu().has_avx512
    assert len(os.listdir(tmp_path / "kernel_cache")) == 1
    evaluated = run_entry(["eval.py", "--ckpt", os.path.join(output, "checkpoints", "generator_final.ckpt"),
                           "--val_data_dir", str(sample_root / "val"), "--crop_size", "64",
                           "--output_path", output, "--conv_kernel", "mindspore"], env=env)
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    assert json.loads(evaluated.stdout.strip().splitlines()[-1])["num_images"] == 4
