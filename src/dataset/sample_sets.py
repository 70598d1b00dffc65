"""The embedded sample sets a run generates on first use, when its --train_data_dir is theirs and missing:
the paired facades (data/sample_facades/train) and the unpaired daylight/dusk facades (data/sample_unpaired)."""
import os

from src.dataset.sample_data import SAMPLE_TRAIN_DIR, generate_sample_dataset
from src.dataset.unpaired_sample import UNPAIRED_SAMPLE_DIR, generate_unpaired_sample

# {training folder (relative to the working directory, as in the README): (the folder generated, its writer)}
SAMPLE_SETS = {SAMPLE_TRAIN_DIR: (os.path.dirname(SAMPLE_TRAIN_DIR), generate_sample_dataset),
               UNPAIRED_SAMPLE_DIR: (UNPAIRED_SAMPLE_DIR, generate_unpaired_sample)}


def ensure_sample_dataset(train_data_dir, log=print):
    """Generate a sample set when `train_data_dir` is its training folder and missing or empty."""
    for folder, (root, generate) in SAMPLE_SETS.items():
        if os.path.abspath(train_data_dir) != os.path.abspath(folder):
            continue
        if os.path.isdir(train_data_dir) and os.listdir(train_data_dir):
            return
        root = os.path.abspath(root)
        log(f"Sample set not found: generating it in {root} (deterministic, no download) ...")
        count = generate(root)
        log(f"Sample set ready: {count} images in {root}/{{{','.join(sorted(os.listdir(root)))}}}")
