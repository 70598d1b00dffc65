"""Unpaired domains in folders (--dataset_mode unaligned, CycleGAN's): DIR/trainA/ and DIR/trainB/ for
--train_data_dir, DIR/testA/ and DIR/testB/ (or valA/, valB/) for --val_data_dir, as the reference's
datasets (horse2zebra, monet2photo, ...) ship them. The two sides hold different pictures, any number and
any size each; A is indexed and B drawn at random for each sample (in order with --serial_batches)."""
import os

from src.dataset.image_io import IMAGE_EXTENSIONS
from src.dataset.pair_sources import PairSource, decode, header_size, list_image_files, require_folder, stem
from src.utils.errors import UserInputError

# The sub-folder names each setting reads, in the order they are looked for.
PHASES = {"train_data_dir": ("train",), "val_data_dir": ("test", "val")}


def domain_folders(folder, setting):
    """(folder of A, folder of B) under `folder`, the value of --`setting`; UserInputError naming the layout
    found instead (A|B pairs, A/ and B/ folders of pairs) and the command that reads it."""
    require_folder(folder, setting, "trainA/ and trainB/ folders")
    phases = PHASES.get(setting, ("train", "test", "val"))
    for phase in phases:
        sides = [os.path.join(folder, f"{phase}{side}") for side in "AB"]
        if any(os.path.isdir(side) for side in sides):
            missing = [os.path.basename(side) for side in sides if not os.path.isdir(side)]
            if missing:
                raise UserInputError(f"--{setting} '{folder}' has {phase}A/ or {phase}B/ but no {missing[0]}/: "
                                     "CycleGAN needs pictures of both domains")
            return sides
    wanted = " or ".join(f"{phase}A/ and {phase}B/" for phase in phases)
    if all(os.path.isdir(os.path.join(folder, side)) for side in "AB"):
        found = "A/ and B/ folders of pairs (--dataset_mode separate)"
    elif any(name.lower().endswith(IMAGE_EXTENSIONS) for name in os.listdir(folder)):
        found = "pictures, as aligned A|B pairs are kept"
    else:
        raise UserInputError(f"--{setting} '{folder}' has no {wanted} folders: --dataset_mode unaligned reads "
                             "the two domains from them (see data/download_cyclegan_dataset.sh)")
    raise UserInputError(f"--{setting} '{folder}' holds {found}, not {wanted} folders of two unpaired domains: "
                         "train pairs with --model pix2pix --dataset_mode aligned (or separate), or point "
                         "--dataset_mode unaligned at a folder holding trainA/ and trainB/")


class UnalignedFolders(PairSource):
    """Two folders of unpaired pictures. `names`, `sizes`: of A (the indexed side); `partner_names`,
    `partner_sizes`: of B. len() is the larger side's count, as the reference's UnalignedDataset: sample i
    reads A i mod len(A). `direction` BtoA swaps the domains."""
    unpaired = True

    def __init__(self, folder, setting, direction="AtoB", log=print, num_shards=1, shard_id=0, limit=None):
        self.where = folder
        sides = domain_folders(folder, setting)
        files_a, files_b = (list_image_files(side, setting, log)[:limit] for side in sides)
        self.files, self.partner_files = (files_a, files_b) if direction == "AtoB" else (files_b, files_a)
        self.names = [stem(path) for path in self.files]
        self.partner_names = [stem(path) for path in self.partner_files]
        self.sizes = [header_size(path) for path in self.files]
        self.partner_sizes = [header_size(path) for path in self.partner_files]

    def __len__(self):
        return max(len(self.files), len(self.partner_files))

    def named_sizes(self):
        return list(zip(self.names, self.sizes)) + list(zip(self.partner_names, self.partner_sizes))

    def partner(self, index, rng=None):
        """The B index read with sample `index`: drawn by `rng` (a numpy Generator), or index mod len(B)."""
        count = len(self.partner_files)
        return int(rng.integers(0, count)) if rng is not None else index % count

    def load(self, index, partner=None):
        """(A of sample `index`, B number `partner`, default the serial one): RGB PIL images of their own sizes."""
        partner = self.partner(index) if partner is None else partner
        return decode(self.files[index % len(self.files)]), decode(self.partner_files[partner])

    def load_partner(self, index):
        """B number `index` alone (the test side of B, for G_B and the FID of G_A)."""
        return decode(self.partner_files[index])
