"""Where pairs come from (--dataset_mode): each source lists its pairs and decodes one on request.

- aligned: a folder of A|B images, A on the left and B on the right (the public pix2pix sets);
- separate: DIR/A/ and DIR/B/ holding files of the same names (extensions may differ), of any sizes;
- colorization: a folder of colour photos; A and B are the same photo (ImageCoding takes L and ab);
- mindrecord: a MindRecord file (see mindrecord_pairs).

A source has `where` (the folder or file), `names` (one per pair, without extension), `sizes` ((width,
height) of each pair's A as viewers show it, read from the headers) and `load(index)` -> (A, B) as RGB PIL
images of equal size, with `direction` applied; sources take `limit`: keep the first pairs only (by name).
Decoding errors inside data workers carry DATA_ERROR_MARKER, so the entry point prints them as one line
(see iterate_batches).
"""
import os

from PIL import Image

from src.dataset.image_io import IMAGE_EXTENSIONS, UnreadableImageError, image_mode, read_rgb, upright_size
from src.dataset.transforms import split_pair
from src.utils.errors import UserInputError

# Files named in a message listing many (skipped or unmatched files); the rest are counted.
FILES_NAMED = 5
DATA_ERROR_MARKER = "Pix2PixDataError: "
# AtoB translates each pair's A (left half, A/ folder) into B; BtoA the other way.
DIRECTIONS = ("AtoB", "BtoA")
# Image modes without colour, which colorization cannot learn from.
GREY_MODES = ("1", "L", "LA", "I", "F", "I;16", "I;16B", "I;16L", "I;16N")


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


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


class AlignedFolder:
    """A folder of A|B images: each file holds A (left) and B (right) side by side, of equal width."""

    def __init__(self, folder, setting, direction, log=print, limit=None):
        self.where = folder
        self.files = list_image_files(folder, setting, log)[:limit]
        self.direction = direction
        self.names = [_stem(path) for path in self.files]
        self.sizes = []
        for path in self.files:
            width, height = header_size(path)
            if width % 2 or width < 2:
                raise UserInputError(f"'{path}' is {width}x{height}, not an aligned A|B pair: its width must be even "
                                     "(A and B side by side, of equal size)")
            self.sizes.append((width // 2, height))

    def __len__(self):
        return len(self.files)

    def load(self, index):
        return oriented(*split_pair(decode(self.files[index])), self.direction)


def _files_by_name(folder, setting, log):
    """{name without extension: path} of the images in `folder`; two files of one name are refused."""
    files = {}
    for path in list_image_files(folder, setting, log):
        if _stem(path) in files:
            raise UserInputError(f"'{files[_stem(path)]}' and '{path}' have the same name: keep one, so each pair's "
                                 "partner is known")
        files[_stem(path)] = path
    return files


class SeparateFolders:
    """DIR/A/ and DIR/B/ with one file per pair on each side, paired by name (the extension may differ).
    B is resized to A's size when they differ."""

    def __init__(self, folder, setting, direction, log=print, limit=None):
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

    def __len__(self):
        return len(self.pairs)

    def load(self, index):
        path_a, path_b = self.pairs[index]
        image_a = decode(path_a)
        return image_a, match_size(decode(path_b), image_a)


class ColorizationFolder:
    """A folder of colour photos: each is both A and B (ImageCoding turns them into L and ab)."""

    def __init__(self, folder, setting, log=print, limit=None):
        self.where = folder
        self.files = list_image_files(folder, setting, log)[:limit]
        self.names = [_stem(path) for path in self.files]
        self.sizes = [header_size(path) for path in self.files]
        if not any(image_mode(path) not in GREY_MODES for path in self.files):  # stops at the first colour image
            raise UserInputError(f"--{setting} '{folder}' holds only grey images: --dataset_mode colorization learns "
                                 "colours from colour photos: point it at a folder of colour images")

    def __len__(self):
        return len(self.files)

    def load(self, index):
        image = decode(self.files[index])
        return image, image
