"""Label-map inputs, as pix2pixHD reads them (--label_nc, --no_instance): a class-ID image (8- or 16-bit PNG, one
ID per pixel) one-hot encoded to label_nc channels, and optionally the instance boundary channel computed from
an instance-ID map (16- or 32-bit PNG, Cityscapes' *_instanceIds.png): 1 where a pixel's instance differs from
a 4-neighbour's. Both maps are resized and cropped with nearest-neighbour only, so IDs are never blended.
"""
import colorsys

import numpy as np
from PIL import Image

from src.dataset.image_io import UnreadableImageError, _open
from src.utils.errors import UserInputError

# Pillow modes that hold one integer per pixel.
ID_MODES = ("L", "P", "I", "I;16", "I;16B", "I;16L", "I;16N")
# Cityscapes' 35 label IDs (cityscapesScripts labels.py, 0 = unlabeled .. 33 = bicycle, 34 = license plate)
# in their official colours.
CITYSCAPES_COLOURS = (
    (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), (111, 74, 0), (81, 0, 81), (128, 64, 128),
    (244, 35, 232), (250, 170, 160), (230, 150, 140), (70, 70, 70), (102, 102, 156), (190, 153, 153),
    (180, 165, 180), (150, 100, 100), (150, 120, 90), (153, 153, 153), (153, 153, 153), (250, 170, 30),
    (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60), (255, 0, 0), (0, 0, 142),
    (0, 0, 70), (0, 60, 100), (0, 0, 90), (0, 0, 110), (0, 80, 100), (0, 0, 230), (119, 11, 32), (0, 0, 142))
CITYSCAPES_NAMES = (
    "unlabeled", "ego vehicle", "rectification border", "out of roi", "static", "dynamic", "ground", "road",
    "sidewalk", "parking", "rail track", "building", "wall", "fence", "guard rail", "bridge", "tunnel", "pole",
    "polegroup", "traffic light", "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car",
    "truck", "bus", "caravan", "trailer", "train", "motorcycle", "bicycle", "license plate")


def read_id_map(path, what="label map"):
    """The IDs of an ID image as a PIL image of mode 'I' (int32); UserInputError for a colour picture or a
    file that is not an image, naming it."""
    try:
        with _open(path) as image:
            if image.mode not in ID_MODES:
                raise UserInputError(f"'{path}' is a {image.mode} picture, not a {what} (one integer ID per pixel, "
                                     "8- or 16-bit grey PNG): give the IDs, not their colours (Cityscapes: "
                                     "*_labelIds.png, *_instanceIds.png)")
            image.load()
            array = np.asarray(image).astype(np.int32)
    except UnreadableImageError as error:
        raise UserInputError(f"'{path}' is not a readable {what}: {error}") from None
    except OSError as error:
        raise UserInputError(f"'{path}' is not a readable {what}: {error}") from None
    return Image.fromarray(array, "I")


class LabelMaps:
    """A label map and its instance map (PIL 'I' images of one size, or instance None), transformed alike by
    transforms.Preprocess as one picture: resizing is always nearest-neighbour."""

    def __init__(self, label, instance=None, name=""):
        self.label, self.instance, self.name = label, instance, name

    @property
    def size(self):
        return self.label.size

    def _each(self, change):
        return LabelMaps(change(self.label), None if self.instance is None else change(self.instance), self.name)

    def resize(self, size, resample=None):
        return self._each(lambda image: image.resize(size, Image.NEAREST))

    def crop(self, box):
        return self._each(lambda image: image.crop(box))

    def transpose(self, method):
        return self._each(lambda image: image.transpose(method))


def one_hot(ids, label_nc, where="the label map"):
    """(label_nc, H, W) float32 one-hot of an (H, W) integer array; UserInputError naming `where` for IDs
    outside 0 .. label_nc - 1."""
    low, high = int(ids.min(initial=0)), int(ids.max(initial=0))
    if low < 0 or high >= label_nc:
        raise UserInputError(f"{where} holds label ID {high if high >= label_nc else low}, outside 0..{label_nc - 1} of "
                         f"--label_nc {label_nc}: raise --label_nc to at least {high + 1} or remap its IDs")
    return (np.arange(label_nc, dtype=np.int32)[:, None, None] == ids[None]).astype(np.float32)


def instance_boundaries(instances):
    """(1, H, W) float32: 1 where a pixel's instance ID differs from its left, right, upper or lower
    neighbour's (pix2pixHD's get_edges)."""
    edges = np.zeros(instances.shape, bool)
    horizontal = instances[:, 1:] != instances[:, :-1]
    vertical = instances[1:, :] != instances[:-1, :]
    edges[:, 1:] |= horizontal
    edges[:, :-1] |= horizontal
    edges[1:, :] |= vertical
    edges[:-1, :] |= vertical
    return edges[None].astype(np.float32)


def encode_label_maps(maps, label_nc, instance_edges):
    """LabelMaps -> the generator's input: float32 (label_nc [+ 1], H, W), one-hot IDs [and boundaries]."""
    channels = [one_hot(np.asarray(maps.label), label_nc, f"label map '{maps.name}'" if maps.name else "the label map")]
    if instance_edges:
        channels.append(instance_boundaries(np.asarray(maps.instance)))
    return np.concatenate(channels)


def label_palette(label_nc):
    """(label_nc, 3) uint8 colours: Cityscapes' for its 35 labels, else evenly spread hues."""
    if label_nc == len(CITYSCAPES_COLOURS):
        return np.array(CITYSCAPES_COLOURS, np.uint8)
    hues = [(index * 0.618034) % 1.0 for index in range(label_nc)]
    return np.array([[round(255 * c) for c in colorsys.hsv_to_rgb(hue, 0.65, 0.95)] for hue in hues], np.uint8)


def label_picture(encoded, label_nc):
    """The generator's input (label_nc [+ 1], H, W) as a uint8 (H, W, 3) picture: each class in its palette
    colour, instance boundaries in white."""
    picture = label_palette(label_nc)[np.argmax(encoded[:label_nc], axis=0)]
    if encoded.shape[0] > label_nc:
        picture[encoded[label_nc] > 0.5] = 255
    return picture
