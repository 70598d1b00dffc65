"""Embedded sample set: a small, deterministic, facades-like paired dataset, made without download.

Each image is 2S x S with A = a rendered building photo on the left and B = its label map on the
right in a CMP-facades-like palette, exactly as the public `facades` set (so label -> photo is
--direction BtoA). Buildings vary in wall colour and texture, floors, window grid, doors, shop
fronts, balconies, blinds, cornices, pillars and lighting. Written to train/, val/ and test/.

    python -m src.dataset.sample_data --output data/sample_facades
"""
import argparse
import os
import shutil
import sys
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter

# Label colours in the spirit of the CMP facades annotation (12 classes, jet-like colours).
PALETTE = {"background": (0, 0, 170), "facade": (0, 0, 255), "window": (0, 117, 255), "door": (0, 255, 255),
           "cornice": (255, 85, 0), "sill": (255, 255, 0), "balcony": (170, 255, 85), "blind": (85, 255, 170),
           "deco": (255, 170, 0), "molding": (170, 0, 0), "pillar": (255, 0, 0), "shop": (0, 170, 255)}
WALL_COLOURS = [(214, 196, 160), (190, 120, 90), (170, 170, 165), (230, 225, 210), (200, 170, 110),
                (150, 90, 70), (220, 200, 185), (185, 195, 170), (120, 110, 105)]
SPLITS = {"train": 0, "val": 1, "test": 2}
DEFAULT_COUNTS = {"train": 60, "val": 12, "test": 12}
DEFAULT_SIZE = 256
# The smallest side the buildings' storeys, doors and windows fit in.
MIN_SIZE = 64
# Where the quick start and the default train_data_dir expect the sample set's training pairs.
SAMPLE_TRAIN_DIR = os.path.join("data", "sample_facades", "train")


class _Canvas:
    """A label map and a photo drawn together, rectangle by rectangle."""

    def __init__(self, size):
        self.size = size
        self.label = np.zeros((size, size, 3), np.uint8)
        self.photo = np.zeros((size, size, 3), np.float32)

    def fill(self, box, label_name, colour):
        """Paint box = (x0, y0, x1, y1) (clipped) with a label colour and a photo colour or texture."""
        x0, y0, x1, y1 = (int(np.clip(v, 0, self.size)) for v in box)
        if x1 <= x0 or y1 <= y0:
            return None
        self.label[y0:y1, x0:x1] = PALETTE[label_name]
        self.photo[y0:y1, x0:x1] = colour if np.ndim(colour) == 1 else colour[: y1 - y0, : x1 - x0]
        return x0, y0, x1, y1


def _vertical_gradient(height, width, top, bottom):
    t = np.linspace(0.0, 1.0, max(height, 1), dtype=np.float32)[:, None, None]
    return np.broadcast_to((1 - t) * np.asarray(top, np.float32) + t * np.asarray(bottom, np.float32),
                           (height, width, 3)).copy()


