"""The embedded sample set is made on demand, deterministically, in the public sets' layout."""
import os

import numpy as np
from PIL import Image

from src.dataset.sample_data import PALETTE, SAMPLE_TRAIN_DIR, generate_sample_dataset, make_pair
from src.dataset.sample_sets import ensure_sample_dataset
from src.dataset.unpaired_sample import UNPAIRED_SAMPLE_DIR


def test_layout_and_pairs_like_the_public_facades_set(tmp_path):
    count = generate_sample_dataset(str(tmp_path), {"train": 3, "val": 2, "test": 1}, size=64)
    assert count == 6
    assert sorted(os.listdir(tmp_path)) == ["test", "train", "val"]
    assert sorted(os.listdir(tmp_path / "train")) == ["0001.jpg", "0002.jpg", "0003.jpg"]
    with Image.open(tmp_path / "train" / "0001.jpg") as image:
        assert image.size == (128, 64) and image.mode == "RGB"


def test_labels_use_the_palette_and_photos_vary():
    pairs = [np.asarray(make_pair(index, "train", size=96)) for index in range(4)]
    label = pairs[0][:, 96:].reshape(-1, 3)
    colours = {tuple(colour) for colour in np.unique(label, axis=0)}
    assert colours <= set(PALETTE.values()) and {PALETTE["window"], PALETTE["facade"]} <= colours
    photos = [pair[:, :96].astype(np.float32) for pair in pairs]
    assert min(np.abs(a - b).mean() for i, a in enumerate(photos) for b in photos[i + 1:]) > 5


def test_generation_is_deterministic_and_splits_differ():
    np.testing.assert_array_equal(np.asarray(make_pair(2, "val", 64)), np.asarray(make_pair(2, "val", 64)))
    assert not np.array_equal(np.asarray(make_pair(2, "val", 64)), np.asarray(make_pair(2, "train", 64)))


def test_training_on_the_default_path_makes_it_only_when_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the sample set's path is relative to where the user runs train.py
    train_dir = SAMPLE_TRAIN_DIR
    messages = []
    ensure_sample_dataset(train_dir, messages.append)
    assert len(os.listdir(train_dir)) == 60 and messages
    ensure_sample_dataset(str(tmp_path / train_dir), messages.append)
    assert len(messages) == 2  # nothing regenerated the second time
    other = str(tmp_path / "mine")
    ensure_sample_dataset(other, messages.append)
    assert not os.path.exists(other)  # a user's own path is never filled with sample data
    ensure_sample_dataset(UNPAIRED_SAMPLE_DIR, messages.append)  # --model cycle_gan's default
    assert sorted(os.listdir(UNPAIRED_SAMPLE_DIR)) == ["testA", "testB", "trainA", "trainB"] and len(messages) == 4


def test_the_default_and_quick_start_training_folders_are_where_the_sample_set_is_made():
    from src.utils.config import DEFAULT_CONFIG_PATH, REPO_ROOT, read_yaml_documents
    preset, _ = read_yaml_documents(os.path.join(REPO_ROOT, "configs", "sample_facades.yaml"))
    for values in (read_yaml_documents(DEFAULT_CONFIG_PATH)[0], preset):
        assert os.path.normpath(values["train_data_dir"]) == os.path.normpath(SAMPLE_TRAIN_DIR)
