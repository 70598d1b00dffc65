"""Reading users' image files the way an image viewer shows them.

Every reader in the repo (training and test pairs, predict.py's inputs) goes through `read_rgb`, so
all of them agree on three things Pillow leaves to the caller:
- EXIF orientation (phone photos) is applied, so the picture is upright as viewers show it;
- 16-bit and 32-bit grey images are scaled to 8 bits (Pillow's own RGB conversion clips them:
  any 16-bit value above 255 would become white);
- an image above Pillow's decompression-bomb limit is refused with its size named.
"""
import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# Formats Pillow names but cannot decode by itself: PostScript needs Ghostscript, MPEG is video.
_UNDECODABLE_FORMATS = ("EPS", "MPEG")


def _decodable_extensions():
    """File extensions (lower case, with the dot) of every format Pillow decodes here, without its stub
    formats (BUFR, GRIB, HDF5, WMF: only identified, decoded by handlers the user installs) and
    _UNDECODABLE_FORMATS."""
    Image.init()
    extensions = set()
    for extension, name in Image.registered_extensions().items():
        factory = Image.OPEN.get(name, (None,))[0]
        stub = isinstance(factory, type) and issubclass(factory, ImageFile.StubImageFile)
        if factory is not None and not stub and name not in _UNDECODABLE_FORMATS:
            extensions.add(extension.lower())
    return tuple(sorted(extensions))


# Every image file a folder may hold: jpg, png, webp, tif, bmp, gif (its first frame), and the rest.
IMAGE_EXTENSIONS = _decodable_extensions()
# EXIF orientations 5..8 turn the picture by 90 degrees: width and height swap.
_QUARTER_TURN_ORIENTATIONS = (5, 6, 7, 8)
_EXIF_ORIENTATION_TAG = 0x0112


class UnreadableImageError(Exception):
    """The file cannot be decoded as an image; str() says why, in a few words."""


def _describe(error):
    if isinstance(error, Image.DecompressionBombError):
        return f"too large to decode safely ({error})"
    if isinstance(error, UnidentifiedImageError):
        return "not an image format Pillow can read"
    return f"corrupt or truncated ({error})"


def _open(path):
    try:
        return Image.open(path)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableImageError(_describe(error)) from None


def image_mode(path):
    """Pillow's mode of an image file ('RGB', 'L', 'I;16', ...), from the header only."""
    with _open(path) as image:
        return image.mode


def upright_size(path):
    """(width, height) of the image (a path or a binary file object) as viewers show it (EXIF orientation
    applied), from the header only."""
    with _open(path) as image:
        width, height = image.size
        try:
            orientation = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
        except Exception:  # a damaged EXIF block: Pillow's exif_transpose will ignore it too
            orientation = 1
    return (height, width) if orientation in _QUARTER_TURN_ORIENTATIONS else (width, height)


def _to_8_bit(image):
    """Scale a high-bit-depth grey image ('I;16*', 'I', 'F') to mode 'L'."""
    array = np.asarray(image)
    if image.mode == "F":
        scale = 255.0 if float(np.nanmax(array, initial=0.0)) <= 1.0 else 1.0
    else:
        scale = 1.0 / 257.0 if int(array.max(initial=0)) > 255 else 1.0  # 65535 -> 255
    return Image.fromarray(np.clip(np.rint(array.astype(np.float64) * scale), 0, 255).astype(np.uint8), "L")


def read_rgb(path):
    """Decode `path` (a path or a binary file object) into an upright 8-bit RGB PIL image.

    Raises UnreadableImageError (message: why, without the path) for anything that cannot be decoded.
    """
    with _open(path) as image:
        try:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode in ("I", "F") or image.mode.startswith("I;16"):
                image = _to_8_bit(image)
            return image.convert("RGB")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            raise UnreadableImageError(_describe(error)) from None
