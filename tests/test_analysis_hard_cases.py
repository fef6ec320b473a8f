"""The hard-case study: its cases against their closed forms, its table and its section."""

import numpy as np
import pandas as pd

from analysis.config import RunConfig
from analysis.studies import hard_cases as study
from analysis.study import RunContext


def test_every_case_has_a_finite_closed_form_derivative_at_its_points():
    for case in study.hard_cases(points=4):
        exact = case.fprime(case.x)
        assert exact.shape == case.x.shape and np.all(np.isfinite(exact)), case.name
        assert np.all(np.isfinite(case.make()(case.x))), case.name


def test_noisy_cases_are_seeded():
    case = next(c for c in study.hard_cases(points=4) if c.family == "noise")
    assert np.array_equal(case.make()(case.x), case.make()(case.x))


def test_numdiff_covers_the_edges_and_claims_no_false_convergence():
    table = study.hard_case_table(study.hard_cases(points=20), peers=[])
    assert tuple(table.columns) == study.COLUMNS
    ours = table[table["method"] == "numdiff"]
    edges = ours[ours["family"] == "edge"]
    assert (edges["coverage"] == 1).all() and (edges["converged"] == 1).all()
    assert (ours[ours["family"] == "noise"]["converged"] == 0).all()
    assert (ours["falsely_converged"] == 0).all()


def test_missing_peers_are_listed_and_named_in_the_section(tmp_path, monkeypatch):
    monkeypatch.setattr(study, "_importable", lambda peers: [])
    built = study.build_study(points=4)
    built.compute(RunContext(tmp_path, RunConfig(())))
    table = pd.read_csv(tmp_path / "hard_cases.csv")
    assert table.loc[~table["available"], "method"].tolist() == ["scipy", "numdifftools"]
    text = " ".join(block.text for section in built.sections(tmp_path, {}, ())
                    for block in section.blocks if hasattr(block, "text"))
    assert "scipy is not installed" in text and "numdifftools is not installed" in text
    found = " ".join(finding.text for finding in built.findings(tmp_path, {}))
    for family in ("noisy", "domain-edge", "kink"):
        assert f"On {family} cases (mean over" in found
    assert "falsely converged: numdiff 0.0 %" in found
    # The appendix holds every case of the methods that ran.
    _, every_case = built.appendix(tmp_path, {}, ())
    assert len(every_case.rows) == int(table["available"].sum())
