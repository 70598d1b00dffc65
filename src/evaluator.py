"""Evaluate a generator on a folder of A|B pairs: translated images, a comparison picture, metrics."""
import json
import os

import numpy as np
from PIL import Image

from src.dataset.aligned_dataset import create_eval_dataset, iterate_batches
from src.dataset.transforms import to_uint8_hwc
from src.models.pix2pix import build_generator, model_spec_from_config
from src.utils.checkpoint import checkpoint_model_spec, load_generator_weights, read_checkpoint
from src.utils.device import seed_everything, setup_device
from src.utils.metrics import mean_absolute_error, psnr, ssim
from src.utils.errors import UserInputError
from src.utils.tools import image_grid, save_image_atomic, write_json_atomic

# How many pairs the comparison picture shows (input | output | target rows).
COMPARISON_ROWS = 6


def load_generator(ckpt_path, config):
    """Rebuild the generator a checkpoint was trained with (its stored model_spec, else the config's)
    and load its weights. Returns (generator, contents of the checkpoint)."""
    contents = read_checkpoint(ckpt_path)
    spec = checkpoint_model_spec(contents) or model_spec_from_config(config)
    generator = build_generator(spec)
    load_generator_weights(generator, contents, ckpt_path)
    return generator, contents


def unused_folder(path):
    """`path`, or `path_2`, `path_3`, ... if it exists: earlier results are never overwritten."""
    candidate, number = path, 1
    while os.path.exists(candidate):
        number += 1
        candidate = f"{path}_{number}"
    return candidate


def _finite(value):
    return value if np.isfinite(value) else 100.0  # PSNR of identical images: capped for the means and json


def evaluate_generator(generator, data_dir, output_dir, direction="BtoA", crop_size=256, inference_mode="paper",
                       log=print):
    """Translate every pair in `data_dir` and score G(A) against B.

    inference_mode "paper" runs batch norm on each image's own statistics with dropout on, as the
    paper and the reference's test.py; "eval" uses running statistics without dropout.
    Writes output_dir/images/<name>.png (G(A)), comparison.png and metrics.json; returns the summary
    dict: num_images and means of l1 (grey levels, 0..255), psnr (dB, capped at 100), ssim, with the
    same figures for the input itself as the output (baseline_*).
    """
    generator.set_train(inference_mode == "paper")
    dataset, files = create_eval_dataset(data_dir, direction, crop_size)
    os.makedirs(os.path.join(output_dir, "images"), exist_ok=True)
    per_image, comparison = [], []
    for real_a, real_b, index in iterate_batches(dataset.create_tuple_iterator(num_epochs=1)):
        fake_b = generator(real_a).asnumpy()
        real_a, real_b, index = real_a.asnumpy(), real_b.asnumpy(), index.asnumpy()
        for row in range(fake_b.shape[0]):
            input_image, output, target = (to_uint8_hwc(x[row]) for x in (real_a, fake_b, real_b))
            name = os.path.splitext(os.path.basename(files[int(index[row])]))[0]
            save_image_atomic(Image.fromarray(output), os.path.join(output_dir, "images", f"{name}.png"))
            per_image.append({"name": name, "l1": mean_absolute_error(output, target),
                              "psnr": _finite(psnr(output, target)), "ssim": ssim(output, target),
                              "baseline_l1": mean_absolute_error(input_image, target),
                              "baseline_psnr": _finite(psnr(input_image, target)),
                              "baseline_ssim": ssim(input_image, target)})
            if len(comparison) < COMPARISON_ROWS:
                comparison.append([input_image, output, target])
    save_image_atomic(image_grid(comparison), os.path.join(output_dir, "comparison.png"))
    summary = {"num_images": len(per_image)}
    for key in ("l1", "psnr", "ssim", "baseline_l1", "baseline_psnr", "baseline_ssim"):
        summary[key] = round(float(np.mean([item[key] for item in per_image])), 4)
    summary.update({"inference_mode": inference_mode, "data_dir": data_dir, "output_dir": output_dir})
    write_json_atomic({"summary": summary, "images": per_image}, os.path.join(output_dir, "metrics.json"))
    log(f"Evaluated {len(per_image)} pairs of {data_dir}: L1 {summary['l1']:.2f} PSNR {summary['psnr']:.2f} dB "
        f"SSIM {summary['ssim']:.4f} (input as output: L1 {summary['baseline_l1']:.2f} PSNR "
        f"{summary['baseline_psnr']:.2f} dB SSIM {summary['baseline_ssim']:.4f}); pictures in {output_dir}")
    return summary


def evaluate(config):
    """eval.py: evaluate config.ckpt on config.val_data_dir; returns the summary dict."""
    if not config.val_data_dir:
        raise UserInputError("--val_data_dir is not set: pass a folder of aligned A|B images to evaluate on")
    setup_device(config.device_target, config.device_id, config.mode)
    seed_everything(config.seed)
    generator, contents = load_generator(config.ckpt, config)
    stem = os.path.splitext(os.path.basename(config.ckpt))[0]
    data_name = os.path.basename(os.path.normpath(config.val_data_dir))
    output_dir = unused_folder(os.path.join(config.output_path, "eval", f"{stem}_{data_name}"))
    summary = evaluate_generator(generator, config.val_data_dir, output_dir, config.direction, config.crop_size,
                                 config.inference_mode)
    config.save(os.path.join(output_dir, "config.yaml"))
    summary["checkpoint"] = config.ckpt
    stored = contents.get("model_spec")
    summary["model_spec"] = json.loads(stored) if isinstance(stored, str) else None
    return summary
