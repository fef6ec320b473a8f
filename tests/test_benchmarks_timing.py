"""benchmarks.timing: interleaved samples, repeated samples, the median ratio; the scalar ratios."""

import numpy as np
import pytest

from benchmarks import timing
from benchmarks.bench_accuracy import OptimalStep
from benchmarks.bench_scalar import central_formula, ratio_actions


def test_interleaved_times_runs_every_action_in_turn():
    order = []
    actions = {"a": lambda: order.append("a"), "b": lambda: order.append("b")}
    times = timing.interleaved_times(actions, rounds=2, calls=3, numbers={"b": 2})
    assert order == ["a"] * 3 + ["b"] * 6 + ["a"] * 3 + ["b"] * 6
    assert [len(rounds) for rounds in times.values()] == [2, 2]
    assert all(len(samples) == 3 for rounds in times.values() for samples in rounds)


def test_median_ratio_uses_the_repeated_samples():
    times = {"ours": [[100.0, 1.0, 1.0], [100.0, 1.0, 3.0]], "theirs": [[0.1, 4.0, 4.0]]}
    assert timing.repeated(times["ours"]) == [1.0, 1.0, 1.0, 3.0]
    assert timing.median_ratio(times, "ours", "theirs") == 0.25
    assert timing.repeated([[2.0], [4.0]]) == [2.0, 4.0]  # one sample per round: all of them


def test_calls_per_sample_fills_the_duration():
    assert timing.calls_per_sample(lambda: None, duration=1e-3) > 100
    assert timing.calls_per_sample(lambda: sum(range(10**6)), duration=1e-6) == 1


def test_scalar_ratios_compare_the_same_derivative():
    actions = ratio_actions("numerical_diff_over_formula")
    assert list(actions) == ["numerical_diff", "formula"]
    assert actions["numerical_diff"]() == pytest.approx(central_formula(np.exp, 1.0), rel=1e-12)
    with pytest.raises(ValueError, match="unknown ratio"):
        ratio_actions("other")


def test_no_parameter_combination_of_the_step_ratio_always_skips():
    assert "complex_step" not in OptimalStep.params[0]
