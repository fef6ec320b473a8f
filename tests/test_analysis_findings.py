"""The findings say only what the summary table shows, in adversarial runs too.

Each finding's values are derived again here, from the table, by code of
their own; the sentence must state those values and name every scheme of
the rows it speaks of.
"""

import math
import re

import numpy as np
import pytest

from analysis import callable_target, expression_target, summarize, sweep
from analysis.findings import (ERROR_RATIO_RANGE, SLOPE_TOLERANCE, STEP_FACTOR, findings)
from analysis.fit import NOTES

SCHEMES = ["forward", "central", "central4"]


def _nan_everywhere(x):
    return np.full_like(x, np.nan)


def _runs():
    """name -> summary of an adversarial run."""
    inflection = math.atanh(1 / math.sqrt(3))  # tanh''' = 0
    return {
        "f_zero_log_at_1": dict(functions=["log"], x=[1.0]),
        "f2_zero_sin_at_pi": dict(functions=["sin"], x=[math.pi]),
        "f3_zero_tanh": dict(functions=["tanh"], x=[inflection]),
        "f_and_x_zero_sin_at_0": dict(functions=["sin"], x=[0.0]),
        "exact_stencil_square": dict(functions=["square"], schemes=["central"]),
        "all_errors_zero_identity_at_0": dict(functions=[expression_target("x")], x=[0.0]),
        "all_nan": dict(functions=[callable_target(_nan_everywhere, exact=_nan_everywhere,
                                                   name="nan_everywhere")]),
        "single_step": dict(functions=["exp"], eps=[1e-4]),
        "catalogue": dict(functions=["exp", "sin", "log", "square", "abs"]),
    }


RUNS = _runs()


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request):
    kwargs = {"schemes": SCHEMES, **RUNS[request.param]}
    summary = summarize(sweep(**kwargs))
    return request.param, summary, findings(summary)


def _names(rows):
    return list(dict.fromkeys(rows["scheme"]))


def _expected_values(kind, summary, finding):
    """The values of a finding of this kind, derived from the table independently."""
    v = finding.values
    if kind == "model_step":
        r = summary["step_ratio"].dropna()
        return {"cases": len(r), "inside": int(((r >= 1 / STEP_FACTOR) & (r <= STEP_FACTOR)).sum()),
                "median": float(r.median()), "schemes": _names(summary.loc[r.index])}
    if kind == "model_error":
        r = summary["error_ratio"].dropna()
        low, high = ERROR_RATIO_RANGE
        return {"cases": len(r), "inside": int(((r >= low) & (r <= high)).sum()),
                "median": float(r.median()), "schemes": _names(summary.loc[r.index])}
    if kind in ("truncation_slope", "cancellation_slope"):
        branch = v["branch"]
        rows = summary[summary[f"{branch}_slope"].notna()
                       & (summary[f"expected_{branch}_slope"] == v["expected"])]
        if branch == "truncation":
            after = rows["order"] != rows["expected_truncation_slope"]
            rows = rows[after == v["next_term"]]
        slopes = rows[f"{branch}_slope"]
        return {"cases": len(rows), "median": float(slopes.median()),
                "close": int(((slopes - v["expected"]).abs() <= SLOPE_TOLERANCE).sum()),
                "schemes": _names(rows)}
    if kind == "central_vs_forward":
        f = summary[(summary.scheme == "forward") & (summary.dtype == v["dtype"])]
        c = summary[(summary.scheme == "central") & (summary.dtype == v["dtype"])]
        gains = [math.log10(a / b) for a, b in zip(f.min_error, c.min_error) if a > 0 and b > 0]
        return {"cases": len(gains), "median": float(np.median(gains)),
                "lowest": min(gains), "highest": max(gains)}
    if kind == "exact_zero":
        rows = summary[summary["min_error"] == 0]
        return {"schemes": _names(rows)}
    if kind == "faults":
        flagged = summary[summary["flagged"]]
        return {"cases": len(flagged),
                "steps": int(flagged["n_nonfinite"].sum() + flagged["n_raised"].sum())}
    if kind == "argument_rounding":
        rows = summary[(summary["f_value"] == 0) & summary["cancellation_slope"].notna()]
        return {"schemes": _names(rows), "median": float(rows["cancellation_slope"].median())}
    if kind.endswith("_absent"):
        branch = v["branch"]
        rows = summary[summary[f"{branch}_note"] == v["note"]]
        return {"schemes": _names(rows)}
    return {}


