"""What a training run reports as it goes: a progress line every log_interval steps (losses, ms/step, ETA),
losses.csv and the loss curve, and the stop of a run on non-finite losses."""
import time

import numpy as np

from src.utils.errors import UserInputError
from src.utils.tools import LOSS_TITLES, format_duration, plot_loss_curves, write_loss_history

LOSS_NAMES = tuple(LOSS_TITLES)
# How a progress line names each loss.
SHORT_NAMES = {"loss_d": "D", "loss_g_gan": "G_GAN", "loss_g_l1": "G_L1", "loss_g_feat": "G_feat", "loss_g_vgg": "G_VGG"}


class TrainingProgress:
    """Per-step losses and wall times of one run.

    history: the rows of losses.csv so far ({epoch, step, loss_d, ..., loss_g_vgg, lr}); a resumed run passes
    the rows up to its checkpoint's step. shown: the losses beyond D, G_GAN and G_L1 the progress lines show.
    """

    def __init__(self, log, log_interval, steps_per_epoch, epochs, history=(), shown=(), on_line=None):
        self.log = log
        self.on_line = on_line  # on_line(step, {loss: mean of the line}, lr): TensorBoard
        self.log_interval = log_interval
        self.steps_per_epoch = steps_per_epoch
        self.epochs = epochs
        self.history = list(history)
        self.step_times = []  # wall time per step, waiting for data included; the compiling first step excluded
        self.started = time.perf_counter()
        self.last_end = None
        self.shown = ("loss_d", "loss_g_gan", "loss_g_l1") + tuple(shown)

    def step_done(self, epoch, step_in_epoch, step, losses, lr, steps_left):
        """Record one step's losses (LOSS_NAMES, in order); log a progress line every log_interval steps and at
        the end of an epoch. Raises UserInputError when a loss is not finite, before anything is saved."""
        now = time.perf_counter()
        if self.last_end is None:
            self.log(f"First step (graph compile included) took {now - self.started:.1f} s")
        else:
            self.step_times.append(now - self.last_end)
        self.last_end = now
        if not np.all(np.isfinite(losses)):
            raise UserInputError(f"losses became non-finite at epoch {epoch} step {step_in_epoch} ("
                                 + ", ".join(f"{SHORT_NAMES[name]} {value}" for name, value in zip(LOSS_NAMES, losses)
                                             if name in self.shown) + "): lower --lr or resume "
                                 "from an earlier checkpoint with another --seed")
        self.history.append(dict(zip(LOSS_NAMES, losses), epoch=epoch, step=step, lr=lr))
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
        means = " ".join(f"{SHORT_NAMES[name]} {value:.4f}" for name, value in averages.items())
        self.log(f"epoch {epoch}/{self.epochs} step {step_in_epoch}/{self.steps_per_epoch} (total {step}) | "
                 f"{median_ms:.1f} ms/step | {means} | lr {lr:.2e} | ETA {eta}")

    def save(self, losses_path, curve_path):
        """Write losses.csv and redraw the loss curve (both atomically)."""
        write_loss_history(self.history, losses_path)
        plot_loss_curves(self.history, curve_path, self.steps_per_epoch)

    def finished(self):
        """'Training finished in 6m14s: 288.0 ms/step (median)'."""
        median_ms = 1000 * float(np.median(self.step_times)) if self.step_times else 0.0
        return (f"Training finished in {format_duration(time.perf_counter() - self.started)}: "
                f"{median_ms:.1f} ms/step (median)")
