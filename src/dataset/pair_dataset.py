"""The door for layouts (PAIR_SOURCES, --dataset_mode), and the training and test pipelines over a pair
source (pair_sources.PairSource): --preprocess applied alike to A and B (transforms.Preprocess), then the
model's ImageCoding (RGB, grey or Lab).

Augmentation of sample `index` in `epoch` depends only on (seed, epoch, index), so runs are
reproducible whatever the number of workers, and --resume continues the same data stream.
"""
import hashlib
from dataclasses import dataclass

import numpy as np
import mindspore.dataset as ds

from src.dataset.image_coding import ImageCoding
from src.dataset.folder_sources import AlignedFolder, ColorizationFolder, SeparateFolders
from src.dataset.label_sources import LabelFolders
from src.dataset.mindrecord_pairs import MindRecordPairs
from src.dataset.pair_sources import DATA_ERROR_MARKER
from src.dataset.transforms import Preprocess
from src.dataset.unaligned_folders import UnalignedFolders
from src.utils.errors import UserInputError, first_line
from src.utils.registry import Entry, Registry

# The door for layouts (--dataset_mode): each entry builds a pair_sources.PairSource.
PAIR_SOURCES = Registry("dataset_mode", [Entry("aligned", AlignedFolder), Entry("separate", SeparateFolders),
                                         Entry("mindrecord", MindRecordPairs),
                                         Entry("colorization", ColorizationFolder), Entry("labels", LabelFolders),
                                         Entry("unaligned", UnalignedFolders)])
DATASET_MODES = PAIR_SOURCES.names()


def open_pair_source(dataset_mode, path, setting, direction="BtoA", log=print, num_shards=1, shard_id=0, limit=None):
    """The pairs at `path` (the value of --`setting`) read the --dataset_mode way; `limit`: the first pairs
    only (by name; for sources read per rank, such as MindRecord, of this rank's share). Folder sources
    are sharded by the pipeline."""
    return PAIR_SOURCES.get(dataset_mode).build(path, setting, direction, log, num_shards, shard_id, limit)


def check_instance_maps(source, coding, setting):
    """A model fed instance boundaries (label maps without --no_instance) reads a source with instance maps."""
    if coding.instance_edges and not getattr(source, "has_instances", False):
        raise UserInputError(f"--{setting} '{source.where}' has no inst/ folder of instance maps, which this model "
                             "reads (its instance boundary channel): add the instance maps, or train with --no_instance")


def check_training_sizes(source, preprocess, batch_size, setting):
    """Every pair gives a training crop, and a batch of several pairs is made of one size."""
    sizes = {}
    for name, size in source.named_sizes():
        problem = preprocess.crop_problem(*size)
        if problem:
            raise UserInputError(f"--{setting}: '{name}' ({size[0]}x{size[1]}) {problem}")
        if preprocess.mode == "resize_and_crop" and size[0] != size[1] and source.halves_of_one_image:
            raise UserInputError(f"--{setting}: '{name}' is {2 * size[0]}x{size[1]}, not an aligned A|B pair of squares "
                                 "(--preprocess resize_and_crop squashes each half to a square): for non-square pairs "
                                 "use --preprocess scale_width, scale_width_and_crop, crop or none")
        sizes.setdefault(preprocess.train_size(*size), name)
    if batch_size > 1 and len(sizes) > 1:
        (size_1, name_1), (size_2, name_2) = list(sizes.items())[:2]
        raise UserInputError(
            f"--preprocess {preprocess.mode} keeps each image's size, and pairs differ ('{name_1}' gives "
            f"{size_1[0]}x{size_1[1]}, '{name_2}' {size_2[0]}x{size_2[1]}), so they cannot share a batch: use "
            "--batch_size 1, or a --preprocess that crops (resize_and_crop, crop, scale_width_and_crop)")


