"""Evaluate a generator on a folder of A|B pairs: translated images, metrics (CSV + JSON), a
comparison grid and an HTML report."""
import csv
import html
import os
import urllib.parse

import numpy as np
import mindspore as ms
from PIL import Image

from src.dataset.aligned_dataset import create_eval_dataset, iterate_batches
from src.dataset.transforms import to_uint8_hwc
from src.models.checkpoint import load_generator, set_test_mode
from src.run_folder import make_output_folder, results_folder
from src.settings import generator_spec_from_config, require_size_multiples
from src.utils.device import seed_everything, setup_device
from src.utils.errors import UserInputError
from src.utils.metrics import mean_absolute_error, psnr, ssim
from src.utils.tools import atomic_write_path, image_grid, save_image_atomic, write_json_atomic

# How many pairs the comparison picture shows (input | output | target rows).
COMPARISON_ROWS = 6
# PSNR of identical images is infinite; reports cap it here so means and JSON stay finite.
PSNR_CAP_DB = 100.0
METRIC_KEYS = ("l1", "psnr", "ssim", "baseline_l1", "baseline_psnr", "baseline_ssim")


def score_pair(name, input_image, output, target):
    """Metrics of one translated image against its target, and of the input used as the output."""
    return {"name": name, "l1": mean_absolute_error(output, target),
            "psnr": min(psnr(output, target), PSNR_CAP_DB), "ssim": ssim(output, target),
            "baseline_l1": mean_absolute_error(input_image, target),
            "baseline_psnr": min(psnr(input_image, target), PSNR_CAP_DB),
            "baseline_ssim": ssim(input_image, target)}


def write_metrics_csv(rows, path):
    with atomic_write_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", *METRIC_KEYS])
        writer.writeheader()
        for row in rows:
            writer.writerow({key: (f"{value:.4f}" if isinstance(value, float) else value) for key, value in row.items()})


