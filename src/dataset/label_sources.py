"""Label-map pairs in folders (--dataset_mode labels), as pix2pixHD reads them: a folder holding `label/`
(class-ID maps), `img/` (the photos) and optionally `inst/` (instance-ID maps), matched by name; or NVIDIA's own
`datasets/cityscapes` folder, whose `train_label`, `train_inst`, `train_img` serve --train_data_dir and
`test_label`, `test_inst` (and `test_img` where there is one) --val_data_dir and predict.py.

Names are matched without Cityscapes' suffixes (`_gtFine_labelIds`, `_gtFine_instanceIds`, `_leftImg8bit`),
so Cityscapes' own files pair up as they are. A is always the label map (the direction does not apply); the
photo is resized (bicubic) to the label map's size when they differ.
"""
import os
import re

from src.dataset.image_io import image_mode
from src.dataset.label_maps import ID_MODES, LabelMaps, read_id_map
from src.dataset.pair_sources import (PairSource, decode, header_size, list_image_files,
                                      match_size, name_some, require_folder, stem)
from src.utils.errors import UserInputError

CITYSCAPES_SUFFIXES = re.compile(r"_(gtFine_labelIds|gtFine_instanceIds|leftImg8bit)$")
# The folders of each side: ours, then NVIDIA's datasets/cityscapes names for the split the setting reads.
SIDES = ("label", "inst", "img")


def pair_name(path):
    """The name a file pairs by: its stem without a Cityscapes suffix."""
    return CITYSCAPES_SUFFIXES.sub("", stem(path))


def label_folders(folder, setting):
    """{side: folder or None} of a labels-layout folder: DIR/label, DIR/inst, DIR/img, or NVIDIA's
    DIR/train_* (for --train_data_dir) / DIR/test_* (for the others)."""
    require_folder(folder, setting, "label/ (and img/, inst/) folders")
    split = "train" if setting == "train_data_dir" else "test"
    for names in ({side: side for side in SIDES}, {side: f"{split}_{side}" for side in SIDES}):
        if os.path.isdir(os.path.join(folder, names["label"])):
            return {side: (os.path.join(folder, name) if os.path.isdir(os.path.join(folder, name)) else None)
                    for side, name in names.items()}
    raise UserInputError(f"--{setting} '{folder}' has no label/ folder (nor pix2pixHD's {split}_label/): "
                         "--dataset_mode labels reads DIR/label/ (class-ID maps), DIR/img/ (photos) and DIR/inst/ "
                         "(instance maps, optional with --no_instance)")


def files_by_pair_name(folder, setting, log):
    files = {}
    for path in list_image_files(folder, setting, log):
        name = pair_name(path)
        if name in files:
            raise UserInputError(f"'{files[name]}' and '{path}' pair by the same name: keep one")
        files[name] = path
    return files


class LabelFolders(PairSource):
    """Label maps with their photos (and instance maps): see the module docstring. `has_instances`: every
    label map has its instance map; `has_targets`: every one has its photo (eval and training need them)."""

    def __init__(self, folder, setting, direction="AtoB", log=print, num_shards=1, shard_id=0, limit=None,
                 need_targets=True):
        self.where = folder
        folders = label_folders(folder, setting)
        labels = files_by_pair_name(folders["label"], setting, log)
        self.names = sorted(labels)[:limit]
        others = {side: files_by_pair_name(folders[side], setting, log) if folders[side] else {}
                  for side in ("inst", "img")}
        self.has_instances = bool(others["inst"])
        self.has_targets = bool(others["img"])
        if need_targets and not self.has_targets:
            raise UserInputError(f"--{setting} '{folder}' has no img/ folder of photos to learn or score against "
                                 f"(its label maps are in {folders['label']})")
        for side in ("inst", "img"):
            missing = [name for name in self.names if others[side] and name not in others[side]]
            if missing:
                raise UserInputError(f"--{setting} '{folder}': {len(missing)} label map(s) have no "
                                     f"{'instance map' if side == 'inst' else 'photo'} of the same name in "
                                     f"{folders[side]}: {name_some(missing)}")
        self.files = [(labels[name], others["inst"].get(name), others["img"].get(name)) for name in self.names]
        self.sizes = [self._checked_size(label, instance, setting) for label, instance, _ in self.files]

    @staticmethod
    def _checked_size(label, instance, setting):
        """The label map's size, after checking from the headers that it holds IDs and its instance map fits."""
        size = header_size(label)
        for path, what in ((label, "label map"), (instance, "instance map")):
            if path and image_mode(path) not in ID_MODES:
                raise UserInputError(f"--{setting}: '{path}' is a {image_mode(path)} picture, not a {what} (one "
                                     "integer ID per pixel, 8- or 16-bit grey PNG): give the IDs, not their colours")
        if instance and header_size(instance) != size:
            width, height = header_size(instance)
            raise UserInputError(f"--{setting}: instance map '{instance}' is {width}x{height} but its label map "
                                 f"'{label}' is {size[0]}x{size[1]}: they must match pixel for pixel")
        return size

    def load_maps(self, index):
        """The LabelMaps of pair `index` (its instance map when there is one)."""
        label, instance, _ = self.files[index]
        return LabelMaps(read_id_map(label), read_id_map(instance, "instance map") if instance else None,
                         self.names[index])

    def load(self, index):
        maps = self.load_maps(index)
        photo = self.files[index][2]
        return maps, match_size(decode(photo), maps) if photo else None
