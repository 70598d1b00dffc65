"""A user's story with --val_every and FID: a tiny quick start validates every epoch, keeps
generator_best.ckpt (and keeps it across --resume), writes validation.csv, its curves and TensorBoard events
that TensorBoard's own reader reads back; eval.py then reports FID and KID, and --fid_dirs compares folders."""
import csv
import json
import os

import pytest

from tests.conftest import TINY_MODEL_FLAGS, run_entry

pytestmark = pytest.mark.e2e


def validated_run(sample_root, output, fid_weights, *extra):
    return run_entry(["train.py", "--train_data_dir", str(sample_root / "train"), "--val_data_dir",
                      str(sample_root / "val"), "--output_path", str(output), "--n_epochs", "2", "--n_epochs_decay", "1",
                      "--log_interval", "8", "--val_every", "1", "--fid_weights", fid_weights, "--fid_dims", "64",
                      "--best_metric", "kid",
                      *TINY_MODEL_FLAGS, *extra])


@pytest.fixture(scope="module")
def validated(sample_root, tmp_path_factory, fid_weights):
    output = tmp_path_factory.mktemp("validated")
    result = validated_run(sample_root, output, fid_weights, "--epoch_num", "2", "--save_checkpoint_epochs", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    return output, result


def event_accumulator(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    return events


def test_validation_keeps_the_best_generator_and_its_scores(validated):
    output, result = validated
    log = result.stdout + result.stderr
    assert log.count("Validation after epoch") == 2 and "best kid so far, saved" in log
    # 4 validation pairs, fewer than 64 features: FID as pytorch-fid gives it, its bias said once; KID ranks.
    assert log.count("FID on 4 pictures at 64 dims is biased upward") == 1
    with open(output / "validation.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["epoch"] for row in rows] == ["1", "2"] and float(rows[0]["fid"]) > 0 and float(rows[0]["kid_mean"])
    assert all(float(row["seconds"]) > 0 for row in rows)
    from src.models.checkpoint import read_checkpoint
    best = json.loads(str(read_checkpoint(str(output / "checkpoints" / "generator_best.ckpt"))["best"]))
    kids = [float(row["kid_mean"]) for row in rows]
    assert best["metric"] == "kid" and best["score"] == pytest.approx(min(kids)) and best["epoch"] == 1 + kids.index(min(kids))
    assert os.path.getsize(output / "validation_curve.png") > 1000


def test_tensorboard_reads_losses_learning_rate_scores_and_pictures(validated):
    output, _ = validated
    events = event_accumulator(output / "tensorboard")
    tags = events.Tags()
    assert {"loss/loss_d", "loss/loss_g_gan", "loss/loss_g_l1", "learning_rate", "validation/l1",
            "validation/kid_mean", "validation/ssim"} <= set(tags["scalars"])
    assert [event.step for event in events.Scalars("loss/loss_d")] == [8, 16, 24, 32]
    assert [event.step for event in events.Scalars("validation/l1")] == [16, 32]
    assert tags["images"] == ["validation/input_output_target"]
    picture = events.Images("validation/input_output_target")[0]
    assert picture.width > 3 * 64 and picture.height > 4 * 64  # input | output | target rows of the 4 pairs


def test_resume_keeps_the_best_so_far(validated, sample_root, fid_weights):
    output, _ = validated
    best_before = open(output / "checkpoints" / "generator_best.ckpt", "rb").read()
    result = validated_run(sample_root, output, fid_weights, "--resume", "auto")
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert "Best so far: kid" in log and "Validation after epoch 3" in log
    with open(output / "validation.csv", newline="", encoding="utf-8") as handle:
        assert [row["epoch"] for row in csv.DictReader(handle)] == ["1", "2", "3"]
    if "best kid so far, saved" not in log.split("Validation after epoch 3")[1]:
        assert open(output / "checkpoints" / "generator_best.ckpt", "rb").read() == best_before
    events = event_accumulator(output / "tensorboard")
    assert [event.step for event in events.Scalars("validation/l1")] == [16, 32, 48]


def test_eval_reports_fid_and_kid_and_compares_folders(validated, sample_root, fid_weights, tmp_path):
    output, _ = validated
    result = run_entry(["eval.py", "--ckpt", str(output / "checkpoints" / "generator_best.ckpt"), "--val_data_dir",
                        str(sample_root / "val"), "--fid_weights", fid_weights, "--fid_dims", "64",
                        "--output_path", str(tmp_path)])
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["fid"] > 0 and "fid_reason" not in summary
    assert summary["kid_mean"] is not None and summary["kid_std"] == pytest.approx(0.0, abs=1e-9)
    with open(os.path.join(summary["output_dir"], "summary.csv"), newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert float(row["kid_mean"]) == pytest.approx(summary["kid_mean"]) and float(row["fid"]) == pytest.approx(summary["fid"])
    assert "KID" in open(os.path.join(summary["output_dir"], "index.html"), encoding="utf-8").read()
    images = os.path.join(summary["output_dir"], "images")
    folders = {kind: tmp_path / kind for kind in ("fake_B", "real_B")}
    for kind, folder in folders.items():
        folder.mkdir()
        for name in os.listdir(images):
            if name.endswith(f"_{kind}.png"):
                os.link(os.path.join(images, name), folder / name)
    result = run_entry(["eval.py", "--fid_weights", fid_weights, "--fid_dims", "64", "--fid_dirs",
                        str(folders["fake_B"]), str(folders["real_B"])])
    assert result.returncode == 0, result.stderr[-3000:]
    between = json.loads(result.stdout.strip().splitlines()[-1])
    assert between["num_images"] == [4, 4] and between["kid_mean"] == pytest.approx(summary["kid_mean"], rel=1e-6)
    assert between["fid"] == pytest.approx(summary["fid"], rel=1e-6)


@pytest.mark.parametrize("args, fragment", [
    (["train.py", "--val_every", "2"], "--val_every 2 scores the held-out pairs while training: set --val_data_dir"),
    (["train.py", "--best_metric", "fid", "--val_data_dir", "x"], "--best_metric fid needs --fid_weights"),
    (["train.py", "--best_metric", "top"], "--best_metric must be one of auto, fid, kid, l1, psnr, ssim"),
    (["eval.py", "--fid_dims", "100"], "--fid_dims must be one of 64, 192, 768, 2048"),
    (["eval.py", "--fid_dirs", "a"], "--fid_dirs takes two folders"),
    (["eval.py", "--fid_dirs", "a", "b"], "--fid_dirs needs --fid_weights"),
])
def test_bad_validation_and_fid_flags_give_one_line(args, fragment):
    result = run_entry(args)
    assert result.returncode == 2 and fragment in result.stderr and "Traceback" not in result.stderr, result.stderr
