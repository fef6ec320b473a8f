"""The peer comparison: references, coverage of error estimates, missing peers."""

import numpy as np
import pandas as pd

from analysis import references
from analysis.config import RunConfig
from analysis.studies import peers as peers_study
from analysis.study import RunContext
from analysis.targets import catalogue_target
from numdiff.catalogue import get_function


def test_peer_comparison_coverage_is_judged_against_the_floored_true_error():
    comparison = peers_study.peer_comparison({"exp": np.array([0.5, 1.0])}, peers=[],
                                             repeats=1)
    points = comparison.points
    assert tuple(points.columns) == peers_study.POINT_COLUMNS
    floor = np.maximum(points["abs_error"], np.finfo(float).eps * points["exact"].abs())
    assert (points["covered"] == (points["error_estimate"] >= floor)).all()
    assert np.allclose(points["estimate_ratio"], points["error_estimate"] / floor)
    runs = comparison.runs
    assert runs["mean_nfev"].tolist() == [10.0]  # central derivative: 10 calls per point


def test_summary_lists_missing_peers_as_unavailable():
    comparison = peers_study.peer_comparison({"sin": np.array([0.3])}, peers=[], repeats=1)
    summary = peers_study.summarize_peers(comparison.points, comparison.runs,
                                          methods=["numdiff", "scipy", "numdifftools"])
    assert tuple(summary.columns) == peers_study.SUMMARY_COLUMNS
    assert summary["available"].tolist() == [True, False, False]
    assert summary["time_ratio"].iloc[0] == 1.0


def test_references_are_the_50_digit_derivative_rounded_where_the_closed_form_is_not():
    squire_trapp = get_function("squire_trapp")
    exact = references.reference_derivatives(squire_trapp, [1.5])
    assert exact[0] == float(squire_trapp.reference(1.5))
    assert exact[0] != squire_trapp.derivative(1.5)  # the closed form is an ulp off here
    assert references.reference_derivatives(squire_trapp, np.ones((2, 3))).shape == (2, 3)
    assert np.isnan(references.reference_derivatives(squire_trapp, [3.0])).all()


def test_missing_peers_are_named_in_the_section_with_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(peers_study, "available_peers", lambda: [])
    study = peers_study.build_study(per_function=3, exp_points=500, repeats=1)
    study.compute(RunContext(tmp_path, RunConfig((catalogue_target("exp"),))))
    summary = pd.read_csv(tmp_path / "peers_summary.csv")
    assert summary["available"].tolist() == [True, False, False]
    assert pd.read_csv(tmp_path / "peers_exp.csv")["method"].tolist() == ["numdiff"]
    text = " ".join(block.text for section in study.sections(tmp_path, {}, ())
                    for block in section.blocks if hasattr(block, "text"))
    for name in ("scipy.differentiate.derivative", "numdifftools.Derivative"):
        assert f"{name} is not installed" in text
    assert "pip install 'numdiff[peers]'" in text
