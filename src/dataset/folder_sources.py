"""Pair sources in folders (--dataset_mode aligned, separate, colorization); see pair_sources.PairSource.

- aligned: a folder of A|B images, A on the left and B on the right (the public pix2pix sets);
- separate: DIR/A/ and DIR/B/ holding files of the same names (extensions may differ), of any sizes;
- colorization: a folder of colour photos; A and B are the same photo (ImageCoding takes L and ab).
"""
import os

from src.dataset.image_io import image_mode
from src.dataset.pair_sources import (ALIGNED_COLUMNS, SEPARATE_COLUMNS, PairSource, decode, header_size,
                                      list_image_files, match_size, name_some, oriented, require_folder, stem)
from src.dataset.transforms import split_pair
from src.utils.errors import UserInputError

# Image modes without colour, which colorization cannot learn from.
GREY_MODES = ("1", "L", "LA", "I", "F", "I;16", "I;16B", "I;16L", "I;16N")


def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


class AlignedFolder(PairSource):
    """A folder of A|B images: each file holds A (left) and B (right) side by side, of equal width."""
    halves_of_one_image = True
    record_columns = ALIGNED_COLUMNS

    def __init__(self, folder, setting, direction="AtoB", log=print, num_shards=1, shard_id=0, limit=None):
        self.where = folder
        self.files = list_image_files(folder, setting, log)[:limit]
        self.direction = direction
        self.names = [stem(path) for path in self.files]
        self.sizes = []
        for path in self.files:
            width, height = header_size(path)
            if width % 2 or width < 2:
                raise UserInputError(f"'{path}' is {width}x{height}, not an aligned A|B pair: its width must be even "
                                     "(A and B side by side, of equal size)")
            self.sizes.append((width // 2, height))

    def load(self, index):
        return oriented(*split_pair(decode(self.files[index])), self.direction)

    def encoded_record(self, index):
        return {"name": self.names[index], "pair": read_bytes(self.files[index])}


def _files_by_name(folder, setting, log):
    """{name without extension: path} of the images in `folder`; two files of one name are refused."""
    files = {}
    for path in list_image_files(folder, setting, log):
        if stem(path) in files:
            raise UserInputError(f"'{files[stem(path)]}' and '{path}' have the same name: keep one, so each pair's "
                                 "partner is known")
        files[stem(path)] = path
    return files


class SeparateFolders(PairSource):
    """DIR/A/ and DIR/B/ with one file per pair on each side, paired by name (the extension may differ).
    B is resized to A's size when they differ."""
    record_columns = SEPARATE_COLUMNS

    def __init__(self, folder, setting, direction="AtoB", log=print, num_shards=1, shard_id=0, limit=None):
        require_folder(folder, setting, "A/ and B/ folders")
        if not all(os.path.isdir(os.path.join(folder, side)) for side in "AB"):
            raise UserInputError(f"--{setting} '{folder}' has no A/ and B/ folders: --dataset_mode separate reads "
                                 "DIR/A/NAME and DIR/B/NAME (or use --dataset_mode aligned for A|B images)")
        self.where = folder
        sides = {side: _files_by_name(os.path.join(folder, side), setting, log) for side in "AB"}
        only = {side: sorted(set(sides[side]) - set(sides[other])) for side, other in (("A", "B"), ("B", "A"))}
        if only["A"] or only["B"]:
            lines = [f"{len(only[side])} only in {side}/ ({name_some(only[side])})" for side in "AB" if only[side]]
            raise UserInputError(f"--{setting} '{folder}' has files without a partner of the same name: "
                                 f"{'; '.join(lines)}: add or remove them so A/ and B/ hold the same names")
        self.names = sorted(sides["A"])[:limit]
        self.pairs = [(sides["A"][name], sides["B"][name]) for name in self.names]
        if direction == "BtoA":
            self.pairs = [(b, a) for a, b in self.pairs]
        self.sizes = [header_size(a) for a, b in self.pairs]
        for _, b in self.pairs:
            header_size(b)

    def load(self, index):
        path_a, path_b = self.pairs[index]
        image_a = decode(path_a)
        return image_a, match_size(decode(path_b), image_a)

    def encoded_record(self, index):
        path_a, path_b = self.pairs[index]
        return {"name": self.names[index], "image_a": read_bytes(path_a), "image_b": read_bytes(path_b)}


class ColorizationFolder(PairSource):
    """A folder of colour photos: each is both A and B (ImageCoding turns them into L and ab); the
    direction does not apply."""

    def __init__(self, folder, setting, direction="AtoB", log=print, num_shards=1, shard_id=0, limit=None):
        self.where = folder
        self.files = list_image_files(folder, setting, log)[:limit]
        self.names = [stem(path) for path in self.files]
        self.sizes = [header_size(path) for path in self.files]
        if not any(image_mode(path) not in GREY_MODES for path in self.files):  # stops at the first colour image
            raise UserInputError(f"--{setting} '{folder}' holds only grey images: --dataset_mode colorization learns "
                                 "colours from colour photos: point it at a folder of colour images")

    def load(self, index):
        image = decode(self.files[index])
        return image, image
