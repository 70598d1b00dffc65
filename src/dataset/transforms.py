"""Paired image transforms: the reference's --preprocess modes applied alike to A and B, split A|B,
[-1, 1] CHW conversion."""
from dataclasses import dataclass

import numpy as np
from PIL import Image

# --preprocess, as the reference (see Preprocess); resize_and_crop is the paper's.
PREPROCESS_MODES = ("resize_and_crop", "crop", "scale_width", "scale_width_and_crop", "none")
# Modes that take a random crop_size x crop_size training crop (the others keep each image's aspect).
CROPPING_MODES = ("resize_and_crop", "crop", "scale_width_and_crop")


def split_pair(image):
    """Split an aligned A|B image (PIL, width 2W) into (left, right) halves of width W."""
    width, height = image.size
    half = width // 2
    return image.crop((0, 0, half, height)), image.crop((half, 0, width, height))


def nearest_multiple(length, multiple):
    """`length` rounded to the nearest multiple of `multiple` (at least one multiple)."""
    return max(multiple, int(round(length / multiple)) * multiple)


@dataclass(frozen=True)
class Preprocess:
    """How a pair's images (A and B of equal size) become the generator's inputs: --preprocess `mode`.

    Training: resize_and_crop resizes to load_size x load_size and takes a random crop_size crop (the
    paper); crop takes the crop at the image's own size; scale_width scales the width to load_size,
    keeping the aspect; scale_width_and_crop then takes the crop; none keeps the image. Sides that are
    not cropped are rounded to `multiple` (the generator's size multiple; the reference rounds to 4,
    which no U-Net accepts). A random horizontal flip (when `flip`) follows, the same on A and B.
    Test time: resize_and_crop resizes to crop_size x crop_size (the paper); the scale_width modes scale
    the width to crop_size; crop and none keep the image; the aspect is kept except in resize_and_crop.
    """
    mode: str = "resize_and_crop"
    load_size: int = 286
    crop_size: int = 256
    multiple: int = 1
    flip: bool = True

    @property
    def crops(self):
        return self.mode in CROPPING_MODES

    def scaled_size(self, width, height):
        """(width, height) of a width x height image after the training resize, before the crop."""
        if self.mode == "resize_and_crop":
            return self.load_size, self.load_size
        if self.mode in ("scale_width", "scale_width_and_crop"):
            scaled = self.load_size * height / width
            return self.load_size, (int(round(scaled)) if self.crops else nearest_multiple(scaled, self.multiple))
        if self.mode == "none":
            return nearest_multiple(width, self.multiple), nearest_multiple(height, self.multiple)
        return width, height

    def train_size(self, width, height):
        """(width, height) of the training input made from a width x height image."""
        return (self.crop_size, self.crop_size) if self.crops else self.scaled_size(width, height)

    def test_size(self, width, height):
        """(width, height) of the test input made from a width x height image."""
        if self.mode == "resize_and_crop":
            return self.crop_size, self.crop_size
        if self.mode in ("scale_width", "scale_width_and_crop"):
            return self.crop_size, nearest_multiple(self.crop_size * height / width, self.multiple)
        return nearest_multiple(width, self.multiple), nearest_multiple(height, self.multiple)

    def crop_problem(self, width, height):
        """Why a width x height image cannot give a training crop (a phrase ending in the fix), or None."""
        if not self.crops:
            return None
        scaled_w, scaled_h = self.scaled_size(width, height)
        if min(scaled_w, scaled_h) >= self.crop_size:
            return None
        if self.mode == "scale_width_and_crop":
            return (f"is {scaled_h} pixels high once --preprocess scale_width_and_crop scales its width to "
                    f"--load_size {self.load_size}, less than --crop_size {self.crop_size}: raise --load_size to "
                    f"{-(-self.crop_size * width // height)} or lower --crop_size")
        return (f"is smaller than --crop_size {self.crop_size}: use --crop_size "
                f"{min(scaled_w, scaled_h) // 32 * 32 or min(scaled_w, scaled_h)} or larger images")

    def train_pair(self, image_a, image_b, rng):
        """Training transform of one pair (PIL images of equal size); rng: numpy Generator, drawn in the
        order x offset, y offset (crop modes), flip."""
        return self._train_images((image_a, image_b), rng)

    def train_image(self, image, rng):
        """The training transform of one picture alone (an unpaired side), drawn from `rng` as train_pair."""
        return self._train_images((image,), rng)[0]

    def _train_images(self, images, rng):
        """The same resize, crop and flip of equal-sized PIL images."""
        size = self.scaled_size(*images[0].size)
        if size != images[0].size:
            images = [image.resize(size, Image.BICUBIC) for image in images]
        if self.crops:
            x = int(rng.integers(0, size[0] - self.crop_size + 1))
            y = int(rng.integers(0, size[1] - self.crop_size + 1))
            box = (x, y, x + self.crop_size, y + self.crop_size)
            images = [image.crop(box) for image in images]
        if self.flip and rng.random() < 0.5:
            images = [image.transpose(Image.FLIP_LEFT_RIGHT) for image in images]
        return tuple(images)

    def test_pair(self, image_a, image_b):
        """Test transform of one pair: resize (bicubic) to test_size, no crop, no flip."""
        return self.test_image(image_a), self.test_image(image_b, self.test_size(*image_a.size))

    def test_image(self, image, size=None):
        """Test transform of one picture: resized (bicubic) to `size`, by default its own test_size."""
        size = size or self.test_size(*image.size)
        return image if size == image.size else image.resize(size, Image.BICUBIC)


def to_normalized_chw(image):
    """PIL image (H, W), RGB or grey ('L') -> float32 array (3 or 1, H, W) in [-1, 1]."""
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    array = array[:, :, None] if array.ndim == 2 else array
    return np.ascontiguousarray(array.transpose(2, 0, 1))


def to_uint8_hwc(array):
    """Float array (C, H, W) in [-1, 1] -> uint8 (H, W, C) in [0, 255], rounded and clipped."""
    array = np.asarray(array, dtype=np.float32)
    return np.clip(np.rint((array.transpose(1, 2, 0) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def size_settings(preprocess_mode):
    """(training, test) names of the settings that must be multiples of the generator's size multiple under
    --preprocess `preprocess_mode`: the crop (crop modes) or the scaled width (scale_width); none rounds
    every side itself. At test time crop_size is the size (resize_and_crop) or width (scale_width*)."""
    test = ("crop_size",) if preprocess_mode in ("resize_and_crop", "scale_width", "scale_width_and_crop") else ()
    train = ("crop_size",) if preprocess_mode in CROPPING_MODES else (
        ("load_size",) if preprocess_mode == "scale_width" else ())
    return train, test
