"""A user points the dataset at pairs in any layout; every pair comes out aligned and jittered alike."""
import os

import numpy as np
import pytest
from PIL import Image

from src.dataset.pair_dataset import (PairDataset, create_eval_dataset, create_train_dataset, iterate_batches,
                                      open_pair_source, shard_epoch_indices)
from src.dataset.pair_sources import list_image_files
from src.dataset.transforms import Preprocess
from src.utils.errors import UserInputError
from tests.conftest import ramp, write_pair


def ramp_pair(size=40):
    """Identical halves: a horizontal ramp (to see flips) plus a vertical one (to see crops)."""
    x = np.linspace(0, 255, size)[None, :, None]
    y = np.linspace(0, 120, size)[:, None, None]
    half = np.broadcast_to(np.concatenate([x + 0 * y, y + 0 * x, np.full((size, size, 1), 60.0)], axis=2),
                           (size, size, 3)).astype(np.uint8)
    return half


def aligned(folder, direction="AtoB"):
    return open_pair_source("aligned", str(folder), "train_data_dir", direction)


def jitter(load_size, crop_size, flip=True, mode="resize_and_crop", multiple=1):
    return Preprocess(mode, load_size, crop_size, multiple, flip)


def train_pipeline(folder, batch_size=1, direction="BtoA", load_size=286, crop_size=256, seed=0, start_epoch=0,
                   end_epoch=1, num_parallel_workers=2, **preprocess):
    """create_train_dataset over an aligned folder, as train.py builds it."""
    return create_train_dataset(aligned(folder, direction), jitter(load_size, crop_size, **preprocess),
                                batch_size=batch_size, seed=seed, start_epoch=start_epoch, end_epoch=end_epoch,
                                num_parallel_workers=num_parallel_workers)


def test_same_crop_and_flip_land_on_a_and_b(tmp_path):
    half = ramp_pair()
    write_pair(tmp_path / "pair.png", half, half)
    dataset = PairDataset(aligned(tmp_path), jitter(48, 32), seed=5)
    flipped, crops = 0, set()
    for epoch in range(40):
        image_a, image_b, index = dataset[epoch * len(dataset)]
        np.testing.assert_array_equal(image_a, image_b)  # same crop, same flip
        assert image_a.shape == (3, 32, 32) and image_a.dtype == np.float32 and index == 0
        assert -1.0 <= image_a.min() and image_a.max() <= 1.0
        flipped += image_a[0, :, 0].mean() > image_a[0, :, -1].mean()  # the ramp runs right to left
        crops.add((round(float(image_a[0, 0, 0]), 3), round(float(image_a[1, 0, 0]), 3)))
    assert 5 < flipped < 35 and len(crops) > 5


def test_no_flip_never_flips_and_augmentation_is_reproducible(tmp_path):
    half = ramp_pair()
    write_pair(tmp_path / "pair.png", half, half)
    dataset = PairDataset(aligned(tmp_path), jitter(48, 32, flip=False), seed=5)
    assert all(dataset[key][0][0, :, 0].mean() < dataset[key][0][0, :, -1].mean() for key in range(20))
    again = PairDataset(aligned(tmp_path), jitter(48, 32), seed=5)
    other_seed = PairDataset(aligned(tmp_path), jitter(48, 32), seed=6)
    np.testing.assert_array_equal(again[7][0], PairDataset(aligned(tmp_path), jitter(48, 32), seed=5)[7][0])
    assert any(not np.array_equal(again[k][0], other_seed[k][0]) for k in range(5))


def test_direction_picks_the_halves(tmp_path):
    left = np.zeros((32, 32, 3), np.uint8)
    right = np.full((32, 32, 3), 255, np.uint8)
    write_pair(tmp_path / "pair.png", left, right)
    a, b, _ = PairDataset(aligned(tmp_path, "AtoB"), jitter(32, 32), train=False)[0]
    assert a.max() == -1.0 and b.min() == 1.0
    a, b, _ = PairDataset(aligned(tmp_path, "BtoA"), jitter(32, 32), train=False)[0]
    assert a.min() == 1.0 and b.max() == -1.0


