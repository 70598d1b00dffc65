"""Train a small pix2pixHD global generator on synthetic Cityscapes-format street scenes at 512x256 and draw
label map | output | target for held-out scenes:
    python docs/make_hd_picture.py [--epochs 8] [--work outputs/hd_picture]  ->  imgs/hd_street_scenes.png

The scenes come from src/dataset/street_scenes.py (NVIDIA's datasets/cityscapes layout, Cityscapes' label
IDs and instance maps). The run is configs/cityscapes_hd_512p.yaml with a quarter of its filters (ngf 16,
ndf 32), at 512x256 and without the VGG loss, so it takes about 13 minutes on 2 CPU cores; every other
setting (labels + instance boundaries, global generator, 2 scales, LSGAN + feature matching) is the preset's.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)
from src.dataset.street_scenes import write_street_scenes  # noqa: E402
from src.utils.tools import image_grid, save_image_atomic  # noqa: E402

PICTURE = os.path.join(REPO_ROOT, "imgs", "hd_street_scenes.png")
TRAIN_SCENES, TEST_SCENES, ROWS = 48, 3, 3


def run(arguments):
    result = subprocess.run([sys.executable, *arguments], cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stdout[-3000:] + result.stderr[-3000:])
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--work", default=os.path.join(REPO_ROOT, "outputs", "hd_picture"))
    args = parser.parse_args()
    data = os.path.join(args.work, "cityscapes")
    write_street_scenes(data, TRAIN_SCENES, 512, 256, split="train")
    names = write_street_scenes(data, TEST_SCENES, 512, 256, split="test", first=1000)
    output = os.path.join(args.work, "run")
    half = args.epochs // 2
    run(["train.py", "--config_path", "configs/cityscapes_hd_512p.yaml", "--train_data_dir", data,
         "--output_path", output, "--load_size", "512", "--crop_size", "512", "--ngf", "16", "--ndf", "32",
         "--lambda_vgg", "0", "--n_epochs", str(args.epochs - half), "--n_epochs_decay", str(half),
         "--save_checkpoint_epochs", str(args.epochs), "--log_interval", "16"])
    checkpoint = os.path.join(output, "checkpoints", "generator_final.ckpt")
    summary = json.loads(run(["predict.py", "--ckpt", checkpoint, "--input_path", data, "--output_path",
                              args.work]).strip().splitlines()[-1])
    from src.dataset.image_coding import ImageCoding
    from src.dataset.label_maps import LabelMaps, read_id_map
    coding = ImageCoding(36, 3, label_nc=35, instance_edges=True)
    rows = []
    for name in names[:ROWS]:
        maps = LabelMaps(read_id_map(os.path.join(data, "test_label", f"{name}_gtFine_labelIds.png")),
                         read_id_map(os.path.join(data, "test_inst", f"{name}_gtFine_instanceIds.png")))
        output_picture = np.asarray(Image.open(os.path.join(summary["output_dir"], f"{name}_gtFine_labelIds.png")))
        target = np.asarray(Image.open(os.path.join(data, "test_img", f"{name}_leftImg8bit.png")).convert("RGB"))
        rows.append((coding.input_picture(coding.encode_input(maps)), output_picture, target))
    save_image_atomic(image_grid(rows), PICTURE)
    print(f"Wrote {PICTURE} (label map | output | target, {len(rows)} held-out scenes at 512x256)")


if __name__ == "__main__":
    main()
