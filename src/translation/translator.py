"""Translate pictures from Python, as predict.py and the demo do: load a trained generator once, then
translate PIL images or uint8 arrays of any size.

    from src.translation.translator import Translator
    translator = Translator.from_checkpoint("outputs/sample_facades/checkpoints/generator_final.ckpt")
    photo = translator.translate(Image.open("labels.png"))       # a PIL image of the same size
    photos = translator.translate_batch([array_1, array_2])      # uint8 arrays (H, W, 3)

Any size is translated: padded to the generator's size multiple and, above `tile_size`, in blended
tiles (translation.tiling).

Backends (translation.backends): MindSpore (the default; both test-time modes), or ONNX Runtime on the CPU
(eval mode only: the ONNX export of MindSpore cannot hold train-mode batch norm), from an export cached next
to the checkpoint and rebuilt when the checkpoint changes.
"""
import numpy as np
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.models.checkpoint import load_generator, set_test_mode
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

    @classmethod
    def from_checkpoint(cls, path, eval_mode="train", backend="mindspore", tile_size=1024, tile_overlap=256,
                        fallback_spec=None, log=print):
        """The generator of checkpoint `path` (ours, or converted with convert_weights.py; `fallback_spec`
        rebuilds one that carries no settings) in test mode `eval_mode` ("train": the paper's, "eval"),
        run by `backend`. The device is the one selected (utils.device.setup_device; CPU by default)."""
        runner = BACKENDS.get(backend).build
        require_backend_mode(backend, eval_mode)
        generator, spec = load_generator(path, fallback_spec)
        set_test_mode(generator, eval_mode)
        translator = cls(runner(generator, spec, path, log), generator.size_multiple, ImageCoding.from_spec(spec),
                         tile_size, tile_overlap, backend, spec)
        translator.generator = generator if backend == "mindspore" else None
        return translator

    def set_test_mode(self, test_mode):
        """Switch a MindSpore translator between the test modes ("train", "eval"); ONNX Runtime has eval only."""
        require_backend_mode(self.backend, test_mode)
        if self.generator is not None:
            set_test_mode(self.generator, test_mode)

    def translate(self, image):
        """G(image) for a PIL image (any mode) or a uint8 array (H, W) or (H, W, 3 or 4), of any size: the same
        type back (an array (H, W, 3)), of the same size."""
        picture = _as_picture(image)
        real_a = self.coding.encode_input(picture)
        output = translate_array(self.run_generator, real_a, self.multiple, self.tile_size, self.tile_overlap)
        result = self.coding.output_picture(real_a, output)
        return Image.fromarray(result) if isinstance(image, Image.Image) else result

    def translate_batch(self, images):
        """translate() of each image, in order (one at a time: in the paper's test mode batch norm uses each
        image's own statistics)."""
        return [self.translate(image) for image in images]


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
