"""The fit checks the theory: slopes equal the orders, optimum near h*."""

import numpy as np
import pandas as pd
import pytest

from analysis.fit import NOTES, SUMMARY_COLUMNS, summarize, summarize_blocks
from analysis.grid import eps_grid
from analysis.sweep import sweep, sweep_blocks


@pytest.fixture(scope="module")
def exp_summary():
    table = sweep(["exp"], x=[1.0], schemes=["forward", "central", "central4", "forward2"],
                  dtypes=["float32", "float64"])
    return summarize(table).set_index(["scheme", "dtype"])


@pytest.mark.parametrize("scheme, order", [("forward", 1), ("central", 2), ("central4", 4),
                                           ("forward2", 2)])
def test_truncation_slope_on_exp_is_the_order(exp_summary, scheme, order):
    row = exp_summary.loc[(scheme, "float64")]
    assert row["expected_truncation_slope"] == order
    assert row["truncation_points"] >= 10
    assert row["truncation_slope"] == pytest.approx(order, abs=0.05)


@pytest.mark.parametrize("scheme", ["forward", "central", "central4", "forward2"])
def test_cancellation_slope_on_exp_is_minus_one(exp_summary, scheme):
    row = exp_summary.loc[(scheme, "float64")]
    assert row["expected_cancellation_slope"] == -1
    assert row["cancellation_points"] >= 20
    # Rounding errors scatter: the slope is an envelope, checked to +-0.1.
    assert row["cancellation_slope"] == pytest.approx(-1, abs=0.1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_best_central_step_on_exp_is_within_10x_of_theory(exp_summary, dtype):
    row = exp_summary.loc[("central", dtype)]
    u = float(np.finfo(dtype).eps) / 2  # the unit roundoff
    # Central: h* = (3 delta / |f'''|)^(1/3) with each value of f off by
    # delta = u |f| + u |x| |f'| = 2 u e at x = 1, and |f'''| = e; the next
    # Taylor term (h^4/120) |f^(5)| moves it by about h^2 / 20 relative.
    assert row["theory_step"] == pytest.approx((3 * 2 * u) ** (1 / 3), rel=1e-5)
    assert 0.1 <= row["best_step"] / row["theory_step"] <= 10
    assert 0.1 <= row["step_ratio"] <= 10
    assert row["min_error"] <= 10 * row["theory_error"]


def test_crossover_is_where_the_model_terms_meet(exp_summary):
    row = exp_summary.loc[("forward", "float64")]
    u = np.finfo(float).eps / 2
    # (h/2) e + (h^2/6) e = 2 (2 u e) / h + 2 u e  =>  h ~ 2 sqrt(2 u).
    assert row["crossover_step"] == pytest.approx(2 * np.sqrt(2 * u), rel=1e-6)
    assert 0.1 < row["fitted_crossover_step"] / row["crossover_step"] < 10


def test_seed_step_loses_digits_against_the_best_step(exp_summary):
    row = exp_summary.loc[("central", "float64")]
    assert row["seed_eps"] == 1e-4
    # The truncation (h^2/6) e at 1e-4 is 4.5e-9; the best is ~1e-11..1e-10.
    assert row["seed_error"] == pytest.approx(1e-8 / 6 * np.e, rel=1e-3)
    assert 1.5 < row["seed_digits_lost"] < 4


def test_summary_from_table_equals_summary_from_blocks():
    kwargs = dict(x=[0.4, 1.3], schemes=["forward", "central", "complex_step"],
                  dtypes=["float32", "float64"], eps=eps_grid(per_decade=5))
    from_blocks = summarize_blocks(sweep_blocks(["sin", "log", "square"], **kwargs))
    from_table = summarize(sweep(["sin", "log", "square"], **kwargs).sample(frac=1,
                                                                             random_state=1))
    assert tuple(from_blocks.columns) == SUMMARY_COLUMNS
    keys = ["function", "scheme", "dtype", "x"]
    pd.testing.assert_frame_equal(
        from_blocks.sort_values(keys).reset_index(drop=True),
        from_table.sort_values(keys).reset_index(drop=True), check_exact=False, rtol=1e-9)


def test_exact_stencil_has_no_optimum_and_no_truncation_slope():
    row = summarize(sweep(["square"], schemes=["central"])).iloc[0]
    assert np.isinf(row["theory_step"]) and np.isnan(row["truncation_slope"])
    assert row["truncation_note"] == NOTES["exact"] and row["theory_note"] == NOTES["falls"]
    assert row["cancellation_slope"] == pytest.approx(-1, abs=0.1)


def test_complex_step_has_no_cancellation():
    row = summarize(sweep(["tanh"], schemes=["complex_step"])).iloc[0]
    assert row["expected_cancellation_slope"] == 0
    assert np.isnan(row["cancellation_slope"]) and row["cancellation_note"] == NOTES["complex"]
    assert row["truncation_slope"] == pytest.approx(2, abs=0.05)
    assert row["min_rel_error"] < 4 * np.finfo(float).eps


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="lacks the columns .*abs_error"):
        summarize(pd.DataFrame({"function": ["exp"], "x": [1.0]}))
