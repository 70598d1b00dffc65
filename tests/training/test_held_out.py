"""A run's held-out pairs: FID's weights are read when the run starts (a wrong file fails before any step), and
only when something will use them."""
from types import SimpleNamespace

import pytest

from src.dataset.image_coding import ImageCoding
from src.training.held_out import HeldOutScoring
from src.utils.errors import UserInputError


def settings(sample_root, **changes):
    values = dict(val_data_dir=str(sample_root / "val"), dataset_mode="aligned", direction="BtoA", preprocess="resize_and_crop",
                  load_size=64, crop_size=64, num_test=None, val_every=0, fid_weights=None, fid_dims=64)
    return SimpleNamespace(**dict(values, **changes))


def test_a_missing_fid_file_fails_when_the_run_starts(sample_root, tmp_path):
    with pytest.raises(UserInputError, match="--fid_weights '.*missing.pth' does not exist"):
        HeldOutScoring(settings(sample_root, fid_weights=str(tmp_path / "missing.pth")), 32, ImageCoding(), 0, None,
                       log=lambda line: None)


def test_fid_weights_nothing_uses_are_not_read(sample_root, tmp_path):
    """No val_data_dir (nothing is scored), or another rank than 0 (rank 0 scores): the file is not looked at."""
    missing = str(tmp_path / "missing.pth")
    for config, rank in ((settings(sample_root, val_data_dir=None, fid_weights=missing), 0),
                         (settings(sample_root, fid_weights=missing), 1)):
        held_out = HeldOutScoring(config, 32, ImageCoding(), rank, None, log=lambda line: None)
        assert held_out.scorer is None
