"""The embedded unpaired sample: two domains of different buildings, told apart by their colours, read by the
unaligned source."""
import numpy as np
from PIL import Image

from src.dataset.unaligned_folders import UnalignedFolders
from src.dataset.unpaired_sample import dusk, generate_unpaired_sample


def test_the_two_domains_show_other_buildings_in_another_light(tmp_path):
    counts = {"trainA": 3, "trainB": 4, "testA": 2, "testB": 2}
    assert generate_unpaired_sample(str(tmp_path), counts, size=64) == 11
    assert generate_unpaired_sample(str(tmp_path), counts, size=64) == 0  # kept as they are
    source = UnalignedFolders(str(tmp_path), "train_data_dir")
    assert (len(source.names), len(source.partner_names), source.sizes[0]) == (3, 4, (64, 64))
    assert len(UnalignedFolders(str(tmp_path), "val_data_dir").names) == 2
    a = np.stack([np.asarray(Image.open(path), np.float32) for path in source.files])
    b = np.stack([np.asarray(Image.open(path), np.float32) for path in source.partner_files[:3]])
    # Dusk: darker, bluer than red.
    assert b.mean() < a.mean() - 20
    assert (b[..., 2] - b[..., 0]).mean() > (a[..., 2] - a[..., 0]).mean() + 20
    # Never the same picture on both sides: A in B's style is not B.
    styled_a = [np.asarray(dusk(Image.open(path)), np.float32) for path in source.files]
    assert min(np.abs(styled - b[i]).mean() for i, styled in enumerate(styled_a)) > 10
