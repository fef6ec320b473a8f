"""Richardson extrapolation: orders gained, error estimate, weights, bad input."""

import numpy as np
import pytest

from numdiff.richardson import entry_weights, richardson


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("levels", [2, 3, 4])
def test_each_column_gains_two_orders(levels):
    # Error of the top entry falls like h^(2 levels): fit the log-log slope.
    # Larger steps for more levels keep the top entry above the rounding level.
    h0 = np.array([0.4, 0.2, 0.1]) * 2.0 ** (levels - 2)
    errors = []
    for h in h0:
        steps = h / 2.0 ** np.arange(levels)
        table = central(np.sin, 0.7, steps)
        top = entry_weights(levels, 2.0, 2, 2)[(levels - 1, levels - 1)][0] @ table
        errors.append(abs(top - np.cos(0.7)))
    slope = np.polyfit(np.log(h0), np.log(errors), 1)[0]
    assert abs(slope - 2 * levels) < 0.3


def test_estimate_covers_true_error_and_is_not_wildly_pessimistic():
    x = np.linspace(-2, 2, 41)
    steps = 0.25 / 2.0 ** np.arange(5)
    table = central(np.exp, x[None, :], steps[:, None])
    u = np.finfo(float).eps
    rounding = u * np.exp(x + 0.25) / 0.25
    res = richardson(table, ratio=2.0, order=2, order_step=2, rounding=rounding,
                     rounding_power=1)
    true = np.abs(res.estimate - np.exp(x))
    assert np.all(res.error >= true)
    assert np.median(res.error / np.maximum(true, u * np.exp(x))) < 100
    assert res.estimate.shape == x.shape and res.row.shape == x.shape


def test_one_sided_expansion_uses_every_power():
    steps = 0.1 / 2.0 ** np.arange(4)
    forward = (np.exp(1.0 + steps) - np.exp(1.0)) / steps
    res = richardson(forward, ratio=2.0, order=1, order_step=1)
    assert abs(res.estimate - np.e) < 1e-7
    assert res.error >= abs(res.estimate - np.e)


def test_weights_reproduce_the_recursion():
    rng = np.random.default_rng(3)
    table = rng.normal(size=(4, 6))
    weights = entry_weights(4, 2.0, 2, 2)
    # T[1,1] = D1 + (D1 - D0)/3
    assert np.allclose(weights[(1, 1)][0] @ table, table[1] + (table[1] - table[0]) / 3)
    w, factor = weights[(3, 3)]
    assert np.isclose(w.sum(), 1.0)  # consistency: a constant is kept
    assert np.isclose(factor, np.abs(w).sum())


def test_non_finite_rows_are_skipped_and_all_non_finite_gives_nan():
    table = np.array([[np.nan, np.nan], [1.0, np.nan], [1.0, np.nan]])
    res = richardson(table)
    assert res.estimate[0] == 1.0 and np.isfinite(res.error[0])
    assert np.isnan(res.estimate[1]) and np.isinf(res.error[1])


@pytest.mark.parametrize("kwargs, match", [
    (dict(estimates=[1.0]), "at least two rows"),
    (dict(estimates=[1.0, 2.0], ratio=1.0), "ratio must be"),
    (dict(estimates=[1.0, 2.0], order=0), "order must be"),
    (dict(estimates=[1.0, 2.0], order_step=1.5), "order_step must be"),
    (dict(estimates=[[1.0, 2.0], [1.0, 2.0]], rounding=[1.0, 2.0, 3.0]), "does not broadcast"),
    (dict(estimates=[1.0, 2.0], rounding=-1.0), "non-negative"),
    (dict(estimates=[1.0, 2.0], rounding_power=-1), "rounding_power"),
])
def test_bad_input(kwargs, match):
    estimates = kwargs.pop("estimates")
    with pytest.raises(ValueError, match=match):
        richardson(estimates, **kwargs)


def test_rounding_weight_covers_the_true_error_of_exp():
    # The propagated bound adds every rounding error's worst case; on exp over
    # [0, 1] (central, 5 levels, automatic step) the top entry's true error
    # stays below ROUNDING_WEIGHT times it, with room at the 99.9th percentile.
    from numdiff._plan import make_plan
    from numdiff._tableau import evaluate_tableau
    from numdiff.evaluator import Evaluator
    from numdiff.richardson import ROUNDING_WEIGHT

    x = np.linspace(0, 1, 10**5)
    plan = make_plan("central", 1, 5, 2.0, np.dtype(np.float64))
    tableau = evaluate_tableau(plan, Evaluator(np.exp, dtype=x.dtype), x, plan.auto_step(x, 1.0))
    assert tableau.best.row is None  # the top entry everywhere
    ratio = np.abs(tableau.best.estimate - np.exp(x)) / (tableau.rounding / ROUNDING_WEIGHT)
    assert np.quantile(ratio, 0.999) <= 0.4
    assert ratio.max() <= ROUNDING_WEIGHT
