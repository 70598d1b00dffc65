"""Unpaired domains (CycleGAN's layout): trainA/ and trainB/ of different pictures, counts and sizes; A indexed,
B drawn from the sample's own seed, each side cropped and flipped on its own; other layouts named clearly."""
import numpy as np
import pytest
from PIL import Image

from src.dataset.pair_dataset import PairDataset, check_training_sizes
from src.dataset.transforms import Preprocess
from src.dataset.unaligned_folders import UnalignedFolders
from src.utils.errors import UserInputError
from tests.conftest import ramp


def write_domains(root, count_a=3, count_b=5, phase="train"):
    """A: horizontal ramps of 48x40; B: flat pictures of 64x64, each a shade of its own (its number shows)."""
    for side, count in (("A", count_a), ("B", count_b)):
        (root / f"{phase}{side}").mkdir(parents=True, exist_ok=True)
        for index in range(count):
            picture = ramp(48, 40) if side == "A" else np.full((64, 64, 3), 20 * index + 10, np.uint8)
            Image.fromarray(picture).save(root / f"{phase}{side}" / f"{side.lower()}{index}.png")
    return root


def test_both_domains_are_listed_and_the_larger_side_sets_the_length(tmp_path):
    source = UnalignedFolders(str(write_domains(tmp_path)), "train_data_dir")
    assert (source.names, source.partner_names) == (["a0", "a1", "a2"], ["b0", "b1", "b2", "b3", "b4"])
    assert len(source) == 5 and source.unpaired
    assert source.sizes == [(48, 40)] * 3 and source.partner_sizes == [(64, 64)] * 5
    image_a, image_b = source.load(4)  # A wraps round (4 mod 3), B in order
    assert image_a.size == (48, 40) and image_b.getpixel((0, 0)) == (90, 90, 90)
    swapped = UnalignedFolders(str(tmp_path), "train_data_dir", direction="BtoA")
    assert swapped.names == source.partner_names and swapped.partner_names == source.names


def test_the_held_out_domains_are_test_a_and_test_b(tmp_path):
    write_domains(tmp_path, 2, 2, phase="test")
    assert UnalignedFolders(str(tmp_path), "val_data_dir").names == ["a0", "a1"]
    with pytest.raises(UserInputError, match="no trainA/ and trainB/ folders"):
        UnalignedFolders(str(tmp_path), "train_data_dir")


def test_b_is_drawn_from_the_samples_seed_and_each_side_is_cropped_apart(tmp_path):
    source = UnalignedFolders(str(write_domains(tmp_path, 3, 5)), "train_data_dir")
    dataset = PairDataset(source, Preprocess("resize_and_crop", 40, 32), seed=3)
    shade = lambda b: int(round((b[0, 0, 0] + 1) * 127.5))  # noqa: E731 (the B picture's number, from its shade)
    drawn = [shade(dataset[key][1]) for key in range(15)]
    assert [shade(dataset[key][1]) for key in range(15)] == drawn  # the same keys draw the same B, in any worker
    assert len(set(drawn)) >= 3  # random partners, not B i mod 5
    real_a, real_b, index = dataset[7]
    assert real_a.shape == real_b.shape == (3, 32, 32) and index == 2
    serial = PairDataset(source, Preprocess("resize_and_crop", 40, 32), seed=3, serial=True)
    assert [shade(serial[key][1]) for key in range(5)] == [10, 30, 50, 70, 90]


def test_pictures_of_both_sides_are_checked_for_a_batch(tmp_path):
    source = UnalignedFolders(str(write_domains(tmp_path)), "train_data_dir")
    with pytest.raises(UserInputError, match="cannot share a batch"):
        check_training_sizes(source, Preprocess("none", 48, 48), 2, "train_data_dir")
    check_training_sizes(source, Preprocess("resize_and_crop", 40, 32), 2, "train_data_dir")


@pytest.mark.parametrize("layout, expected", [
    ("aligned", "holds pictures, as aligned A|B pairs are kept"),
    ("separate", "holds A/ and B/ folders of pairs"),
    ("half", "has trainA/ or trainB/ but no trainB/"),
    ("empty", "has no trainA/ and trainB/ folders")])
def test_other_layouts_are_named_with_the_command_that_reads_them(tmp_path, layout, expected):
    if layout == "aligned":
        Image.fromarray(ramp(64, 32)).save(tmp_path / "pair.jpg")
    elif layout == "separate":
        for side in "AB":
            (tmp_path / side).mkdir()
    elif layout == "half":
        (tmp_path / "trainA").mkdir()
    with pytest.raises(UserInputError, match=expected) as raised:
        UnalignedFolders(str(tmp_path), "train_data_dir")
    if layout in ("aligned", "separate"):
        assert "--model pix2pix --dataset_mode aligned" in str(raised.value)
