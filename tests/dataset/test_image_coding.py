"""Grey models see one-channel arrays; colorization learns ab from L and shows RGB."""
import numpy as np
from PIL import Image

from src.dataset.image_coding import ImageCoding
from tests.conftest import ramp


# mode -> (Preprocess, the (height, width) of the training input from 80x48 halves).


def test_grey_channels_are_one_channel_arrays():
    coding = ImageCoding(input_channels=1, output_channels=1)
    image = Image.fromarray(ramp(32, 16))
    real_a, real_b = coding.encode_pair(image, image)
    assert real_a.shape == real_b.shape == (1, 16, 32)
    picture = coding.output_picture(real_a, real_b)
    assert picture.shape == (16, 32, 3) and (picture[..., 0] == picture[..., 2]).all()


def test_colorization_learns_ab_from_l_and_shows_rgb(tmp_path):
    photo = Image.fromarray(ramp(48, 32))
    coding = ImageCoding(1, 2, colorization=True)
    lightness, colour = coding.encode_pair(photo, photo)
    assert lightness.shape == (1, 32, 48) and colour.shape == (2, 32, 48)
    assert -1 <= lightness.min() and lightness.max() <= 1 and np.abs(colour).max() <= 1
    shown = coding.output_picture(lightness, colour)  # L with the true ab: the photo again
    assert np.abs(shown.astype(int) - np.asarray(photo).astype(int)).max() <= 1
    grey = coding.input_picture(lightness)
    assert (grey[..., 0] == grey[..., 1]).all()
