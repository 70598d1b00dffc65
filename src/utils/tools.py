"""Run bookkeeping: logging, progress lines, image grids, loss curves, atomic file writes."""
import contextlib
import csv
import glob
import json
import logging
import os
import sys

import numpy as np
from PIL import Image


def setup_logger(log_path=None, name="pix2pix"):
    """Logger printing to the console and, if given, appending to `log_path`."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S")
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(formatter)
    logger.addHandler(console)
    if log_path:
        os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
        file_handler = logging.FileHandler(log_path, encoding="utf-8")
        file_handler.setFormatter(formatter)
        logger.addHandler(file_handler)
    return logger


def format_duration(seconds):
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


@contextlib.contextmanager
def atomic_write_path(path):
    """Yield a temporary path beside `path`; on success rename it onto `path`, on any failure (a full
    disk, a kill) remove it, so `path` is either its old self or complete. A failed write is re-raised
    as an OSError naming `path` (MindSpore's own writers do not name the file)."""
    folder, name = os.path.split(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    root, extension = os.path.splitext(name)
    temporary = os.path.join(folder, f".{root}.partial{extension}")  # keeps the extension writers look at
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException as error:
        # MindSpore's checkpoint writer keeps its own '.tmp' beside the name it was given: remove it too.
        for leftover in glob.glob(glob.escape(os.path.join(folder, f".{root}.partial")) + "*"):
            with contextlib.suppress(OSError):
                os.remove(leftover)
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror or str(error), path) from None
        raise


def unfinished_writes(folder):
    """Temporary files under `folder` that atomic_write_path left behind (the writer was killed)."""
    return [os.path.join(parent, name) for parent, _, names in os.walk(folder) for name in names
            if name.startswith(".") and ".partial" in name]


def save_image_atomic(image, path):
    """Save a PIL image so a crash never leaves a truncated picture."""
    with atomic_write_path(path) as temporary:
        image.save(temporary)


def image_grid(rows, gap=4):
    """Stack rows of uint8 (H, W, 3) images (e.g. [input, output, target]) into one image on white; cells
    take the largest size and each image sits at its cell's top left."""
    height = max(picture.shape[0] for row in rows for picture in row)
    width = max(picture.shape[1] for row in rows for picture in row)
    columns = max(len(row) for row in rows)
    grid = np.full((len(rows) * (height + gap) - gap, columns * (width + gap) - gap, 3), 255, np.uint8)
    for r, row in enumerate(rows):
        for c, picture in enumerate(row):
            top, left = r * (height + gap), c * (width + gap)
            grid[top:top + picture.shape[0], left:left + picture.shape[1]] = picture
    return Image.fromarray(grid)


def write_json_atomic(data, path):
    with atomic_write_path(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)


def write_loss_history(history, path, names):
    """Write per-step losses [{epoch, step, <each of names>, lr}, ...] as csv (atomically)."""
    with atomic_write_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["epoch", "step", *names, "lr"])
        writer.writeheader()
        writer.writerows(history)


def read_loss_history(path, names):
    """Read a losses.csv written by write_loss_history (for resumed runs); columns of `names` an older file
    lacks are 0."""
    if not os.path.isfile(path):
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [dict({name: float(row.get(name) or 0.0) for name in names}, epoch=int(row["epoch"]),
                     step=int(row["step"]), lr=float(row["lr"])) for row in csv.DictReader(handle)]


# Panels per row of the loss curve (CycleGAN's eight losses: two rows of A's and B's).
LOSS_CURVE_COLUMNS = 4


def plot_loss_curves(history, path, steps_per_epoch, titles):
    """Plot each loss of `titles` ({name: panel title}) against epochs (raw and smoothed) into a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = np.array([row["step"] for row in history], np.float64)
    epochs = steps / max(steps_per_epoch, 1)
    keys = list(titles)
    columns = min(len(keys), LOSS_CURVE_COLUMNS)
    rows = -(-len(keys) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.35 * columns, 3.6 * rows), squeeze=False)
    for axis in axes.flat[len(keys):]:
        axis.set_visible(False)
    axes = axes.ravel()
    window = max(1, len(history) // 50)
    for axis, key in zip(axes, keys):
        title = titles[key]
        values = np.array([row[key] for row in history], np.float64)
        axis.plot(epochs, values, color="0.75", linewidth=0.6, label="per step")
        if len(values) >= window > 1:
            smooth = np.convolve(values, np.ones(window) / window, mode="valid")
            axis.plot(epochs[window - 1:], smooth, color="C0", linewidth=1.5, label=f"mean of {window}")
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    try:
        with atomic_write_path(path) as temporary:
            figure.savefig(temporary, dpi=90)
    finally:
        plt.close(figure)
