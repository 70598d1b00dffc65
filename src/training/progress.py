"""What a training run reports as it goes: a progress line every log_interval steps (losses, ms/step, ETA),
losses.csv and the loss curve, and the stop of a run on non-finite losses."""
import time
from dataclasses import dataclass

import numpy as np

from src.utils.errors import UserInputError
from src.utils.tools import format_duration, plot_loss_curves, write_loss_history


@dataclass(frozen=True)
class LossReport:
    """The losses a model's step returns, in its order: {losses.csv name: (progress line name, loss curve
    title)}; `shown`: those the progress lines, TensorBoard and the loss curve show (the others are 0 in
    this run)."""
    losses: dict
    shown: tuple

    @property
    def names(self):
        return tuple(self.losses)

    def short_name(self, name):
        return self.losses[name][0]

    def titles(self):
        """{name: curve title} of the shown losses."""
        return {name: self.losses[name][1] for name in self.shown}


class TrainingProgress:
    """Per-step losses and wall times of one run, the losses named by `report` (a LossReport).

    history: the rows of losses.csv so far ({epoch, step, <each loss>, lr}); a resumed run passes the rows up
    to its checkpoint's step.
    """

    def __init__(self, log, log_interval, steps_per_epoch, epochs, report, history=(), on_line=None):
        self.log, self.report = log, report
        self.on_line = on_line  # on_line(step, {loss: mean of the line}, lr): TensorBoard
        self.log_interval = log_interval
        self.steps_per_epoch = steps_per_epoch
        self.epochs = epochs
        self.history = list(history)
        self.step_times = []  # wall time per step, waiting for data included; the compiling first step excluded
        self.started = time.perf_counter()
        self.last_end = None
        self.shown = report.shown

    def step_done(self, epoch, step_in_epoch, step, losses, lr, steps_left):
        """Record one step's losses (the report's, in order); log a progress line every log_interval steps and at
        the end of an epoch. Raises UserInputError when a loss is not finite, before anything is saved."""
        now = time.perf_counter()
        if self.last_end is None:
            self.log(f"First step (graph compile included) took {now - self.started:.1f} s")
        else:
            self.step_times.append(now - self.last_end)
        self.last_end = now
        if not np.all(np.isfinite(losses)):
            raise UserInputError(f"losses became non-finite at epoch {epoch} step {step_in_epoch} ("
                                 + ", ".join(f"{self.report.short_name(name)} {value}"
                                             for name, value in zip(self.report.names, losses) if name in self.shown) + "): lower --lr or resume "
                                 "from an earlier checkpoint with another --seed")
        self.history.append(dict(zip(self.report.names, losses), epoch=epoch, step=step, lr=lr))
        if step_in_epoch % self.log_interval == 0 or step_in_epoch == self.steps_per_epoch:
            self._log_line(epoch, step_in_epoch, step, steps_left, lr)

    def _log_line(self, epoch, step_in_epoch, step, steps_left, lr):
        recent = self.history[-self.log_interval:]
        times = self.step_times[-self.log_interval:]
        median_ms = 1000 * float(np.median(times)) if times else float("nan")
        eta = format_duration(steps_left * median_ms / 1000) if times else "?"
        averages = {name: float(np.mean([row[name] for row in recent])) for name in self.shown}
        if self.on_line:
            self.on_line(step, averages, lr)
        means = " ".join(f"{self.report.short_name(name)} {value:.4f}" for name, value in averages.items())
        self.log(f"epoch {epoch}/{self.epochs} step {step_in_epoch}/{self.steps_per_epoch} (total {step}) | "
                 f"{median_ms:.1f} ms/step | {means} | lr {lr:.2e} | ETA {eta}")

    def save(self, losses_path, curve_path):
        """Write losses.csv and redraw the loss curve (both atomically)."""
        write_loss_history(self.history, losses_path, self.report.names)
        plot_loss_curves(self.history, curve_path, self.steps_per_epoch, self.report.titles())

    def finished(self):
        """'Training finished in 6m14s: 288.0 ms/step (median)'."""
        median_ms = 1000 * float(np.median(self.step_times)) if self.step_times else 0.0
        return (f"Training finished in {format_duration(time.perf_counter() - self.started)}: "
                f"{median_ms:.1f} ms/step (median)")
