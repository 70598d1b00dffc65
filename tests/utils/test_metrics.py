"""Metrics behave as a user expects on known images."""
import numpy as np
import pytest

from src.utils.metrics import mean_absolute_error, psnr, ssim


def test_identical_images_are_perfect():
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    assert mean_absolute_error(image, image) == 0.0
    assert psnr(image, image) == float("inf")
    assert ssim(image, image) == pytest.approx(1.0)


def test_known_error_gives_known_figures():
    target = np.full((32, 32, 3), 100, np.uint8)
    image = np.full((32, 32, 3), 110, np.uint8)
    assert mean_absolute_error(image, target) == 10.0
    assert psnr(image, target) == pytest.approx(10 * np.log10(255 ** 2 / 100))


def test_ssim_prefers_mild_noise_to_heavy_noise_and_structure_to_none():
    rng = np.random.default_rng(1)
    target = (np.add.outer(np.arange(48), np.arange(48)) * 2 % 256).astype(np.uint8)[..., None].repeat(3, 2)
    mild = np.clip(target + rng.normal(0, 5, target.shape), 0, 255).astype(np.uint8)
    heavy = np.clip(target + rng.normal(0, 40, target.shape), 0, 255).astype(np.uint8)
    flat = np.full_like(target, int(target.mean()))
    assert ssim(mild, target) > ssim(heavy, target) > ssim(flat, target)
