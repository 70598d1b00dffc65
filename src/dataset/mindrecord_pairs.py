"""Pairs stored in MindRecord files (--dataset_mode mindrecord), read with mindspore.dataset.MindDataset.

Two layouts are read:
- the MindSpore Pix2Pix tutorial's `train.mindrecord`: columns input_images (A) and target_images (B),
  each record one image or a batch of images, float32 (N, 3, H, W) in [-1, 1];
- what data/make_mindrecord.py writes: `name` and either `pair` (an encoded A|B image) or `image_a` and
  `image_b` (encoded A and B), so a set keeps its size on disk.
A file written in shards (NAME0, NAME1, ...) is read whole from any one of them (or from NAME). In a
distributed run each rank reads its own share (MindDataset's num_shards / shard_id; shares are padded to
equal length), and holds that share's encoded images in memory.
"""
import io
import os

import numpy as np
import mindspore.dataset as ds
from mindspore.mindrecord import FileReader, FileWriter

from PIL import Image

from src.dataset.pair_sources import (ALIGNED_COLUMNS, SEPARATE_COLUMNS, PairSource, decode, header_size,
                                      match_size, oriented)
from src.dataset.transforms import split_pair, to_uint8_hwc
from src.utils.errors import UserInputError, first_line

TUTORIAL_COLUMNS = ("input_images", "target_images")
LAYOUTS = (TUTORIAL_COLUMNS, ALIGNED_COLUMNS, SEPARATE_COLUMNS)


def resolve_mindrecord_path(path, setting):
    """The MindRecord file to open for `path`: itself, or its first shard PATH0."""
    if not path:
        raise UserInputError(f"--{setting} is not set: pass a .mindrecord file (see data/make_mindrecord.py)")
    for candidate in (path, f"{path}0"):
        if os.path.isfile(candidate):
            return candidate
    raise UserInputError(f"--{setting} '{path}' does not exist: pass a .mindrecord file (or the first shard of one)")


# How to mend a record that is not a readable image.
REWRITE = "rewrite the file with data/make_mindrecord.py"


def mindrecord_layout(path, setting):
    """The columns (one of LAYOUTS) that the MindRecord file `path` holds."""
    try:
        reader = FileReader(path)
        schema = reader.schema()
        reader.close()
    except Exception as error:  # MindRecord raises its own types for foreign files
        raise UserInputError(f"--{setting} '{path}' is not a readable MindRecord file ({first_line(error)})") from None
    for columns in LAYOUTS:
        if set(columns) <= set(schema):
            return columns
    raise UserInputError(
        f"--{setting} '{path}' has columns {', '.join(sorted(schema))}, not a pix2pix layout: expected "
        + " or ".join("/".join(columns) for columns in LAYOUTS) + " (write one with data/make_mindrecord.py)")


class MindRecordPairs(PairSource):
    """The pairs of a MindRecord file (this rank's share when num_shards > 1); a pair source (see
    pair_sources). `limit`: keep the first pairs of the share only."""
    read_per_rank = True

    def __init__(self, path, setting, direction="AtoB", log=print, num_shards=1, shard_id=0, limit=None):
        self.path = self.where = resolve_mindrecord_path(path, setting)
        self.columns = mindrecord_layout(self.path, setting)
        self.direction = direction
        self.names, self.payloads = [], []
        shards = {"num_shards": num_shards, "shard_id": shard_id} if num_shards > 1 else {}
        dataset = ds.MindDataset(self.path, columns_list=list(self.columns), shuffle=False, **shards)
        for record, row in enumerate(dataset.create_tuple_iterator(output_numpy=True, num_epochs=1)):
            self._add_record(record, row)
            if limit and len(self.names) >= limit:
                break
        self.names, self.payloads = self.names[:limit], self.payloads[:limit]
        self.sizes = [self._size(payload) for payload in self.payloads]

    def _add_record(self, record, row):
        if self.columns == TUTORIAL_COLUMNS:
            inputs, targets = (np.asarray(column, np.float32) for column in row)
            inputs, targets = inputs.reshape(-1, *inputs.shape[-3:]), targets.reshape(-1, *targets.shape[-3:])
            for item, (a, b) in enumerate(zip(inputs, targets)):
                self.names.append(f"record{record:05d}_{item:02d}")
                self.payloads.append((to_uint8_hwc(a), to_uint8_hwc(b)))
        else:
            self.names.append(str(row[0]))
            self.payloads.append(tuple(column.tobytes() for column in row[1:]))

    def _size(self, payload):
        if isinstance(payload[0], np.ndarray):
            return payload[0].shape[1], payload[0].shape[0]
        width, height = header_size(io.BytesIO(payload[0]), f"a record of '{self.path}'", REWRITE)
        return (width // 2, height) if self.columns == ALIGNED_COLUMNS else (width, height)

    def load(self, index):
        payload, where = self.payloads[index], f"record '{self.names[index]}' of '{self.path}'"
        if isinstance(payload[0], np.ndarray):
            image_a, image_b = (Image.fromarray(array) for array in payload)
        elif self.columns == ALIGNED_COLUMNS:
            image_a, image_b = split_pair(decode(io.BytesIO(payload[0]), where, REWRITE))
        else:
            image_a, image_b = (decode(io.BytesIO(data), where, REWRITE) for data in payload)
            image_b = match_size(image_b, image_a)
        return oriented(image_a, image_b, self.direction)


def write_mindrecord(source, output, shards=1, chunk=64, log=print):
    """Write the pairs of `source` (a folder source read AtoB) into the MindRecord file `output` (output0 ..
    output{shards-1} when shards > 1), `chunk` records at a time. Refuses to replace existing files; removes
    its partial files on failure.
    Returns the paths written."""
    paths = [output] if shards == 1 else [f"{output}{shard}" for shard in range(shards)]
    written_files = paths + [path + ".db" for path in paths]  # each shard and its index
    existing = [path for path in written_files if os.path.exists(path)]
    if existing:
        raise UserInputError(f"'{existing[0]}' already exists: choose another --output or remove it first")
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    columns = source.record_columns
    if columns is None:
        raise UserInputError(f"'{source.where}': only folders of pairs (aligned or separate) can be written to "
                             "MindRecord")
    records = (source.encoded_record(index) for index in range(len(source)))
    try:
        writer = FileWriter(output, shards, overwrite=False)
        writer.add_schema({column: {"type": "string" if column == "name" else "bytes"} for column in columns},
                          "pix2pix pairs")
        batch, written = [], 0
        for record in records:
            batch.append(record)
            if len(batch) == chunk:
                writer.write_raw_data(batch)
                written, batch = written + len(batch), []
                log(f"{written}/{len(source)} pairs written")
        if batch:
            writer.write_raw_data(batch)
        writer.commit()
    except BaseException:
        for path in written_files:
            if os.path.exists(path):
                os.remove(path)
        raise
    return paths
