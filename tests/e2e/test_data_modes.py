"""A user with data in another layout (separate A/ B/ folders, the tutorial's MindRecord, colour photos to
colorize, grey non-square pairs) trains, resumes, evaluates, predicts and exports with the entry points."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ramp, run_entry
from tests.dataset.test_mindrecord_pairs import write_tutorial_mindrecord
from tests.e2e.test_distributed import distribute, rank_lines

pytestmark = pytest.mark.e2e

TINY = ["--ngf", "4", "--ndf", "4", "--num_parallel_workers", "1", "--n_epochs", "1", "--n_epochs_decay", "1",
        "--log_interval", "100"]


def halves(sample_root, split):
    """(name, A, B) of the sample set's pairs of `split`, as PIL images."""
    for name in sorted(os.listdir(sample_root / split)):
        pair = Image.open(sample_root / split / name).convert("RGB")
        width, height = pair.size
        yield name[:-4], pair.crop((0, 0, width // 2, height)), pair.crop((width // 2, 0, width, height))


def separate_folders(sample_root, root):
    for split in ("train", "val"):
        for side in "AB":
            (root / split / side).mkdir(parents=True)
        for name, image_a, image_b in halves(sample_root, split):
            image_a.save(root / split / "A" / f"{name}.png")
            image_b.save(root / split / "B" / f"{name}.jpg")
    return ["--dataset_mode", "separate", "--netG", "unet_64", "--load_size", "72", "--crop_size", "64"]


def tutorial_mindrecords(sample_root, root):
    root.mkdir()
    for split, records in (("train", 4), ("val", 1)):
        write_tutorial_mindrecord(root / f"{split}.mindrecord", records=records, per_record=4, size=64)
    return ["--dataset_mode", "mindrecord", "--direction", "AtoB", "--netG", "unet_64", "--load_size", "72",
            "--crop_size", "64"]


def colour_photos(sample_root, root):
    for split in ("train", "val"):
        (root / split).mkdir(parents=True)
        for name, photo, _ in halves(sample_root, split):
            photo.save(root / split / f"{name}.jpg")
    return ["--dataset_mode", "colorization", "--netG", "unet_64", "--load_size", "72", "--crop_size", "64"]


def grey_wide_pairs(sample_root, root):
    """48x32 grey A, colour B: --preprocess none keeps them (ResNet: multiples of 4)."""
    for split, count in (("train", 6), ("val", 2)):
        (root / split).mkdir(parents=True)
        for index in range(count):
            colour = np.roll(ramp(48, 32), index * 5, axis=1)
            grey = np.repeat(colour.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
            Image.fromarray(np.concatenate([grey, colour], axis=1)).save(root / split / f"{index:04d}.png")
    return ["--direction", "AtoB", "--input_nc", "1", "--preprocess", "none", "--netG", "resnet_1blocks",
            "--crop_size", "32"]


LAYOUTS = {"separate": (separate_folders, "train", "val"),
           "mindrecord": (tutorial_mindrecords, "train.mindrecord", "val.mindrecord"),
           "colorization": (colour_photos, "train", "val"),
           "grey_none": (grey_wide_pairs, "train", "val")}


def ok(process):
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    return process


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_trains_resumes_evaluates_predicts_and_exports(layout, sample_root, tmp_path):
    make, train, val = LAYOUTS[layout]
    flags = make(sample_root, tmp_path / "data")
    data = ["--train_data_dir", str(tmp_path / "data" / train), "--val_data_dir", str(tmp_path / "data" / val)]
    run = str(tmp_path / "run")
    ok(run_entry(["train.py", *data, *flags, *TINY, "--output_path", run, "--epoch_num", "1"]))
    resumed = ok(run_entry(["train.py", *data, *flags, *TINY, "--output_path", run, "--resume", "auto"]))
    assert "Resumed from" in resumed.stdout and "epochs 2..2" in resumed.stdout
    ckpt = os.path.join(run, "checkpoints", "generator_final.ckpt")
    evaluated = json.loads(ok(run_entry(["eval.py", *data, *flags, "--ckpt", ckpt, "--output_path", run]))
                           .stdout.strip().splitlines()[-1])
    assert evaluated["num_images"] >= 2 and evaluated["model_spec"]["in_channels"] == (
        1 if layout in ("colorization", "grey_none") else 3)
    picture = tmp_path / "wide.png"
    Image.fromarray(ramp(100, 60)).save(picture)
    ok(run_entry(["predict.py", "--ckpt", ckpt, "--input_path", str(picture), "--output_path", run]))
    [translated] = [os.path.join(root, name) for root, _, names in os.walk(os.path.join(run, "predict"))
                    for name in names if name == "wide.png"]
    assert Image.open(translated).size == (100, 60)  # the input's size and aspect
    exported = ok(run_entry(["export.py", "--ckpt", ckpt, "--file_format", "ONNX", "--image_size", "64",
                             "--file_name", os.path.join(run, "g")]))
    summary = json.loads(exported.stdout.strip().splitlines()[-1])
    assert summary["input_shape"][1] == evaluated["model_spec"]["in_channels"]
    assert summary["parity_max_abs_diff"] < 1e-4


def test_a_checkpoint_for_other_channels_or_layout_is_named(sample_root, tmp_path):
    flags = colour_photos(sample_root, tmp_path / "photos")
    run = str(tmp_path / "run")
    ok(run_entry(["train.py", "--train_data_dir", str(tmp_path / "photos" / "train"), *flags, *TINY,
                  "--output_path", run, "--epoch_num", "1"]))
    wrong = run_entry(["eval.py", "--ckpt", os.path.join(run, "checkpoints", "pix2pix_epoch_0001.ckpt"),
                       "--val_data_dir", str(sample_root / "val"), "--crop_size", "64", "--output_path", run])
    assert wrong.returncode == 2
    assert "is a colorization model (1 -> 2 channels) but --dataset_mode is aligned" in wrong.stderr


def test_two_workers_train_on_their_shares_of_a_mindrecord(sample_root, tmp_path):
    made = run_entry(["data/make_mindrecord.py", "--input", str(sample_root / "train"),
                      "--output", str(tmp_path / "facades.mindrecord"), "--shards", "2"])
    assert made.returncode == 0 and "Wrote 16 pairs" in made.stdout, made.stderr
    output = tmp_path / "dp"
    result = distribute("cpu", ["2", str(tmp_path / "facades.mindrecord"), f"--output_path={output}", "--epoch_num=1", "--netG=unet_64", "--load_size=72",
                                "--crop_size=64", "--ngf=4", "--ndf=4", "--num_parallel_workers=1", "--n_epochs=1",
                                "--n_epochs_decay=1"])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    digests = rank_lines(output, r"final weights: (generator \w+, discriminator \w+)")
    assert len(digests[0]) == 1 and digests[0] == digests[1]
    reads = rank_lines(output, r"rank \d read (\d+) pairs")
    assert reads == {0: ["8"], 1: ["8"]}