@dataclass
class PairDataset:
    """Random-access pipeline source of (A, B, index): float32 (C, H, W) in [-1, 1] and int32, made from
    `source`'s pairs by `preprocess` (its training jitter when `train`) and `coding`.

    Keys are `epoch * len(source) + index` (see EpochStreamSampler). An unpaired source's B is drawn from the
    same (seed, epoch, index) stream (in order when `serial`) and transformed apart from A, as the reference.
    """
    source: object
    preprocess: Preprocess
    coding: ImageCoding = ImageCoding()
    train: bool = True
    seed: int = 0
    serial: bool = False

    def __len__(self):
        return len(self.source)

    def __getitem__(self, key):
        epoch, index = divmod(int(key), len(self.source))
        try:
            rng = np.random.default_rng([self.seed, epoch, index])
            if self.source.unpaired:
                image_a, image_b = self._unpaired(index, rng)
            elif self.train:
                image_a, image_b = self.preprocess.train_pair(*self.source.load(index), rng)
            else:
                image_a, image_b = self.preprocess.test_pair(*self.source.load(index))
            encoded = self.coding.encode_pair(image_a, image_b)
        except UserInputError as error:  # inside a data worker: marked, so the entry point prints one line
            raise RuntimeError(f"{DATA_ERROR_MARKER}{error}") from None
        return (*encoded, np.int32(index))

    def _unpaired(self, index, rng):
        image_a, image_b = self.source.load(index, self.source.partner(index, None if self.serial else rng))
        if not self.train:
            return self.preprocess.test_image(image_a), self.preprocess.test_image(image_b)
        return self.preprocess.train_image(image_a, rng), self.preprocess.train_image(image_b, rng)


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


def create_train_dataset(source, preprocess, coding=ImageCoding(), batch_size=1, seed=0, start_epoch=0, end_epoch=1,
                         num_parallel_workers=2, num_shards=1, shard_id=0, skip_steps=0, setting="train_data_dir",
                         serial_batches=False):
    """Training pipeline over `source`'s pairs for epochs start_epoch .. end_epoch - 1 (0-based), leaving
    out the first `skip_steps` batches of start_epoch (already trained by an interrupted run). A source
    read per rank (MindRecord) is this rank's share; a folder is sharded here by (num_shards, shard_id).

    Returns (dataset, steps_per_epoch). The dataset yields batches (A, B, index) with A, B float32
    (batch_size, C, H, W) in [-1, 1]; each epoch reshuffles, and every shard gets steps_per_epoch
    batches (the shard's remainder below a full batch is dropped per epoch). serial_batches: an unpaired
    source's sample i reads B i mod len(B) instead of a random B.
    """
    check_instance_maps(source, coding, setting)
    check_training_sizes(source, preprocess, batch_size, setting)
    shards = 1 if source.read_per_rank else num_shards
    if len(source) < shards:
        raise UserInputError(f"--{setting} has {len(source)} pairs, fewer than the {num_shards} devices of the job: "
                             "use fewer devices or add images")
    steps_per_epoch = -(-len(source) // shards) // batch_size
    if steps_per_epoch == 0:
        raise UserInputError(f"--{setting} has {len(source)} pairs, too few for batch_size {batch_size}"
                             + (f" on each of {num_shards} devices" if num_shards > 1 else "")
                             + ": lower --batch_size or add images")
    sampler = EpochStreamSampler(len(source), start_epoch, end_epoch, steps_per_epoch * batch_size, seed,
                                 shuffle=True, num_shards=shards, shard_id=shard_id if shards > 1 else 0,
                                 skip=skip_steps * batch_size)
    dataset = ds.GeneratorDataset(PairDataset(source, preprocess, coding, train=True, seed=seed, serial=serial_batches),
                                  ["real_a", "real_b", "index"], sampler=sampler,
                                  num_parallel_workers=num_parallel_workers,
                                  python_multiprocessing=num_parallel_workers > 1)
    return dataset.batch(batch_size, drop_remainder=True), steps_per_epoch


def create_eval_dataset(source, preprocess, coding=ImageCoding(), num_parallel_workers=1):
    """Test pipeline: `source`'s pairs once, in order, one per batch (test sizes may differ), by
    preprocess.test_pair. Batches are (A, B, index) with `index` into source.names / source.sizes."""
    sampler = EpochStreamSampler(len(source), 0, 1, len(source), seed=0, shuffle=False)
    dataset = ds.GeneratorDataset(PairDataset(source, preprocess, coding, train=False),
                                  ["real_a", "real_b", "index"], sampler=sampler,
                                  num_parallel_workers=num_parallel_workers,
                                  python_multiprocessing=num_parallel_workers > 1)
    return dataset.batch(1, drop_remainder=False)


def iterate_batches(iterator):
    """Iterate a pipeline, turning a data worker's marked error into one clear UserInputError."""
    try:
        yield from iterator
    except RuntimeError as error:
        text = str(error)
        if DATA_ERROR_MARKER in text:
            raise UserInputError(first_line(text.split(DATA_ERROR_MARKER, 1)[1])) from None
        raise
