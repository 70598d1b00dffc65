"""Evaluating a CycleGAN on two unpaired test sides: translations are scored against the other side beside the
untranslated baseline, cycles by their L1, and the report shows both ways."""
import json
import os

from mindspore import nn

from src.dataset.image_coding import ImageCoding
from src.dataset.transforms import Preprocess
from src.dataset.unpaired_sample import generate_unpaired_sample
from src.evaluation.fid_kid import FidKidScorer
from src.evaluation.unpaired import UnpairedTestSets, cycle_scores, evaluate_cycle, summary_line


class Identity(nn.Cell):
    """A 'generator' that returns its input: G(A) is A, so its FID against B is A's own."""

    def construct(self, image):
        return image * 1.0


class Darker(nn.Cell):
    def construct(self, image):
        return image * 0.5 - 0.5


def unpaired_test_sets(tmp_path):
    root = str(tmp_path / "unpaired")
    generate_unpaired_sample(root, {"trainA": 0, "trainB": 0, "testA": 4, "testB": 3}, size=64)
    return UnpairedTestSets.open(root, "AtoB", Preprocess("resize_and_crop", 64, 64, 4, flip=False), ImageCoding(),
                                 log=lambda line: None)


def test_an_identity_translation_scores_the_baseline_and_a_perfect_cycle(tmp_path, fid_weights):
    scorer = FidKidScorer.from_settings(fid_weights, 64)
    summary = cycle_scores({"generator": Identity(), "generator_b": Identity()}, unpaired_test_sets(tmp_path), "eval", scorer)
    assert (summary["num_a"], summary["num_b"]) == (4, 3) and summary["baseline_fid"] is not None
    assert abs(summary["fid_a_to_b"] - summary["baseline_fid"]) < 1e-6 * max(1.0, summary["baseline_fid"])
    assert summary["cycle_l1_a_to_b"] == summary["cycle_l1_b_to_a"] == summary["l1"] == 0.0
    darker = cycle_scores({"generator": Darker(), "generator_b": Identity()}, unpaired_test_sets(tmp_path), "eval", scorer)
    assert darker["fid_a_to_b"] != summary["fid_a_to_b"] and darker["cycle_l1_a_to_b"] > 10
    assert darker["fid"] == round((darker["fid_a_to_b"] + darker["fid_b_to_a"]) / 2, 4)


def test_the_report_shows_both_ways_and_a_lone_generator_one(tmp_path):
    summary = evaluate_cycle({"generator": Darker(), "generator_b": Identity()}, unpaired_test_sets(tmp_path),
                             str(tmp_path / "report"), log=lambda line: None)
    images = sorted(os.listdir(tmp_path / "report" / "images"))
    assert len(images) == 4 * 3 + 3 * 3 and "0001_rec_A.png" in images and "0001_fake_A.png" in images
    with open(tmp_path / "report" / "index.html", encoding="utf-8") as handle:
        page = handle.read()
    assert "A &rarr; B" in page and "B &rarr; A" in page and "FID and KID: no --fid_weights given" in page
    with open(tmp_path / "report" / "metrics.json", encoding="utf-8") as handle:
        assert json.load(handle)["summary"]["cycle_l1_a_to_b"] == summary["cycle_l1_a_to_b"]
    lone = evaluate_cycle({"generator": Darker()}, unpaired_test_sets(tmp_path), str(tmp_path / "lone"), log=lambda line: None)
    assert "cycle_l1_a_to_b" not in lone and "fid_b_to_a" not in lone and lone["num_b"] == 3
    assert len(os.listdir(tmp_path / "lone" / "images")) == 4 * 2
    assert lone["l1"] is None  # no cycle without G_B


def test_the_summary_says_whether_each_way_beats_a_against_b():
    scores = {"fid_dims_a_to_b": 2048, "fid_a_to_b": 81.2, "kid_mean_a_to_b": 0.02, "kid_std_a_to_b": 0.001,
              "fid_dims_b_to_a": 2048, "fid_b_to_a": 150.0, "kid_mean_b_to_a": 0.09, "kid_std_b_to_a": 0.002,
              "baseline_fid_dims": 2048, "baseline_fid": 140.3, "baseline_kid_mean": 0.08, "baseline_kid_std": 0.003}
    line = summary_line(scores)
    assert ("G_A(A) is closer to the other side than A is to B (FID 81.2 < 140.3, KID 0.02 < 0.08): "
            "the translation works") in line
    assert "G_B(B) is not closer to the other side than A is to B (FID 150 >= 140.3, KID 0.09 >= 0.08)" in line
    assert "closer" not in summary_line({"fid_reason_a_to_b": "no --fid_weights given"})
