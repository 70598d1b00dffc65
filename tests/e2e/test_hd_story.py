"""A pix2pixHD user's story on Cityscapes-format data, through the entry points on tiny networks: train the
global generator with LSGAN + feature matching + VGG19, resume it, start the local enhancer from it with the
global part fixed for the first epoch, evaluate, translate NVIDIA's test folder, export to ONNX, and train
data-parallel on 2 msrun workers."""
import json
import os
import re

import numpy as np
import pytest
from PIL import Image

from src.dataset.street_scenes import write_street_scenes
from src.models.checkpoint import read_checkpoint
from tests.conftest import run_entry
from tests.e2e.test_distributed import distribute, rank_lines
from tests.weights.test_vgg_weights import write_ckpt
from tests.fixtures.seeded_vgg import seeded_vgg19_state

pytestmark = pytest.mark.e2e

LABELS = ["--dataset_mode", "labels", "--label_nc", "35", "--num_parallel_workers", "1"]
TINY_GLOBAL = ["--ngf", "4", "--n_downsample_global", "2", "--n_blocks_global", "1", "--netD", "multiscale",
               "--ndf", "4", "--num_D", "2", "--n_layers_D", "2", "--preprocess", "scale_width", "--load_size", "128",
               "--crop_size", "128", "--log_interval", "2", "--save_checkpoint_epochs", "1"]


@pytest.fixture(scope="module")
def cityscapes(tmp_path_factory):
    """NVIDIA's datasets/cityscapes layout (4 training scenes, 2 test scenes with photos) and VGG19 weights."""
    root = tmp_path_factory.mktemp("cityscapes")
    write_street_scenes(str(root), 4, 128, 64, split="train")
    write_street_scenes(str(root), 2, 128, 64, split="test", first=100)
    return str(root), write_ckpt(root / "vgg19.ckpt", seeded_vgg19_state())


def train(arguments):
    result = run_entry(["train.py", *arguments])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def generator_weights(path, prefix="generator.model."):
    return {name: value.asnumpy() for name, value in read_checkpoint(path).items() if name.startswith(prefix)}


@pytest.fixture(scope="module")
def global_run(cityscapes, tmp_path_factory):
    data, vgg = cityscapes
    output = str(tmp_path_factory.mktemp("hd") / "global")
    flags = ["--train_data_dir", data, *LABELS, "--netG", "global", *TINY_GLOBAL, "--vgg_weights", vgg,
             "--n_epochs", "1", "--n_epochs_decay", "1", "--output_path", output]
    first = train(flags + ["--epoch_num", "1"])
    resumed = train(flags + ["--resume", "auto"])
    return output, first + resumed


def test_the_global_generator_trains_with_pix2pixhds_objective_and_resumes(global_run):
    output, log = global_run
    assert "Objective: lsgan GAN + 0 x L1 + 10 x feature matching + 10 x VGG19" in log
    assert "Resumed from" in log and re.search(r"G_feat \d+\.\d+ G_VGG \d+\.\d+", log)
    with open(os.path.join(output, "losses.csv"), encoding="utf-8") as handle:
        rows = handle.read().splitlines()
    assert rows[0].split(",")[5:7] == ["loss_g_feat", "loss_g_vgg"] and len(rows) == 1 + 8
    assert all(float(row.split(",")[6]) > 0 for row in rows[1:])


def test_the_local_enhancer_starts_from_the_global_run_with_the_global_part_fixed_at_first(cityscapes, global_run,
                                                                                        tmp_path):
    data, vgg = cityscapes
    global_output, _ = global_run
    output = str(tmp_path / "local")
    # The VGG loss is off and nothing is validated: their weight files are not needed, so not looked for.
    log = train(["--train_data_dir", data, *LABELS, "--netG", "local", *TINY_GLOBAL, "--ngf", "2", "--n_blocks_local",
                 "1", "--num_D", "3", "--preprocess", "none", "--lambda_vgg", "0", "--load_pretrain", global_output,
                 "--niter_fix_global", "1", "--n_epochs", "1", "--n_epochs_decay", "1", "--output_path", output,
                 "--vgg_weights", str(tmp_path / "no_vgg19.pth"), "--fid_weights", str(tmp_path / "no_inception.pth")])
    assert "Started the global part" in log and "the global generator trains too from now on" in log
    pretrained = generator_weights(os.path.join(global_output, "checkpoints", "generator_final.ckpt"))
    after = [generator_weights(os.path.join(output, "checkpoints", f"pix2pix_epoch_000{epoch}.ckpt"), "generator.")
             for epoch in (1, 2)]
    shared = [name for name in after[0] if name in pretrained]
    assert len(shared) == len([name for name in after[0] if name.startswith("generator.model.")]) > 10
    assert all(np.array_equal(after[0][name], pretrained[name]) for name in shared)  # fixed in epoch 1
    assert not all(np.array_equal(after[1][name], pretrained[name]) for name in shared)  # trained in epoch 2
    enhancer = [name for name in after[0] if "enhancer_upsample.0." in name]
    assert enhancer and not all(np.array_equal(after[0][name], after[1][name]) for name in enhancer)


def test_eval_predict_and_export_take_label_maps(cityscapes, global_run, tmp_path):
    data, _ = cityscapes
    checkpoint = os.path.join(global_run[0], "checkpoints", "generator_final.ckpt")
    result = run_entry(["eval.py", "--ckpt", checkpoint, "--val_data_dir", data, "--dataset_mode", "labels",
                        "--preprocess", "none", "--output_path", str(tmp_path)])
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1])["num_images"] == 2  # NVIDIA's test_* split
    result = run_entry(["predict.py", "--ckpt", checkpoint, "--input_path", data, "--output_path", str(tmp_path)])
    assert result.returncode == 0, result.stderr[-2000:]
    output_dir = json.loads(result.stdout.strip().splitlines()[-1])["output_dir"]
    pictures = sorted(name for name in os.listdir(output_dir) if name.endswith(".png"))
    assert pictures == [
        f"synthetic_{i:06d}_000019_gtFine_labelIds.png" for i in (100, 101)]
    assert Image.open(os.path.join(output_dir, pictures[0])).size == (128, 64)
    result = run_entry(["export.py", "--ckpt", checkpoint, "--file_format", "ONNX", "--image_size", "64", "128",
                        "--file_name", str(tmp_path / "global")])
    assert result.returncode == 0, result.stderr[-2000:]
    exported = json.loads(result.stdout.strip().splitlines()[-1])
    assert exported["input_shape"] == [1, 36, 64, 128] and exported["parity_max_abs_diff"] < 1e-4


def test_two_msrun_workers_train_the_global_generator_to_the_same_weights(cityscapes, tmp_path):
    data, vgg = cityscapes
    output = tmp_path / "dp"
    result = distribute("cpu", ["2", data, f"--output_path={output}", "--dataset_mode=labels", "--label_nc=35",
                                "--netG=global", "--vgg_weights=" + vgg, "--n_epochs=1", "--n_epochs_decay=0",
                                *[f"{key}={value}" for key, value in zip(TINY_GLOBAL[::2], TINY_GLOBAL[1::2])]])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    digests = rank_lines(output, r"final weights: (generator \w+, discriminator \w+)")
    assert len(digests[0]) == 1 and digests[0] == digests[1]
