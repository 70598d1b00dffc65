"""From a published .pth to pictures with the entry points: download (from a local mirror: CI is offline),
convert, predict; and one clear line when offline or for an unknown name."""
import json
import os
import shutil
import subprocess

import pytest
from PIL import Image

from tests.conftest import REPO_ROOT, run_entry
from tests.weights.test_convert import FIXTURES

pytestmark = pytest.mark.e2e


def download(name, tmp_path, url):
    environment = dict(os.environ, PIX2PIX_MODEL_URL=url, CYCLEGAN_MODEL_URL=url, PIX2PIXHD_MODEL_URL=url, VGG_MODEL_URL=url,
                       FID_WEIGHTS_URL=url,
                       PIX2PIX_PRETRAINED_ROOT=str(tmp_path / "pretrained"), PYTHON=shutil.which("python") or "python")
    return subprocess.run(["bash", "data/download_pretrained.sh", name], cwd=REPO_ROOT, capture_output=True, text=True,
                          env=environment, timeout=300)


def test_download_convert_and_predict_from_a_mirror(tmp_path, sample_root):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(os.path.join(FIXTURES, "unet.legacy.pth"), mirror / "facades_label2photo.pth")
    result = download("facades_label2photo", tmp_path, f"file://{mirror}")
    assert result.returncode == 0, result.stdout + result.stderr
    checkpoint = tmp_path / "pretrained" / "facades_label2photo.ckpt"
    assert "Found netG unet_32, ngf 2" in result.stdout and "--direction BtoA" in result.stdout
    assert f"python predict.py --ckpt {checkpoint}" in result.stdout and checkpoint.is_file()
    assert [name for name in os.listdir(tmp_path / "pretrained")] == ["facades_label2photo.ckpt"]  # nothing left over
    image = sample_root / "val" / sorted(os.listdir(sample_root / "val"))[0]
    predicted = run_entry(["predict.py", "--ckpt", str(checkpoint), "--input_path", str(image),
                           "--output_path", str(tmp_path / "out")])
    assert predicted.returncode == 0, predicted.stderr[-2000:]
    summary = json.loads(predicted.stdout.strip().splitlines()[-1])
    assert summary["translated"] == 1 and Image.open(os.path.join(summary["output_dir"], image.stem + ".png")).size == (128, 64)


def test_pix2pixhds_generator_and_the_vgg19_weights_download_from_a_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    hd_fixtures = os.path.join(REPO_ROOT, "tests", "fixtures", "torch_hd")
    shutil.copy(os.path.join(hd_fixtures, "local.pth"), mirror / "label2city_1024p.pth")
    shutil.copy(os.path.join(hd_fixtures, "vgg19_features.pth"), mirror / "vgg19-dcbb9e9d.pth")
    result = download("label2city_1024p", tmp_path, f"file://{mirror}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Found netG local, ngf 4, in_channels 5, label_nc 4, instance_edges True" in result.stdout
    assert "--input_path datasets/cityscapes" in result.stdout
    vgg = download("vgg19", tmp_path, f"file://{mirror}")
    assert vgg.returncode == 0, vgg.stdout + vgg.stderr
    assert sorted(os.listdir(tmp_path / "pretrained")) == ["label2city_1024p.ckpt", "vgg19-dcbb9e9d.pth"]
    shutil.copy(os.path.join(hd_fixtures, "global.pth"), mirror / "vgg19-dcbb9e9d.pth")  # not VGG19
    os.remove(tmp_path / "pretrained" / "vgg19-dcbb9e9d.pth")
    wrong = download("vgg19", tmp_path, f"file://{mirror}")
    assert wrong.returncode == 2 and "has no 'features.0.weight': not torchvision's vgg19 weights" in wrong.stderr
    assert sorted(os.listdir(tmp_path / "pretrained")) == ["label2city_1024p.ckpt"]


def test_the_fid_inception_downloads_from_a_mirror_and_another_file_is_refused(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    name = "pt_inception-2015-12-05-6726825d.pth"
    shutil.copy(os.path.join(REPO_ROOT, "tests", "fixtures", "torch_hd", "vgg19_features.pth"), mirror / name)
    wrong = download("fid_inception", tmp_path, f"file://{mirror}")
    assert wrong.returncode == 2 and "not the FID Inception weights" in wrong.stderr, wrong.stderr
    assert not os.path.exists(tmp_path / "pretrained" / name)
    shutil.copy(os.path.join(REPO_ROOT, "tests", "fixtures", "fid", "inception_layout.pth"), mirror / name)
    result = download("fid_inception", tmp_path, f"file://{mirror}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"--fid_weights {tmp_path / 'pretrained' / name}" in result.stdout


def test_offline_or_unknown_names_give_one_line(tmp_path):
    offline = download("cyclegan_horse2zebra", tmp_path, "http://127.0.0.1:9")
    assert offline.returncode == 1 and "error: could not download http://127.0.0.1:9/horse2zebra.pth (offline" in offline.stderr
    unknown = download("horse3zebra", tmp_path, "http://127.0.0.1:9")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: unknown model 'horse3zebra'")
    assert not os.path.exists(tmp_path / "pretrained" / "cyclegan_horse2zebra.ckpt")


def test_convert_weights_refuses_bad_input_with_one_line(tmp_path):
    for args, fragment in (
            ([os.path.join(FIXTURES, "discriminator.pth"), "--output", str(tmp_path / "d.ckpt")], "a discriminator's weights"),
            ([str(tmp_path / "missing.pth"), "--output", str(tmp_path / "m.ckpt")], "missing.pth' does not exist"),
            ([str(tmp_path), "--output", str(tmp_path / "f.ckpt")], "is a folder, not a weights file"),
            ([os.path.join(FIXTURES, "unet.zip.pth"), "--output", str(tmp_path / "x.pth")], "must end in .ckpt"),
            ([os.path.join(FIXTURES, "unet.zip.pth"), "--output", str(tmp_path / "u.ckpt"), "--netG", "unet_64"],
             "another generator (give --netG")):
        result = run_entry(["convert_weights.py", *args])
        assert result.returncode == 2 and fragment in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and not os.path.exists(args[2])
