"""Translate users' own images (single images, not A|B pairs) of any size with a trained generator.

The generators need sides divisible by their size multiple (S for unet_S, 4 for resnet_*): each image
is reflect-padded up to the next multiple and the output cropped back, so the result has the input's
size. Images with a side above `tile_size` are translated in overlapping tiles whose overlaps are
blended linearly; tile origins fall on multiples of the size multiple, so away from the blended seams
a tile computes exactly what the whole image would (in eval_mode eval).
"""
import os
import time

import numpy as np
import mindspore as ms
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.dataset.image_io import UnreadableImageError, read_rgb
from src.dataset.pair_sources import list_image_files
from src.models.checkpoint import load_generator, set_test_mode
from src.run_folder import make_output_folder, results_folder
from src.settings import generator_spec_from_config, require_size_multiples
from src.utils.device import seed_everything, setup_device
from src.utils.errors import UserInputError
from src.utils.tools import format_duration, save_image_atomic, write_json_atomic


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


def _input_files(input_path, log):
    if not input_path:
        raise UserInputError("--input_path is not set: pass an image file or a folder of images to translate")
    if os.path.isfile(input_path):
        return [input_path]
    return list_image_files(input_path, "input_path", log)


def load_test_generator(config):
    """The checkpoint's generator in the test mode config.eval_mode, the tile sizes checked against it;
    returns run_generator: a (1, C, h, w) float32 array -> (1, C_out, h, w), the size multiple and the
    model's ImageCoding (grey, RGB or colorization, as it was trained)."""
    setup_device(config.device_target, config.device_id, config.mode)
    seed_everything(config.seed, deterministic=True)
    generator, spec = load_generator(config.ckpt, generator_spec_from_config(config))
    require_size_multiples(config, spec["netG"], ("tile_size", "tile_overlap"))
    set_test_mode(generator, config.eval_mode)

    def run_generator(batch):
        return generator(ms.Tensor(np.ascontiguousarray(batch, dtype=np.float32))).asnumpy()

    return run_generator, generator.size_multiple, ImageCoding.from_spec(spec)


def predict(config, log=print):
    """predict.py: translate config.input_path with config.ckpt; returns the summary dict.

    Unreadable files among good ones are skipped with a warning and counted; the run fails only when
    nothing could be translated.
    """
    files = _input_files(config.input_path, log)
    run_generator, multiple, coding = load_test_generator(config)
    output_dir = results_folder(config.output_path, "predict", config.ckpt)
    make_output_folder(output_dir)
    translated, skipped, started = [], [], time.perf_counter()
    for number, path in enumerate(files, 1):
        try:
            image = read_rgb(path)
        except UnreadableImageError as error:
            skipped.append(path)
            log(f"warning: skipping '{path}': {error}")
            continue
        begun = time.perf_counter()
        real_a = coding.encode_input(image)
        output = translate_array(run_generator, real_a, multiple, config.tile_size, config.tile_overlap)
        destination = os.path.join(output_dir, os.path.splitext(os.path.basename(path))[0] + ".png")
        save_image_atomic(Image.fromarray(coding.output_picture(real_a, output)), destination)
        translated.append(destination)
        remaining = (time.perf_counter() - started) / number * (len(files) - number)
        log(f"[{number}/{len(files)}] {os.path.basename(path)} ({image.width}x{image.height}) -> {destination} "
            f"in {time.perf_counter() - begun:.2f} s, ETA {format_duration(remaining)}")
    if not translated:
        raise UserInputError(f"none of the {len(files)} file(s) in '{config.input_path}' could be read as an image")
    summary = {"translated": len(translated), "skipped": len(skipped), "skipped_files": skipped,
               "eval_mode": config.eval_mode, "output_dir": output_dir, "checkpoint": config.ckpt}
    write_json_atomic(summary, os.path.join(output_dir, "summary.json"))
    config.save(os.path.join(output_dir, "config.yaml"))
    log(f"Translated {len(translated)} image(s) into {output_dir}" +
        (f"; skipped {len(skipped)} unreadable file(s)" if skipped else ""))
    return summary
