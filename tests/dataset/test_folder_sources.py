"""Pairs in folders: separate A/ and B/ folders pair by name, and colorization needs colour photos."""
import numpy as np
import pytest
from PIL import Image

from src.dataset.pair_dataset import PairDataset, open_pair_source
from src.dataset.transforms import Preprocess
from src.utils.errors import UserInputError
from tests.conftest import ramp


# mode -> (Preprocess, the (height, width) of the training input from 80x48 halves).


def write_separate(root, names_a, names_b, size_b=(40, 40)):
    for side, names, size in (("A", names_a, (40, 40)), ("B", names_b, size_b)):
        (root / side).mkdir(parents=True, exist_ok=True)
        for name in names:
            Image.fromarray(ramp(*size)).save(root / side / name)


def test_separate_folders_pair_by_name_with_b_resized_to_a(tmp_path):
    write_separate(tmp_path, ["x.png", "y.png"], ["x.jpg", "y.png"], size_b=(80, 80))
    source = open_pair_source("separate", str(tmp_path), "train_data_dir", "AtoB")
    assert source.names == ["x", "y"] and source.sizes == [(40, 40), (40, 40)]
    dataset = PairDataset(source, Preprocess("resize_and_crop", 40, 32))
    for key in range(6):
        image_a, image_b, _ = dataset[key]
        assert image_a.shape == image_b.shape == (3, 32, 32)
        assert np.abs(image_a[:2] - image_b[:2]).max() < 0.1  # the same crop and flip (b went through jpg)


def test_separate_folders_list_the_names_without_a_partner(tmp_path):
    write_separate(tmp_path, ["x.png"] + [f"only_a{i}.png" for i in range(7)], ["x.png", "only_b.png"])
    with pytest.raises(UserInputError) as error:
        open_pair_source("separate", str(tmp_path), "train_data_dir")
    assert ("7 only in A/ (only_a0, only_a1, only_a2, only_a3, only_a4 and 2 more); 1 only in B/ (only_b)"
            in str(error.value))
    Image.fromarray(ramp(40, 40)).save(tmp_path / "A" / "x.jpg")
    with pytest.raises(UserInputError, match="x.jpg' and .*x.png' have the same name"):
        open_pair_source("separate", str(tmp_path), "train_data_dir")
    (tmp_path / "flat").mkdir()
    with pytest.raises(UserInputError, match="has no A/ and B/ folders"):
        open_pair_source("separate", str(tmp_path / "flat"), "train_data_dir")


def test_colorization_refuses_a_folder_of_grey_images(tmp_path):
    Image.fromarray(ramp(32, 32, 1)[..., 0]).save(tmp_path / "grey.png")
    with pytest.raises(UserInputError, match="holds only grey images"):
        open_pair_source("colorization", str(tmp_path), "train_data_dir")
