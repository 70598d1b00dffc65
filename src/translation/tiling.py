"""Translating arrays of any size with a generator that needs sides divisible by its size multiple (S for
unet_S, 4 for resnet_*): each image is reflect-padded up to the next multiple and the output cropped back,
so the result has the input's size. Images with a side above `tile_size` are translated in overlapping
tiles whose overlaps are blended linearly; tile origins fall on multiples of the size multiple, so away
from the blended seams a tile computes exactly what the whole image would (in eval mode).
"""
import numpy as np


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
