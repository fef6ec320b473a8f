"""python -m analysis end to end: files, exit codes, --force, render, faults, Ctrl-C."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from analysis import callable_target  # noqa: E402
from analysis.cli import main  # noqa: E402
from analysis.pipeline import run_analysis  # noqa: E402
from analysis.studies import STUDIES, RunConfig, Study  # noqa: E402
from analysis.sweep import SWEEP_COLUMNS  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# The sweep's own studies only: the others have tests of their own.
FAST = ["--per-decade", "3", "--quiet", "--studies", "error_vs_step,precision"]


class _Resources(HTMLParser):
    """Collects every src/href and the tags of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


def _resources(page):
    parser = _Resources()
    parser.feed(page)
    parser.close()
    return parser


def _offline(links, run, prefixes):
    """Every link is embedded data, an anchor, or a CSV table of the run beside the page."""
    local = [link for link in links if not link.startswith(prefixes)]
    return all(link.endswith(".csv") and "/" not in link and (run / link).is_file()
               for link in local)


def _one_line_error(capsys, code, expected):
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("analysis: error: ") and expected in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_end_to_end_run_force_and_render(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["--functions", "exp,sin", "--out", str(out), *FAST])
    assert code == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(out)
    for name in ("sweep.csv", "summary.csv", "precision_summary.csv", "metadata.json",
                 "report.html", "report.md"):
        assert (out / name).is_file(), name
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert {"grid.png", "grid.svg", "precision.png", "precision.svg"} <= set(figures)
    assert sum(name.startswith("error_") and name.endswith(".png") for name in figures) == 2
    table = pd.read_csv(out / "sweep.csv")
    assert tuple(table.columns) == SWEEP_COLUMNS
    assert len(table) == 2 * 2 * 49  # functions x schemes x steps (1e-16..1, 3 per decade)
    assert 1e-4 in set(table["eps"])

    page = (out / "report.html").read_text()
    found = _resources(page)
    assert "img" in found.tags and "table" in found.tags
    assert _offline(found.links, out, ("data:image/png;base64,", "#"))
    assert not any(link.startswith(("http", "//")) for link in found.links)
    markdown = (out / "report.md").read_text()
    for title in ("Set-up", "Method", "Findings", "Summary", "Function exp", "Precision"):
        assert title in markdown and title in page
    assert "python -m analysis --functions exp,sin" in markdown

    # An existing non-empty folder is refused, then replaced with --force.
    assert main(["--functions", "exp", "--out", str(out), *FAST]) == 2
    assert "--force" in capsys.readouterr().err
    assert len(pd.read_csv(out / "sweep.csv")) == len(table)
    assert main(["--functions", "exp", "--out", str(out), "--force", *FAST]) == 0
    assert len(pd.read_csv(out / "sweep.csv")) == len(table) // 2

    # render redraws figures and report from the CSV files alone.
    sweep_bytes = (out / "sweep.csv").read_bytes()
    (out / "report.html").unlink()
    for path in (out / "figures").iterdir():
        path.unlink()
    assert main(["render", str(out), "--quiet"]) == 0
    assert (out / "report.html").is_file() and (out / "figures" / "grid.svg").is_file()
    assert (out / "sweep.csv").read_bytes() == sweep_bytes
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folders left


def test_default_output_folder_is_printed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--functions", "cube", "--schemes", "central", *FAST]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.parent == Path("reports") and (tmp_path / printed / "report.html").is_file()


