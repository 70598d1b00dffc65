"""Score translated pairs and report them: images, metrics (CSV + JSON), a comparison grid and an HTML page,
whatever translated them (a MindSpore generator, an exported model, the offline flow)."""
import csv
import html
import os
import urllib.parse

import numpy as np
import mindspore as ms
from PIL import Image

from src.evaluation.fid_kid import SCORE_KEYS
from src.utils.metrics import mean_absolute_error, psnr, ssim
from src.utils.output_folders import make_output_folder
from src.utils.tools import atomic_write_path, image_grid, save_image_atomic, write_json_atomic

# How many pairs the comparison picture shows (input | output | target rows).
COMPARISON_ROWS = 6
# PSNR of identical images is infinite; reports cap it here so means and JSON stay finite.
PSNR_CAP_DB = 100.0
METRIC_KEYS = ("l1", "psnr", "ssim", "baseline_l1", "baseline_psnr", "baseline_ssim")


def translation_by(generator):
    """translate(batch, names) -> G(batch) as NumPy, the contract of evaluate_pairs and the unpaired reports, of a
    MindSpore generator."""
    return lambda batch, names: generator(ms.Tensor(batch)).asnumpy()


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
             "L1 in grey levels (0-255); PSNR capped at 100 dB."
             + (f" {html.escape(distribution_line(summary))}." if "fid" in summary else "") + "</p>",
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


def translated_pairs(translate, pairs):
    """(index, name, pictures) per pair of `pairs` (EvaluationPairs): pictures are uint8 (input, G(A),
    target) at the network's size; translate(real_a, names) as evaluate_pairs takes it."""
    for real_a, real_b, index in pairs.batches():
        index = int(index[0])
        name = pairs.source.names[index]
        fake_b = np.asarray(translate(real_a, [name]))
        yield index, name, pairs.coding.pictures(real_a[0], fake_b[0], real_b[0])


def mean_scores(rows):
    """{num_images, the mean of each METRIC_KEYS} of score_pair rows."""
    summary = {"num_images": len(rows)}
    summary.update({key: round(float(np.mean([row[key] for row in rows])), 4) for key in METRIC_KEYS})
    return summary


def write_summary_csv(summary, path):
    """One header and one row: the set's means and, when scored, FID and KID."""
    keys = ["num_images", *METRIC_KEYS] + [key for key in SCORE_KEYS + ("fid_dims",) if key in summary]
    with atomic_write_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerow({key: "" if summary[key] is None else summary[key] for key in keys})


def distribution_line(summary):
    """'FID 61.2, KID 0.0123 ± 0.0011 (2048 features)' or why they are missing."""
    if "fid_dims" not in summary:
        return "FID and KID: " + summary.get("fid_reason", "not scored")
    fid = f"FID {summary['fid']:.2f}" if summary["fid"] is not None else "FID null (" + summary["fid_reason"] + ")"
    kid = (f"KID {summary['kid_mean']:.4f} ± {summary['kid_std']:.4f}" if summary["kid_mean"] is not None
           else "KID null (" + summary.get("kid_reason", "") + ")")
    return f"{fid}, {kid} ({summary['fid_dims']} features)"


def evaluate_pairs(translate, pairs, output_dir, mode="train", log=print, scorer=None):
    """Translate `pairs` (EvaluationPairs) with `translate` and score G(A) against B. translate(real_a, names)
    maps float32 (N, C, H, W) in [-1, 1] and the pairs' names to G(A), (N, C_out, H, W); `mode` labels the
    report (the test-time mode, or which exported model). Scores are taken at the network's size; the
    saved pictures have each pair's own aspect.

    Writes to output_dir: images/NAME_{real_A,fake_B,real_B}.png, metrics.csv (one row per image),
    metrics.json (summary and rows), summary.csv (the summary's numbers), comparison.png (input | output | target) and index.html.
    Returns the summary: num_images and the means of l1 (grey levels 0..255), psnr (dB, capped at 100)
    and ssim, with the same figures for the input itself used as the output (baseline_*). With `scorer` (a
    FidKidScorer), also fid, kid_mean and kid_std of the saved G(A) against the saved B (null with
    fid_reason / kid_reason when they have no value).
    """
    make_output_folder(os.path.join(output_dir, "images"))
    rows, comparison, fakes, reals = [], [], [], []
    for index, name, pictures in translated_pairs(translate, pairs):
        shown = [pairs.shown(picture, index) for picture in pictures]
        for kind, picture in zip(("real_A", "fake_B", "real_B"), shown):
            save_image_atomic(Image.fromarray(picture), os.path.join(output_dir, "images", f"{name}_{kind}.png"))
        rows.append(score_pair(name, *pictures))
        fakes.append(shown[1])
        reals.append(shown[2])
        if len(comparison) < COMPARISON_ROWS:
            comparison.append(shown)
    data_dir = getattr(pairs.source, "where", "")
    summary = mean_scores(rows)
    if scorer is not None:
        summary.update(scorer.scores(fakes, reals))
    summary.update({"eval_mode": mode, "data_dir": data_dir, "output_dir": output_dir})
    save_image_atomic(image_grid(comparison), os.path.join(output_dir, "comparison.png"))
    write_metrics_csv(rows, os.path.join(output_dir, "metrics.csv"))
    write_summary_csv(summary, os.path.join(output_dir, "summary.csv"))
    write_json_atomic({"summary": summary, "images": rows}, os.path.join(output_dir, "metrics.json"))
    write_html_report(rows, summary, os.path.join(output_dir, "index.html"))
    log(f"Evaluated {len(rows)} pairs of {data_dir}: L1 {summary['l1']:.2f} PSNR {summary['psnr']:.2f} dB "
        f"SSIM {summary['ssim']:.4f} (input as output: L1 {summary['baseline_l1']:.2f} PSNR "
        f"{summary['baseline_psnr']:.2f} dB SSIM {summary['baseline_ssim']:.4f})"
        + (f"; {distribution_line(summary)}" if scorer is not None else "") + "; report: "
        f"{os.path.join(output_dir, 'index.html')}")
    return summary
