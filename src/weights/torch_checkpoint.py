"""Read PyTorch .pth weight files without PyTorch, and without running anything they contain.

Both of PyTorch's formats are pickles: the zip format (PyTorch 1.6 and later: NAME/data.pkl plus one file
per storage under NAME/data/) and the legacy format the 2017-2018 published models were saved in (magic
number, protocol version and system-info pickles, the object pickle, the storage keys, then each storage as
an int64 element count and its bytes). A pickle can name any Python callable and call it while loading, so
the unpickler here admits only what a tensor state dict needs: ordered dicts, PyTorch's tensor rebuilders
and typed storages, which it rebuilds as NumPy arrays itself. Anything else is refused with one line naming
it, as torch.load(weights_only=True) does.
"""
import io
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np

from src.utils.errors import UserInputError

LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL_VERSION = 1001
# PyTorch's typed storages, by the name they are pickled under, and their element types.
STORAGE_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
                  "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
                  "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_}


class StorageType:
    """Stands for torch.<NAME>Storage in a pickle: only its element type is kept."""

    def __init__(self, name):
        self.name, self.dtype = name, np.dtype(STORAGE_DTYPES[name])


class PendingTensor:
    """A tensor of a legacy file, whose storage bytes come after the object pickle."""

    def __init__(self, key, storage_offset, size, stride):
        self.key, self.storage_offset, self.size, self.stride = key, storage_offset, size, stride


def _strided(storage, storage_offset, size, stride):
    """The tensor (size, stride in elements) at storage_offset of a flat storage array, copied."""
    if storage_offset + sum((n - 1) * step for n, step in zip(size, stride)) >= len(storage) and all(size):
        raise UserInputError("a tensor reaches past the end of its storage: the file is damaged")
    itemsize = storage.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(storage[storage_offset:], shape=tuple(size),
                                           strides=tuple(step * itemsize for step in stride))
    return np.array(view)


def _rebuild_tensor(storage, storage_offset, size, stride, *_ignored):
    """torch._utils._rebuild_tensor(_v2): a NumPy array, or a PendingTensor for a legacy storage."""
    if isinstance(storage, str):
        return PendingTensor(storage, storage_offset, tuple(size), tuple(stride))
    return _strided(storage, storage_offset, tuple(size), tuple(stride))


ALLOWED_GLOBALS = {("collections", "OrderedDict"): OrderedDict,
                   ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
                   ("torch._utils", "_rebuild_tensor"): _rebuild_tensor}


class WeightsUnpickler(pickle.Unpickler):
    """An unpickler that builds only dicts, numbers, strings and tensors; `load_storage(pid)` returns the
    NumPy array of a persistent storage reference."""

    def __init__(self, stream, load_storage, path):
        super().__init__(stream)
        self.load_storage, self.path = load_storage, path

    def find_class(self, module, name):
        if (module, name) in ALLOWED_GLOBALS:
            return ALLOWED_GLOBALS[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(name)
        raise UserInputError(f"'{self.path}' asks to run '{module}.{name}' while loading: refused, only tensors and "
                             "dicts are read from weight files (as torch.load(weights_only=True))")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage" and isinstance(pid[1], StorageType)):
            raise UserInputError(f"'{self.path}' holds a persistent object that is not a tensor storage: refused")
        return self.load_storage(pid)


def _read_zip(path, archive):
    names = archive.namelist()
    pickles = [name for name in names if name.endswith("/data.pkl") or name == "data.pkl"]
    if not pickles:
        raise UserInputError(f"'{path}' is a zip file without data.pkl: not a PyTorch checkpoint")
    root = pickles[0][:-len("data.pkl")]
    cache = {}

    def load_storage(pid):
        storage_type, key = pid[1], str(pid[2])
        if key not in cache:
            cache[key] = np.frombuffer(archive.read(f"{root}data/{key}"), dtype=storage_type.dtype.newbyteorder("<"))
        return cache[key]

    return WeightsUnpickler(io.BytesIO(archive.read(pickles[0])), load_storage, path).load()


def _read_legacy(path, stream):
    """The pre-1.6 format: header pickles, the object with storages as keys, then the storages' bytes."""
    def plain():
        return WeightsUnpickler(stream, None, path).load()

    if plain() != LEGACY_MAGIC_NUMBER:
        raise UserInputError(f"'{path}' is neither a zip nor a legacy PyTorch checkpoint")
    if plain() != LEGACY_PROTOCOL_VERSION:
        raise UserInputError(f"'{path}' is a legacy PyTorch checkpoint of an unknown protocol version")
    plain()  # system info: endianness and type sizes (little-endian on every machine PyTorch publishes from)
    dtypes = {}

    def load_storage(pid):
        dtypes[str(pid[2])] = pid[1].dtype
        return str(pid[2])  # the key: its bytes are read after the object

    state = WeightsUnpickler(stream, load_storage, path).load()
    storages = {}
    for key in plain():
        header = stream.read(8)
        count = struct.unpack("<q", header)[0] if len(header) == 8 else 0
        dtype = dtypes[str(key)].newbyteorder("<")
        data = stream.read(count * dtype.itemsize)
        if len(header) != 8 or len(data) != count * dtype.itemsize:
            raise UserInputError(f"'{path}' is truncated: storage {key} is incomplete")
        storages[str(key)] = np.frombuffer(data, dtype=dtype)
    return _resolve(state, storages)


def _resolve(value, storages):
    """`value` with every PendingTensor read from `storages`, through nested dicts."""
    if isinstance(value, PendingTensor):
        return _strided(storages[value.key], value.storage_offset, value.size, value.stride)
    if isinstance(value, dict):
        return OrderedDict((name, _resolve(item, storages)) for name, item in value.items())
    return value


def _tensors(value):
    """The tensors of a state dict, or of a dict of state dicts (several networks), without other entries."""
    kept = OrderedDict()
    for name, item in value.items():
        if isinstance(item, np.ndarray):
            kept[name] = item
        elif isinstance(item, dict) and _tensors(item):
            kept[name] = _tensors(item)
    return kept


def read_torch_weights(path):
    """{name: NumPy array} of the state dict in the PyTorch file `path` (zip or legacy format), with
    non-tensor entries dropped; a file holding several networks gives {network: {name: array}}. Raises
    UserInputError for a file that is not one, truncated, or that asks to run code."""
    try:
        with open(path, "rb") as stream:
            zipped = zipfile.is_zipfile(stream)
            stream.seek(0)
            if zipped:
                with zipfile.ZipFile(stream) as archive:
                    state = _read_zip(path, archive)
            else:
                state = _read_legacy(path, stream)
    except UserInputError:
        raise  # already names the problem (UserInputError is a ValueError too)
    except FileNotFoundError:
        raise UserInputError(f"'{path}' does not exist") from None
    except IsADirectoryError:
        raise UserInputError(f"'{path}' is a folder, not a PyTorch checkpoint: pass the .pth/.pt file") from None
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, IndexError, TypeError, zipfile.BadZipFile,
            struct.error) as error:
        raise UserInputError(f"'{path}' is not a readable PyTorch checkpoint (damaged or truncated: "
                             f"{type(error).__name__})") from None
    if not isinstance(state, dict):
        raise UserInputError(f"'{path}' holds a {type(state).__name__}, not a state dict of tensors")
    return _tensors(state)
