"""Evaluating a CycleGAN on the test sides of two unpaired domains (testA/, testB/): FID and KID of G_A(A)
against B and of G_B(B) against A (the field's CycleGAN yardstick), with A against B itself as the baseline a
translation has to beat, the cycle L1 |G_B(G_A(A)) - A| and |G_A(G_B(B)) - B|, and a report of A | G_A(A) |
G_B(G_A(A)) rows (and B | G_B(B) | G_A(G_B(B))). A checkpoint holding G_A alone (a converted published
generator) is scored A -> B only."""
import html
import os
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.dataset.pair_sources import decode
from src.dataset.transforms import Preprocess
from src.dataset.unaligned_folders import UnalignedFolders
from src.evaluation.fid_kid import FidKidScorer
from src.evaluation.report import COMPARISON_ROWS, distribution_line, translation_by
from src.models.checkpoint import set_test_mode
from src.utils.metrics import mean_absolute_error
from src.utils.output_folders import make_output_folder
from src.utils.tools import atomic_write_path, image_grid, save_image_atomic, write_json_atomic

# The two ways of a CycleGAN: (its side, the picture kinds saved for it: real, translated, reconstructed).
WAYS = {"a_to_b": ("A", ("real_A", "fake_B", "rec_A")), "b_to_a": ("B", ("real_B", "fake_A", "rec_B"))}


@dataclass
class UnpairedTestSets:
    """The test sides of two domains: source (an UnalignedFolders read in the model's direction: `files` are
    A, `partner_files` B), their test transform and the coding of A and B."""
    source: UnalignedFolders
    preprocess: Preprocess
    coding: ImageCoding

    @classmethod
    def open(cls, folder, direction, preprocess, coding, num_test=None, log=print):
        """The first num_test pictures (or all) of each side of `folder` (--val_data_dir: testA/, testB/)."""
        return cls(UnalignedFolders(folder, "val_data_dir", direction, log, limit=num_test), preprocess, coding)

    def side(self, name):
        """(name, float32 (1, C, H, W) in [-1, 1]) of each test picture of side 'A' or 'B'."""
        files = self.source.files if name == "A" else self.source.partner_files
        names = self.source.names if name == "A" else self.source.partner_names
        coding = self.coding if name == "A" else replace(self.coding, input_channels=self.coding.output_channels)
        for path, label in zip(files, names):
            yield label, coding.encode_input(self.preprocess.test_image(decode(path)))[None]

    def picture(self, array):
        return self.coding.input_picture(array[0])


def cycle_translations(translations, sets, way):
    """(name, (real, translated, reconstructed) uint8 pictures) of each test picture of one way; `translations`:
    {'generator': translate A -> B[, 'generator_b': B -> A]}, each translate(batch, names) -> NumPy (the
    contract of report.evaluate_pairs); the reconstruction is None without the other one."""
    first, second = (translations.get("generator"), translations.get("generator_b"))
    if way == "b_to_a":
        first, second = second, first
    for name, real in sets.side(WAYS[way][0]):
        translated = first(real, [name])
        reconstructed = second(translated, [name]) if second is not None else None
        yield name, (sets.picture(real), sets.picture(translated),
                     None if reconstructed is None else sets.picture(reconstructed))


@contextmanager
def generator_translations(generators, eval_mode):
    """{checkpoint prefix: translate(batch, names)} of MindSpore `generators` in test mode `eval_mode`; they are
    back in train mode afterwards."""
    for generator in generators.values():
        set_test_mode(generator, eval_mode)
    try:
        yield {prefix: translation_by(generator) for prefix, generator in generators.items()}
    finally:
        for generator in generators.values():
            generator.set_train(True)


def cycle_scores(generators, sets, eval_mode, scorer, keep=None):
    """translated_cycle_scores of MindSpore `generators` ({'generator': G_A[, 'generator_b': G_B]}) in test mode
    `eval_mode`; the generators are back in train mode afterwards."""
    with generator_translations(generators, eval_mode) as translations:
        return translated_cycle_scores(translations, sets, scorer, keep)