def _wall_texture(rng, size, base):
    """Plaster or brick texture around the base colour."""
    noise = rng.normal(0.0, 6.0, (size, size, 1)).astype(np.float32)
    coarse = np.kron(rng.normal(0.0, 8.0, (size // 16 + 1, size // 16 + 1, 1)), np.ones((16, 16, 1)))[:size, :size]
    wall = np.asarray(base, np.float32) + noise + coarse.astype(np.float32)
    if rng.random() < 0.4:  # brick courses: darker mortar lines, staggered joints
        course = int(rng.integers(5, 9))
        rows = np.arange(size)[:, None] % course == 0
        offset = (np.arange(size)[:, None] // course % 2) * course
        joints = (np.arange(size)[None, :] + offset) % (2 * course) == 0
        wall[rows | joints] *= 0.78
    return wall


def _window(canvas, rng, box, style):
    """A window with frame (molding), glass, optional blind and a sill below."""
    x0, y0, x1, y1 = box
    frame = 3 if style["framed"] else 0
    if frame:
        canvas.fill((x0 - frame, y0 - frame, x1 + frame, y1 + frame), "molding", style["frame_colour"])
    glass_top = np.asarray(style["glass"], np.float32) + 25
    glass = _vertical_gradient(y1 - y0, x1 - x0, glass_top, style["glass"])
    glass[:, : max(1, (x1 - x0) // 4)] += 18  # reflection on one side
    canvas.fill(box, "window", glass)
    if style["muntins"]:
        canvas.photo[(y0 + y1) // 2, x0:x1] = style["frame_colour"]
        canvas.photo[y0:y1, (x0 + x1) // 2] = style["frame_colour"]
    if rng.random() < style["blind_rate"]:
        depth = int((y1 - y0) * rng.uniform(0.25, 0.6))
        slats = _vertical_gradient(depth, x1 - x0, style["blind"], style["blind"])
        slats[::3] *= 0.8
        canvas.fill((x0, y0, x1, y0 + depth), "blind", slats)
    canvas.fill((x0 - 2 - frame, y1 + frame, x1 + 2 + frame, y1 + frame + 3), "sill", (225, 220, 205))


class _Layout(NamedTuple):
    """Where a facade's floors, windows and doors go (pixels), and how its windows look."""
    left: int
    right: int
    top: int
    floors: int
    columns: int
    shop: bool
    ground: int
    floor_height: float
    column_width: float
    style: dict


def _shell(canvas, rng, size):
    """Sky, wall, cornice and perhaps corner pillars; returns (left, right, top, trim colour)."""
    sky_top = np.array([rng.uniform(90, 150), rng.uniform(140, 190), rng.uniform(200, 250)])
    canvas.fill((0, 0, size, size), "background", _vertical_gradient(size, size, sky_top, sky_top + 30))
    left = int(rng.integers(0, size // 10))
    right = size - int(rng.integers(0, size // 10))
    top = int(rng.integers(size // 20, size // 5))
    wall = _wall_texture(rng, size, WALL_COLOURS[rng.integers(len(WALL_COLOURS))])
    canvas.fill((left, top, right, size), "facade", wall[top:, left:right])
    trim = np.clip(np.asarray(WALL_COLOURS[rng.integers(len(WALL_COLOURS))]) + 30, 0, 255)
    canvas.fill((left - 3, top, right + 3, top + int(rng.integers(5, 10))), "cornice", trim)
    if rng.random() < 0.5:  # pillars at the corners
        width = int(rng.integers(6, 12))
        for x in (left, right - width):
            canvas.fill((x, top, x + width, size), "pillar", np.clip(trim - 15, 0, 255))
    return left, right, top, trim


def _layout(rng, size, left, right, top):
    floors = int(rng.integers(3, 7))
    columns = int(rng.integers(3, 7))
    shop = rng.random() < 0.5
    ground = size - (size - top) // (floors + 1) if shop else size
    style = {
        "framed": rng.random() < 0.7, "muntins": rng.random() < 0.5, "blind_rate": rng.uniform(0.0, 0.6),
        "frame_colour": (235, 235, 230) if rng.random() < 0.6 else (60, 50, 45),
        "glass": (rng.uniform(30, 70), rng.uniform(45, 85), rng.uniform(60, 110)),
        "blind": (rng.uniform(120, 220), rng.uniform(80, 180), rng.uniform(60, 140)),
    }
    return _Layout(left, right, top, floors, columns, shop, ground, (ground - top - 10) / floors,
                   (right - left) / columns, style)


def _upper_floors(canvas, rng, layout, trim):
    """Rows of windows, string courses between floors and balconies."""
    left, right, top, floor_height, column_width = (layout.left, layout.right, layout.top, layout.floor_height,
                                                    layout.column_width)
    window_w = column_width * rng.uniform(0.4, 0.65)
    window_h = floor_height * rng.uniform(0.45, 0.7)
    floors = layout.floors
    balcony_floors = {int(f) for f in rng.choice(floors, size=int(rng.integers(0, floors)), replace=False)}
    for floor in range(floors):
        y0 = int(top + 12 + floor * floor_height + (floor_height - window_h) / 2)
        y1 = int(y0 + window_h)
        if floor > 0 and rng.random() < 0.3:  # a string course between floors
            band = int(top + 10 + floor * floor_height)
            canvas.fill((left, band, right, band + 3), "deco", np.clip(np.asarray(trim) - 25, 0, 255))
        for column in range(layout.columns):
            x0 = int(left + column * column_width + (column_width - window_w) / 2)
            _window(canvas, rng, (x0, y0, int(x0 + window_w), y1), layout.style)
        if floor in balcony_floors:
            rail = np.full((max(1, int(floor_height * 0.18)), right - left, 3), (45, 45, 50), np.float32)
            rail[:, ::4] = (95, 95, 100)
            canvas.fill((left + 4, y1 - rail.shape[0] + 4, right - 4, y1 + 4), "balcony", rail)


def _street_level(canvas, rng, size, layout):
    """A lit shop front (half the buildings) and a wooden door."""
    left, right, ground, column_width = layout.left, layout.right, layout.ground, layout.column_width
    door_w = int(column_width * 0.6)
    door_x = int(left + column_width * int(rng.integers(layout.columns)) + (column_width - door_w) / 2)
    if layout.shop:
        light = np.array([rng.uniform(200, 250), rng.uniform(170, 220), rng.uniform(100, 160)])
        canvas.fill((left + 4, ground + 6, right - 4, size), "shop",
                    _vertical_gradient(size - ground - 6, right - left - 8, light, light * 0.6))
        canvas.fill((left, ground - 2, right, ground + 6), "cornice", (70, 40, 35))
    door_h = int(min(layout.floor_height * 1.1, (size - layout.top) * 0.25))
    wood = _vertical_gradient(door_h, door_w, (110, 70, 40), (80, 50, 30))
    wood[:, door_w // 2 - 1: door_w // 2 + 1] *= 0.6
    canvas.fill((door_x, size - door_h, door_x + door_w, size), "door", wood)


def _photograph(canvas, rng, size):
    """The photo as a camera would take it: a side light, a darker street level, sensor noise, slight blur."""
    x_light = np.linspace(rng.uniform(0.75, 1.0), rng.uniform(0.85, 1.15), size, dtype=np.float32)[None, :, None]
    y_light = np.linspace(1.05, rng.uniform(0.75, 0.95), size, dtype=np.float32)[:, None, None]
    photo = canvas.photo * x_light * y_light * rng.uniform(0.85, 1.1)
    photo += rng.normal(0.0, 3.0, photo.shape)
    return Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))


def _building(rng, size):
    """One facade: (photo, label map) as RGB PIL images of size x size."""
    canvas = _Canvas(size)
    left, right, top, trim = _shell(canvas, rng, size)
    layout = _layout(rng, size, left, right, top)
    _upper_floors(canvas, rng, layout, trim)
    _street_level(canvas, rng, size, layout)
    return _photograph(canvas, rng, size), Image.fromarray(canvas.label)


def make_photo(index, split="train", size=DEFAULT_SIZE, seed=0):
    """The photo of sample pair `index` of `split` alone: a size x size RGB image."""
    return _building(np.random.default_rng([seed, SPLITS[split], index]), size)[0]


def make_pair(index, split="train", size=DEFAULT_SIZE, seed=0):
    """The sample pair `index` of `split`: a (2*size, size) RGB image, photo left, labels right."""
    rng = np.random.default_rng([seed, SPLITS[split], index])
    photo, label = _building(rng, size)
    pair = Image.new("RGB", (2 * size, size))
    pair.paste(photo, (0, 0))
    pair.paste(label, (size, 0))
    return pair


def write_split(output, split, count, make_image):
    """Write `make_image(index)` for index < count as `output`/`split`/NNNN.jpg; returns the images written.

    Files go to a temporary folder renamed into place, so an interrupted run never leaves a half-made split
    behind; a split that exists (not empty) is left as it is.
    """
    final = os.path.join(output, split)
    if count == 0 or (os.path.isdir(final) and os.listdir(final)):
        return 0
    # Per-process temporary folder: ranks of a distributed job may generate at the same time.
    temporary = os.path.join(output, f".{split}.partial.{os.getpid()}")
    os.makedirs(temporary, exist_ok=True)
    for index in range(count):
        make_image(index).save(os.path.join(temporary, f"{index + 1:04d}.jpg"), quality=95)
    try:
        if os.path.isdir(final) and not os.listdir(final):
            os.rmdir(final)
        os.replace(temporary, final)
        return count
    except OSError:  # another process finished this split first: keep its copy (identical)
        shutil.rmtree(temporary, ignore_errors=True)
        return 0


def generate_sample_dataset(output, counts=None, size=DEFAULT_SIZE, seed=0):
    """Write the sample set under `output`/{train,val,test}/NNNN.jpg; returns the number of images written
    (existing splits are left as they are)."""
    counts = dict(DEFAULT_COUNTS, **(counts or {}))
    return sum(write_split(output, split, count, lambda index, split=split: make_pair(index, split, size, seed))
               for split, count in counts.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate the embedded facades-like sample set (A|B jpgs).")
    parser.add_argument("--output", default="data/sample_facades", help="folder to create train/val/test in")
    parser.add_argument("--num_train", type=int, default=DEFAULT_COUNTS["train"])
    parser.add_argument("--num_val", type=int, default=DEFAULT_COUNTS["val"])
    parser.add_argument("--num_test", type=int, default=DEFAULT_COUNTS["test"])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="side of each half in pixels")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.num_train, args.num_val, args.num_test) < 0 or args.size < MIN_SIZE:
        parser.error(f"counts must be >= 0 and --size >= {MIN_SIZE}")
    count = generate_sample_dataset(args.output, {"train": args.num_train, "val": args.num_val,
                                                  "test": args.num_test}, args.size, args.seed)
    print(f"wrote {count} images under {args.output} (splits that already existed were kept)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
