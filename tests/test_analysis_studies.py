"""The step-selection, peer, scheme, gradient-cost and noise studies: data, tables, report, CLI."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import matplotlib

matplotlib.use("Agg")

from analysis import references  # noqa: E402
from analysis.studies import gradient_cost as gradient_cost_study  # noqa: E402
from analysis.studies import noise as noise_study  # noqa: E402
from analysis.studies import peers as peers_study  # noqa: E402
from analysis.studies import schemes as scheme_study  # noqa: E402
from analysis.studies import step_selection as step_selection_study  # noqa: E402
from analysis.cli import main  # noqa: E402
from analysis.pipeline import render_run, run_analysis  # noqa: E402
from analysis.studies import STUDIES, RunConfig, RunContext  # noqa: E402
from analysis.targets import catalogue_target, expression_target  # noqa: E402
from numdiff import SCHEMES, DerivativeStatus  # noqa: E402
from numdiff.catalogue import get_function  # noqa: E402

FAST = ["--per-decade", "3", "--quiet"]


def _tiny_studies():
    """Each new study on a tiny configuration (the registered ones use larger defaults)."""
    return [step_selection_study.STUDY,
            peers_study.build_study(per_function=3, exp_points=1000, repeats=1),
            scheme_study.STUDY,
            gradient_cost_study.build_study(sizes=(1, 4, 16), repeats=1),
            noise_study.build_study(trials=6, recovery_trials=10)]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A pipeline run of the five studies, tiny, on exp and sin."""
    out = tmp_path_factory.mktemp("studies") / "run"
    config = RunConfig((catalogue_target("exp"), catalogue_target("sin")), per_decade=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("analysis.studies.STUDIES", _tiny_studies())
        run_analysis(config, out)
    return out


# ------------------------------------------------------------------ data functions

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


def test_gradient_cost_is_two_evaluations_per_variable_with_central():
    table = gradient_cost_study.cost_vs_n((1, 5, 25), repeats=1)
    assert tuple(table.columns) == gradient_cost_study.COST_COLUMNS
    grad = table[table["method"] == "gradient"]
    assert grad["evaluations"].tolist() == [2, 10, 50] == grad["expected_evaluations"].tolist()
    assert grad["calls"].tolist() == [2, 10, 50]
    assert (table[table["method"] == "gradient_batched"]["calls"] == 1).all()
    forward = gradient_cost_study.cost_vs_n((8,), scheme="forward", repeats=1, batched=False)
    assert forward[forward["method"] == "gradient"]["evaluations"].item() == 9  # n + centre


def test_noise_curve_sits_on_the_noise_floor_at_small_steps():
    sweep = noise_study.noise_sweep(1e-10, trials=20, eps=[1e-9, 1e-8])
    curve = noise_study.noise_curve(sweep)
    assert tuple(curve.columns) == noise_study.CURVE_COLUMNS
    ratio = curve["rms_error"] / curve["noise_model"]
    assert ratio.between(0.5, 2).all()  # RMS of the noise term = its standard deviation
    assert (curve["noiseless_error"] < curve["rms_error"] / 10).all()


def test_noise_recovery_counts_trials_within_a_factor_two():
    table = noise_study.noise_recovery(n_points=(7, 9), trials=20)
    assert tuple(table.columns) == noise_study.RECOVERY_COLUMNS
    assert table["within_2"].between(0.8, 1).all() and (table["nfev"] == [7, 9]).all()


# ------------------------------------------------------------------ studies in a run

@pytest.mark.parametrize("files, columns", [
    (("step_selection_curves.csv",), step_selection_study.CURVE_COLUMNS),
    (("step_selection.csv",), step_selection_study.STEP_COLUMNS),
    (("peers_points.csv",), peers_study.POINT_COLUMNS),
    (("peers_runs.csv",), peers_study.RUN_COLUMNS),
    (("peers_summary.csv", "peers_functions.csv"), peers_study.SUMMARY_COLUMNS),
    (("peers_exp.csv",), peers_study.EXP_COLUMNS),
    (("derivative_schemes.csv",), scheme_study.SCHEME_COLUMNS),
    (("gradient_cost.csv",), gradient_cost_study.COST_COLUMNS),
    (("noise_curve.csv",), noise_study.CURVE_COLUMNS),
    (("noise_summary.csv",), noise_study.SUMMARY_COLUMNS),
    (("noise_recovery.csv",), noise_study.RECOVERY_COLUMNS),
])
def test_compute_writes_the_documented_columns(tiny_run, files, columns):
    for name in files:
        table = pd.read_csv(tiny_run / name)
        assert tuple(table.columns) == columns, name
        assert len(table) > 0, name


def test_tables_cover_the_run_functions_and_sizes(tiny_run):
    assert set(pd.read_csv(tiny_run / "step_selection.csv")["function"]) == {"exp", "sin"}
    assert sorted(set(pd.read_csv(tiny_run / "gradient_cost.csv")["n"])) == [1, 4, 16]
    assert pd.read_csv(tiny_run / "peers_exp.csv")["n"].unique().tolist() == [1000]


def test_report_has_the_new_sections_and_render_recreates_the_figures(tiny_run):
    stems = ("step_selection", "gradient_cost", "noise")
    for stem in stems:
        assert (tiny_run / "figures" / f"{stem}.png").is_file()
    markdown = (tiny_run / "report.md").read_text()
    page = (tiny_run / "report.html").read_text()
    for title in ("Step selection: where each algorithm lands", "Peer comparison",
                  "numdiff.derivative by scheme",
                  "Cost of many variables", "Noise: the noise floor"):
        assert title in markdown and title in page
    for stem in stems:
        assert f"figures/{stem}.png" in markdown
    for path in (tiny_run / "figures").iterdir():
        path.unlink()
    (tiny_run / "report.md").unlink()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("analysis.studies.STUDIES", _tiny_studies())
        render_run(tiny_run)
    for stem in stems:
        assert (tiny_run / "figures" / f"{stem}.png").is_file()
        assert (tiny_run / "figures" / f"{stem}.svg").is_file()
    assert "Noise: the noise floor" in (tiny_run / "report.md").read_text()


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


@pytest.mark.parametrize("study", [step_selection_study.STUDY,
                                   scheme_study.STUDY])
def test_runs_without_catalogue_functions_say_so(tmp_path, study):
    config = RunConfig((expression_target("x**2"),))
    context = RunContext(tmp_path, config)
    study.compute(context)
    assert study.figures(tmp_path, {}) == ()
    blocks = study.sections(tmp_path, {}, ())[0].blocks
    assert any("No catalogue function" in block.text for block in blocks)


# ------------------------------------------------------------------ --studies

def test_studies_option_runs_only_the_named_studies(tmp_path, capsys):
    before = [study.name for study in STUDIES]
    out = tmp_path / "run"
    assert main(["--functions", "exp", "--studies", "noise,precision", "--out", str(out),
                 *FAST]) == 0
    assert (out / "noise_summary.csv").is_file() and (out / "precision_summary.csv").is_file()
    assert not (out / "sweep.csv").exists() and not (out / "gradient_cost.csv").exists()
    markdown = (out / "report.md").read_text()
    assert "Noise: the noise floor" in markdown and "Peer comparison" not in markdown
    assert [study.name for study in STUDIES] == before  # the registry is restored


def test_unknown_study_is_refused_with_one_line_and_exit_2(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["--studies", "noise,astrology", "--out", str(out), *FAST])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "unknown study 'astrology'" in err and "step_selection" in err
    assert not out.exists()


def test_help_lists_the_registered_studies():
    from analysis.cli import build_parser

    text = " ".join(build_parser().format_help().split())
    for study in STUDIES:
        assert f"{study.name} ({study.title})" in text


def test_method_and_files_of_the_report_come_from_the_declarations(tiny_run):
    markdown = (tiny_run / "report.md").read_text()
    start = markdown.index("## Method\n")
    end = markdown.index("\n## ", start + 1)  # the Method section ends at the next section
    method = markdown[start:end]
    positions = [method.index(f"### {study.title}\n") for study in _tiny_studies()]
    assert positions == sorted(positions)  # in the order of the registry
    for study in _tiny_studies():
        for table in study.tables:
            assert f"| {table.file} | {table.description} (study '{study.title}') |" in markdown
