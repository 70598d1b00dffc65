"""Learning-rate policies of the reference (--lr_policy), set once per epoch.

linear  : lr for epochs 1..n_epochs, then linear decay: epoch n_epochs + k uses lr * (1 - k / (n_epochs_decay + 1))
          (the reference's LambdaLR stepped at the end of each epoch).
step    : lr * 0.1 ** floor((epoch - 1) / lr_step_epochs) (the reference's StepLR, step_size = --lr_decay_iters).
cosine  : lr * (1 + cos(pi * (epoch - 1) / total_epochs)) / 2, one half period over the whole run. The
          reference's CosineAnnealingLR uses T_max = n_epochs while the run lasts n_epochs + n_epochs_decay,
          so its rate reaches 0 halfway and climbs back; here it falls once, to just above 0 in the last epoch.
plateau : lr, multiplied by 0.2 when the validation L1 has not improved by 1% (relative) for more than 5
          epochs (the reference's ReduceLROnPlateau settings). The reference feeds it a metric that is
          always 0; here it is the real validation L1 of each epoch.
"""
import math

LR_POLICIES = ("linear", "step", "plateau", "cosine")
STEP_FACTOR = 0.1
PLATEAU_FACTOR, PLATEAU_THRESHOLD, PLATEAU_PATIENCE = 0.2, 0.01, 5


def linear_decay_lr(epoch, base_lr, n_epochs, n_epochs_decay):
    """Learning rate of 1-based `epoch` under the linear policy."""
    if epoch < 1:
        raise ValueError(f"epochs count from 1, got {epoch}")
    past_constant = max(0, epoch - n_epochs)
    return base_lr * max(0.0, 1.0 - past_constant / (n_epochs_decay + 1))


def step_lr(epoch, base_lr, step_epochs):
    """Learning rate of 1-based `epoch` under the step policy."""
    return base_lr * STEP_FACTOR ** ((epoch - 1) // step_epochs)


def cosine_lr(epoch, base_lr, total_epochs):
    """Learning rate of 1-based `epoch` under the cosine policy (half a period over total_epochs)."""
    return base_lr * (1.0 + math.cos(math.pi * (epoch - 1) / total_epochs)) / 2.0


class LearningRatePolicy:
    """The learning rate per epoch for one run; `plateau` also learns from each epoch's validation metric.

    lr(epoch): the rate of 1-based `epoch`. end_of_epoch(metric): feed the plateau policy (lower is
    better); returns a line for the log. state()/load_state(): the plateau's memory, kept in checkpoints
    so a resumed run continues with the same rate.
    """

    def __init__(self, policy, base_lr, n_epochs, n_epochs_decay, step_epochs=50):
        if policy not in LR_POLICIES:
            raise ValueError(f"lr_policy must be one of {LR_POLICIES}, got {policy!r}")
        self.policy, self.base_lr = policy, base_lr
        self.n_epochs, self.n_epochs_decay, self.step_epochs = n_epochs, n_epochs_decay, step_epochs
        self.plateau_lr, self.best, self.bad_epochs = base_lr, None, 0

    @property
    def needs_metric(self):
        return self.policy == "plateau"

    def lr(self, epoch):
        if self.policy == "linear":
            return linear_decay_lr(epoch, self.base_lr, self.n_epochs, self.n_epochs_decay)
        if self.policy == "step":
            return step_lr(epoch, self.base_lr, self.step_epochs)
        if self.policy == "cosine":
            return cosine_lr(epoch, self.base_lr, self.n_epochs + self.n_epochs_decay)
        return self.plateau_lr

    def end_of_epoch(self, metric):
        """Plateau bookkeeping after an epoch whose validation metric is `metric`."""
        if self.best is None or metric < self.best * (1.0 - PLATEAU_THRESHOLD):
            self.best, self.bad_epochs = metric, 0
        else:
            self.bad_epochs += 1
        note = ""
        if self.bad_epochs > PLATEAU_PATIENCE:
            self.plateau_lr *= PLATEAU_FACTOR
            self.bad_epochs = 0
            note = f"; no 1% gain for {PLATEAU_PATIENCE + 1} epochs: lr x{PLATEAU_FACTOR} -> {self.plateau_lr:.2e}"
        return f"plateau: validation L1 {metric:.4f} (best {self.best:.4f}, {self.bad_epochs} epochs without gain){note}"

    def state(self):
        return {"plateau_lr": self.plateau_lr, "best": self.best, "bad_epochs": self.bad_epochs}

    def load_state(self, state):
        if state:
            self.plateau_lr, self.best, self.bad_epochs = state["plateau_lr"], state["best"], state["bad_epochs"]


def total_epochs(n_epochs, n_epochs_decay, epoch_num=None):
    """Epochs a run trains in total: epoch_num when set (a run stopped early, the schedule unchanged), else
    n_epochs + n_epochs_decay."""
    return epoch_num if epoch_num is not None else n_epochs + n_epochs_decay
