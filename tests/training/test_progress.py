"""Progress a user reads while training: a line every log_interval steps, and a stop on non-finite losses."""
import math

import pytest

from src.training.pix2pix_model import LOSSES
from src.training.progress import LossReport, TrainingProgress
from src.utils.errors import UserInputError

PIX2PIX_REPORT = LossReport(LOSSES, ("loss_d", "loss_g_gan", "loss_g_l1"))


def test_a_line_every_interval_and_at_the_end_of_each_epoch():
    lines = []
    progress = TrainingProgress(lines.append, log_interval=2, steps_per_epoch=3, epochs=2, report=PIX2PIX_REPORT)
    for step in range(1, 4):
        progress.step_done(1, step, step, (0.5, 1.0, 0.25), 2e-4, 6 - step)
    assert lines[0].startswith("First step (graph compile included) took")
    assert [line.split(" | ")[0] for line in lines[1:]] == ["epoch 1/2 step 2/3 (total 2)", "epoch 1/2 step 3/3 (total 3)"]
    assert "D 0.5000 G_GAN 1.0000 G_L1 0.2500 | lr 2.00e-04" in lines[-1]
    assert len(progress.history) == 3 and progress.finished().startswith("Training finished in")


def test_non_finite_losses_stop_the_run_naming_the_step():
    progress = TrainingProgress(lambda line: None, log_interval=10, steps_per_epoch=5, epochs=1, report=PIX2PIX_REPORT)
    with pytest.raises(UserInputError, match="losses became non-finite at epoch 1 step 2"):
        for step in (1, 2):
            progress.step_done(1, step, step, (0.5, math.nan if step == 2 else 1.0, 0.25), 2e-4, 5 - step)
