"""Pictures of any size: padded to the size multiple, and big ones through seam-blended tiles."""
import numpy as np
import mindspore as ms
import pytest

from src.translation.tiling import blend_weights, pad_to_multiple, tile_origins, translate_array
from tests.conftest import structured_generator


@pytest.fixture(scope="module")
def generator():
    return structured_generator()


def runner(network):
    return lambda batch: network(ms.Tensor(np.ascontiguousarray(batch, dtype=np.float32))).asnumpy()


def test_padding_and_tile_geometry():
    assert pad_to_multiple(np.zeros((3, 173, 300), np.float32), 32).shape == (3, 192, 320)
    assert pad_to_multiple(np.zeros((3, 10, 7), np.float32), 32).shape == (3, 32, 32)  # reflects beyond its size
    assert tile_origins(768, 512, 256) == [0, 256]
    assert tile_origins(256, 512, 64) == [0]
    origins = tile_origins(1024, 256, 64)
    assert origins[0] == 0 and origins[-1] == 1024 - 256 and all(o % 32 == 0 for o in origins)
    assert all(b - a <= 256 - 64 for a, b in zip(origins, origins[1:]))  # neighbours overlap by >= 64
    weights = blend_weights(256, 64, True, True)
    assert weights[0] < 0.01 and weights[128] == 1.0 and weights[-1] < 0.01
    assert np.allclose(blend_weights(256, 64, True, False)[192:], 1.0)


@pytest.mark.parametrize("width, height, tile_size", [(300, 173, 1024), (1000, 600, 256)])
def test_translation_returns_the_input_size(generator, width, height, tile_size):
    image = np.random.default_rng(1).uniform(-1, 1, (3, height, width)).astype(np.float32)
    output = translate_array(runner(generator), image, 32, tile_size, 64)
    assert output.shape == (3, height, width)
    assert np.isfinite(output).all() and np.abs(output).max() <= 1.0


def test_tiled_and_untiled_translation_agree_away_from_seams(generator):
    image = np.random.default_rng(2).uniform(-1, 1, (3, 768, 768)).astype(np.float32)
    whole = translate_array(runner(generator), image, 32, 1024, 0)
    tiled = translate_array(runner(generator), image, 32, 512, 256)  # tiles at 0 and 256 on each axis
    assert whole.std() > 0.1  # the comparison means something
    difference = np.abs(whole - tiled).max(axis=0)
    # Within 64 px inside a tile's inner edge (at 256 and 512) the tile sees less context than the whole
    # image; everywhere else both compute the same thing.
    away = np.ones(768, bool)
    away[256:320] = away[448:512] = False
    assert difference[np.ix_(away, away)].max() < 1e-3
    assert difference.mean() < 0.01  # and the blended seams stay close
