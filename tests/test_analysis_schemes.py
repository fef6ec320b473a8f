"""numdiff.derivative by scheme: every scheme, the complex step where analytic, the summary."""

import dataclasses

from analysis.studies import schemes as scheme_study
from numdiff import SCHEMES, DerivativeStatus
from numdiff.catalogue import get_function


def test_scheme_table_runs_every_scheme_and_the_complex_step_only_where_analytic(monkeypatch):
    not_analytic = dataclasses.replace(get_function("abs"), analytic=False)
    monkeypatch.setattr(scheme_study, "get_function",
                        lambda name: not_analytic if name == "abs" else get_function(name))
    table = scheme_study.scheme_table(["exp", "abs"], x=[0.5, 1.0])
    assert tuple(table.columns) == scheme_study.SCHEME_COLUMNS
    schemes = table.groupby("function")["scheme"].unique()
    assert list(schemes["exp"]) == list(SCHEMES)
    assert list(schemes["abs"]) == [s for s in SCHEMES if s != "complex_step"]
    assert len(table) == 2 * (2 * len(SCHEMES) - 1)
    central = table[(table["function"] == "exp") & (table["scheme"] == "central")]
    assert central["nfev"].tolist() == [10, 10]
    exp = get_function("exp")
    assert central["exact"].tolist() == [float(exp.reference(0.5)), float(exp.reference(1.0))]
    assert (central["abs_error"] == (central["estimate"] - central["exact"]).abs()).all()
    assert set(table["status"]) <= {s.name.lower() for s in DerivativeStatus}


def test_scheme_table_records_a_point_outside_the_domain_as_non_finite():
    table = scheme_study.scheme_table(["log"], x=[-1.0], schemes=["central", "forward"])
    assert table["status"].tolist() == ["non_finite", "non_finite"]
    assert not table["covered"].any()
    summary = scheme_study.summarize_schemes(table)
    assert summary["coverage"].tolist() == [0.0, 0.0]
    assert summary["max_abs_error"].isna().all()


def test_scheme_summary_counts_cases_coverage_and_evaluations():
    table = scheme_study.scheme_table(["exp", "sin", "sqrt"], schemes=["forward", "central"])
    summary = scheme_study.summarize_schemes(table)
    assert summary["scheme"].tolist() == ["forward", "central"]
    assert summary["cases"].tolist() == [3, 3]
    for _, row in summary.iterrows():
        part = table[table["scheme"] == row["scheme"]]
        assert row["coverage"] == part["covered"].mean()
        assert row["mean_nfev"] == part["nfev"].mean()
        assert row["max_abs_error"] == part["abs_error"].max()
