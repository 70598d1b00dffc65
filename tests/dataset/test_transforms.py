"""Every --preprocess gives its size, with the same crop and flip on A and B."""
import numpy as np
import pytest

from src.dataset.pair_dataset import PairDataset, open_pair_source
from src.dataset.transforms import PREPROCESS_MODES, Preprocess
from tests.conftest import ramp, write_pair


# mode -> (Preprocess, the (height, width) of the training input from 80x48 halves).
MODES = {
    "resize_and_crop": (Preprocess("resize_and_crop", 48, 32, 16), (32, 32)),
    "crop": (Preprocess("crop", 48, 32, 16), (32, 32)),
    "scale_width": (Preprocess("scale_width", 64, 32, 16), (32, 64)),  # 64 x 38.4 -> height rounded to 32
    "scale_width_and_crop": (Preprocess("scale_width_and_crop", 64, 32, 16), (32, 32)),
    "none": (Preprocess("none", 48, 32, 16), (48, 80)),
}


@pytest.mark.parametrize("mode", PREPROCESS_MODES)
def test_every_preprocess_gives_its_size_with_the_same_crop_and_flip_on_a_and_b(tmp_path, mode):
    half = ramp(80, 48)
    write_pair(tmp_path / "wide.png", half, half)
    preprocess, shape = MODES[mode]
    dataset = PairDataset(open_pair_source("aligned", str(tmp_path), "train_data_dir", "AtoB"), preprocess, seed=3)
    views = set()
    for epoch in range(12):
        image_a, image_b, _ = dataset[epoch]
        np.testing.assert_array_equal(image_a, image_b)
        assert image_a.shape == (3, *shape)
        views.add(image_a.tobytes())
    assert len(views) > 1  # the flip (and the crop) changes between epochs


def test_test_time_sizes_keep_the_aspect_except_the_papers_square():
    assert Preprocess("resize_and_crop", 286, 256, 256).test_size(512, 256) == (256, 256)
    assert Preprocess("scale_width", 286, 256, 64).test_size(512, 256) == (256, 128)
    assert Preprocess("none", 286, 256, 64).test_size(600, 400) == (576, 384)
    assert Preprocess("crop", 286, 256, 4).test_size(601, 403) == (600, 404)