@pytest.mark.parametrize("arguments, expected", [
    (["--eps-min", "1e-2", "--eps-max", "1e-3"], "eps_min must be smaller than eps_max"),
    (["--eps-min", "0"], "eps_min must be positive"),
    (["--eps-max", "-1"], "eps_max must be positive"),
    (["--per-decade", "0"], "per_decade must be at least 1"),
    (["--functions", "nope"], "unknown function 'nope'"),
    (["--schemes", "centre"], "unknown scheme 'centre'"),
    (["--dtypes", "float8"], "unknown dtype 'float8'"),
    (["--functions", "log", "--x", "-1"], "outside the domain"),
    (["--x", "abc"], "'abc' is not a number"),
    (["--eps-min", "tiny"], "invalid float value"),
    (["--expr", "__import__('os').system('echo hacked')"], "attribute access"),
    (["--expr", "x.real"], "attribute access"),
    (["--expr", "x[0]"], "subscripting"),
    (["--expr", "(lambda: 1)()"], "lambda"),
    (["--expr", "y*2"], "name 'y' is not allowed"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--exact", "numpy:exp"], "--exact needs --func"),
    (["--func", "no_such_module_here:f"], "cannot import module"),
    (["--func", "numpy.exp"], "module:attr"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capfd, arguments,
                                                            expected):
    out = tmp_path / "run"
    code = main([*arguments, "--out", str(out)])
    captured = capfd.readouterr()
    assert "hacked" not in captured.out
    assert code == 2
    assert captured.err.startswith("analysis: error: ") and expected in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert not out.exists()


def test_expression_that_is_nan_at_some_steps_is_flagged_and_exits_1(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["--expr", "exp(x)/sqrt(sin(x)**3+cos(x)**3)", "--x", "1.5",
                 "--out", str(out), *FAST])
    assert code == 1
    assert "warning" in capsys.readouterr().err
    summary = pd.read_csv(out / "summary.csv")
    assert summary["flagged"].all()
    table = pd.read_csv(out / "sweep.csv")
    bad = table[table["status"] == "nonfinite"]
    # sin^3 + cos^3 < 0 beyond 3 pi / 4: only the largest steps are NaN.
    assert len(bad) and (bad["eps"] > 0.5).all()
    assert (summary["truncation_slope"].round(1) == summary["expected_truncation_slope"]).all()
    report = (out / "report.md").read_text()
    assert "## Faults" in report and "mpmath.diff" in report


def test_user_module_function_with_exact_derivative(tmp_path, monkeypatch):
    (tmp_path / "user_functions.py").write_text(
        "import numpy as np\n"
        "def f(x):\n    return np.sin(x) * x\n"
        "def df(x):\n    return np.cos(x) * x + np.sin(x)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "run"
    assert main(["--func", "user_functions:f", "--exact", "user_functions:df", "--x", "0.7",
                 "--schemes", "central", "--out", str(out), *FAST]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert summary["function"].tolist() == ["f"]
    assert summary["truncation_slope"].iloc[0] == pytest.approx(2, abs=0.05)


def test_user_strings_are_escaped_in_the_html(tmp_path):
    target = callable_target(np.exp, name="<img src=x onerror=alert(1)>",
                             formula="<script>alert(2)</script>")
    config = RunConfig((target,), schemes=("central",), per_decade=2, argv=("--x", "<b>"),
                       studies=("error_vs_step",))
    run_analysis(config, tmp_path / "run")
    page = (tmp_path / "run" / "report.html").read_text()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert _offline(_resources(page).links, tmp_path / "run", ("data:", "#"))


def test_interrupted_run_leaves_nothing_at_the_target(tmp_path, monkeypatch, capsys):
    def interrupt(context):
        (context.directory / "partial.csv").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr("analysis.studies.STUDIES",
                        [*STUDIES, Study("stop", "Stop", interrupt, None, None)])
    out = tmp_path / "run"
    assert main(["--functions", "exp", "--out", str(out), "--per-decade", "3", "--quiet",
                 "--studies", "error_vs_step,stop"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_command_line_help_and_error_in_a_fresh_process():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shown = subprocess.run([sys.executable, "-m", "analysis", "--help"], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    for text in ("--eps-min", "--expr", "--workers", "render RUN_DIR", "exit status", "130"):
        assert text in shown.stdout
    failed = subprocess.run([sys.executable, "-m", "analysis", "--eps-min", "1",
                             "--eps-max", "0.1"], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=60)
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr


def test_precision_text_gives_the_model_exponents_of_the_derivative_order(tmp_path):
    out = tmp_path / "run"
    assert main(["--functions", "exp", "--deriv", "2", "--out", str(out), "--per-decade", "3",
                 "--quiet", "--studies", "precision"]) == 0
    markdown = (out / "report.md").read_text()
    assert "forward u^(1/3) and u^(1/3), central u^(1/4) and u^(1/2)" in markdown
