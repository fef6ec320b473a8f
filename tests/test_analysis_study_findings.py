"""Each study's findings state what its tables show, and nothing where the data are missing.

The values of every finding are derived again here from the table, by code of their own;
adversarial tables (empty, all NaN, a missing peer, a single dtype) give no sentence with NaN.
"""

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis.studies.gradient_cost import cost_findings, cost_vs_n
from analysis.studies.noise import noise_findings
from analysis.studies.peers import peer_findings
from analysis.studies.precision import precision_findings
from analysis.studies.schemes import scheme_findings, scheme_table
from analysis.studies.step_selection import step_algorithms, step_findings

NAN = float("nan")


def _clean(found):
    """No NaN or inf in any sentence; every integer value is stated."""
    for finding in found:
        assert not re.search(r"(?<![\w/])(nan|inf)(?!\w)", finding.text), finding.text
        for key, value in finding.values.items():
            if isinstance(value, int) and not isinstance(value, bool):
                assert str(value) in finding.text, (finding.text, key)
    return found


def _kinds(found):
    return [f.kind for f in found]


# ------------------------------------------------------------------ precision

def _precision_rows(best_steps, roundoffs=(2.2e-16, 1.2e-7, 9.8e-4)):
    rows = []
    for function, steps in best_steps.items():
        for u, step in zip(roundoffs, steps):
            rows.append(dict(function=function, x=1.0, scheme="central", order=2, deriv=1,
                             unit_roundoff=u, best_step=step, flagged=False))
    return pd.DataFrame(rows)


