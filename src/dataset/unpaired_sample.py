"""Embedded unpaired sample set (CycleGAN's layout), made without download: domain A is the sample facades'
photos in daylight, domain B other facades of the same generator at dusk (cooler, darker, lit windows
warmer: a colour mapping a small CPU run learns apart in minutes). The two sides never show the same
building: B's pictures are drawn from the sample set's seed 1, A's from seed 0.

    python -m src.dataset.unpaired_sample --output data/sample_unpaired
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

from src.dataset.sample_data import MIN_SIZE, make_photo, write_split

# Where --model cycle_gan trains by default (generated there on first use).
UNPAIRED_SAMPLE_DIR = os.path.join("data", "sample_unpaired")
DEFAULT_COUNTS = {"trainA": 40, "trainB": 40, "testA": 12, "testB": 12}
DEFAULT_SIZE = 128
# The seed each domain's buildings come from (the same seed would give the same buildings).
DOMAIN_SEEDS = {"A": 0, "B": 1}


def dusk(photo):
    """The dusk style of domain B: a darker, blue-shifted picture whose brightest parts turn amber."""
    array = np.asarray(photo, np.float32) / 255.0
    luminance = array.mean(axis=2, keepdims=True)
    cool = np.concatenate([array[..., :1] * 0.55, array[..., 1:2] * 0.7, array[..., 2:] * 0.95 + 0.1], axis=2)
    lit = np.clip((luminance - 0.55) * 3.0, 0.0, 1.0) * np.array([1.0, 0.75, 0.35], np.float32)
    styled = np.clip(cool * 0.6 + lit * 0.6, 0.0, 1.0)
    return Image.fromarray((styled * 255.0 + 0.5).astype(np.uint8))


def make_domain_picture(domain, split, index, size=DEFAULT_SIZE):
    """Picture `index` of domain A or B in split train or test: a size x size RGB image."""
    photo = make_photo(index, split, size, DOMAIN_SEEDS[domain])
    return photo if domain == "A" else dusk(photo)


def generate_unpaired_sample(output, counts=None, size=DEFAULT_SIZE):
    """Write trainA/, trainB/, testA/ and testB/ under `output`; returns the number of images written
    (existing folders are left as they are)."""
    counts = dict(DEFAULT_COUNTS, **(counts or {}))
    return sum(write_split(output, folder, count,
                           lambda index, folder=folder: make_domain_picture(folder[-1], folder[:-1], index, size))
               for folder, count in counts.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate the embedded unpaired sample set (two domains).")
    parser.add_argument("--output", default=UNPAIRED_SAMPLE_DIR, help="folder to create trainA/ ... testB/ in")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="side of each picture in pixels")
    args = parser.parse_args(argv)
    if args.size < MIN_SIZE:
        parser.error(f"--size must be >= {MIN_SIZE}")
    print(f"wrote {generate_unpaired_sample(args.output, size=args.size)} images under {args.output} "
          "(folders that already existed were kept)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
