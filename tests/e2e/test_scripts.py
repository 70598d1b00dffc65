"""The shell scripts a user runs: dataset download, single-device training, evaluation."""
import json
import os
import subprocess
import sys
import tarfile

import pytest

from tests.conftest import REPO_ROOT, TINY_MODEL_FLAGS

pytestmark = pytest.mark.e2e


def bash(args, cwd=REPO_ROOT, env=None, timeout=600):
    return subprocess.run(["bash"] + args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, PYTHON=sys.executable, **(env or {})))


def test_download_script_unpacks_an_archive_into_data_datasets(tmp_path, sample_root):
    server = tmp_path / "server"
    server.mkdir()
    with tarfile.open(server / "facades.tar.gz", "w:gz") as archive:
        archive.add(sample_root / "train", arcname="facades/train")
        archive.add(sample_root / "val", arcname="facades/val")
    env = {"PIX2PIX_DATASET_URL": f"file://{server}", "PIX2PIX_DATA_ROOT": str(tmp_path / "datasets")}
    result = bash(["data/download_Pix2Pix_dataset.sh", "facades"], env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / "datasets" / "facades")) == ["train", "val"]
    assert len(os.listdir(tmp_path / "datasets" / "facades" / "train")) == 16
    assert not [name for name in os.listdir(tmp_path / "datasets") if name.startswith(".")]
    again = bash(["data/download_Pix2Pix_dataset.sh", "facades"], env=env)
    assert again.returncode == 0 and "already exists" in again.stdout


def test_download_script_refuses_unknown_names_and_reports_offline(tmp_path):
    unknown = bash(["data/download_Pix2Pix_dataset.sh", "mnist"])
    assert unknown.returncode == 2 and "unknown dataset 'mnist'" in unknown.stderr and "facades" in unknown.stderr
    env = {"PIX2PIX_DATASET_URL": f"file://{tmp_path}/nowhere", "PIX2PIX_DATA_ROOT": str(tmp_path / "datasets")}
    offline = bash(["data/download_Pix2Pix_dataset.sh", "maps"], env=env)
    assert offline.returncode == 1 and "could not download" in offline.stderr
    assert not os.path.exists(tmp_path / "datasets" / "maps")
    licence = bash(["data/download_Pix2Pix_dataset.sh", "cityscapes"], env=env)
    assert "LICENCE" in licence.stdout


def test_cyclegan_download_script_unpacks_the_four_folders_and_refuses_a_broken_zip(tmp_path):
    import zipfile
    server = tmp_path / "server"
    server.mkdir()
    with zipfile.ZipFile(server / "horse2zebra.zip", "w") as archive:
        for folder in ("trainA", "trainB", "testA", "testB"):
            archive.writestr(f"horse2zebra/{folder}/0001.jpg", b"picture bytes")
    (server / "apple2orange.zip").write_bytes(b"<html>not found</html>")
    env = {"CYCLEGAN_DATASET_URL": f"file://{server}", "CYCLEGAN_DATA_ROOT": str(tmp_path / "datasets")}
    result = bash(["data/download_cyclegan_dataset.sh", "horse2zebra"], env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / "datasets" / "horse2zebra")) == ["testA", "testB", "trainA", "trainB"]
    broken = bash(["data/download_cyclegan_dataset.sh", "apple2orange"], env=env)
    assert broken.returncode == 1 and "not a valid .zip archive" in broken.stderr
    assert sorted(os.listdir(tmp_path / "datasets")) == ["horse2zebra"]
    unknown = bash(["data/download_cyclegan_dataset.sh", "horse2cat"])
    assert unknown.returncode == 2 and "unknown dataset 'horse2cat'" in unknown.stderr


def test_run_train_cpu_from_the_scripts_folder_then_run_eval(tmp_path, sample_root):
    dataset = tmp_path / "mydata"
    dataset.mkdir()
    (dataset / "train").symlink_to(sample_root / "train")
    (dataset / "val").symlink_to(sample_root / "val")
    output = tmp_path / "out"
    flags = [f"--output_path={output}", "--n_epochs=1", "--n_epochs_decay=0", "--log_interval=16"] + \
        [f"{key}={value}" for key, value in zip(TINY_MODEL_FLAGS[::2], TINY_MODEL_FLAGS[1::2])]
    result = bash(["run_train_cpu.sh", str(dataset)] + flags, cwd=os.path.join(REPO_ROOT, "scripts"))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])  # the end-of-training evaluation on val/
    assert summary["num_images"] == 4
    log_line = next(line for line in result.stdout.splitlines() if line.startswith("Logging to "))
    assert os.path.isfile(log_line.split("Logging to ", 1)[1])
    evaluation = bash(["scripts/run_eval.sh", str(dataset), str(output / "checkpoints" / "generator_final.ckpt"),
                       "CPU", f"--output_path={output}", "--crop_size=64", "--load_size=64", "--netG=unet_64"])
    assert evaluation.returncode == 0, evaluation.stderr[-2000:]
    report = json.loads(evaluation.stdout.strip().splitlines()[-1])
    assert report["num_images"] == 4 and report["data_dir"].endswith("val")  # no test/ here, so val/
    prediction = bash(["scripts/run_predict.sh", str(dataset / "val" / "0001.jpg"),
                       str(output / "checkpoints" / "generator_final.ckpt"), f"--output_path={output}",
                       "--netG=unet_64"])
    assert prediction.returncode == 0, prediction.stderr[-2000:]
    assert json.loads(prediction.stdout.strip().splitlines()[-1])["translated"] == 1
    missing = bash(["scripts/run_train_cpu.sh", str(tmp_path / "nothing")])
    assert missing.returncode == 2 and "does not exist" in missing.stderr