def test_precision_slope_is_the_median_of_the_fits_per_function():
    table = _precision_rows({"a": [6e-6, 5e-3, 0.1], "b": [1e-5, 3e-3, 0.08],
                             "c": [NAN, 1e-3, 0.05]})
    [finding] = _clean(precision_findings(table))
    slopes = []
    for _, case in table.dropna(subset=["best_step"]).groupby("function"):
        x, y = np.log10(case["unit_roundoff"]), np.log10(case["best_step"])
        slopes.append(np.polyfit(x, y, 1)[0])
    assert finding.values["median"] == pytest.approx(float(np.median(slopes)), rel=1e-12)
    assert finding.values["cases"] == 3 and finding.values["model"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("table", [
    _precision_rows({"a": [NAN, NAN, NAN]}),                      # no best step at all
    _precision_rows({"a": [0.0, 0.0, 0.0]}),                      # errors exactly 0
    _precision_rows({"a": [1e-8]}, roundoffs=(2.2e-16,)),         # a single dtype
    _precision_rows({}).reindex(columns=["function", "x", "scheme", "order", "deriv",
                                         "unit_roundoff", "best_step", "flagged"]),
])
def test_precision_without_two_dtypes_says_nothing(table):
    assert precision_findings(table) == []


# ------------------------------------------------------------------ step selection

@pytest.fixture(scope="module")
def steps():
    return step_algorithms(["exp", "sin", "square"])


def test_step_findings_count_the_algorithms_within_a_factor_10(steps):
    found = _clean(step_findings(steps))
    plain = steps[~steps["algorithm"].str.startswith("derivative:")]
    for finding in found:
        scheme = finding.values["scheme"]
        if finding.kind == "step_within":
            part = plain[plain["scheme"] == scheme]
            ratio = part["step_ratio"]
            assert finding.values["cases"] == len(part)
            assert finding.values["inside"] == int(((ratio >= 0.1) & (ratio <= 10)).sum())
            assert finding.values["median"] == pytest.approx(float(ratio.median()))
        else:
            auto = steps[(steps["scheme"] == scheme) & (steps["algorithm"] == "derivative:auto")]
            assert finding.values["median"] == pytest.approx(float(auto["abs_error"].median()))
    assert sorted(set(_kinds(found))) == ["derivative_error", "step_within"]


def test_step_findings_skip_what_is_missing(steps):
    broken = steps.assign(step_ratio=NAN, abs_error=NAN)
    assert step_findings(broken) == []
    assert step_findings(steps.iloc[:0]) == []


# ------------------------------------------------------------------ peers

def _peer_summary(**changes):
    table = pd.DataFrame({"method": ["numdiff", "scipy", "numdifftools"],
                          "available": [True, True, True], "points": [58, 58, 58],
                          "coverage": [1.0, 0.793, 0.862],
                          "max_abs_error": [9.5e-11, 3.2e-7, 3.4e-9],
                          "mean_nfev": [10.4, 12.2, 31.0]})
    for column, values in changes.items():
        table[column] = values
    return table


def test_peer_findings_state_each_methods_coverage_and_the_time_ratios():
    summary = _peer_summary()
    exp = pd.DataFrame({"method": ["numdiff", "scipy", "numdifftools"], "n": 1000,
                        "time_ratio": [1.0, 30.0, 97.0]})
    found = _clean(peer_findings(summary, exp))
    coverage = [f for f in found if f.kind == "peer_coverage"]
    assert [f.values["coverage"] for f in coverage] == summary["coverage"].tolist()
    assert "79.3 %" in coverage[1].text
    [timed] = [f for f in found if f.kind == "peer_time"]
    assert timed.values["time_ratio"] == {"scipy": 30.0, "numdifftools": 97.0}


def test_a_missing_peer_is_said_and_nan_never_written():
    summary = _peer_summary(available=[True, False, True], coverage=[1.0, NAN, NAN],
                            points=[58, 0, 58])
    exp = pd.DataFrame({"method": ["numdiff", "numdifftools"], "n": 1000,
                        "time_ratio": [1.0, NAN]})
    found = _clean(peer_findings(summary, exp))
    assert _kinds(found) == ["peer_coverage", "peer_missing"]
    assert "scipy.differentiate.derivative is not installed" in found[1].text
    assert peer_findings(summary.iloc[:0], exp.iloc[:0]) == []


# ------------------------------------------------------------------ schemes

def test_scheme_findings_name_the_most_accurate_and_the_cheapest_real_scheme():
    table = scheme_table(["exp", "sin", "log"], schemes=["forward", "central", "central4",
                                                          "complex_step"])
    found = _clean(scheme_findings(table))
    assert found[0].values["covered"] == int(table["covered"].sum())
    assert found[0].values["cases"] == len(table)
    real = table[table["scheme"] != "complex_step"]
    worst = real.groupby("scheme")["abs_error"].max()
    cost = real.groupby("scheme")["nfev"].mean()
    assert found[1].values["best"] == worst.idxmin()
    assert found[1].values["cheapest"] == cost.idxmin()
    assert found[1].values["best_error"] == pytest.approx(worst.min())


def test_scheme_findings_with_no_error_keep_only_the_coverage():
    table = scheme_table(["exp"], schemes=["central"]).assign(abs_error=NAN, covered=False)
    found = _clean(scheme_findings(table))
    assert _kinds(found) == ["scheme_coverage"] and found[0].values["covered"] == 0
    assert scheme_findings(table.iloc[:0]) == []


# ------------------------------------------------------------------ gradient cost

def test_cost_findings_count_the_sizes_with_the_expected_evaluations():
    table = cost_vs_n((1, 3, 10), repeats=1)
    found = _clean(cost_findings(table))
    loop = table[table["method"] == "gradient"]
    assert found[0].values == {"exact": int((loop["evaluations"]
                                            == loop["expected_evaluations"]).sum()),
                               "sizes": 3, "slope": pytest.approx(1.0, abs=0.05)}
    speed = (loop.set_index("n")["seconds"]
             / table[table["method"] == "gradient_batched"].set_index("n")["seconds"])
    assert found[1].values["low"] == pytest.approx(speed.min())
    assert found[1].values["high"] == pytest.approx(speed.max())


def test_cost_findings_without_data_or_batching():
    assert cost_findings(cost_vs_n((), repeats=1)) == []
    one = cost_vs_n((4,), repeats=1, batched=False)
    found = _clean(cost_findings(one))
    assert _kinds(found) == ["gradient_evaluations"] and "slope" not in found[0].text
    assert not math.isfinite(found[0].values["slope"])


# ------------------------------------------------------------------ noise

def _noise_tables(estimated=(2.3e-10, 2.3e-10), ratios=(1.02, 1.11)):
    summary = pd.DataFrame({"scheme": ["forward", "central"], "injected_noise": 2.72e-10,
                            "estimated_noise": list(estimated), "error_ratio": list(ratios)})
    recovery = pd.DataFrame({"n_points": [7, 8], "trials": 100, "within_2": [0.92, 0.95]})
    return summary, recovery


def test_noise_findings_state_the_estimate_and_the_recovery():
    summary, recovery = _noise_tables()
    found = _clean(noise_findings(summary, recovery))
    for finding, (_, row) in zip(found, summary.iterrows()):
        assert finding.values["estimate_ratio"] == pytest.approx(
            row["estimated_noise"] / row["injected_noise"])
        assert finding.values["error_ratio"] == row["error_ratio"]
    assert found[-1].values["within_2"] == [0.92, 0.95] and "92.0 %" in found[-1].text


def test_noise_findings_leave_out_a_scheme_without_an_estimate():
    summary, recovery = _noise_tables(estimated=(NAN, 2.3e-10), ratios=(1.0, NAN))
    assert noise_findings(summary, recovery.iloc[:0]) == []
    summary, _ = _noise_tables(estimated=(NAN, 2.3e-10))
    found = _clean(noise_findings(summary, recovery))
    assert [f.values.get("scheme") for f in found] == ["central", None]


def test_every_study_declares_its_findings_and_its_appendix():
    from analysis.studies import STUDIES

    for study in STUDIES:
        assert callable(study.findings) and callable(study.appendix), study.name
