"""The studies in a run: their tables, report sections, re-rendering and --studies."""

import pandas as pd
import pytest

import matplotlib

matplotlib.use("Agg")

from analysis.studies import gradient_cost as gradient_cost_study  # noqa: E402
from analysis.studies import noise as noise_study  # noqa: E402
from analysis.studies import peers as peers_study  # noqa: E402
from analysis.studies import schemes as scheme_study  # noqa: E402
from analysis.studies import step_selection as step_selection_study  # noqa: E402
from analysis.cli import main  # noqa: E402
from analysis.pipeline import render_run, run_analysis  # noqa: E402
from analysis.studies import STUDIES, RunConfig, RunContext  # noqa: E402
from analysis.targets import catalogue_target, expression_target  # noqa: E402

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
