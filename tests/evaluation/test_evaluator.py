"""Evaluating a generator: its train mode is reproducible, and a broken pair stops it before scoring."""
import os

import mindspore as ms


from src.models.spec import ModelSpec
from src.evaluation.evaluator import evaluate_generator
from src.models.networks import build_generator
from tests.conftest import folder_pairs

SPEC = ModelSpec(in_channels=3, out_channels=3, ngf=8, netG="unet_64", norm_mode="batch", use_dropout=True, netD="n_layers", ndf=8, n_layers_D=2)


def run(sample_root, output, eval_mode="train", seed=1, num_test=None):
    ms.set_seed(seed)
    generator = build_generator(SPEC, "kaiming")
    ms.set_seed(seed)  # as eval.py: the dropout stream starts from the seed
    return evaluate_generator(generator, folder_pairs(sample_root / "val", num_test=num_test), str(output), eval_mode,
                              log=lambda message: None)


def test_train_mode_is_reproducible_with_the_seed_and_differs_from_eval_mode(sample_root, tmp_path):
    first = run(sample_root, tmp_path / "a", seed=4)
    again = run(sample_root, tmp_path / "b", seed=4)
    other_seed = run(sample_root, tmp_path / "c", seed=5)
    eval_mode = run(sample_root, tmp_path / "d", eval_mode="eval", seed=4)
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
        evaluate_generator(build_generator(SPEC), folder_pairs(folder), str(tmp_path / "out"))
    assert not os.path.exists(tmp_path / "out")
