"""Arrange the official Cityscapes download into pix2pixHD's datasets/cityscapes layout, which
--dataset_mode labels reads:
    python data/prepare_cityscapes.py CITYSCAPES_ROOT [--output datasets/cityscapes] [--copy]

CITYSCAPES_ROOT holds gtFine/ and leftImg8bit/ (gtFine_trainvaltest.zip and leftImg8bit_trainvaltest.zip from
cityscapes-dataset.com, which needs a free login; the licence is Cityscapes'). Writes OUTPUT/train_label,
train_inst, train_img (from the train split) and test_label, test_inst, test_img (from val, whose labels are
public), as links to the original files (--copy copies them). Existing files are left as they are.
"""
import argparse
import glob
import os
import shutil
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)
from src.utils.errors import UserInputError, run_cli  # noqa: E402

# (our split, Cityscapes' split); Cityscapes' test labels are withheld, so its val split is the test set.
SPLITS = (("train", "train"), ("test", "val"))
# side -> (Cityscapes folder, file suffix)
SIDES = {"label": ("gtFine", "_gtFine_labelIds.png"), "inst": ("gtFine", "_gtFine_instanceIds.png"),
         "img": ("leftImg8bit", "_leftImg8bit.png")}


def arrange(root, output, copy=False, log=print):
    """Link (or copy) every split's files into `output`; returns {folder: files placed}."""
    if not all(os.path.isdir(os.path.join(root, folder)) for folder in ("gtFine", "leftImg8bit")):
        raise UserInputError(f"'{root}' has no gtFine/ and leftImg8bit/ folders: unzip gtFine_trainvaltest.zip and "
                             "leftImg8bit_trainvaltest.zip there")
    placed = {}
    for split, theirs in SPLITS:
        for side, (folder, suffix) in SIDES.items():
            files = sorted(glob.glob(os.path.join(root, folder, theirs, "*", "*" + suffix)))
            if not files:
                raise UserInputError(f"no {folder}/{theirs}/CITY/*{suffix} files under '{root}'")
            destination = os.path.join(output, f"{split}_{side}")
            os.makedirs(destination, exist_ok=True)
            for path in files:
                target = os.path.join(destination, os.path.basename(path))
                if not os.path.exists(target):
                    shutil.copyfile(path, target) if copy else os.symlink(os.path.abspath(path), target)
            placed[destination] = len(files)
            log(f"{destination}: {len(files)} files")
    return placed


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="the folder holding Cityscapes' gtFine/ and leftImg8bit/")
    parser.add_argument("--output", default="datasets/cityscapes", help="where to arrange them")
    parser.add_argument("--copy", action="store_true", help="copy the files instead of linking them")
    args = parser.parse_args(argv)
    arrange(args.root, args.output, args.copy)
    print(f"Ready: python train.py --config_path configs/cityscapes_hd_512p.yaml --train_data_dir {args.output}")


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
