"""MindRecord files: the tutorial's file as it is, the ones make_mindrecord writes, and files that are neither."""
import numpy as np
import pytest
from mindspore.mindrecord import FileWriter

from src.dataset.mindrecord_pairs import MindRecordPairs, write_mindrecord
from src.dataset.pair_dataset import PairDataset, open_pair_source
from src.dataset.transforms import Preprocess
from src.utils.errors import UserInputError


# mode -> (Preprocess, the (height, width) of the training input from 80x48 halves).


def write_tutorial_mindrecord(path, records=3, per_record=4, size=32):
    """The MindSpore Pix2Pix tutorial's train.mindrecord layout: batches of normalised float32 images."""
    writer = FileWriter(str(path), 1, overwrite=True)
    shape = [-1, 3, size, size]
    writer.add_schema({"input_images": {"type": "float32", "shape": shape},
                       "target_images": {"type": "float32", "shape": shape}}, "pix2pix tutorial")
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(records):
        images = (rng.integers(0, 256, (per_record, 3, size, size)) / 127.5 - 1).astype(np.float32)
        rows.append({"input_images": images, "target_images": -images})
    writer.write_raw_data(rows)
    writer.commit()
    return rows


def test_the_tutorials_mindrecord_is_read_as_it_is(tmp_path):
    rows = write_tutorial_mindrecord(tmp_path / "train.mindrecord")
    source = open_pair_source("mindrecord", str(tmp_path / "train.mindrecord"), "train_data_dir", "AtoB")
    assert len(source) == 12 and source.sizes[0] == (32, 32) and source.names[5] == "record00001_01"
    image_a, image_b, _ = PairDataset(source, Preprocess("resize_and_crop", 32, 32), train=False)[5]
    np.testing.assert_allclose(image_a, rows[1]["input_images"][1], atol=1e-6)
    np.testing.assert_allclose(image_b, rows[1]["target_images"][1], atol=1e-6)
    shares = [MindRecordPairs(str(tmp_path / "train.mindrecord"), "train_data_dir", "AtoB", num_shards=2,
                              shard_id=rank) for rank in (0, 1)]
    assert [len(share) for share in shares] == [8, 8]  # 3 records over 2 ranks: padded to 2 records each


def test_make_mindrecord_stores_the_files_and_reads_back_the_same_pairs(sample_root, tmp_path):
    folder = open_pair_source("aligned", str(sample_root / "train"), "train_data_dir", "AtoB")
    paths = write_mindrecord(folder, str(tmp_path / "pairs.mindrecord"), shards=2, log=lambda line: None)
    assert [p.rsplit("/", 1)[1] for p in paths] == ["pairs.mindrecord0", "pairs.mindrecord1"]
    stored = open_pair_source("mindrecord", str(tmp_path / "pairs.mindrecord"), "train_data_dir", "AtoB")
    assert sorted(stored.names) == folder.names and len(stored) == 16
    index = stored.names.index(folder.names[3])
    for mine, theirs in zip(stored.load(index), folder.load(3)):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs))
    with pytest.raises(UserInputError, match="already exists"):
        write_mindrecord(folder, str(tmp_path / "pairs.mindrecord"), shards=2)


def test_a_mindrecord_without_pix2pix_columns_or_not_a_mindrecord_is_named(tmp_path):
    writer = FileWriter(str(tmp_path / "labels.mindrecord"), 1, overwrite=True)
    writer.add_schema({"image": {"type": "bytes"}, "label": {"type": "int32"}}, "classification")
    writer.write_raw_data([{"image": b"x", "label": 1}])
    writer.commit()
    with pytest.raises(UserInputError, match="has columns image, label, not a pix2pix layout: expected input_images/"):
        open_pair_source("mindrecord", str(tmp_path / "labels.mindrecord"), "train_data_dir")
    (tmp_path / "fake.mindrecord").write_bytes(b"not a mindrecord")
    with pytest.raises(UserInputError, match="is not a readable MindRecord file"):
        open_pair_source("mindrecord", str(tmp_path / "fake.mindrecord"), "train_data_dir")
    with pytest.raises(UserInputError, match="does not exist"):
        open_pair_source("mindrecord", str(tmp_path / "missing.mindrecord"), "train_data_dir")
