"""The learning rate of every --lr_policy at the epochs where it matters."""
import json

import numpy as np
import pytest

from src.utils.lr_schedule import LearningRatePolicy, linear_decay_lr


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


def test_step_policy_divides_by_ten_every_lr_step_epochs():
    policy = LearningRatePolicy("step", 2e-4, 100, 100, step_epochs=50)
    rates = [policy.lr(epoch) for epoch in range(1, 201)]
    assert rates[0] == rates[49] == 2e-4
    assert rates[50] == pytest.approx(2e-5) and rates[99] == pytest.approx(2e-5)
    assert rates[100] == pytest.approx(2e-6) and rates[199] == pytest.approx(2e-7)


def test_cosine_policy_falls_once_over_the_whole_run():
    policy = LearningRatePolicy("cosine", 2e-4, 100, 100)
    rates = [policy.lr(epoch) for epoch in range(1, 201)]
    assert rates[0] == 2e-4
    assert rates[100] == pytest.approx(1e-4)  # epoch 101: halfway through the 200-epoch run
    assert rates[199] == pytest.approx(2e-4 * (1 + np.cos(np.pi * 199 / 200)) / 2) and 0 < rates[199] < 1e-7
    assert all(later < earlier for earlier, later in zip(rates, rates[1:]))  # never climbs back


def test_plateau_policy_cuts_after_six_epochs_without_a_one_percent_gain():
    policy = LearningRatePolicy("plateau", 2e-4, 100, 100)
    assert policy.needs_metric and policy.lr(1) == 2e-4
    metrics = [50.0, 40.0, 39.8, 39.9, 39.7, 39.9, 39.8, 39.7,  # 40.0 is the best; 39.7 is < 1% better
               39.0, 38.0, 38.0, 38.0, 38.0, 38.0, 38.0, 38.0]
    rates = []
    for epoch, metric in enumerate(metrics, start=1):
        policy.end_of_epoch(metric)
        rates.append(policy.lr(epoch + 1))
    assert rates[:7] == [2e-4] * 7
    assert rates[7] == pytest.approx(4e-5)  # the 6th epoch after the best (epoch 2) without a 1% gain
    assert rates[8:15] == [pytest.approx(4e-5)] * 7  # 39.0 and 38.0 are new bests: the count restarts
    assert rates[15] == pytest.approx(8e-6)
    restored = LearningRatePolicy("plateau", 2e-4, 100, 100)
    restored.load_state(json.loads(json.dumps(policy.state())))  # as stored in a checkpoint
    assert restored.lr(17) == policy.lr(17) and restored.state() == policy.state()


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="lr_policy must be one of"):
        LearningRatePolicy("exponential", 2e-4, 100, 100)