def write_html_report(rows, summary, path):
    """An HTML page with one row per image (input, output, target, metrics), using relative paths."""
    def cell(name, kind):
        source = html.escape(urllib.parse.quote(f"images/{name}_{kind}.png"), quote=True)  # spaces, '#', '?' ...
        return f'<td><a href="{source}"><img src="{source}" width="256"></a></td>'

    lines = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8"><title>pix2pix evaluation</title>',
             "<style>body{font-family:sans-serif;margin:16px}td,th{padding:4px 8px;text-align:center;"
             "vertical-align:middle}tr:nth-child(even){background:#f3f3f3}.m{text-align:left;font-size:13px;min-width:170px}"
             "</style></head><body>",
             "<h2>pix2pix evaluation</h2>",
             f"<p>{summary['num_images']} pairs of <code>{html.escape(str(summary['data_dir']))}</code>, "
             f"mode <b>{html.escape(summary['eval_mode'])}</b>. Mean L1 <b>{summary['l1']:.2f}</b> "
             f"(input as output {summary['baseline_l1']:.2f}), PSNR <b>{summary['psnr']:.2f} dB</b> "
             f"({summary['baseline_psnr']:.2f}), SSIM <b>{summary['ssim']:.4f}</b> ({summary['baseline_ssim']:.4f}). "
             "L1 in grey levels (0-255); PSNR capped at 100 dB.</p>",
             "<table><tr><th>name</th><th>input</th><th>output</th><th>target</th><th>metrics</th></tr>"]
    for row in rows:
        name = row["name"]
        metrics = (f"L1 {row['l1']:.2f}<br>PSNR {row['psnr']:.2f} dB<br>SSIM {row['ssim']:.4f}<br>"
                   f"<small>input as output:<br>L1 {row['baseline_l1']:.2f}, PSNR {row['baseline_psnr']:.2f}, "
                   f"SSIM {row['baseline_ssim']:.4f}</small>")
        lines.append(f"<tr><td>{html.escape(name)}</td>{cell(name, 'real_A')}{cell(name, 'fake_B')}"
                     f"{cell(name, 'real_B')}<td class=\"m\">{metrics}</td></tr>")
    lines += ["</table></body></html>"]
    with atomic_write_path(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def evaluate_pairs(translate, data_dir, output_dir, direction="BtoA", crop_size=256, mode="train", num_test=None,
                   log=print):
    """Translate the pairs of `data_dir` (the first `num_test` by name, or all) with `translate` and score
    G(A) against B. translate(real_a, names) maps float32 (N, C, H, W) in [-1, 1] and the pairs' names to
    G(A) of the same shape; `mode` labels the report (the test-time mode, or which exported model).

    Writes to output_dir: images/NAME_{real_A,fake_B,real_B}.png, metrics.csv (one row per image),
    metrics.json (summary and rows), comparison.png (input | output | target) and index.html.
    Returns the summary: num_images and the means of l1 (grey levels 0..255), psnr (dB, capped at 100)
    and ssim, with the same figures for the input itself used as the output (baseline_*).
    """
    dataset, files = create_eval_dataset(data_dir, direction, crop_size, num_test=num_test, log=log)
    make_output_folder(os.path.join(output_dir, "images"))
    rows, comparison = [], []
    for real_a, real_b, index in iterate_batches(dataset.create_tuple_iterator(num_epochs=1, output_numpy=True)):
        names = [os.path.splitext(os.path.basename(files[int(i)]))[0] for i in index]
        fake_b = np.asarray(translate(real_a, names))
        for row, name in enumerate(names):
            pictures = [to_uint8_hwc(x[row]) for x in (real_a, fake_b, real_b)]
            for kind, picture in zip(("real_A", "fake_B", "real_B"), pictures):
                save_image_atomic(Image.fromarray(picture), os.path.join(output_dir, "images", f"{name}_{kind}.png"))
            rows.append(score_pair(name, *pictures))
            if len(comparison) < COMPARISON_ROWS:
                comparison.append(pictures)
    summary = {"num_images": len(rows)}
    summary.update({key: round(float(np.mean([row[key] for row in rows])), 4) for key in METRIC_KEYS})
    summary.update({"eval_mode": mode, "data_dir": data_dir, "output_dir": output_dir})
    save_image_atomic(image_grid(comparison), os.path.join(output_dir, "comparison.png"))
    write_metrics_csv(rows, os.path.join(output_dir, "metrics.csv"))
    write_json_atomic({"summary": summary, "images": rows}, os.path.join(output_dir, "metrics.json"))
    write_html_report(rows, summary, os.path.join(output_dir, "index.html"))
    log(f"Evaluated {len(rows)} pairs of {data_dir}: L1 {summary['l1']:.2f} PSNR {summary['psnr']:.2f} dB "
        f"SSIM {summary['ssim']:.4f} (input as output: L1 {summary['baseline_l1']:.2f} PSNR "
        f"{summary['baseline_psnr']:.2f} dB SSIM {summary['baseline_ssim']:.4f}); report: "
        f"{os.path.join(output_dir, 'index.html')}")
    return summary


def validation_l1(generator, data_dir, direction="BtoA", crop_size=256):
    """Mean L1 (grey levels 0..255) of G(A) against B over the pairs of `data_dir`, in eval mode (running
    statistics, no dropout), so that measuring changes neither the weights nor the random streams of
    training; the generator is back in train mode afterwards."""
    generator.set_train(False)
    errors = []
    # Files that are not images are named once, by the final evaluation, not every epoch.
    dataset, _ = create_eval_dataset(data_dir, direction, crop_size, log=lambda warning: None)
    for real_a, real_b, _ in iterate_batches(dataset.create_tuple_iterator(num_epochs=1, output_numpy=True)):
        fake_b = generator(ms.Tensor(real_a)).asnumpy()
        errors += [mean_absolute_error(to_uint8_hwc(fake), to_uint8_hwc(real)) for fake, real in zip(fake_b, real_b)]
    generator.set_train(True)
    return float(np.mean(errors))


def evaluate_generator(generator, data_dir, output_dir, direction="BtoA", crop_size=256, eval_mode="train",
                       num_test=None, log=print):
    """evaluate_pairs with a MindSpore generator in test mode `eval_mode` (see set_test_mode)."""
    set_test_mode(generator, eval_mode)
    return evaluate_pairs(lambda batch, names: generator(ms.Tensor(batch)).asnumpy(), data_dir, output_dir,
                          direction, crop_size, eval_mode, num_test, log)


def evaluate(config):
    """eval.py: evaluate config.ckpt on config.val_data_dir; returns the summary dict."""
    if not config.val_data_dir:
        raise UserInputError("--val_data_dir is not set: pass a folder of aligned A|B images to evaluate on")
    setup_device(config.device_target, config.device_id, config.mode)
    seed_everything(config.seed, deterministic=True)
    generator, spec = load_generator(config.ckpt, generator_spec_from_config(config))
    require_size_multiples(config, spec["netG"], ("crop_size",))
    output_dir = results_folder(config.output_path, "eval", config.ckpt, config.val_data_dir)
    summary = evaluate_generator(generator, config.val_data_dir, output_dir, config.direction, config.crop_size,
                                 config.eval_mode, config.num_test)
    config.save(os.path.join(output_dir, "config.yaml"))
    return dict(summary, checkpoint=config.ckpt, model_spec=spec)
