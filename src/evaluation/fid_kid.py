"""FID and KID of generated pictures against real ones (or against published pytorch-fid statistics), on sets of
any size as pytorch-fid computes them, with a reason in place of every score that cannot be given (no weights,
an imaginary square root) and a word when a set is smaller than FID's dimensions."""
import os

import numpy as np

from src.evaluation.distribution_metrics import (FrechetUndefined, feature_statistics, frechet_distance,
                                                 kernel_inception_distance)
from src.evaluation.inception_features import InceptionFeatures
from src.utils.errors import UserInputError

SCORE_KEYS = ("fid", "kid_mean", "kid_std")


def read_reference_statistics(path, dims, flag="fid_reference_stats"):
    """(mu, sigma) of a pytorch-fid .npz (arrays `mu` (dims,) and `sigma` (dims, dims)); read without pickles."""
    try:
        with np.load(path, allow_pickle=False) as stats:
            mu, sigma = np.asarray(stats["mu"], np.float64), np.asarray(stats["sigma"], np.float64)
    except FileNotFoundError:
        raise UserInputError(f"--{flag} '{path}' does not exist") from None
    except (KeyError, ValueError, OSError) as error:
        raise UserInputError(f"--{flag} '{path}' is not a pytorch-fid .npz of 'mu' and 'sigma' "
                             f"({type(error).__name__})") from None
    if mu.shape != (dims,) or sigma.shape != (dims, dims):
        raise UserInputError(f"--{flag} '{path}' holds statistics of {mu.shape[0] if mu.ndim else 0} features, "
                             f"--fid_dims is {dims}: use the statistics of the same dims")
    return mu, sigma


def small_set_warning(images, dims):
    """The line saying FID is biased upward when a set (sizes `images`, None for a published .npz) holds fewer
    pictures than `dims`, else None."""
    small = [count for count in images if count is not None and count < dims]
    if not small:
        return None
    return (f"FID on {min(small)} pictures at {dims} dims is biased upward (fewer pictures than dims: a singular "
            "covariance, computed as pytorch-fid does); compare it only with FIDs of sets of the same size, or "
            "rank by KID, which is unbiased")


def fid_from_statistics(statistics1, statistics2, images, dims, log):
    """(FID, None) of two (mu, sigma) pairs as pytorch-fid computes it, or (None, reason) when it has no real
    value (a large imaginary part in the square root); `log` is told when a set (sizes `images`) is smaller than
    `dims` (small_set_warning)."""
    warning = small_set_warning(images, dims)
    if warning:
        log(warning)
    try:
        return frechet_distance(*statistics1, *statistics2, log=log), None
    except FrechetUndefined as error:
        return None, f"FID has no real value: {error}"


class FidKidScorer:
    """FID and KID (pytorch-fid's features of `dims`) of generated pictures against real ones; with
    `reference` (mu, sigma), FID is taken against it instead (KID still against the real pictures)."""

    def __init__(self, features, reference=None, log=print):
        self.features, self.reference, self.log = features, reference, log
        self.said = set()  # why a score is missing is logged once, not at every validation

    @classmethod
    def from_settings(cls, weights, dims, reference_stats=None, log=print):
        """The scorer of --fid_weights / --fid_dims / --fid_reference_stats; without weights, one that reports
        both as skipped (and says so in one log line)."""
        if not weights:
            log("FID and KID skipped: no --fid_weights (bash data/download_pretrained.sh fid_inception fetches them)")
            return cls(None, log=log)
        reference = read_reference_statistics(reference_stats, dims) if reference_stats else None
        return cls(InceptionFeatures(weights, dims), reference, log)

    def scores(self, fake_pictures, real_pictures):
        """{fid, kid_mean, kid_std, fid_dims[, fid_reason, kid_reason]} of two lists of uint8 pictures."""
        if self.features is None:
            return skipped_scores()
        return self.scores_of_features(self.features.of_pictures(fake_pictures),
                                       self.features.of_pictures(real_pictures))

    def scores_of_features(self, fake, real):
        dims = self.features.dims
        reference = self.reference if self.reference is not None else feature_statistics(real)
        fid, fid_reason = fid_from_statistics(feature_statistics(fake), reference,
                                              (len(fake), None if self.reference is not None else len(real)),
                                              dims, self._say)
        result = {"fid": fid, "fid_dims": dims}
        try:
            kid_mean, kid_std = kernel_inception_distance(fake, real)
            result.update(kid_mean=kid_mean, kid_std=kid_std)
        except ValueError as error:
            result.update(kid_mean=None, kid_std=None, kid_reason=str(error))
            self._say(f"KID not reported: {error}")
        if fid_reason:
            result["fid_reason"] = fid_reason
            self._say(f"FID not reported: {fid_reason}")
        return result

    def _say(self, line):
        if line not in self.said:
            self.said.add(line)
            self.log(line)


def skipped_scores():
    """What a report holds when no --fid_weights was given."""
    return {"fid": None, "kid_mean": None, "kid_std": None, "fid_reason": "no --fid_weights given"}


def fid_between(paths, weights, dims, log=print):
    """eval.py --fid_dirs DIR1 DIR2: FID and KID between two picture folders, as `python -m pytorch_fid DIR1
    DIR2`; either may be a pytorch-fid .npz of mu and sigma (FID only then)."""
    if not weights:
        raise UserInputError("--fid_dirs needs --fid_weights: pytorch-fid's pt_inception-2015-12-05-6726825d.pth "
                             "(bash data/download_pretrained.sh fid_inception)")
    scorer = FidKidScorer(InceptionFeatures(weights, dims), log=log)
    sides = [read_reference_statistics(path, dims, "fid_dirs") if path.lower().endswith(".npz") and os.path.isfile(path)
             else scorer.features.of_folder(path, "fid_dirs") for path in paths]
    if all(isinstance(side, np.ndarray) for side in sides):
        return dict(scorer.scores_of_features(*sides), fid_dirs=list(paths), num_images=[len(side) for side in sides])
    statistics = [side if isinstance(side, tuple) else feature_statistics(side) for side in sides]
    counts = [None if isinstance(side, tuple) else len(side) for side in sides]
    fid, reason = fid_from_statistics(*statistics, counts, dims, log)
    result = {"fid": fid, "fid_dims": dims, "kid_mean": None, "kid_std": None,
              "kid_reason": "KID needs the features of both sets; a .npz holds only their mu and sigma",
              "fid_dirs": list(paths), "num_images": counts}
    return dict(result, fid_reason=reason) if reason else result
