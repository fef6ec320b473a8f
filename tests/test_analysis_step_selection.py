"""The step-selection study: V-curves, their best step, where the algorithms land."""

import numpy as np
import pandas as pd

from analysis.studies import step_selection as step_selection_study


def test_v_curves_best_step_and_algorithms_land_near_it():
    curves = step_selection_study.v_curves(["exp", "sin"])
    assert tuple(curves.columns) == step_selection_study.CURVE_COLUMNS
    table = step_selection_study.step_algorithms(["exp", "sin"], curves=curves)
    assert tuple(table.columns) == step_selection_study.STEP_COLUMNS
    best = table.groupby(["function", "scheme"])["best_step"].first()
    # Theory: forward ~ sqrt(u) ~ 1e-8, central ~ u^(1/3) ~ 6e-6 for functions of scale 1.
    assert (best.xs("forward", level="scheme").between(1e-9, 1e-7)).all()
    assert (best.xs("central", level="scheme").between(1e-6, 1e-4)).all()
    plain = table[table["algorithm"].isin(step_selection_study.STEP_ALGORITHMS)]
    assert plain["step_ratio"].between(0.1, 10).all()
    auto = table[table["algorithm"] == "derivative:auto"]
    assert (auto["abs_error"] < auto["best_error"]).all()  # extrapolation beats the plain best


def test_best_step_ignores_a_lucky_dip():
    eps = 10.0 ** np.arange(-8, 0, 0.05)
    error = 1e-12 / eps + eps ** 2  # minimum near 1e-4.3
    error[10] = 1e-20  # an accidental cancellation far from the optimum
    curves = pd.DataFrame({"function": "f", "x": 1.0, "scheme": "central", "eps": eps,
                           "abs_error": error})
    best = step_selection_study.best_steps(curves)
    assert 10 ** -4.8 < best["best_step"].iloc[0] < 10 ** -3.8


def test_v_curves_mark_steps_outside_the_domain():
    curves = step_selection_study.v_curves(["log"], schemes=["central"], eps=[1e-3, 1.0, 2.0])
    assert np.isfinite(curves["abs_error"].iloc[0])
    assert curves["abs_error"].iloc[1:].isna().all()
