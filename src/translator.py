"""Translate pictures from Python, as predict.py and the demo do: load a trained generator once, then
translate PIL images or uint8 arrays of any size.

    from src.translator import Translator
    translator = Translator.from_checkpoint("outputs/sample_facades/checkpoints/generator_final.ckpt")
    photo = translator.translate(Image.open("labels.png"))       # a PIL image of the same size
    photos = translator.translate_batch([array_1, array_2])      # uint8 arrays (H, W, 3)

The generators need sides divisible by their size multiple (S for unet_S, 4 for resnet_*): each image
is reflect-padded up to the next multiple and the output cropped back, so the result has the input's
size. Images with a side above `tile_size` are translated in overlapping tiles whose overlaps are
blended linearly; tile origins fall on multiples of the size multiple, so away from the blended seams
a tile computes exactly what the whole image would (in eval mode).

Backends: MindSpore (the default; both test-time modes), or ONNX Runtime on the CPU (eval mode only: the
ONNX export of MindSpore cannot hold train-mode batch norm), from an export cached next to the checkpoint
and rebuilt when the checkpoint changes.
"""
import hashlib
import json
import os

import numpy as np
import mindspore as ms
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.models.checkpoint import load_generator, set_test_mode
from src.utils.errors import UserInputError

# Where a translation runs (--backend).
BACKENDS = ("mindspore", "onnxruntime")


def require_backend_mode(backend, test_mode):
    """ONNX Runtime has the eval-mode graph only: MindSpore cannot export train-mode batch norm."""
    if backend == "onnxruntime" and test_mode != "eval":
        raise UserInputError("ONNX Runtime runs the eval-mode graph only (MindSpore cannot export train-mode batch "
                             "norm): use --eval_mode eval, or --backend mindspore")


def pad_to_multiple(image, multiple):
    """Reflect-pad a (C, H, W) array at the bottom and right so H and W are multiples of `multiple`."""
    height, width = image.shape[1:]
    pad_h, pad_w = -height % multiple, -width % multiple
    return np.pad(image, ((0, 0), (0, pad_h), (0, pad_w)), mode="reflect") if pad_h or pad_w else image


def tile_origins(length, tile_size, overlap):
    """Start offsets of tiles of `tile_size` covering `length`, neighbours overlapping by at least `overlap`.

    All offsets are multiples of (tile_size - overlap) except the last, which is length - tile_size;
    with length, tile_size and overlap multiples of the size multiple, every offset is one too.
    """
    if length <= tile_size:
        return [0]
    stride = tile_size - overlap
    origins = list(range(0, length - tile_size, stride))
    return origins + [length - tile_size]


def blend_weights(tile_size, overlap, ramp_start, ramp_end):
    """1-D weights of one tile: rising linearly over `overlap` pixels at a side shared with a previous
    tile (ramp_start), falling over `overlap` at a side shared with a next tile (ramp_end), else 1."""
    positions = np.arange(tile_size, dtype=np.float32) + 0.5
    weights = np.ones(tile_size, np.float32)
    if overlap > 0 and ramp_start:
        weights = np.minimum(weights, positions / overlap)
    if overlap > 0 and ramp_end:
        weights = np.minimum(weights, (tile_size - positions) / overlap)
    return weights


def translate_array(run_generator, image, multiple, tile_size, overlap):
    """Translate a (C, H, W) float array in [-1, 1] of any size; returns (C_out, H, W).

    run_generator maps a (1, C, h, w) float32 array (h, w multiples of `multiple`) to (1, C_out, h, w).
    """
    height, width = image.shape[1:]
    padded = pad_to_multiple(image, multiple)
    full_h, full_w = padded.shape[1:]
    if full_h <= tile_size and full_w <= tile_size:
        return run_generator(padded[None])[0][:, :height, :width]
    rows, columns = tile_origins(full_h, tile_size, overlap), tile_origins(full_w, tile_size, overlap)
    tile_h, tile_w = min(tile_size, full_h), min(tile_size, full_w)
    total, weight_sum = None, np.zeros((full_h, full_w), np.float32)
    for row_index, top in enumerate(rows):
        weight_y = blend_weights(tile_h, overlap, row_index > 0, row_index < len(rows) - 1)
        for column_index, left in enumerate(columns):
            weight_x = blend_weights(tile_w, overlap, column_index > 0, column_index < len(columns) - 1)
            output = run_generator(padded[None, :, top:top + tile_h, left:left + tile_w])[0]
            if total is None:
                total = np.zeros((output.shape[0], full_h, full_w), np.float32)
            weight = weight_y[:, None] * weight_x[None, :]
            total[:, top:top + tile_h, left:left + tile_w] += output * weight
            weight_sum[top:top + tile_h, left:left + tile_w] += weight
    return (total / weight_sum)[:, :height, :width]


def checkpoint_digest(path):
    """sha256 of a checkpoint file, to know whether a cached export still belongs to it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def onnx_runner(generator, spec, checkpoint, log=print):
    """G through ONNX Runtime, from CHECKPOINT_NAME.onnx beside the checkpoint: exported (eval mode, any
    height and width) unless the export there was made from this very checkpoint."""
    from src.deploy.export_model import export_generator
    from src.deploy.runners import onnx_translator
    from src.exporter import export_info_path, write_export_info

    prefix = os.path.splitext(checkpoint)[0]
    digest, info_path = checkpoint_digest(checkpoint), export_info_path(prefix)
    cached = os.path.isfile(prefix + ".onnx") and os.path.isfile(info_path)
    if cached:
        with open(info_path, encoding="utf-8") as handle:
            cached = json.load(handle).get("checkpoint_sha256") == digest
    if not cached:
        multiple = generator.size_multiple
        export_generator(generator, "ONNX", prefix, 1, multiple, multiple)
        write_export_info(prefix, spec, [1, generator.in_channels, multiple, multiple], "eval",
                          checkpoint_sha256=digest)
        log(f"Exported {prefix}.onnx for ONNX Runtime (made again when the checkpoint changes)")
    return onnx_translator(prefix + ".onnx")


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
        if backend not in BACKENDS:
            raise UserInputError(f"--backend must be one of {', '.join(BACKENDS)}; got '{backend}'")
        require_backend_mode(backend, eval_mode)
        generator, spec = load_generator(path, fallback_spec)
        set_test_mode(generator, eval_mode)
        if backend == "onnxruntime":
            run_generator = onnx_runner(generator, spec, path, log)
        else:
            def run_generator(batch):
                return generator(ms.Tensor(np.ascontiguousarray(batch, dtype=np.float32))).asnumpy()
        translator = cls(run_generator, generator.size_multiple, ImageCoding.from_spec(spec), tile_size,
                         tile_overlap, backend, spec)
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
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    array = np.asarray(image) if isinstance(image, np.ndarray) else None
    if array is None or array.dtype != np.uint8 or array.ndim not in (2, 3) or (
            array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise UserInputError(f"translate() takes a PIL image or a uint8 array (H, W) or (H, W, 3 or 4); got "
                             f"{type(image).__name__}" + (f" {array.dtype} {array.shape}" if array is not None else ""))
    return Image.fromarray(array.squeeze(2) if array.ndim == 3 and array.shape[2] == 1 else array).convert("RGB")
