"""A user's pairs come in many shapes: non-square, separate A/ and B/ folders, MindRecord files, grey images,
colour photos to colorize. Each reads into the same pipeline, with A and B cropped and flipped alike."""
import numpy as np
import pytest
from PIL import Image
from mindspore.mindrecord import FileWriter

from src.dataset.image_coding import ImageCoding
from src.dataset.mindrecord_pairs import MindRecordPairs, write_mindrecord
from src.dataset.pair_dataset import PairDataset, create_train_dataset, open_pair_source
from src.dataset.transforms import PREPROCESS_MODES, Preprocess
from src.utils.errors import UserInputError
from tests.conftest import write_pair


def ramp(width, height, channels=3):
    """A picture whose every pixel differs: crops and flips show."""
    x = np.linspace(0, 255, width)[None, :, None]
    y = np.linspace(0, 200, height)[:, None, None]
    return np.broadcast_to(np.concatenate([x + 0 * y, y + 0 * x, np.full((height, width, 1), 90.0)], axis=2),
                           (height, width, 3)).astype(np.uint8)[..., :channels]


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


def test_grey_channels_are_one_channel_arrays():
    coding = ImageCoding(input_channels=1, output_channels=1)
    image = Image.fromarray(ramp(32, 16))
    real_a, real_b = coding.encode_pair(image, image)
    assert real_a.shape == real_b.shape == (1, 16, 32)
    picture = coding.output_picture(real_a, real_b)
    assert picture.shape == (16, 32, 3) and (picture[..., 0] == picture[..., 2]).all()


def test_colorization_learns_ab_from_l_and_shows_rgb(tmp_path):
    photo = Image.fromarray(ramp(48, 32))
    coding = ImageCoding(1, 2, colorization=True)
    lightness, colour = coding.encode_pair(photo, photo)
    assert lightness.shape == (1, 32, 48) and colour.shape == (2, 32, 48)
    assert -1 <= lightness.min() and lightness.max() <= 1 and np.abs(colour).max() <= 1
    shown = coding.output_picture(lightness, colour)  # L with the true ab: the photo again
    assert np.abs(shown.astype(int) - np.asarray(photo).astype(int)).max() <= 1
    grey = coding.input_picture(lightness)
    assert (grey[..., 0] == grey[..., 1]).all()


def test_colorization_refuses_a_folder_of_grey_images(tmp_path):
    Image.fromarray(ramp(32, 32, 1)[..., 0]).save(tmp_path / "grey.png")
    with pytest.raises(UserInputError, match="holds only grey images"):
        open_pair_source("colorization", str(tmp_path), "train_data_dir")


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
    shares = [MindRecordPairs(str(tmp_path / "train.mindrecord"), "train_data_dir", "AtoB", 2, rank) for rank in (0, 1)]
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
