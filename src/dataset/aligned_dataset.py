"""Paired (aligned A|B) image datasets as in the public pix2pix sets (facades, maps, cityscapes, ...).

Each file holds A on the left and B on the right, side by side; any file names, jpg/png/bmp/webp/tiff,
grey/RGBA/palette/16-bit images converted to 8-bit RGB, EXIF orientation applied (see image_io). `direction` BtoA swaps the roles.

Augmentation of sample `index` in `epoch` depends only on (seed, epoch, index), so runs are
reproducible whatever the number of workers, and --resume continues the same data stream.
"""
import hashlib
import os
from dataclasses import dataclass

import numpy as np
import mindspore.dataset as ds

from src.dataset.image_io import IMAGE_EXTENSIONS, UnreadableImageError, read_rgb, upright_size
from src.dataset.transforms import paired_jitter, split_pair, test_resize, to_normalized_chw
from src.utils.errors import UserInputError, first_line

# Files named in a warning when a folder holds others than images; the rest are counted.
SKIPPED_FILES_NAMED = 5
DATA_ERROR_MARKER = "Pix2PixDataError: "
# AtoB translates each pair's left half into its right half; BtoA the right into the left.
DIRECTIONS = ("AtoB", "BtoA")


def list_image_files(folder, setting="train_data_dir", log=print):
    """Sorted paths of the images in `folder` (any format Pillow decodes; not recursive). Hidden files are
    ignored; other files are skipped and named in one warning, as they may be images in an unusual
    format that the user expected to be read."""
    if not folder:
        raise UserInputError(f"--{setting} is not set: pass a folder of aligned A|B images")
    if not os.path.isdir(folder):
        raise UserInputError(f"--{setting} '{folder}' does not exist or is not a folder")
    names = sorted(name for name in os.listdir(folder)
                   if not name.startswith(".") and os.path.isfile(os.path.join(folder, name)))
    files = [os.path.join(folder, name) for name in names if name.lower().endswith(IMAGE_EXTENSIONS)]
    skipped = [name for name in names if not name.lower().endswith(IMAGE_EXTENSIONS)]
    if skipped:
        more = f" and {len(skipped) - SKIPPED_FILES_NAMED} more" if len(skipped) > SKIPPED_FILES_NAMED else ""
        log(f"warning: skipping {len(skipped)} file(s) of --{setting} '{folder}' that are not in an image format "
            f"Pillow reads: {', '.join(skipped[:SKIPPED_FILES_NAMED])}{more}")
    if not files:
        raise UserInputError(f"--{setting} '{folder}' holds no images (jpg, png, webp, tif, bmp, gif or another "
                             "format Pillow reads): put aligned A|B images there (see data/download_Pix2Pix_dataset.sh)")
    return files


def check_pair_image(path, crop_size):
    """Read the image header and check it is an A|B pair: width 2x height, each half >= crop_size."""
    try:
        width, height = upright_size(path)
    except UnreadableImageError as error:
        raise UserInputError(f"'{path}' is not a readable image: {error}: remove or replace it") from None
    if width != 2 * height:
        raise UserInputError(f"'{path}' is {width}x{height}, not an aligned A|B pair: the width must be twice the "
                             "height (A and B side by side, each square)")
    if height < crop_size:
        raise UserInputError(f"'{path}' has {height}x{height} halves, smaller than crop_size {crop_size}: "
                             f"use --crop_size {height // 32 * 32 or height} or larger images")


def load_pair(path, direction):
    """Decode `path` and return (A, B) as RGB PIL images, honouring `direction`."""
    try:
        image = read_rgb(path)
    except UnreadableImageError as error:
        # Raised inside a data worker: the marker lets the entry point print this line alone.
        raise RuntimeError(f"{DATA_ERROR_MARKER}'{path}' is {error}: remove or replace it") from None
    left, right = split_pair(image)
    return (left, right) if direction == "AtoB" else (right, left)


@dataclass
class AlignedPairDataset:
    """Random-access source of (A, B, index): float32 (3, crop_size, crop_size) in [-1, 1] and int32.

    Keys are `epoch * len(self) + index` (see EpochStreamSampler); `train` turns on the jitter.
    """
    files: list
    direction: str = "BtoA"
    load_size: int = 286
    crop_size: int = 256
    flip: bool = True
    train: bool = True
    seed: int = 0

    def __len__(self):
        return len(self.files)

    def __getitem__(self, key):
        epoch, index = divmod(int(key), len(self.files))
        image_a, image_b = load_pair(self.files[index], self.direction)
        if self.train:
            rng = np.random.default_rng([self.seed, epoch, index])
            image_a, image_b = paired_jitter(image_a, image_b, self.load_size, self.crop_size, self.flip, rng)
        else:
            image_a, image_b = test_resize(image_a, image_b, self.crop_size)
        return to_normalized_chw(image_a), to_normalized_chw(image_b), np.int32(index)


