"""Metrics behave as a user expects on known images."""
import numpy as np
import pytest
from PIL import Image, ImageFilter

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


def textured(seed=0, size=64):
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 256, (size, size, 3)).astype(np.uint8)
    return np.asarray(Image.fromarray(noise).filter(ImageFilter.GaussianBlur(2))), rng


def test_ssim_matches_the_reference_implementation():
    """0.56489 is scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=255, channel_axis=2) on this pair."""
    target, rng = textured(0)
    noisy = np.clip(target + rng.normal(0, 10, target.shape), 0, 255).astype(np.uint8)
    assert ssim(noisy, target) == pytest.approx(0.56489, abs=1e-5)


def test_ssim_prefers_mild_noise_to_heavy_noise_and_to_a_flat_image():
    target, rng = textured(1)
    mild = np.clip(target + rng.normal(0, 5, target.shape), 0, 255).astype(np.uint8)
    heavy = np.clip(target + rng.normal(0, 40, target.shape), 0, 255).astype(np.uint8)
    flat = np.full_like(target, int(target.mean()))
    assert ssim(mild, target) > ssim(heavy, target)
    assert ssim(mild, target) > ssim(flat, target)
