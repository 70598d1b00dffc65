"""Image-quality metrics on uint8 images (H, W, C) in [0, 255]."""
import numpy as np


def mean_absolute_error(image, target):
    """Mean |image - target| in grey levels (0..255)."""
    return float(np.mean(np.abs(image.astype(np.float64) - target.astype(np.float64))))


def psnr(image, target, data_range=255.0):
    """Peak signal-to-noise ratio in dB; identical images give infinity."""
    mse = np.mean((image.astype(np.float64) - target.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10.0 * np.log10(data_range ** 2 / mse))


def _gaussian_kernel(size=11, sigma=1.5):
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    kernel = np.exp(-offsets ** 2 / (2 * sigma ** 2))
    return kernel / kernel.sum()


def _filter_valid(channel, kernel):
    """Separable 2-D filtering keeping only positions where the window fits (as Wang et al.)."""
    rows = np.apply_along_axis(lambda line: np.convolve(line, kernel, mode="valid"), 1, channel)
    return np.apply_along_axis(lambda line: np.convolve(line, kernel, mode="valid"), 0, rows)


def ssim(image, target, data_range=255.0):
    """Structural similarity (Wang et al. 2004): 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03,
    computed per channel and averaged. Identical images give 1.0."""
    kernel = _gaussian_kernel()
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    image = image.astype(np.float64).reshape(image.shape[0], image.shape[1], -1)
    target = target.astype(np.float64).reshape(target.shape[0], target.shape[1], -1)
    scores = []
    for channel in range(image.shape[2]):
        x, y = image[..., channel], target[..., channel]
        mu_x, mu_y = _filter_valid(x, kernel), _filter_valid(y, kernel)
        var_x = _filter_valid(x * x, kernel) - mu_x ** 2
        var_y = _filter_valid(y * y, kernel) - mu_y ** 2
        covariance = _filter_valid(x * y, kernel) - mu_x * mu_y
        ssim_map = ((2 * mu_x * mu_y + c1) * (2 * covariance + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))
        scores.append(ssim_map.mean())
    return float(np.mean(scores))
