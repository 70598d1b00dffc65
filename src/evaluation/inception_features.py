"""FID Inception features of pictures, prepared as pytorch-fid prepares them: RGB in [0, 1], resized to
299 x 299 bilinearly (torch's F.interpolate, align_corners=False, no antialiasing), scaled to [-1, 1]."""
import os

import numpy as np
import mindspore as ms
from PIL import Image

from src.models.fid_inception import INPUT_SIZE
from src.utils.errors import UserInputError
from src.weights.fid_weights import load_fid_inception

# pytorch-fid's IMAGE_EXTENSIONS (it globs *.ext in a folder, sorted by path).
IMAGE_EXTENSIONS = ("bmp", "jpg", "jpeg", "pgm", "png", "ppm", "tif", "tiff", "webp")
# Pictures per Inception call (pytorch-fid's --batch-size does not change its features either).
FEATURE_BATCH = 10


def bilinear_matrix(size_in, size_out=INPUT_SIZE):
    """(size_out, size_in) float32 weights of torch's bilinear resize along one axis (align_corners=False):
    source = (target + 0.5) * size_in / size_out - 0.5, clamped at 0, between its two neighbours."""
    source = np.maximum((np.arange(size_out) + 0.5) * (size_in / size_out) - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), size_in - 1)
    high = np.minimum(low + 1, size_in - 1)
    weight_high = source - low
    matrix = np.zeros((size_out, size_in), np.float64)
    np.add.at(matrix, (np.arange(size_out), low), 1.0 - weight_high)
    np.add.at(matrix, (np.arange(size_out), high), weight_high)
    return matrix.astype(np.float32)


def inception_input(picture):
    """A uint8 picture (H, W) or (H, W, 1 or 3) -> float32 (3, 299, 299) in [-1, 1]."""
    picture = np.asarray(picture)
    picture = picture.reshape(picture.shape[0], picture.shape[1], -1)
    if picture.shape[2] == 1:
        picture = np.repeat(picture, 3, axis=2)  # as PIL's convert("RGB")
    rgb = picture.astype(np.float32).transpose(2, 0, 1) / 255.0
    resized = bilinear_matrix(rgb.shape[1]) @ rgb @ bilinear_matrix(rgb.shape[2]).T
    return 2 * resized - 1


class InceptionFeatures:
    """pytorch-fid's features of `dims` (64, 192, 768 or 2048) from the FID Inception weights at `path`."""

    def __init__(self, path, dims=2048):
        self.network = load_fid_inception(path, dims)
        self.dims = dims

    def of_pictures(self, pictures):
        """(N, dims) float64 features of N uint8 pictures (H, W, C), of any sizes."""
        features = [np.zeros((0, self.dims))]
        for start in range(0, len(pictures), FEATURE_BATCH):
            batch = np.stack([inception_input(picture) for picture in pictures[start:start + FEATURE_BATCH]])
            features.append(self.network(ms.Tensor(batch)).asnumpy().astype(np.float64))
        return np.concatenate(features)

    def of_folder(self, folder, flag):
        """Features of the pictures in `folder` (pytorch-fid's extensions, any case, sorted by path); the
        folder comes from --`flag`."""
        return self.of_pictures([read_picture(path) for path in picture_files(folder, flag)])


def picture_files(folder, flag):
    """The picture files directly in `folder`, sorted; UserInputError for a missing or empty folder."""
    if not os.path.isdir(folder):
        raise UserInputError(f"--{flag} '{folder}' is not a folder (nor a pytorch-fid .npz of mu and sigma)")
    files = sorted(os.path.join(folder, name) for name in os.listdir(folder)
                   if name.rsplit(".", 1)[-1].lower() in IMAGE_EXTENSIONS and "." in name)
    if not files:
        raise UserInputError(f"--{flag} '{folder}' holds no pictures ({', '.join(IMAGE_EXTENSIONS)})")
    return files


def read_picture(path):
    """The picture at `path` as uint8 RGB (H, W, 3), as pytorch-fid reads it (PIL's convert("RGB"), no EXIF
    rotation); UserInputError naming a file that is not one."""
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise UserInputError(f"'{path}' is not a readable picture ({type(error).__name__})") from None