def shard_epoch_indices(num_samples, epoch, seed, shuffle, num_shards, shard_id, samples_per_shard):
    """This shard's sample indices for `epoch`: a fresh permutation each epoch (the same on every
    shard), padded to a multiple of num_shards, strided by shard, cut to samples_per_shard."""
    order = np.random.default_rng([seed, epoch, 7]).permutation(num_samples) if shuffle else np.arange(num_samples)
    padded = np.resize(order, -(-num_samples // num_shards) * num_shards)
    return padded[shard_id::num_shards][:samples_per_shard]


def indices_digest(indices):
    """A short digest of a set of sample indices, to compare what ranks read without listing it."""
    return hashlib.sha256(",".join(str(int(i)) for i in sorted(indices)).encode()).hexdigest()[:12]


@dataclass
class EpochStreamSampler:
    """Yields keys for epochs start_epoch .. end_epoch - 1 (0-based) in one pass, so one pipeline
    iteration covers the whole run; each epoch yields the same number of keys on every shard.
    `skip`: keys of start_epoch already consumed (a run resumed mid-epoch)."""
    num_samples: int
    start_epoch: int
    end_epoch: int
    samples_per_shard: int
    seed: int
    shuffle: bool = True
    num_shards: int = 1
    shard_id: int = 0
    skip: int = 0

    def __iter__(self):
        for epoch in range(self.start_epoch, self.end_epoch):
            indices = shard_epoch_indices(self.num_samples, epoch, self.seed, self.shuffle, self.num_shards,
                                          self.shard_id, self.samples_per_shard)
            for index in indices[self.skip if epoch == self.start_epoch else 0:]:
                yield int(epoch * self.num_samples + index)

    def __len__(self):
        return (self.end_epoch - self.start_epoch) * self.samples_per_shard - self.skip


def create_train_dataset(folder, batch_size=1, direction="BtoA", load_size=286, crop_size=256, flip=True, seed=0,
                         start_epoch=0, end_epoch=1, num_parallel_workers=2, num_shards=1, shard_id=0, skip_steps=0,
                         max_dataset_size=None, log=print):
    """Training pipeline over `folder` (its first max_dataset_size pairs by name, or all) for epochs
    start_epoch .. end_epoch - 1 (0-based), leaving out the first `skip_steps` batches of start_epoch
    (already trained by an interrupted run). `log` receives the warning about files that are not images.

    Returns (dataset, steps_per_epoch). The dataset yields batches (A, B, index) with A, B float32
    (batch_size, 3, crop_size, crop_size) in [-1, 1]; each epoch reshuffles, and every shard gets
    steps_per_epoch batches (the shard's remainder below a full batch is dropped per epoch).
    """
    files = list_image_files(folder, "train_data_dir", log)[:max_dataset_size]
    for path in files:
        check_pair_image(path, crop_size)
    if len(files) < num_shards:
        raise UserInputError(f"--train_data_dir '{folder}' has {len(files)} pairs, fewer than the {num_shards} "
                             "devices of the job: use fewer devices or add images")
    per_shard = -(-len(files) // num_shards)
    steps_per_epoch = per_shard // batch_size
    if steps_per_epoch == 0:
        raise UserInputError(f"--train_data_dir '{folder}' has {len(files)} pairs, too few for batch_size {batch_size}"
                             + (f" on each of {num_shards} devices" if num_shards > 1 else "")
                             + ": lower --batch_size or add images")
    source = AlignedPairDataset(files, direction, load_size, crop_size, flip, train=True, seed=seed)
    sampler = EpochStreamSampler(len(files), start_epoch, end_epoch, steps_per_epoch * batch_size, seed,
                                 shuffle=True, num_shards=num_shards, shard_id=shard_id, skip=skip_steps * batch_size)
    dataset = ds.GeneratorDataset(source, ["real_a", "real_b", "index"], sampler=sampler,
                                  num_parallel_workers=num_parallel_workers,
                                  python_multiprocessing=num_parallel_workers > 1)
    return dataset.batch(batch_size, drop_remainder=True), steps_per_epoch


def create_eval_dataset(folder, direction="BtoA", crop_size=256, batch_size=1, num_parallel_workers=1,
                        setting="val_data_dir", num_test=None, log=print):
    """Test pipeline: the pairs of `folder` (the first num_test by name, or all) once, in file-name
    order, resized to crop_size.

    Returns (dataset, files); batches are (A, B, index) with `index` into `files`.
    """
    files = list_image_files(folder, setting, log)[:num_test]
    for path in files:
        check_pair_image(path, crop_size)
    source = AlignedPairDataset(files, direction, crop_size, crop_size, flip=False, train=False)
    sampler = EpochStreamSampler(len(files), 0, 1, len(files), seed=0, shuffle=False)
    dataset = ds.GeneratorDataset(source, ["real_a", "real_b", "index"], sampler=sampler,
                                  num_parallel_workers=num_parallel_workers,
                                  python_multiprocessing=num_parallel_workers > 1)
    return dataset.batch(batch_size, drop_remainder=False), files


def iterate_batches(iterator):
    """Iterate a pipeline, turning a data worker's marked error into one clear UserInputError."""
    try:
        yield from iterator
    except RuntimeError as error:
        text = str(error)
        if DATA_ERROR_MARKER in text:
            raise UserInputError(first_line(text.split(DATA_ERROR_MARKER, 1)[1])) from None
        raise
