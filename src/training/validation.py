"""Validation while training (--val_every): the held-out pairs translated and scored (L1, PSNR, SSIM, FID/KID
with weights) in the run's test-time mode, validation.csv and its curves, and checkpoints/generator_best.ckpt
for the best score so far (kept across --resume)."""
import csv
import json
import os
import time

import mindspore as ms

from src.evaluation.report import mean_scores, score_pair, translated_pairs, translation_by
from src.evaluation.unpaired import UnpairedTestSets, cycle_scores
from src.models.checkpoint import read_checkpoint, save_generator_checkpoint, set_test_mode
from src.utils.tools import atomic_write_path, image_grid

# --best_metric: auto, or the score that picks the best generator (True: lower is better).
LOWER_IS_BETTER = {"fid": True, "kid": True, "l1": True, "psnr": False, "ssim": False}
BEST_METRICS = ("auto", *LOWER_IS_BETTER)
# validation.csv's columns after epoch and step.
SCORE_COLUMNS = ("l1", "psnr", "ssim", "fid", "kid_mean", "kid_std", "seconds")
# Pairs shown in each validation's TensorBoard picture (input | output | target rows).
VALIDATION_PICTURE_ROWS = 4


def score_key(metric):
    """The summary key of a --best_metric (kid is ranked by kid_mean)."""
    return "kid_mean" if metric == "kid" else metric


def resolve_best_metric(best_metric, has_weights):
    """--best_metric auto -> fid with FID weights (on sets of any size, as pytorch-fid), else l1."""
    if best_metric == "auto":
        return "fid" if has_weights else "l1"
    return best_metric


def generator_scores(generators, pairs, eval_mode, scorer):
    """(summary, pictures of the first rows) of `generators` ({checkpoint prefix: generator}) on `pairs`
    (EvaluationPairs, or a CycleGAN's UnpairedTestSets) in `eval_mode`; batch-norm running statistics are
    restored afterwards, so validating leaves the trained weights as they were."""
    kept = [(parameter, parameter.asnumpy()) for generator in generators.values()
            for parameter in generator.untrainable_params()]
    if isinstance(pairs, UnpairedTestSets):
        shown = []

        def keep(way, name, pictures):
            if len(shown) < VALIDATION_PICTURE_ROWS:
                shown.append([picture for picture in pictures if picture is not None])
        summary = cycle_scores(generators, pairs, eval_mode, scorer, keep)
    else:
        summary, shown = _paired_scores(generators["generator"], pairs, eval_mode, scorer)
    for parameter, value in kept:
        parameter.set_data(ms.Tensor(value))
    return summary, shown


def _paired_scores(generator, pairs, eval_mode, scorer):
    set_test_mode(generator, eval_mode)
    rows, shown, fakes, reals = [], [], [], []
    for _, name, pictures in translated_pairs(translation_by(generator), pairs):
        rows.append(score_pair(name, *pictures))
        fakes.append(pictures[1])
        reals.append(pictures[2])
        if len(shown) < VALIDATION_PICTURE_ROWS:
            shown.append(pictures)
    generator.set_train(True)
    summary = mean_scores(rows)
    summary.update(scorer.scores(fakes, reals))
    return summary, shown