def translated_cycle_scores(translations, sets, scorer, keep=None):
    """Score `translations` (see cycle_translations) on `sets` (UnpairedTestSets). keep(way, name, pictures) sees
    every translated picture (the report saves them). Returns the summary: num_a, num_b; per way (a_to_b,
    b_to_a) fid_*, kid_mean_*, kid_std_* of the translations against the other side's pictures and cycle_l1_*
    (grey levels); baseline_fid / baseline_kid_mean of A against B; fid and kid_mean, the means over the ways
    scored, and l1, the mean cycle L1 (what --val_every and --best_metric rank)."""
    reals, summary = {}, {}
    translated = {}
    for way in (("a_to_b", "b_to_a") if "generator_b" in translations else ("a_to_b",)):
        rows = list(cycle_translations(translations, sets, way))
        reals[way], translated[way] = [row[1][0] for row in rows], [row[1][1] for row in rows]
        if rows[0][1][2] is not None:
            summary[f"cycle_l1_{way}"] = round(float(np.mean([mean_absolute_error(pictures[2], pictures[0])
                                                               for _, pictures in rows])), 4)
        for name, pictures in rows:
            if keep:
                keep(way, name, pictures)
    if "b_to_a" not in reals:
        reals["b_to_a"] = [sets.picture(real) for _, real in sets.side("B")]
    summary.update(num_a=len(reals["a_to_b"]), num_b=len(reals["b_to_a"]))
    for way, fakes in translated.items():
        scores = scorer.scores(fakes, reals["b_to_a" if way == "a_to_b" else "a_to_b"])
        summary.update({f"{key}_{way}": value for key, value in scores.items()})
    summary.update({f"baseline_{key}": value
                    for key, value in scorer.scores(reals["a_to_b"], reals["b_to_a"]).items()})
    summary.update(fid=_mean_of(summary, "fid", translated), kid_mean=_mean_of(summary, "kid_mean", translated),
                   l1=_mean_of(summary, "cycle_l1", translated))
    return summary


def _mean_of(summary, key, ways):
    values = [summary.get(f"{key}_{way}") for way in ways]
    return None if any(value is None for value in values) else round(float(np.mean(values)), 4)


def evaluate_cycle(generators, sets, output_dir, eval_mode="train", log=print, scorer=None):
    """report_cycle of MindSpore `generators` in test mode `eval_mode` (back in train mode afterwards)."""
    with generator_translations(generators, eval_mode) as translations:
        return report_cycle(translations, sets, output_dir, eval_mode, log, scorer)


