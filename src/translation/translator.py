"""Translate pictures from Python, as predict.py and the demo do: load a trained generator once, then
translate PIL images or uint8 arrays of any size.

    from src.translation.translator import Translator
    translator = Translator.from_checkpoint("outputs/sample_facades/checkpoints/generator_final.ckpt")
    photo = translator.translate(Image.open("labels.png"))       # a PIL image of the same size
    photos = translator.translate_batch([array_1, array_2])      # uint8 arrays (H, W, 3)
    # A label-map model (--label_nc) takes class-ID maps (PIL or integer arrays), and their instance maps:
    street = translator.translate(Image.open("x_gtFine_labelIds.png"), instance=Image.open("x_gtFine_instanceIds.png"))

Any size is translated: padded to the generator's size multiple and, above `tile_size`, in blended
tiles (translation.tiling).

Backends (translation.backends): MindSpore (the default; both test-time modes), or ONNX Runtime on the CPU
(eval mode only: the ONNX export of MindSpore cannot hold train-mode batch norm), from an export cached next
to the checkpoint and rebuilt when the checkpoint changes.
"""
import numpy as np
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.dataset.label_maps import LabelMaps
from src.models.checkpoint import load_translator_generator, set_test_mode
from src.translation.backends import BACKENDS, require_backend_mode
from src.translation.tiling import translate_array
from src.utils.errors import UserInputError, UserTypeError


class Translator:
    """Translates pictures with one generator. run_generator maps float32 (1, C, h, w) in [-1, 1] (h, w
    multiples of `multiple`) to (1, C_out, h, w); `coding` turns pictures into arrays and back; `spec`: the
    generator's model settings."""

    def __init__(self, run_generator, multiple, coding=ImageCoding(), tile_size=1024, tile_overlap=256,
                 backend="mindspore", spec=None):
        self.run_generator, self.multiple, self.coding = run_generator, multiple, coding
        self.tile_size, self.tile_overlap, self.backend, self.spec = tile_size, tile_overlap, backend, spec
        self.generator = None  # the MindSpore generator, whose test mode set_test_mode switches
        self.title = "pix2pix"  # which model's generator this is (CycleGAN's: G_A or G_B, and its way)

    @classmethod
    def from_checkpoint(cls, path, eval_mode="train", backend="mindspore", tile_size=1024, tile_overlap=256,
                        fallback_spec=None, log=print, direction=None):
        """The generator of checkpoint `path` (ours, or converted with convert_weights.py; `fallback_spec`
        rebuilds one that carries no settings) in test mode `eval_mode` ("train": the paper's, "eval"),
        run by `backend`; `direction`: of a cycle_gan checkpoint, G_A's (None, its trained one) or G_B's. The
        device is the one selected (utils.device.setup_device; CPU by default)."""
        runner = BACKENDS.get(backend).build
        require_backend_mode(backend, eval_mode)
        loaded = load_translator_generator(path, fallback_spec, direction)
        generator, spec = loaded.generator, loaded.spec
        set_test_mode(generator, eval_mode)
        suffix = "" if loaded.prefix == "generator" else "_" + loaded.prefix
        translator = cls(runner(generator, spec, path, log, suffix), generator.size_multiple, ImageCoding.from_spec(spec),
                         tile_size, tile_overlap, backend, spec)
        translator.generator = generator if backend == "mindspore" else None
        translator.title = loaded.title()
        return translator

    def set_test_mode(self, test_mode):
        """Switch a MindSpore translator between the test modes ("train", "eval"); ONNX Runtime has eval only."""
        require_backend_mode(self.backend, test_mode)
        if self.generator is not None:
            set_test_mode(self.generator, test_mode)

    def translate(self, image, instance=None):
        """G(image) for a PIL image (any mode) or a uint8 array (H, W) or (H, W, 3 or 4), of any size: the same
        type back (an array (H, W, 3)), of the same size. A label-map model takes a class-ID map (a PIL image
        of one integer channel, an integer array (H, W) or a LabelMaps) and, when it reads instance
        boundaries, the instance-ID map of the same size as `instance`."""
        picture = self._label_maps(image, instance) if self.coding.label_nc else _as_picture(image)
        real_a = self.coding.encode_input(picture)
        output = translate_array(self.run_generator, real_a, self.multiple, self.tile_size, self.tile_overlap)
        result = self.coding.output_picture(real_a, output)
        return Image.fromarray(result) if isinstance(image, (Image.Image, LabelMaps)) else result

    def _label_maps(self, image, instance):
        maps = image if isinstance(image, LabelMaps) else LabelMaps(_as_id_map(image, "label map"),
                                                                    None if instance is None else
                                                                    _as_id_map(instance, "instance map"))
        if self.coding.instance_edges and maps.instance is None:
            raise UserInputError("this model reads instance boundaries too: pass the instance-ID map of each label "
                                 "map (instance=..., or an inst/ folder beside label/ for predict.py)")
        if maps.instance is not None and maps.instance.size != maps.size:
            raise UserInputError(f"the instance map is {maps.instance.size[0]}x{maps.instance.size[1]} but the label "
                                 f"map {maps.size[0]}x{maps.size[1]}: they must match pixel for pixel")
        return maps

    def translate_batch(self, images):
        """translate() of each image, in order (one at a time: in the paper's test mode batch norm uses each
        image's own statistics)."""
        return [self.translate(image) for image in images]


def _as_id_map(image, what):
    """A PIL 'I' image of the IDs in `image` (a PIL image of one integer channel, or an integer array (H, W))."""
    if isinstance(image, Image.Image):
        if image.mode not in ("L", "P", "I") and not image.mode.startswith("I;16"):
            raise UserInputError(f"the {what} is a {image.mode} picture: give one integer ID per pixel (a grey PNG "
                                 "of IDs), not their colours")
        image = np.asarray(image)
    array = np.asarray(image)
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer) or 0 in array.shape:
        raise UserTypeError(f"the {what} must be a PIL image or an integer array (H, W); got "
                            f"{type(image).__name__} {getattr(array, 'dtype', '')} {getattr(array, 'shape', '')}")
    return Image.fromarray(array.astype(np.int32), "I")


def _as_picture(image):
    """An RGB PIL picture of `image`; UserTypeError for another type, UserInputError for an empty image."""
    if isinstance(image, Image.Image):
        picture = image.convert("RGB")
    else:
        array = np.asarray(image) if isinstance(image, np.ndarray) else None
        if array is None or array.dtype != np.uint8 or array.ndim not in (2, 3) or (
                array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
            raise UserTypeError(f"translate() takes a PIL image or a uint8 array (H, W) or (H, W, 3 or 4); got "
                                f"{type(image).__name__}" + (f" {array.dtype} {array.shape}" if array is not None else ""))
        picture = Image.fromarray(array.squeeze(2) if array.ndim == 3 and array.shape[2] == 1 else array).convert("RGB")
    if 0 in picture.size:
        raise UserInputError(f"translate() was given an empty image ({picture.width}x{picture.height} pixels): "
                             "pass an image with at least one pixel")
    return picture
