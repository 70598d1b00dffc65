"""Image-quality metrics on uint8 images (H, W, C) in [0, 255]; PSNR and SSIM by scikit-image."""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def mean_absolute_error(image, target):
    """Mean |image - target| in grey levels (0..255)."""
    return float(np.mean(np.abs(image.astype(np.float64) - target.astype(np.float64))))


def psnr(image, target, data_range=255.0):
    """Peak signal-to-noise ratio in dB; identical images give infinity."""
    if np.array_equal(image, target):
        return float("inf")
    return float(peak_signal_noise_ratio(target, image, data_range=data_range))


def ssim(image, target, data_range=255.0):
    """Structural similarity (Wang et al. 2004): 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03,
    computed per channel over the positions where the window fits and averaged. Identical images give 1.0."""
    image = image.reshape(image.shape[0], image.shape[1], -1)
    target = target.reshape(target.shape[0], target.shape[1], -1)
    return float(structural_similarity(image, target, channel_axis=-1, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False, data_range=data_range))
