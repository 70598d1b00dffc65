"""Evaluating a generator: its train mode is reproducible, and a broken pair stops it before scoring."""
import os

from src.evaluation.evaluator import evaluate_generator
from src.models.networks import build_generator
from tests.conftest import UNET_64_SPEC, evaluate_unet_64, folder_pairs


def test_train_mode_is_reproducible_with_the_seed_and_differs_from_eval_mode(sample_root, tmp_path):
    first = evaluate_unet_64(sample_root, tmp_path / "a", seed=4)
    again = evaluate_unet_64(sample_root, tmp_path / "b", seed=4)
    other_seed = evaluate_unet_64(sample_root, tmp_path / "c", seed=5)
    eval_mode = evaluate_unet_64(sample_root, tmp_path / "d", eval_mode="eval", seed=4)
    keys = ("l1", "psnr", "ssim")
    assert [first[k] for k in keys] == [again[k] for k in keys]
    assert [first[k] for k in keys] != [other_seed[k] for k in keys]  # other weights and dropout masks
    assert [first[k] for k in keys] != [eval_mode[k] for k in keys]
    image = "images/0001_fake_B.png"
    assert open(tmp_path / "a" / image, "rb").read() == open(tmp_path / "b" / image, "rb").read()


def test_an_unreadable_pair_stops_evaluation_before_anything_is_scored(tmp_path):
    import pytest
    from src.utils.errors import UserInputError
    folder = tmp_path / "pairs"
    folder.mkdir()
    (folder / "0001.jpg").write_bytes(b"broken")
    with pytest.raises(UserInputError, match="0001.jpg' is not a readable image"):
        evaluate_generator(build_generator(UNET_64_SPEC), folder_pairs(folder), str(tmp_path / "out"))
    assert not os.path.exists(tmp_path / "out")
