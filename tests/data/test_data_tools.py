"""The data tools a user runs before training: combine A and B folders into A|B images (the reference's
tool, fixed), and make MindRecord files."""
import importlib.util
import os
import sys

import numpy as np
import pytest
from PIL import Image

from src.dataset.pair_dataset import open_pair_source
from src.utils.errors import UserInputError
from tests.conftest import REPO_ROOT


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO_ROOT, "data", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its worker function is pickled by module name, as for `python data/NAME.py`
    spec.loader.exec_module(module)
    return module


def picture(value, size=(40, 30)):
    return Image.fromarray(np.full((size[1], size[0], 3), value, np.uint8))


def test_combine_a_and_b_writes_aligned_pairs_per_split_and_names_what_it_could_not_pair(tmp_path, capsys):
    for split in ("train", "val"):
        for side, value in (("A", 10), ("B", 200)):
            (tmp_path / side / split).mkdir(parents=True)
            picture(value).save(tmp_path / side / split / "0001.png")
    picture(10).save(tmp_path / "A" / "train" / "lonely.png")
    picture(200, (80, 60)).save(tmp_path / "B" / "val" / "0001.png")  # another size: resized to A's
    (tmp_path / "A" / "train" / "broken.png").write_bytes(b"not a png")
    (tmp_path / "B" / "train" / "broken.png").write_bytes(b"not a png")
    (tmp_path / "A" / ".ipynb_checkpoints").mkdir()
    tool = load_tool("combine_A_and_B")
    tool.main(["--fold_A", str(tmp_path / "A"), "--fold_B", str(tmp_path / "B"), "--fold_AB", str(tmp_path / "AB")])
    out, err = capsys.readouterr()
    assert "Wrote 2 A|B images" in out and "(train, val)" in out
    assert "train/lonely.png: no partner in --fold_B" in err and "broken.png: not an image format" in err
    pair = open_pair_source("aligned", str(tmp_path / "AB" / "val"), "train_data_dir", "AtoB")
    image_a, image_b = pair.load(0)
    assert pair.sizes == [(40, 30)] and np.asarray(image_a).max() == 10 and np.asarray(image_b).min() == 200
    with pytest.raises(UserInputError, match="already holds 2 of the outputs"):
        tool.main(["--fold_A", str(tmp_path / "A"), "--fold_B", str(tmp_path / "B"), "--fold_AB", str(tmp_path / "AB"),
                   "--no_multiprocessing"])


def test_combine_a_and_b_with_use_ab_names_and_a_missing_folder(tmp_path):
    for side, value in (("A", 10), ("B", 200)):
        (tmp_path / side / "test").mkdir(parents=True)
        picture(value).save(tmp_path / side / "test" / f"street_{side}.jpg")
    tool = load_tool("combine_A_and_B")
    tool.main(["--fold_A", str(tmp_path / "A"), "--fold_B", str(tmp_path / "B"), "--fold_AB", str(tmp_path / "AB"),
               "--use_AB", "--no_multiprocessing", "--num_imgs", "5"])
    assert os.listdir(tmp_path / "AB" / "test") == ["street.jpg"]
    with pytest.raises(UserInputError, match="--fold_B '.*nowhere' does not exist"):
        tool.main(["--fold_A", str(tmp_path / "A"), "--fold_B", str(tmp_path / "nowhere"), "--fold_AB", "x"])


def test_make_mindrecord_refuses_a_layout_it_cannot_store_and_too_many_shards(sample_root, tmp_path):
    tool = load_tool("make_mindrecord")
    with pytest.raises(UserInputError, match="--dataset_mode must be one of aligned, separate"):
        tool.main(["--input", str(sample_root / "train"), "--output", str(tmp_path / "x"), "--dataset_mode", "colorization"])
    with pytest.raises(UserInputError, match="fewer than --shards 20"):
        tool.main(["--input", str(sample_root / "train"), "--output", str(tmp_path / "x"), "--shards", "20"])
    assert not os.listdir(tmp_path)


def test_the_official_cityscapes_download_is_arranged_in_nvidias_layout(tmp_path):
    """gtFine/{train,val}/CITY/ and leftImg8bit/{train,val}/CITY/ -> train_* and test_* (from val)."""
    from src.dataset.street_scenes import write_street_scenes
    root = tmp_path / "cityscapes_download"
    for split, theirs, first in (("train", "train", 0), ("test", "val", 50)):
        write_street_scenes(str(tmp_path / "made"), 2, 64, 32, split=split, first=first)
        for side, folder in (("label", "gtFine"), ("inst", "gtFine"), ("img", "leftImg8bit")):
            city = root / folder / theirs / "synthetic"
            city.mkdir(parents=True, exist_ok=True)
            for name in os.listdir(tmp_path / "made" / f"{split}_{side}"):
                os.replace(tmp_path / "made" / f"{split}_{side}" / name, city / name)
    placed = load_tool("prepare_cityscapes").arrange(str(root), str(tmp_path / "datasets"), log=lambda line: None)
    assert sorted(os.path.basename(folder) for folder in placed) == [
        "test_img", "test_inst", "test_label", "train_img", "train_inst", "train_label"]
    assert set(placed.values()) == {2}
    assert len(open_pair_source("labels", str(tmp_path / "datasets"), "train_data_dir")) == 2
    assert len(open_pair_source("labels", str(tmp_path / "datasets"), "val_data_dir")) == 2
    with pytest.raises(UserInputError, match="has no gtFine/ and leftImg8bit/ folders"):
        load_tool("prepare_cityscapes").arrange(str(tmp_path / "made"), str(tmp_path / "x"))
