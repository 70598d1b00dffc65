"""Paired image transforms: split A|B, identical jitter on both halves, [-1, 1] CHW conversion."""
import numpy as np
from PIL import Image


def split_pair(image):
    """Split an aligned A|B image (PIL, width 2W) into (left, right) halves of width W."""
    width, height = image.size
    half = width // 2
    return image.crop((0, 0, half, height)), image.crop((half, 0, width, height))


def paired_jitter(image_a, image_b, load_size, crop_size, flip, rng):
    """Training jitter of the paper: bicubic resize to load_size, then the *same* random
    crop_size crop and the same random horizontal flip (probability 0.5 when `flip`) on A and B.

    rng: numpy Generator; the draws are (x offset, y offset, flip) in that order.
    """
    image_a = image_a.resize((load_size, load_size), Image.BICUBIC)
    image_b = image_b.resize((load_size, load_size), Image.BICUBIC)
    x = int(rng.integers(0, load_size - crop_size + 1))
    y = int(rng.integers(0, load_size - crop_size + 1))
    box = (x, y, x + crop_size, y + crop_size)
    image_a, image_b = image_a.crop(box), image_b.crop(box)
    if flip and rng.random() < 0.5:
        image_a = image_a.transpose(Image.FLIP_LEFT_RIGHT)
        image_b = image_b.transpose(Image.FLIP_LEFT_RIGHT)
    return image_a, image_b


def test_resize(image_a, image_b, crop_size):
    """Test-time transform: bicubic resize of both halves to crop_size, no crop, no flip."""
    return (image_a.resize((crop_size, crop_size), Image.BICUBIC),
            image_b.resize((crop_size, crop_size), Image.BICUBIC))


def to_normalized_chw(image):
    """PIL RGB image (H, W) -> float32 array (3, H, W) in [-1, 1]."""
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return np.ascontiguousarray(array.transpose(2, 0, 1))


def to_uint8_hwc(array):
    """Float array (C, H, W) in [-1, 1] -> uint8 (H, W, C) in [0, 255], rounded and clipped."""
    array = np.asarray(array, dtype=np.float32)
    return np.clip(np.rint((array.transpose(1, 2, 0) + 1.0) * 127.5), 0, 255).astype(np.uint8)
