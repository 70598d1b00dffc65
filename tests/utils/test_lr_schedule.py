"""The learning rate follows the reference's linear policy at every epoch boundary."""
import pytest

from src.utils.lr_schedule import linear_decay_lr


def test_constant_then_linear_decay_for_the_paper_schedule():
    lr = [linear_decay_lr(epoch, 2e-4, 100, 100) for epoch in range(1, 201)]
    assert lr[0] == lr[99] == 2e-4  # epochs 1..100
    assert lr[100] == pytest.approx(2e-4 * 100 / 101)  # epoch 101: first decayed epoch
    assert lr[199] == pytest.approx(2e-4 / 101)  # epoch 200: last, one step above zero
    steps = [a - b for a, b in zip(lr[100:], lr[101:])]
    assert all(step == pytest.approx(2e-4 / 101) for step in steps)  # equal decrements


def test_no_decay_keeps_the_rate_and_all_decay_starts_below_it():
    assert all(linear_decay_lr(epoch, 1e-3, 5, 0) == 1e-3 for epoch in range(1, 6))
    assert linear_decay_lr(1, 1e-3, 0, 4) == pytest.approx(1e-3 * 4 / 5)


def test_epochs_count_from_one():
    with pytest.raises(ValueError):
        linear_decay_lr(0, 2e-4, 100, 100)