def test_every_finding_states_what_the_table_shows(run):
    name, summary, found = run
    for finding in found:
        expected = _expected_values(finding.kind, summary, finding)
        for key, value in expected.items():
            got = finding.values[key]
            if isinstance(value, float):
                assert got == pytest.approx(value, rel=1e-12), (name, finding.text, key)
            else:
                assert got == value, (name, finding.text, key)


def test_no_sentence_shows_nan_or_inf_or_a_number_it_does_not_hold(run):
    name, _, found = run
    for finding in found:
        # Python writes a missing number as nan and an infinite one as inf.
        assert not re.search(r"(?<![\w/])(nan|inf)(?!\w)", finding.text), finding.text
        for key in ("cases", "inside", "close", "steps"):
            if key in finding.values and isinstance(finding.values[key], int):
                assert str(finding.values[key]) in finding.text, (finding.text, key)


def test_a_sentence_names_every_scheme_it_applies_to(run):
    name, summary, found = run
    for finding in found:
        for scheme in finding.values.get("schemes", ()):
            assert scheme in finding.text, (name, finding.text)
        named = {s for s in SCHEMES if re.search(rf"\b{s}\b", finding.text)}
        if "schemes" in finding.values and isinstance(finding.values["schemes"], list):
            assert named <= set(finding.values["schemes"]) | {"central", "forward"}, finding.text


def test_where_f_is_zero_the_cancellation_branch_is_found_and_said():
    summary = summarize(sweep(["log"], x=[1.0], schemes=SCHEMES))
    assert summary["cancellation_slope"].between(-1.2, -0.8).all()
    kinds = {f.kind for f in findings(summary)}
    assert "argument_rounding" in kinds


def test_where_f_and_x_are_zero_no_cancellation_is_claimed():
    summary = summarize(sweep(["sin"], x=[0.0], schemes=SCHEMES))
    assert summary["cancellation_slope"].isna().all()
    assert (summary["cancellation_note"] == NOTES["no_cancellation"]).all()
    texts = " ".join(f.text for f in findings(summary))
    assert "cancellation slope is within" not in texts
    assert "no cancellation" in texts


def test_vanishing_third_derivative_is_fitted_with_the_next_order():
    x = math.atanh(1 / math.sqrt(3))
    row = summarize(sweep(["tanh"], x=[x], schemes=["central"])).iloc[0]
    assert row["expected_truncation_slope"] == 4
    assert row["truncation_slope"] == pytest.approx(4, abs=SLOPE_TOLERANCE)
    assert row["cancellation_slope"] == pytest.approx(-1, abs=SLOPE_TOLERANCE)


def test_all_nan_run_says_faults_and_nothing_else_numeric():
    summary = summarize(sweep([callable_target(_nan_everywhere, exact=_nan_everywhere,
                                               name="nan_everywhere")], schemes=SCHEMES))
    kinds = [f.kind for f in findings(summary)]
    assert "faults" in kinds
    assert not {"model_step", "model_error", "truncation_slope", "cancellation_slope",
                "central_vs_forward"} & set(kinds)


def test_single_step_run_claims_no_slope():
    summary = summarize(sweep(["exp"], eps=[1e-4], schemes=SCHEMES))
    kinds = {f.kind for f in findings(summary)}
    assert not {"truncation_slope", "cancellation_slope"} & kinds
    assert (summary["truncation_note"] == NOTES["few"]).all()
