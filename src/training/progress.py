"""What a training run reports as it goes: a progress line every log_interval steps (losses, ms/step, ETA),
losses.csv and the loss curve, and the stop of a run on non-finite losses."""
import time

import numpy as np

from src.utils.errors import UserInputError
from src.utils.tools import format_duration, plot_loss_curves, write_loss_history

LOSS_NAMES = ("loss_d", "loss_g_gan", "loss_g_l1")


class TrainingProgress:
    """Per-step losses and wall times of one run.

    history: the rows of losses.csv so far ({epoch, step, loss_d, loss_g_gan, loss_g_l1, lr}); a resumed run
    passes the rows up to its checkpoint's step.
    """

    def __init__(self, log, log_interval, steps_per_epoch, epochs, history=()):
        self.log = log
        self.log_interval = log_interval
        self.steps_per_epoch = steps_per_epoch
        self.epochs = epochs
        self.history = list(history)
        self.step_times = []  # wall time per step, waiting for data included; the compiling first step excluded
        self.started = time.perf_counter()
        self.last_end = None

    def step_done(self, epoch, step_in_epoch, step, losses, lr, steps_left):
        """Record one step's (D, G_GAN, G_L1) losses; log a progress line every log_interval steps and at
        the end of an epoch. Raises UserInputError when a loss is not finite, before anything is saved."""
        now = time.perf_counter()
        if self.last_end is None:
            self.log(f"First step (graph compile included) took {now - self.started:.1f} s")
        else:
            self.step_times.append(now - self.last_end)
        self.last_end = now
        if not np.all(np.isfinite(losses)):
            raise UserInputError(f"losses became non-finite at epoch {epoch} step {step_in_epoch} "
                                 f"(D {losses[0]}, G_GAN {losses[1]}, G_L1 {losses[2]}): lower --lr or resume "
                                 "from an earlier checkpoint with another --seed")
        self.history.append(dict(zip(LOSS_NAMES, losses), epoch=epoch, step=step, lr=lr))
        if step_in_epoch % self.log_interval == 0 or step_in_epoch == self.steps_per_epoch:
            self._log_line(epoch, step_in_epoch, step, steps_left, lr)

    def _log_line(self, epoch, step_in_epoch, step, steps_left, lr):
        recent = self.history[-self.log_interval:]
        times = self.step_times[-self.log_interval:]
        median_ms = 1000 * float(np.median(times)) if times else float("nan")
        eta = format_duration(steps_left * median_ms / 1000) if times else "?"
        means = {name: np.mean([row[name] for row in recent]) for name in LOSS_NAMES}
        self.log(f"epoch {epoch}/{self.epochs} step {step_in_epoch}/{self.steps_per_epoch} (total {step}) | "
                 f"{median_ms:.1f} ms/step | D {means['loss_d']:.4f} G_GAN {means['loss_g_gan']:.4f} "
                 f"G_L1 {means['loss_g_l1']:.4f} | lr {lr:.2e} | ETA {eta}")

    def save(self, losses_path, curve_path):
        """Write losses.csv and redraw the loss curve (both atomically)."""
        write_loss_history(self.history, losses_path)
        plot_loss_curves(self.history, curve_path, self.steps_per_epoch)

    def finished(self):
        """'Training finished in 6m14s: 288.0 ms/step (median)'."""
        median_ms = 1000 * float(np.median(self.step_times)) if self.step_times else 0.0
        return (f"Training finished in {format_duration(time.perf_counter() - self.started)}: "
                f"{median_ms:.1f} ms/step (median)")
