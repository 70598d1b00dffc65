"""Users' files come as phone photos, 16-bit scans, huge aerial pictures: each reads as a viewer shows it."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from src.dataset.folder_sources import AlignedFolder
from src.dataset.image_io import UnreadableImageError, read_rgb, upright_size
from src.dataset.pair_sources import header_size
from src.utils.errors import UserInputError


def write_png_16_bit_rgb(path, array):
    """A 48-bit RGB PNG (Pillow cannot write one): IHDR bit depth 16, colour type 2."""
    height, width, _ = array.shape
    rows = b"".join(b"\x00" + array[y].astype(">u2").tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    with open(path, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
                     + chunk(b"IEND", b""))


def test_16_bit_grey_png_is_scaled_not_clipped(tmp_path):
    ramp = np.linspace(0, 65535, 64 * 128).reshape(64, 128).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "scan.png")
    assert Image.open(tmp_path / "scan.png").mode.startswith("I;16")
    image = np.asarray(read_rgb(str(tmp_path / "scan.png"))).astype(int)
    expected = np.rint(ramp / 257.0).astype(int)
    assert image.shape == (64, 128, 3)
    assert np.abs(image[..., 0] - expected).max() <= 1
    assert image.mean() == pytest.approx(127.5, abs=1)  # clipping would make almost everything 255


def test_16_bit_rgb_png_keeps_its_colours(tmp_path):
    colours = np.zeros((32, 64, 3), np.uint16)
    colours[:, :32] = (65535, 32896, 0)  # orange on the left (A), dark blue on the right (B)
    colours[:, 32:] = (0, 0, 25700)
    write_png_16_bit_rgb(tmp_path / "pair.png", colours)
    left, right = AlignedFolder(str(tmp_path), "train_data_dir", "AtoB").load(0)
    assert np.asarray(left)[5, 5].tolist() == [255, 128, 0]
    assert np.asarray(right)[5, 5].tolist() == [0, 0, 100]


def test_exif_rotated_photo_is_read_upright(tmp_path):
    """A phone stores a landscape A|B pair as a portrait raster plus EXIF orientation 6 (turn 90 degrees
    clockwise to view): the pair must be checked and split as the viewer shows it."""
    upright = np.zeros((64, 128, 3), np.uint8)
    upright[:, :64] = (200, 30, 30)  # A: red
    upright[:, 64:] = (30, 30, 200)  # B: blue
    stored = np.rot90(upright, k=1)  # what the sensor wrote: 128 high, 64 wide
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.ascontiguousarray(stored)).save(tmp_path / "phone.jpg", quality=95, exif=exif.tobytes())
    assert Image.open(tmp_path / "phone.jpg").size == (64, 128)
    assert upright_size(str(tmp_path / "phone.jpg")) == (128, 64)
    source = AlignedFolder(str(tmp_path), "train_data_dir", "AtoB")
    assert source.sizes == [(64, 64)]  # a pair of squares once upright
    image_a, image_b = source.load(0)
    assert image_a.size == image_b.size == (64, 64)
    assert np.asarray(image_a).mean(axis=(0, 1))[0] > 150 and np.asarray(image_b).mean(axis=(0, 1))[2] > 150


def test_image_above_the_decompression_limit_is_named_not_decoded(tmp_path):
    huge = tmp_path / "aerial.png"
    Image.new("L", (20000, 10000)).save(huge, optimize=False)  # 200 Mpixels, a few hundred kB on disk
    with pytest.raises(UnreadableImageError, match="too large"):
        read_rgb(str(huge))
    with pytest.raises(UserInputError, match="aerial.png' is not a readable image: too large"):
        header_size(str(huge))


def test_large_pairs_are_read_and_split(tmp_path):
    wide = np.zeros((2048, 4096, 3), np.uint8)
    wide[:, 2048:] = 255
    Image.fromarray(wide).save(tmp_path / "large.jpg", quality=90)
    image_a, image_b = AlignedFolder(str(tmp_path), "train_data_dir", "AtoB").load(0)
    assert image_a.size == (2048, 2048) and np.asarray(image_b).min() > 240


def truncated_jpeg():
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((64, 128, 3), np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()[:len(buffer.getvalue()) // 2]


@pytest.mark.parametrize("content, reason", [(b"", "not an image format"), (b"a text file", "not an image format"),
                                             (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image format"),
                                             (truncated_jpeg(), "corrupt or truncated")])
def test_unreadable_bytes_give_a_reason(tmp_path, content, reason):
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    with pytest.raises(UnreadableImageError, match=reason):
        read_rgb(str(path))
