"""Runs that are stopped and restarted: checkpoint rotation and --resume auto."""
import os

from tests.conftest import TINY_MODEL_FLAGS, run_entry


def train(sample_root, output, *extra):
    return run_entry(["train.py", "--train_data_dir", str(sample_root / "train"), "--output_path", str(output),
                      "--n_epochs", "2", "--n_epochs_decay", "2", "--save_checkpoint_epochs", "1",
                      "--keep_checkpoint_max", "2", "--log_interval", "16", *TINY_MODEL_FLAGS, *extra])


def checkpoints(output):
    return sorted(name for name in os.listdir(output / "checkpoints") if name.startswith("pix2pix_epoch_"))


def test_rotation_keeps_the_newest_and_resume_auto_skips_a_corrupt_one(sample_root, tmp_path):
    output = tmp_path / "run"
    first = train(sample_root, output, "--epoch_num", "3")
    assert first.returncode == 0, first.stderr[-2000:]
    assert checkpoints(output) == ["pix2pix_epoch_0002.ckpt", "pix2pix_epoch_0003.ckpt"]
    newest = output / "checkpoints" / "pix2pix_epoch_0003.ckpt"
    newest.write_bytes(newest.read_bytes()[:1000])  # as if the machine died while copying it elsewhere
    second = train(sample_root, output, "--resume", "auto")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "warning: skipping" in second.stdout and "pix2pix_epoch_0003.ckpt" in second.stdout
    assert "2 epochs and 32 steps done" in second.stdout and "epoch 4/4 step 16/16 (total 64)" in second.stdout
    assert checkpoints(output) == ["pix2pix_epoch_0003.ckpt", "pix2pix_epoch_0004.ckpt"]


def test_resume_auto_without_checkpoints_starts_a_new_run(sample_root, tmp_path):
    result = train(sample_root, tmp_path / "fresh", "--epoch_num", "1", "--resume", "auto")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "a new run" in result.stdout and "epoch 1/1 step 16/16 (total 16)" in result.stdout


def test_sigterm_saves_the_exact_position_and_resume_finishes_like_an_uninterrupted_run(sample_root, tmp_path):
    import signal
    import subprocess
    import sys

    import mindspore as ms
    import numpy as np

    from tests.conftest import REPO_ROOT

    flags = ["--n_epochs", "1", "--n_epochs_decay", "1", "--no_dropout", "true", "--log_interval", "4"]
    straight = train(sample_root, tmp_path / "straight", *flags)
    assert straight.returncode == 0, straight.stderr[-2000:]

    output = tmp_path / "stopped"
    process = subprocess.Popen([sys.executable, "train.py", "--train_data_dir", str(sample_root / "train"),
                                "--output_path", str(output), "--save_checkpoint_epochs", "1",
                                "--keep_checkpoint_max", "2", *TINY_MODEL_FLAGS, *flags],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if "epoch 1/2 step 4/16" in line:
            process.send_signal(signal.SIGTERM)
            break
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 128 + signal.SIGTERM, errors[-2000:]
    stopped_line = next(line for line in errors.splitlines() if line.startswith("stopped:"))
    assert "SIGTERM at epoch 1 step" in stopped_line and "--resume auto" in stopped_line
    saved = [name for name in os.listdir(output / "checkpoints") if "_step_" in name]
    assert len(saved) == 1 and saved[0].startswith("pix2pix_epoch_0000_step_")

    resumed = train(sample_root, output, *flags, "--resume", "auto")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "of them in epoch 1" in resumed.stdout and "epoch 2/2 step 16/16 (total 32)" in resumed.stdout
    with open(output / "losses.csv", encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1 + 32  # every step once, none twice
    final = [ms.load_checkpoint(str(run / "checkpoints" / "pix2pix_epoch_0002.ckpt")) for run in (tmp_path / "straight", output)]
    names = [name for name in final[0] if name.startswith(("generator.", "discriminator.")) and "moving" not in name]
    assert names and max(float(np.abs(final[0][n].asnumpy() - final[1][n].asnumpy()).max()) for n in names) < 1e-5
