"""A CycleGAN user's story through the entry points, on tiny networks and the embedded unpaired sample set:
train --model cycle_gan with validation, stop after an epoch and resume it to the very weights of an
uninterrupted run (pools included), evaluate both directions, translate and export with either generator (and
run an export through the 310 flow), and be told in one line what does not fit."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from src.dataset.unpaired_sample import generate_unpaired_sample
from src.models.checkpoint import read_checkpoint
from tests.conftest import REPO_ROOT, TINY_MODEL_FLAGS, run_entry
from tests.e2e.test_distributed import distribute, rank_lines
from tests.e2e.test_validation_story import event_accumulator

pytestmark = pytest.mark.e2e

TINY_CYCLE = ["--model", "cycle_gan", "--netG", "resnet_2blocks", "--ngf", "4", "--ndf", "4", "--load_size", "36",
              "--crop_size", "32", "--n_epochs", "1", "--n_epochs_decay", "1", "--log_interval", "2",
              "--save_checkpoint_epochs", "1", "--num_parallel_workers", "1", "--pool_size", "3"]


@pytest.fixture(scope="module")
def unpaired_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("unpaired"))
    generate_unpaired_sample(root, {"trainA": 5, "trainB": 4, "testA": 3, "testB": 2}, size=64)
    return root


def entry(arguments, expect=0):
    result = run_entry(arguments)
    assert result.returncode == expect, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def summary_of(arguments):
    """The JSON line an entry point prints last on stdout."""
    result = run_entry(arguments)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def cycle_run(unpaired_root, fid_weights, tmp_path_factory):
    """A run stopped after epoch 1 and resumed, and the same run uninterrupted."""
    base = tmp_path_factory.mktemp("cycle")
    flags = ["train.py", *TINY_CYCLE, "--train_data_dir", unpaired_root, "--val_data_dir", unpaired_root,
             "--val_every", "1", "--fid_weights", fid_weights, "--fid_dims", "64"]
    resumed_output, whole_output = str(base / "resumed"), str(base / "whole")
    first = entry(flags + ["--output_path", resumed_output, "--epoch_num", "1"])
    resumed = entry(flags + ["--output_path", resumed_output, "--resume", "auto"])
    entry(flags + ["--output_path", whole_output])
    return resumed_output, first + resumed, whole_output


def test_cycle_gan_trains_both_generators_and_resumes_to_the_same_weights(cycle_run):
    output, log, whole = cycle_run
    assert "Generators G_A (A -> B) and G_B (B -> A) resnet_2blocks (ngf 4, instance norm, no dropout)" in log
    assert "Objective: lsgan GAN (D_A on B, D_B on A) + cycle L1 10 (A), 10 (B) + identity 0.5 x lambda" in log
    assert "D_A " in log and "cycle_B " in log and "idt_A " in log
    assert "--resume auto: " in log and "cycle_gan_epoch_0001.ckpt" in log
    final = [read_checkpoint(os.path.join(run, "checkpoints", "cycle_gan_epoch_0002.ckpt")) for run in (output, whole)]
    names = [name for name in final[0] if name.startswith(("generator", "discriminator", "pool_fake_"))]
    assert len(names) > 40 and set(names) <= set(final[1])  # the pools and their draws continue exactly:
    assert max(float(np.abs(final[0][name].asnumpy() - final[1][name].asnumpy()).max()) for name in names) < 1e-5
    with open(os.path.join(output, "losses.csv"), encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert header[2:-1] == ["loss_d_a", "loss_g_a", "loss_cycle_a", "loss_idt_a", "loss_d_b", "loss_g_b",
                            "loss_cycle_b", "loss_idt_b"]
    checkpoint = read_checkpoint(os.path.join(output, "checkpoints", "cycle_gan_epoch_0002.ckpt"))
    assert any(name.startswith("pool_fake_b.") for name in checkpoint) and checkpoint["model"] == "cycle_gan"
    final = read_checkpoint(os.path.join(output, "checkpoints", "generator_final.ckpt"))
    assert {name.split(".")[0] for name in final if "." in name} == {"generator", "generator_b"}
    assert final["direction"] == "AtoB"
    assert os.path.isfile(os.path.join(output, "checkpoints", "generator_best.ckpt"))
    assert "G_A(A) vs B: FID" in log and "A vs B itself: FID" in log
    assert os.path.isfile(os.path.join(output, "images", "epoch_0002.png"))
    tags = event_accumulator(os.path.join(whole, "tensorboard")).Tags()["scalars"]
    assert {"loss/loss_d_a", "loss/loss_cycle_b", "learning_rate", "validation/fid"} <= set(tags), tags


def test_eval_scores_both_directions_against_the_untranslated_baseline(cycle_run, unpaired_root, fid_weights):
    output, _, _ = cycle_run
    summary = summary_of(["eval.py", "--ckpt", os.path.join(output, "checkpoints", "generator_final.ckpt"),
                          "--val_data_dir", unpaired_root, "--fid_weights", fid_weights, "--fid_dims", "64",
                          "--crop_size", "32", "--output_path", output])
    assert summary["direction"] == "AtoB" and (summary["num_a"], summary["num_b"]) == (3, 2)
    for key in ("fid_a_to_b", "fid_b_to_a", "baseline_fid", "cycle_l1_a_to_b", "cycle_l1_b_to_a"):
        assert summary[key] is not None and summary[key] >= 0, key
    report = os.path.join(summary["output_dir"], "index.html")
    with open(report, encoding="utf-8") as handle:
        page = handle.read()
    assert "rec_A" in page and "fake_A" in page and "A vs B itself" in page


def test_predict_and_export_translate_either_way(cycle_run, unpaired_root, tmp_path):
    output, _, _ = cycle_run
    checkpoint = os.path.join(output, "checkpoints", "generator_final.ckpt")
    pictures = {}
    for direction in ("AtoB", "BtoA"):
        folder = tmp_path / direction
        entry(["predict.py", "--ckpt", checkpoint, "--input_path", os.path.join(unpaired_root, "testB"),
               "--direction", direction, "--output_path", str(folder)])
        files = sorted(str(path) for path in folder.rglob("*.png"))
        assert len(files) == 2
        pictures[direction] = np.asarray(Image.open(files[0]))
    assert not np.array_equal(pictures["AtoB"], pictures["BtoA"])  # G_A and G_B are different generators
    for file_format in ("ONNX", "MINDIR"):
        log = entry(["export.py", "--ckpt", checkpoint, "--direction", "BtoA", "--file_format", file_format,
                     "--image_size", "32", "--file_name", str(tmp_path / "zebra2horse")])
        assert "reloaded output matches the checkpoint" in log
    # the 310 flow on the dataset root: G_B translates testB/ (2 pictures) and is scored against testA/ (3)
    offline = subprocess.run(["bash", "scripts/run_infer_310.sh", str(tmp_path / "zebra2horse.mindir"), unpaired_root,
                              "CPU", "--image_size=32"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
                             env=dict(os.environ, PYTHON=sys.executable))
    assert offline.returncode == 0, offline.stdout[-3000:] + offline.stderr[-3000:]
    summary = json.loads(offline.stdout.strip().splitlines()[-1])
    assert (summary["num_a"], summary["num_b"], summary["eval_mode"]) == (2, 3, "offline inference")


def test_what_does_not_fit_is_named_in_one_line(cycle_run, unpaired_root, sample_root, tmp_path):
    output, _, _ = cycle_run
    paired = entry(["train.py", *TINY_CYCLE, "--train_data_dir", str(sample_root / "train"), "--dataset_mode",
                    "unaligned", "--output_path", str(tmp_path / "paired")], expect=2)
    assert "not trainA/ and trainB/ folders of two unpaired domains" in paired
    assert "--model pix2pix --dataset_mode aligned" in paired and not os.path.exists(tmp_path / "paired")
    wrong_model = entry(["train.py", *TINY_MODEL_FLAGS, "--train_data_dir", str(sample_root / "train"), "--output_path", output,
                         "--resume", os.path.join(output, "checkpoints", "cycle_gan_epoch_0002.ckpt")], expect=2)
    assert "is a --model cycle_gan training checkpoint: resume it with --model cycle_gan" in wrong_model


def test_a_converted_published_generator_translates_and_fine_tunes(unpaired_root, tmp_path):
    """The reference's generator file (the fixture's G_A, as latest_net_G_A.pth is published) converts, loads as
    G_A for eval and starts a --model cycle_gan fine-tune."""
    published = os.path.join(REPO_ROOT, "tests", "fixtures", "torch_cycle_gan", "generator_a.pth")
    converted = str(tmp_path / "published.ckpt")
    entry(["convert_weights.py", published, "--output", converted])
    summary = summary_of(["eval.py", "--ckpt", converted, "--val_data_dir", unpaired_root, "--dataset_mode", "unaligned",
                          "--crop_size", "32", "--output_path", str(tmp_path)])
    assert summary["num_a"] == 3 and "fid_b_to_a" not in summary  # G_A alone: A -> B only
    log = entry(["train.py", *TINY_CYCLE, "--train_data_dir", unpaired_root, "--load_pretrain", converted,
                 "--epoch_num", "1", "--output_path", str(tmp_path / "fine_tune")])
    assert f"Fine-tuning from {converted}: G_A (G_B starts afresh)" in log


def test_two_msrun_workers_train_a_cyclegan_folder_with_the_same_script(unpaired_root, tmp_path):
    """scripts/run_distribute_train_cpu.sh on a trainA/ trainB/ folder trains --model cycle_gan (as the layout
    says); the gradients are averaged, so both ranks end with the same four networks."""
    flags = [f"{key}={value}" for key, value in zip(TINY_CYCLE[2::2], TINY_CYCLE[3::2])]
    result = distribute("cpu", ["2", unpaired_root, f"--output_path={tmp_path / 'dp'}", *flags])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    digests = rank_lines(tmp_path / "dp", r"final weights: (generator \w+, generator_b \w+, discriminator_a \w+, "
                                          r"discriminator_b \w+)")
    assert len(digests[0]) == 1 and digests[0] == digests[1]
    assert os.path.isfile(tmp_path / "dp" / "checkpoints" / "cycle_gan_epoch_0002.ckpt")
