"""Distances between two sets of Inception features: FID as pytorch-fid computes it and KID as torch-fidelity
does (unbiased MMD with the cubic polynomial kernel, averaged over random subsets)."""
import numpy as np
from scipy import linalg

# torch-fidelity's KID defaults: 100 subsets of 1,000 features, drawn with numpy's RandomState(2020).
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000
KID_SEED = 2020


class FrechetUndefined(ValueError):
    """The Fréchet distance of these statistics has no real value (pytorch-fid stops on it)."""


def feature_statistics(features):
    """(mu (D,), sigma (D, D)) of (N, D) features, as pytorch-fid: the mean and np.cov (N - 1 normalised)."""
    features = np.asarray(features, np.float64)
    return np.mean(features, axis=0), np.cov(features, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6, log=print):
    """||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 sqrt(sigma1 sigma2)), with pytorch-fid's safeguards: a
    non-finite square root is retried with `eps` added to both diagonals, and an imaginary part above 1e-3
    on the diagonal raises FrechetUndefined (a smaller one is dropped)."""
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise FrechetUndefined(f"the two sets' statistics have different dimensions ({mu1.shape[0]} and {mu2.shape[0]})")
    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        log(f"fid calculation produces singular product; adding {eps} to diagonal of cov estimates")
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise FrechetUndefined(f"imaginary component {np.max(np.abs(covmean.imag)):.3g} in the square root "
                                   "of the covariance product")
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def polynomial_kernel(x, y, degree=3, coef0=1.0):
    """(x y^T / D + coef0) ** degree, torch-fidelity's `poly` kernel with gamma 1 / D."""
    return (np.matmul(x, y.T) / x.shape[1] + coef0) ** degree


def unbiased_mmd2(k_xx, k_xy, k_yy):
    """The unbiased squared MMD of kernel matrices over two subsets of m features each."""
    m = k_xx.shape[0]
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return within - 2 * k_xy.sum() / (m * m)


def kernel_inception_distance(features1, features2, subsets=KID_SUBSETS, subset_size=KID_SUBSET_SIZE, seed=KID_SEED):
    """(mean, std) of the MMD over `subsets` random subsets, as torch-fidelity. A set smaller than
    `subset_size` puts all its features in every subset (torch-fidelity stops there instead); needs at least
    2 features per set. Features (N, D) float."""
    features1, features2 = np.asarray(features1, np.float64), np.asarray(features2, np.float64)
    size = min(subset_size, len(features1), len(features2))
    if size < 2:
        raise ValueError(f"KID needs at least 2 images in each set, got {len(features1)} and {len(features2)}")
    rng = np.random.RandomState(seed)
    mmds = np.zeros(subsets)
    for index in range(subsets):
        x = features1[rng.choice(len(features1), size, replace=False)]
        y = features2[rng.choice(len(features2), size, replace=False)]
        mmds[index] = unbiased_mmd2(polynomial_kernel(x, x), polynomial_kernel(x, y), polynomial_kernel(y, y))
    return float(np.mean(mmds)), float(np.std(mmds))
