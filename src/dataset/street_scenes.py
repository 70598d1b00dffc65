"""Synthetic street scenes in Cityscapes' format, for trying and testing --dataset_mode labels without the
real data set (which needs a login to download): 8-bit *_gtFine_labelIds.png class maps with Cityscapes' IDs
(road 7, sidewalk 8, building 11, vegetation 21, sky 23, person 24, car 26), 16-bit *_gtFine_instanceIds.png
maps (cars and people numbered ID * 1000 + k, as Cityscapes does; other pixels carry their class ID) and
*_leftImg8bit.png photos rendered from them (flat class colours with shading and noise, a darker outline
per car), in NVIDIA's datasets/cityscapes layout (train_label/, train_inst/, train_img/, test_*).
"""
import os

import numpy as np
from PIL import Image

ROAD, SIDEWALK, BUILDING, VEGETATION, SKY, PERSON, CAR = 7, 8, 11, 21, 23, 24, 26
PHOTO_COLOURS = {ROAD: (90, 88, 95), SIDEWALK: (170, 160, 150), BUILDING: (140, 110, 90), VEGETATION: (60, 120, 50),
                 SKY: (150, 190, 230), PERSON: (200, 60, 70), CAR: (30, 50, 150)}


def scene_maps(rng, width, height):
    """(label IDs, instance IDs) of one scene: sky above buildings and trees, a sidewalk, the road, cars
    on the road and people on the sidewalk. Both (height, width) int32."""
    label = np.full((height, width), SKY, np.int32)
    rows = np.arange(height)[:, None]
    horizon = int(height * rng.uniform(0.35, 0.5))
    skyline = horizon - (rng.uniform(0.05, 0.25, width // 16 + 1).repeat(16)[:width] * height).astype(int)
    label[rows >= skyline[None, :]] = BUILDING
    trees = rng.random(width // 24 + 1).repeat(24)[:width] < 0.3
    label[(rows >= horizon - height // 8) & trees[None, :] & (rows < horizon)] = VEGETATION
    kerb = int(height * rng.uniform(0.6, 0.7))
    label[horizon:kerb] = SIDEWALK
    label[kerb:] = ROAD
    instance = label.copy()
    for number, (cls, top, bottom, size) in enumerate(
            [(CAR, kerb, height, (0.18, 0.3)) for _ in range(rng.integers(1, 4))]
            + [(PERSON, horizon, kerb, (0.03, 0.06)) for _ in range(rng.integers(0, 3))]):
        box_w = int(width * rng.uniform(*size))
        box_h = max(2, int(box_w * (0.55 if cls == CAR else 2.5)))
        x = int(rng.integers(0, max(1, width - box_w)))
        y = int(np.clip(rng.integers(top, max(top + 1, bottom)) - box_h // 2, 0, height - box_h))
        label[y:y + box_h, x:x + box_w] = cls
        instance[y:y + box_h, x:x + box_w] = cls * 1000 + number
    return label, instance


def render_photo(rng, label, instance):
    """A photo of the scene: class colours, a vertical shading, noise, and a dark border round each object."""
    photo = np.zeros(label.shape + (3,), np.float64)
    for cls, colour in PHOTO_COLOURS.items():
        photo[label == cls] = colour
    photo *= np.linspace(1.1, 0.8, label.shape[0])[:, None, None]
    edges = np.zeros(label.shape, bool)
    edges[:, 1:] |= instance[:, 1:] != instance[:, :-1]
    edges[1:, :] |= instance[1:, :] != instance[:-1, :]
    photo[edges & (instance >= 1000)] *= 0.3
    photo += rng.normal(0, 6, photo.shape)
    return np.clip(photo, 0, 255).astype(np.uint8)


def write_street_scenes(folder, count, width=512, height=256, split="train", seed=0, first=0):
    """Write `count` scenes into folder/{split}_label, {split}_inst and {split}_img with Cityscapes' file
    names (city 'synthetic'); returns the names."""
    rng = np.random.default_rng([seed, first])
    names = []
    for side in ("label", "inst", "img"):
        os.makedirs(os.path.join(folder, f"{split}_{side}"), exist_ok=True)
    for index in range(first, first + count):
        name = f"synthetic_{index:06d}_000019"
        label, instance = scene_maps(rng, width, height)
        Image.fromarray(label.astype(np.uint8), "L").save(
            os.path.join(folder, f"{split}_label", f"{name}_gtFine_labelIds.png"))
        Image.fromarray(instance.astype(np.uint16)).save(
            os.path.join(folder, f"{split}_inst", f"{name}_gtFine_instanceIds.png"))
        Image.fromarray(render_photo(rng, label, instance), "RGB").save(
            os.path.join(folder, f"{split}_img", f"{name}_leftImg8bit.png"))
        names.append(name)
    return names
