"""Draw what each --preprocess mode feeds the networks, from a pair of the embedded sample set:
python docs/make_preprocess_pictures.py  ->  imgs/preprocess_<mode>.png

The sample pair is cut to 256 x 176 (A and B alike) so that the modes that keep the aspect show it. Each
picture: the pair as stored (A above B), then three training draws (epochs 0, 1, 2: crops and flips land
alike on A and B), then the test-time input. Settings: load_size 286, crop_size 128, unet_32 (sides in
multiples of 32), as in the README's data section.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from src.dataset.folder_sources import AlignedFolder  # noqa: E402
from src.dataset.sample_data import SAMPLE_TRAIN_DIR
from src.dataset.sample_sets import ensure_sample_dataset  # noqa: E402
from src.dataset.transforms import PREPROCESS_MODES, Preprocess  # noqa: E402
from src.utils.tools import image_grid, save_image_atomic  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOAD_SIZE, CROP_SIZE, MULTIPLE, HEIGHT = 286, 128, 32, 176


def sample_pair():
    """(A, B) of the first sample pair, cut to 256 x HEIGHT."""
    ensure_sample_dataset(os.path.join(REPO_ROOT, SAMPLE_TRAIN_DIR), log=lambda line: None)
    image_a, image_b = AlignedFolder(os.path.join(REPO_ROOT, SAMPLE_TRAIN_DIR), "train_data_dir", "BtoA").load(0)
    box = (0, 40, 256, 40 + HEIGHT)
    return image_a.crop(box), image_b.crop(box)


def mode_picture(mode, image_a, image_b):
    """Columns: stored pair, three training draws, test input; rows: A, B."""
    preprocess = Preprocess(mode, LOAD_SIZE, CROP_SIZE, MULTIPLE, flip=True)
    columns = [(image_a, image_b)]
    columns += [preprocess.train_pair(image_a, image_b, np.random.default_rng([0, epoch, 0])) for epoch in range(3)]
    columns.append(preprocess.test_pair(image_a, image_b))
    return image_grid([[np.asarray(column[row]) for column in columns] for row in (0, 1)], gap=8)


def main():
    image_a, image_b = sample_pair()
    for mode in PREPROCESS_MODES:
        path = os.path.join(REPO_ROOT, "imgs", f"preprocess_{mode}.png")
        save_image_atomic(mode_picture(mode, image_a, image_b), path)
        print(f"wrote {os.path.relpath(path, REPO_ROOT)}")


if __name__ == "__main__":
    main()
