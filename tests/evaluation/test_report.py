"""The report a user reads: CSV, JSON, grid and HTML, any names, each picture at its own aspect."""
import csv
import json
import os
import re
import urllib.parse
from dataclasses import replace

import numpy as np
import mindspore as ms
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.dataset.transforms import Preprocess
from src.evaluation.evaluator import evaluate_generator
from src.evaluation.pairs import EvaluationPairs
from src.models.networks import build_generator
from tests.conftest import UNET_64_SPEC, evaluate_unet_64, folder_pairs

def test_report_files_csv_json_grid_and_html_with_relative_paths(sample_root, tmp_path):
    summary = evaluate_unet_64(sample_root, tmp_path / "report", num_test=3)
    assert summary["num_images"] == 3
    with open(tmp_path / "report" / "metrics.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["name"] for row in rows] == ["0001", "0002", "0003"]
    assert set(rows[0]) == {"name", "l1", "psnr", "ssim", "baseline_l1", "baseline_psnr", "baseline_ssim"}
    with open(tmp_path / "report" / "metrics.json", encoding="utf-8") as handle:
        stored = json.load(handle)
    assert stored["summary"]["l1"] == summary["l1"] == round(np.mean([float(r["l1"]) for r in rows]), 4)
    assert os.path.isfile(tmp_path / "report" / "comparison.png")
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]+)"', page)
    assert len(sources) == 9 and all(not source.startswith("/") for source in sources)
    assert all(os.path.isfile(tmp_path / "report" / urllib.parse.unquote(source)) for source in sources)
    assert "input as output" in page and "0002" in page


def test_identical_images_score_perfectly_with_psnr_capped_at_100_db():
    from src.evaluation.report import PSNR_CAP_DB, score_pair
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    row = score_pair("same", image, image, image)
    assert (row["l1"], row["psnr"], row["ssim"]) == (0.0, PSNR_CAP_DB, 1.0) and PSNR_CAP_DB == 100.0
    assert (row["baseline_l1"], row["baseline_psnr"]) == (0.0, 100.0)


def test_report_names_with_spaces_and_non_ascii_characters(sample_root, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    names = ["façade #1 東京", "street scene?"]
    for name, source in zip(names, sorted(os.listdir(sample_root / "val"))):
        (data / f"{name}.jpg").write_bytes((sample_root / "val" / source).read_bytes())
    ms.set_seed(1)
    summary = evaluate_generator(build_generator(UNET_64_SPEC, "kaiming"), folder_pairs(data), str(tmp_path / "report"),
                                 log=lambda message: None)
    assert summary["num_images"] == 2
    assert sorted(os.listdir(tmp_path / "report" / "images")) == sorted(
        f"{name}_{kind}.png" for name in names for kind in ("fake_B", "real_A", "real_B"))
    with open(tmp_path / "report" / "metrics.csv", newline="", encoding="utf-8") as handle:
        assert sorted(row["name"] for row in csv.DictReader(handle)) == sorted(names)
    sources = re.findall(r'src="([^"]+)"', (tmp_path / "report" / "index.html").read_text(encoding="utf-8"))
    assert len(sources) == 6 and all(" " not in source and "#" not in source for source in sources)
    assert all(os.path.isfile(tmp_path / "report" / urllib.parse.unquote(source)) for source in sources)


def test_saved_pictures_keep_each_inputs_aspect_whatever_size_the_network_saw(tmp_path):
    data = tmp_path / "wide"
    data.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 192, 3), np.uint8)).save(data / "wide.png")  # halves 96 x 64
    for mode, network_size in (("resize_and_crop", (64, 64)), ("none", (64, 96))):
        pairs = EvaluationPairs.open("aligned", str(data), "AtoB", Preprocess(mode, 64, 64, 32), ImageCoding())
        assert next(iter(pairs.batches()))[0].shape == (1, 3, *network_size)
        ms.set_seed(1)
        evaluate_generator(build_generator(replace(UNET_64_SPEC, netG="unet_32")), pairs, str(tmp_path / mode), "eval",
                           log=lambda message: None)
        for kind in ("real_A", "fake_B", "real_B"):
            assert Image.open(tmp_path / mode / "images" / f"wide_{kind}.png").size == (96, 64)  # not squashed