def report_cycle(translations, sets, output_dir, mode="train", log=print, scorer=None):
    """translated_cycle_scores with a report in output_dir: images/NAME_{real_A,fake_B,rec_A}.png (and real_B,
    fake_A, rec_B), comparison.png, metrics.json and index.html; `mode` labels the report (the test-time mode,
    or the offline flow). Returns the summary (with eval_mode, data_dir, output_dir)."""
    make_output_folder(os.path.join(output_dir, "images"))
    scorer = scorer or FidKidScorer(None)
    shown = {way: [] for way in WAYS}

    def keep(way, name, pictures):
        for kind, picture in zip(WAYS[way][1], pictures):
            if picture is not None:
                save_image_atomic(Image.fromarray(picture), os.path.join(output_dir, "images", f"{name}_{kind}.png"))
        shown[way].append((name, pictures))

    summary = translated_cycle_scores(translations, sets, scorer, keep)
    summary.update(eval_mode=mode, data_dir=sets.source.where, output_dir=output_dir)
    rows = [[picture for picture in pictures if picture is not None] for way in WAYS
            for _, pictures in shown[way][:COMPARISON_ROWS // 2]]
    save_image_atomic(image_grid(rows), os.path.join(output_dir, "comparison.png"))
    write_json_atomic({"summary": summary, "images": {way: [name for name, _ in shown[way]] for way in WAYS}},
                      os.path.join(output_dir, "metrics.json"))
    write_cycle_report(shown, summary, os.path.join(output_dir, "index.html"))
    log(f"Evaluated {summary['num_a']} A and {summary['num_b']} B pictures of {sets.source.where}: "
        + summary_line(summary) + f"; report: {os.path.join(output_dir, 'index.html')}")
    return summary


def summary_line(summary):
    """'G_A(A) vs B: FID 81.20, KID ...; G_B(B) vs A: ...; A vs B itself: FID 140.30, ...; cycle L1 6.10 / 7.30
    grey levels' (or why FID and KID are missing)."""
    scored = [(label, suffix) for label, suffix, way in (("G_A(A) vs B", "_a_to_b", "a_to_b"),
                                                          ("G_B(B) vs A", "_b_to_a", "b_to_a"))
              if f"fid_dims{suffix}" in summary]
    if scored:
        scored.append(("A vs B itself", ""))
        parts = [f"{label}: " + distribution_line(_scores_of(summary, suffix)) for label, suffix in scored]
    else:
        parts = ["FID and KID: " + str(summary.get("fid_reason_a_to_b", "not scored"))]
    cycles = [f"{summary[key]:.2f}" for key in ("cycle_l1_a_to_b", "cycle_l1_b_to_a") if key in summary]
    verdicts = [translation_verdict(summary, label.split(" ")[0], suffix) for label, suffix in scored if suffix]
    return "; ".join(parts + ([f"cycle L1 {' / '.join(cycles)} grey levels"] if cycles else [])
                     + [verdict for verdict in verdicts if verdict])


def translation_verdict(summary, translated, suffix):
    """Whether the translation `translated` ('G_A(A)') of one way (`suffix` '_a_to_b') works: its FID and KID
    against the other side below the untranslated baseline's (A against B). None when a score is missing."""
    compared = [(name, summary.get(key + suffix), summary.get("baseline_" + key))
                for name, key in (("FID", "fid"), ("KID", "kid_mean"))]
    compared = [(name, ours, baseline) for name, ours, baseline in compared if None not in (ours, baseline)]
    if not compared:
        return None
    figures = ", ".join(f"{name} {ours:.4g} {'<' if ours < baseline else '>='} {baseline:.4g}"
                        for name, ours, baseline in compared)
    works = all(ours < baseline for _, ours, baseline in compared)
    return (f"{translated} is closer to the other side than A is to B ({figures}): the translation works" if works
            else f"{translated} is not closer to the other side than A is to B ({figures}): not translating yet")


def _scores_of(summary, suffix):
    """One way's FID/KID entries (suffix '_a_to_b' ...; '' for the baseline) under their plain names."""
    picked = {key: summary.get(key + suffix if suffix else "baseline_" + key)
              for key in ("fid", "kid_mean", "kid_std", "fid_dims", "fid_reason", "kid_reason")}
    return {key: value for key, value in picked.items() if value is not None or key in ("fid", "kid_mean")}


def write_cycle_report(shown, summary, path):
    """An HTML page: the summary, then one row per test picture of each way (real, translated, reconstructed)."""
    def cell(name, kind):
        source = html.escape(urllib.parse.quote(f"images/{name}_{kind}.png"), quote=True)
        return f'<td><a href="{source}"><img src="{source}" width="256"></a></td>'

    lines = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8"><title>CycleGAN evaluation</title>',
             "<style>body{font-family:sans-serif;margin:16px}td,th{padding:4px 8px;text-align:center}"
             "tr:nth-child(even){background:#f3f3f3}</style></head><body>", "<h2>CycleGAN evaluation</h2>",
             f"<p>{summary['num_a']} A and {summary['num_b']} B pictures of "
             f"<code>{html.escape(str(summary['data_dir']))}</code>, mode <b>{html.escape(summary['eval_mode'])}</b>. "
             f"{html.escape(summary_line(summary))}. A translation works when its FID against the other side is "
             "below A's own against B.</p>"]
    for way, (side, kinds) in WAYS.items():
        if not shown[way]:
            continue
        lines.append(f"<h3>{side} &rarr; {'B' if side == 'A' else 'A'}</h3><table><tr><th>name</th>"
                     + "".join(f"<th>{kind}</th>" for kind in kinds) + "</tr>")
        for name, pictures in shown[way]:
            lines.append(f"<tr><td>{html.escape(name)}</td>" + "".join(
                cell(name, kind) for kind, picture in zip(kinds, pictures) if picture is not None) + "</tr>")
        lines.append("</table>")
    lines.append("</body></html>")
    with atomic_write_path(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