def test_any_names_and_modes_are_read_and_converted_to_rgb(tmp_path):
    grey = Image.fromarray(np.full((32, 64), 128, np.uint8), mode="L")
    grey.save(tmp_path / "street scene.JPG")
    Image.new("RGBA", (64, 32), (10, 20, 30, 128)).save(tmp_path / "b-002.png")
    Image.new("RGB", (64, 32)).save(tmp_path / ".hidden.png")
    (tmp_path / "notes.txt").write_text("not an image")
    files = list_image_files(str(tmp_path))
    assert [os.path.basename(f) for f in files] == ["b-002.png", "street scene.JPG"]
    source = aligned(tmp_path)
    batches = list(create_eval_dataset(source, jitter(32, 32)).create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert len(batches) == 2 and all(b[0].shape == (1, 3, 32, 32) for b in batches)
    assert [int(b[2][0]) for b in batches] == [0, 1] and source.names == ["b-002", "street scene"]


def test_train_pipeline_reshuffles_every_epoch_and_batches(sample_root):
    dataset, steps = train_pipeline(sample_root / "train", batch_size=4, load_size=72, crop_size=64, seed=1,
                                    end_epoch=2)
    assert steps == 4
    batches = list(dataset.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert len(batches) == 8 and batches[0][0].shape == (4, 3, 64, 64)
    first, second = np.concatenate([b[2] for b in batches[:4]]), np.concatenate([b[2] for b in batches[4:]])
    assert sorted(first) == sorted(second) == list(range(16))  # every pair once per epoch
    assert list(first) != list(second)  # in a new order


def test_resumed_stream_continues_exactly(sample_root):
    def stream(start):
        dataset, _ = train_pipeline(sample_root / "train", 2, "BtoA", 72, 64, seed=3, start_epoch=start, end_epoch=3,
                                    num_parallel_workers=1)
        return list(dataset.create_tuple_iterator(num_epochs=1, output_numpy=True))
    full, resumed = stream(0), stream(2)
    assert len(resumed) == len(full) // 3
    for expected, got in zip(full[-len(resumed):], resumed):
        np.testing.assert_array_equal(expected[0], got[0])
        np.testing.assert_array_equal(expected[2], got[2])


def test_shards_split_each_epoch_evenly_and_disjointly():
    for num_samples in (16, 17):
        shards = [shard_epoch_indices(num_samples, 4, 0, True, 4, shard, -(-num_samples // 4)) for shard in range(4)]
        assert len({len(shard) for shard in shards}) == 1
        assert set(np.concatenate(shards)) == set(range(num_samples))
        if num_samples == 16:
            assert len(set(np.concatenate(shards))) == sum(len(shard) for shard in shards)


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing", "does not exist"),
    (lambda d: d, "holds no images"),
])
def test_missing_or_empty_folder(tmp_path, make, message):
    with pytest.raises(UserInputError, match=message):
        train_pipeline(make(tmp_path))


def test_an_unpaired_set_given_to_pix2pix_is_sent_to_cycle_gan(tmp_path):
    for side in ("trainA", "trainB"):
        (tmp_path / side).mkdir()
        Image.new("RGB", (32, 32)).save(tmp_path / side / "picture.png")
    with pytest.raises(UserInputError, match="holds trainA/, trainB/: folders of two unpaired domains, not pairs: "
                                             "train them with --model cycle_gan; eval.py and the offline flow read them with --dataset_mode unaligned"):
        train_pipeline(tmp_path)


@pytest.mark.parametrize("size, message", [
    ((65, 32), "not an aligned A|B pair"),
    ((96, 32), "not an aligned A|B pair of squares"),
])
def test_images_that_are_not_usable_pairs_are_named(tmp_path, size, message):
    Image.new("RGB", size).save(tmp_path / "bad.png")
    with pytest.raises(UserInputError, match=message) as error:
        train_pipeline(tmp_path, crop_size=32, load_size=36)
    assert "bad" in str(error.value)


def test_non_image_file_with_an_image_name(tmp_path):
    (tmp_path / "fake.jpg").write_bytes(b"this is text")
    with pytest.raises(UserInputError, match="fake.jpg' is not a readable image"):
        aligned(tmp_path)


def test_truncated_image_is_reported_when_read(tmp_path):
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 128, 3), np.uint8)).save(tmp_path / "cut.jpg")
    data = (tmp_path / "cut.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    dataset = create_eval_dataset(aligned(tmp_path), jitter(32, 32))
    with pytest.raises(UserInputError, match="cut.jpg' is corrupt or truncated"):
        list(iterate_batches(dataset.create_tuple_iterator(num_epochs=1)))


def test_too_few_pairs_for_the_batch(sample_root):
    with pytest.raises(UserInputError, match="too few for batch_size 32"):
        train_pipeline(sample_root / "train", batch_size=32, load_size=72, crop_size=64)


def test_every_format_pillow_decodes_is_read_and_other_files_are_named_once(tmp_path):
    from src.dataset.image_io import read_rgb
    frames = [Image.new("RGB", (64, 32), colour) for colour in ((200, 0, 0), (0, 200, 0))]
    frames[0].save(tmp_path / "animated.gif", save_all=True, append_images=frames[1:])
    Image.new("RGB", (64, 32), (0, 0, 200)).save(tmp_path / "scan.tga")
    for name in ("notes.txt", "labels.json", "clip.mp4", "a.csv", "b.csv", "c.csv"):
        (tmp_path / name).write_text("not an image")
    warnings = []
    files = list_image_files(str(tmp_path), "input_path", warnings.append)
    assert [os.path.basename(path) for path in files] == ["animated.gif", "scan.tga"]
    assert warnings == ["warning: skipping 6 file(s) of --input_path '" + str(tmp_path) + "' that are not in an "
                        "image format Pillow reads: a.csv, b.csv, c.csv, clip.mp4, labels.json and 1 more"]
    assert read_rgb(files[0]).getpixel((5, 5)) == (200, 0, 0)  # the first frame


def test_max_dataset_size_trains_on_the_first_pairs_by_name(sample_root):
    first = open_pair_source("aligned", str(sample_root / "train"), "train_data_dir", limit=5)
    _, steps = create_train_dataset(first, jitter(72, 64), num_parallel_workers=1)
    _, all_steps = train_pipeline(sample_root / "train", 1, "BtoA", 72, 64, num_parallel_workers=1)
    assert first.names == [name[:-4] for name in sorted(os.listdir(sample_root / "train"))[:5]] and len(first.sizes) == 5

    assert (steps, all_steps) == (5, 16)


def test_mixed_sizes_cannot_share_a_batch_but_train_one_at_a_time(tmp_path):
    write_pair(tmp_path / "a.png", ramp(64, 32), ramp(64, 32))
    write_pair(tmp_path / "b.png", ramp(64, 64), ramp(64, 64))
    source = open_pair_source("aligned", str(tmp_path), "train_data_dir")
    none = Preprocess("none", 64, 32, 16)
    with pytest.raises(UserInputError, match="'a' gives 64x32, 'b' 64x64.*use --batch_size 1"):
        create_train_dataset(source, none, batch_size=2, num_parallel_workers=1)
    dataset, steps = create_train_dataset(source, none, batch_size=1, num_parallel_workers=1)
    shapes = sorted(batch[0].shape for batch in dataset.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert steps == 2 and shapes == [(1, 3, 32, 64), (1, 3, 64, 64)]


def test_scale_width_and_crop_names_a_height_below_the_crop(tmp_path):
    write_pair(tmp_path / "panorama.png", ramp(200, 40), ramp(200, 40))
    source = open_pair_source("aligned", str(tmp_path), "train_data_dir")
    with pytest.raises(UserInputError, match=r"'panorama' \(200x40\) is 51 pixels high .* raise --load_size to 320"):
        create_train_dataset(source, Preprocess("scale_width_and_crop", 256, 64, 16), num_parallel_workers=1)


def test_crop_larger_than_the_image_is_named(tmp_path):
    write_pair(tmp_path / "small.png", ramp(40, 30), ramp(40, 30))
    source = open_pair_source("aligned", str(tmp_path), "train_data_dir")
    with pytest.raises(UserInputError, match=r"'small' \(40x30\) is smaller than --crop_size 64: use --crop_size 30"):
        create_train_dataset(source, Preprocess("crop", 64, 64, 1), num_parallel_workers=1)
