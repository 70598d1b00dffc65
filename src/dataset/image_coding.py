"""How pictures become the networks' arrays and back: RGB or grey (--input_nc / --output_nc 3 or 1), CIE Lab
for colorization (A the L channel, B the ab channels, as the reference's colorization model), or label maps
(--label_nc: A one-hot class IDs [+ instance boundaries], as pix2pixHD; see label_maps).

Every reader and writer of images (training, eval.py, predict.py, the offline flow) takes an ImageCoding
made from the model's settings, so a grey or colorization model is handled the same way everywhere.
"""
from dataclasses import dataclass

import numpy as np
from skimage.color import lab2rgb, rgb2lab

from src.dataset.label_maps import encode_label_maps, label_picture
from src.dataset.transforms import to_normalized_chw, to_uint8_hwc

# The reference's scaling of Lab into [-1, 1]: L in [0, 100] -> L / 50 - 1; a, b in about [-110, 110] -> / 110.
L_SCALE, AB_SCALE = 50.0, 110.0


@dataclass(frozen=True)
class ImageCoding:
    """input_channels, output_channels: of A and B (1 or 3; colorization 1 and 2; label maps label_nc [+ 1]
    and 3); label_nc: A is a label_maps.LabelMaps, one-hot encoded, with instance boundaries when
    instance_edges."""
    input_channels: int = 3
    output_channels: int = 3
    colorization: bool = False
    label_nc: int = 0
    instance_edges: bool = False

    @classmethod
    def from_spec(cls, spec):
        """The coding of a model spec (a ModelSpec: channels, colorization, label maps)."""
        return cls(spec.in_channels, spec.out_channels, bool(spec.colorization), spec.label_nc, spec.instance_edges)

    def encode_input(self, image):
        """An RGB PIL picture -> A, float32 (input_channels, H, W) in [-1, 1]; label maps (a LabelMaps) ->
        one-hot (label_nc [+ 1], H, W)."""
        if self.label_nc:
            return encode_label_maps(image, self.label_nc, self.instance_edges)
        if self.colorization:
            return (_lab(image)[:1] / L_SCALE - 1.0).astype(np.float32)
        return _encode(image, self.input_channels)

    def encode_pair(self, image_a, image_b):
        """RGB PIL pictures (A, B) of one pair -> float32 arrays (C, H, W) in [-1, 1]. For colorization
        A and B are the same photo: its L channel and its ab channels."""
        if self.colorization:
            lab = _lab(image_a)
            return (lab[:1] / L_SCALE - 1.0).astype(np.float32), (lab[1:] / AB_SCALE).astype(np.float32)
        return self.encode_input(image_a), _encode(image_b, self.output_channels)

    def input_picture(self, real_a):
        """A as a uint8 (H, W, 3) RGB picture (grey replicated; label maps in their palette)."""
        if self.label_nc:
            return label_picture(np.asarray(real_a), self.label_nc)
        return _rgb(to_uint8_hwc(real_a))

    def output_picture(self, real_a, output):
        """G(A) or B, float (output_channels, H, W), as a uint8 (H, W, 3) RGB picture; for colorization the
        L channel of `real_a` with the ab channels of `output`."""
        if not self.colorization:
            return _rgb(to_uint8_hwc(output))
        lab = np.concatenate([(np.asarray(real_a[:1]) + 1.0) * L_SCALE, np.asarray(output) * AB_SCALE]).transpose(1, 2, 0)
        return np.clip(np.rint(lab2rgb(lab.astype(np.float64)) * 255.0), 0, 255).astype(np.uint8)

    def pictures(self, real_a, fake_b, real_b):
        """(input, output, target) uint8 RGB pictures of one pair, as reports and grids show them."""
        return self.input_picture(real_a), self.output_picture(real_a, fake_b), self.output_picture(real_a, real_b)


def _encode(image, channels):
    return to_normalized_chw(image.convert("L" if channels == 1 else "RGB"))


def _lab(image):
    """(3, H, W) float64 CIE Lab of an RGB PIL picture (skimage's rgb2lab, D65)."""
    return rgb2lab(np.asarray(image.convert("RGB"))).transpose(2, 0, 1)


def _rgb(picture):
    return np.repeat(picture, 3, axis=2) if picture.shape[2] == 1 else picture
