"""Tables on disk, references and estimated derivatives: what the studies share."""

import numpy as np
import pandas as pd
import pytest

from analysis import callable_target
from analysis.references import error_floor, judge_estimates
from analysis.tables import read_table, write_table


def test_tables_read_back_bit_for_bit_with_nan_inf_and_text(tmp_path):
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.standard_normal(50) * 10.0 ** rng.integers(-300, 300, 50),
                             [np.nan, np.inf, -np.inf, 0.1 + 0.2, 5e-324, -0.0]])
    text = ["", "NA", "nan", "a, b", "x"] + ["m"] * (len(values) - 5)
    frame = pd.DataFrame({"value": values, "message": text})
    write_table(frame, tmp_path, "t.csv")
    back = read_table(tmp_path, "t.csv", text=("message",))
    same = (back["value"].to_numpy() == values) | (np.isnan(values) & back["value"].isna())
    assert same.all()
    assert back["message"].tolist() == text  # "NA" and "nan" stay text, "" stays ""


def test_the_error_floor_is_relative_to_f_prime_and_never_zero():
    floor = error_floor(np.array([2.0, -1e-300, 0.0]))
    assert floor[0] == 2 * np.finfo(float).eps and floor[2] == np.finfo(float).tiny
    true, covered, ratio = judge_estimates([2.0], [0.0], [2.0])
    assert true[0] == 0 and not covered[0] and ratio[0] == 0


@pytest.mark.parametrize("f, df, digits", [(np.sin, np.cos, 13), (np.exp, np.exp, 13),
                                           (np.arctan, lambda x: 1 / (1 + x * x), 12)])
def test_the_estimated_reference_of_a_callable_has_the_digits_its_step_promises(f, df, digits):
    x = np.array([-2.0, -0.5, 0.3, 1.0, 2.5])
    estimate = callable_target(f).derivative(x)
    assert np.max(np.abs(estimate - df(x)) / np.abs(df(x))) < 10.0 ** -digits