class Validation:
    """--val_every: scores `pairs` (EvaluationPairs) when the trainer says, keeps the best generator by `metric`
    (resolved, see resolve_best_metric) in folder.best_generator, and reports to `log` and `board`."""

    def __init__(self, pairs, scorer, metric, folder, spec, eval_mode, log, board, run=None):
        self.pairs, self.scorer, self.metric, self.run_identity = pairs, scorer, metric, run
        self.folder, self.spec, self.eval_mode, self.log, self.board = folder, spec, eval_mode, log, board
        self.rows, self.best = [], None  # best: {metric, score, epoch}

    @classmethod
    def for_run(cls, config, pairs, folder, spec, scorer, log, board, run=None):
        """The validation of a run's settings (FID and KID by `scorer`, a FidKidScorer), or None with --val_every 0."""
        if not config.val_every:
            return None
        metric = resolve_best_metric(config.best_metric, bool(config.fid_weights))
        log(f"Validation every {config.val_every} epochs on {len(pairs.source.names)} "
            f"{'test pictures of A' if isinstance(pairs, UnpairedTestSets) else 'pairs'} of {config.val_data_dir}; "
            f"the best {metric} is kept in {folder.best_generator}")
        return cls(pairs, scorer, metric, folder, spec, config.eval_mode, log, board, run)

    def restore(self, epochs_done):
        """A resumed run: the rows up to its epoch, and the best so far from generator_best.ckpt."""
        self.rows = [row for row in read_validation_rows(self.folder.validation) if row["epoch"] <= epochs_done]
        if os.path.isfile(self.folder.best_generator):
            best = json.loads(str(read_checkpoint(self.folder.best_generator).get("best", "{}")))
            if best.get("metric") == self.metric:
                self.best = best
                self.log(f"Best so far: {self.metric} {best['score']:.4f} after epoch {best['epoch']}")

    def run(self, generators, epoch, step):
        """Score the generators ({checkpoint prefix: generator}) after `epoch` (`step` steps); returns the
        summary."""
        started = time.perf_counter()
        summary, shown = generator_scores(generators, self.pairs, self.eval_mode, self.scorer)
        seconds = time.perf_counter() - started
        row = dict({key: summary.get(key) for key in SCORE_COLUMNS}, epoch=epoch, step=step, seconds=round(seconds, 2))
        self.rows.append(row)
        write_validation_rows(self.rows, self.folder.validation)
        plot_validation_curves(self.rows, self.folder.validation_curve)
        kept = self._keep_if_best(generators, epoch, step, summary)
        self.board.validation(step, row, image_grid([list(pictures) for pictures in shown]))
        self.log(f"Validation after epoch {epoch}: " + ", ".join(
            f"{key} {row[key]:.4f}" for key in SCORE_COLUMNS[:-1] if row[key] is not None)
            + f" ({seconds:.1f} s)" + (f"; best {self.metric} so far, saved {self.folder.best_generator}" if kept else
                                      f"; best {self.metric} {self.best['score']:.4f} after epoch {self.best['epoch']}"
                                      if self.best else ""))
        return summary

    def _keep_if_best(self, generators, epoch, step, summary):
        score = summary.get(score_key(self.metric))
        if score is None:
            return False
        if self.best is not None and (score >= self.best["score"] if LOWER_IS_BETTER[self.metric]
                                      else score <= self.best["score"]):
            return False
        self.best = {"metric": self.metric, "score": float(score), "epoch": epoch}
        save_generator_checkpoint(self.folder.best_generator, generators, self.spec, epoch, step,
                                  extra={"best": json.dumps(self.best)}, run=self.run_identity)
        return True


def write_validation_rows(rows, path):
    with atomic_write_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["epoch", "step", *SCORE_COLUMNS])
        writer.writeheader()
        writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)


def read_validation_rows(path):
    """The rows of a validation.csv written by write_validation_rows (empty cells: None)."""
    if not os.path.isfile(path):
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [dict({key: float(row[key]) if row.get(key) else None for key in SCORE_COLUMNS},
                     epoch=int(row["epoch"]), step=int(row["step"])) for row in csv.DictReader(handle)]


def plot_validation_curves(rows, path):
    """One panel per validation score against the epoch, into a PNG (atomically)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [key for key in SCORE_COLUMNS[:-1] if key != "kid_std" and any(row[key] is not None for row in rows)]
    figure, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.2), squeeze=False)
    for axis, key in zip(axes[0], keys):
        points = [(row["epoch"], row[key]) for row in rows if row[key] is not None]
        axis.plot(*zip(*points), marker="o", color="C1")
        axis.set_title(f"validation {key}" + (" (lower is better)" if LOWER_IS_BETTER.get(key.split("_")[0], False)
                                              else ""), fontsize=10)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    with atomic_write_path(path) as temporary:
        figure.savefig(temporary, dpi=90, format="png")
    plt.close(figure)
