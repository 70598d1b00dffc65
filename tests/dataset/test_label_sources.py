"""Label maps, as a pix2pixHD user brings them: Cityscapes-format folders pair up by name, label and instance
maps stay IDs through every transform, and each bad input is one clear line."""
import os

import numpy as np
import pytest
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.dataset.label_maps import LabelMaps, instance_boundaries, label_picture, one_hot
from src.dataset.pair_dataset import PairDataset, check_instance_maps, open_pair_source
from src.dataset.street_scenes import write_street_scenes
from src.dataset.transforms import Preprocess
from src.utils.errors import UserInputError

CODING = ImageCoding(36, 3, label_nc=35, instance_edges=True)


def test_nvidia_cityscapes_folders_pair_by_name_for_each_split(tmp_path):
    write_street_scenes(str(tmp_path), 3, 64, 32, split="train")
    write_street_scenes(str(tmp_path), 2, 64, 32, split="test", first=10)
    train = open_pair_source("labels", str(tmp_path), "train_data_dir")
    test = open_pair_source("labels", str(tmp_path), "val_data_dir")
    assert train.names == [f"synthetic_{i:06d}_000019" for i in range(3)] and len(test) == 2
    assert train.sizes == [(64, 32)] * 3 and train.has_instances and train.has_targets


def test_label_and_instance_maps_keep_their_ids_through_scaling_cropping_and_flipping(tmp_path):
    write_street_scenes(str(tmp_path), 2, 64, 32)
    source = open_pair_source("labels", str(tmp_path), "train_data_dir")
    ids = set(np.unique(np.concatenate([np.asarray(source.load(i)[0].label).ravel() for i in range(2)])))
    dataset = PairDataset(source, Preprocess("scale_width_and_crop", 96, 32, 4), CODING)
    for key in range(4):
        real_a, real_b, _ = dataset[key]
        assert real_a.shape == (36, 32, 32) and real_b.shape == (3, 32, 32)
        assert np.array_equal(real_a[:35].sum(axis=0), np.ones((32, 32)))  # one class per pixel: nearest only
        assert set(np.flatnonzero(real_a[:35].any(axis=(1, 2)))) <= ids
        assert set(np.unique(real_a[35])) <= {0.0, 1.0}


def test_instance_boundaries_mark_both_sides_of_every_change():
    instances = np.array([[1, 1, 2], [1, 1, 2], [3, 3, 3]])
    assert instance_boundaries(instances)[0].astype(int).tolist() == [[0, 1, 1], [1, 1, 1], [1, 1, 1]]


def test_label_ids_beyond_label_nc_are_one_line_naming_the_map():
    with pytest.raises(UserInputError, match="label map 'x' holds label ID 40, outside 0..34 of --label_nc 35"):
        one_hot(np.array([[0, 40]]), 35, "label map 'x'")


def test_a_palette_picture_shows_cityscapes_colours_and_white_boundaries():
    encoded = CODING.encode_input(LabelMaps(Image.fromarray(np.array([[7, 26]], np.int32), "I"),
                                            Image.fromarray(np.array([[7, 26000]], np.int32), "I")))
    assert label_picture(encoded, 35).tolist() == [[[255, 255, 255], [255, 255, 255]]]
    assert label_picture(encoded[:35], 35).tolist() == [[[128, 64, 128], [0, 0, 142]]]  # road, car


def test_a_missing_instance_map_is_named(tmp_path):
    write_street_scenes(str(tmp_path), 3, 64, 32)
    os.remove(tmp_path / "train_inst" / "synthetic_000001_000019_gtFine_instanceIds.png")
    with pytest.raises(UserInputError, match="1 label map.s. have no instance map of the same name.*synthetic_000001"):
        open_pair_source("labels", str(tmp_path), "train_data_dir")


def test_no_inst_folder_needs_no_instance(tmp_path):
    write_street_scenes(str(tmp_path), 2, 64, 32)
    for name in os.listdir(tmp_path / "train_inst"):
        os.remove(tmp_path / "train_inst" / name)
    os.rmdir(tmp_path / "train_inst")
    source = open_pair_source("labels", str(tmp_path), "train_data_dir")
    with pytest.raises(UserInputError, match="has no inst/ folder of instance maps.*or train with --no_instance"):
        check_instance_maps(source, CODING, "train_data_dir")
    check_instance_maps(source, ImageCoding(35, 3, label_nc=35), "train_data_dir")


def test_an_instance_map_of_another_size_is_refused(tmp_path):
    write_street_scenes(str(tmp_path), 2, 64, 32)
    path = tmp_path / "train_inst" / "synthetic_000000_000019_gtFine_instanceIds.png"
    Image.open(path).resize((32, 16), Image.NEAREST).save(path)
    with pytest.raises(UserInputError, match="instance map .* is 32x16 but its label map .* is 64x32"):
        open_pair_source("labels", str(tmp_path), "train_data_dir")


def test_colour_label_pictures_and_plain_folders_are_refused(tmp_path):
    write_street_scenes(str(tmp_path), 2, 64, 32)
    path = tmp_path / "train_label" / "synthetic_000000_000019_gtFine_labelIds.png"
    Image.open(path).convert("RGB").save(path)
    with pytest.raises(UserInputError, match="is a RGB picture, not a label map"):
        open_pair_source("labels", str(tmp_path), "train_data_dir")
    with pytest.raises(UserInputError, match="has no label/ folder"):
        open_pair_source("labels", str(tmp_path / "train_img"), "train_data_dir")
