"""What every pair source (--dataset_mode) is: the PairSource contract, and the helpers sources share
(listing and checking folders, reading headers, decoding inside data workers).

The layouts are registered in pair_dataset.PAIR_SOURCES: folder_sources (aligned, separate,
colorization) and mindrecord_pairs. Decoding errors inside data workers carry DATA_ERROR_MARKER, so the
entry point prints them as one line (see pair_dataset.iterate_batches).
"""
import os

from PIL import Image

from src.dataset.image_io import IMAGE_EXTENSIONS, UnreadableImageError, read_rgb, upright_size
from src.utils.errors import UserInputError

# Files named in a message listing many (skipped or unmatched files); the rest are counted.
FILES_NAMED = 5
DATA_ERROR_MARKER = "Pix2PixDataError: "
# AtoB translates each pair's A (left half, A/ folder) into B; BtoA the other way.
DIRECTIONS = ("AtoB", "BtoA")
# The folders of an unpaired set (CycleGAN's datasets), named when a paired layout is pointed at one.
UNPAIRED_DOMAIN_FOLDERS = ("trainA", "trainB", "testA", "testB", "valA", "valB")


def name_some(names):
    """'a, b, c, d, e and 7 more': the first FILES_NAMED of `names` and a count of the rest."""
    more = f" and {len(names) - FILES_NAMED} more" if len(names) > FILES_NAMED else ""
    return ", ".join(names[:FILES_NAMED]) + more


def require_folder(folder, setting, holding="images"):
    """`folder`, the value of --`setting`, is set and is a folder (that should hold `holding`)."""
    if not folder:
        raise UserInputError(f"--{setting} is not set: pass a folder of {holding}")
    if not os.path.isdir(folder):
        raise UserInputError(f"--{setting} '{folder}' does not exist or is not a folder")


def list_image_files(folder, setting="train_data_dir", log=print):
    """Sorted paths of the images in `folder` (any format Pillow decodes; not recursive). Hidden files are
    ignored; other files are skipped and named in one warning, as they may be images in an unusual
    format that the user expected to be read."""
    require_folder(folder, setting)
    names = sorted(name for name in os.listdir(folder)
                   if not name.startswith(".") and os.path.isfile(os.path.join(folder, name)))
    files = [os.path.join(folder, name) for name in names if name.lower().endswith(IMAGE_EXTENSIONS)]
    skipped = [name for name in names if not name.lower().endswith(IMAGE_EXTENSIONS)]
    if skipped:
        log(f"warning: skipping {len(skipped)} file(s) of --{setting} '{folder}' that are not in an image format "
            f"Pillow reads: {name_some(skipped)}")
    if not files:
        domains = [name for name in UNPAIRED_DOMAIN_FOLDERS if os.path.isdir(os.path.join(folder, name))]
        if domains:
            raise UserInputError(f"--{setting} '{folder}' holds {'/, '.join(domains)}/: folders of two unpaired "
                                 "domains, not pairs: train them with --model cycle_gan; eval.py and the offline "
                                 "flow read them with --dataset_mode unaligned")
        raise UserInputError(f"--{setting} '{folder}' holds no images (jpg, png, webp, tif, bmp, gif or another "
                             "format Pillow reads): put images there (see data/download_Pix2Pix_dataset.sh)")
    return files


def header_size(source, where=None, fix="remove or replace it"):
    """(width, height) of an image (a path, or a file object described by `where`) as viewers show it, or
    a UserInputError naming it and `fix`."""
    try:
        return upright_size(source)
    except UnreadableImageError as error:
        raise UserInputError(f"{where or _quoted(source)} is not a readable image: {error}: {fix}") from None


def decode(source, where=None, fix="remove or replace it"):
    """The upright RGB picture of `source` (a path, or a file object described by `where`); inside a data
    worker an unreadable image raises a marked error naming it and `fix`."""
    try:
        return read_rgb(source)
    except UnreadableImageError as error:
        raise RuntimeError(f"{DATA_ERROR_MARKER}{where or _quoted(source)} is {error}: {fix}") from None


def _quoted(path):
    return f"'{path}'"


def match_size(image_b, image_a):
    """B resized (bicubic) to A's size when a source's two sides differ in size."""
    return image_b if image_b.size == image_a.size else image_b.resize(image_a.size, Image.BICUBIC)


def oriented(image_a, image_b, direction):
    """(A, B) for AtoB, (B, A) for BtoA."""
    return (image_a, image_b) if direction == "AtoB" else (image_b, image_a)


def stem(path):
    """A file's name without folder and extension: the name of its pair."""
    return os.path.splitext(os.path.basename(path))[0]


# Columns of the MindRecord files data/make_mindrecord.py writes: one encoded A|B image, or A and B.
ALIGNED_COLUMNS = ("name", "pair")
SEPARATE_COLUMNS = ("name", "image_a", "image_b")


class PairSource:
    """The pairs of one data set, listed when opened and decoded one at a time.

    Opened as `Layout(path, setting, direction, log, num_shards, shard_id, limit)`: `path` the value of
    --`setting`; `direction` AtoB or BtoA, applied by `load`; `log` takes warnings; num_shards/shard_id:
    this rank's share, for sources read per rank; `limit`: keep the first pairs only (by name; for sources
    read per rank, of the share).

    Attributes: `where` (the folder or file), `names` (one per pair, without extension), `sizes` ((width,
    height) of each pair's A as viewers show it, from the headers). Class attributes: `read_per_rank` (the
    source holds this rank's share only, so the pipeline does not shard it again), `halves_of_one_image` (A
    and B are the halves of one file), `record_columns` (the MindRecord columns `encoded_record` fills, or
    None when the layout cannot be written to MindRecord), `unpaired` (A and B are unrelated pictures, of
    their own sizes: the B read with a sample is drawn, see unaligned_folders.UnalignedFolders).
    """
    read_per_rank = False
    halves_of_one_image = False
    record_columns = None
    unpaired = False

    def __len__(self):
        return len(self.names)

    def named_sizes(self):
        """(name, (width, height)) of every picture the source reads (a pair's A stands for the pair)."""
        return list(zip(self.names, self.sizes))

    def load(self, index):
        """(A, B) of pair `index`: RGB PIL images of equal size, `direction` applied."""
        raise NotImplementedError

    def encoded_record(self, index):
        """{column: value} of pair `index` (record_columns) for write_mindrecord: the files' own bytes."""
        raise NotImplementedError


