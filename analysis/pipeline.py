"""A whole run: the studies' computations, then figures and report, written atomically.

`run_analysis` computes the run's studies (every registered study, or those
chosen with ``--studies``: `RunConfig.selected_studies`) into a temporary folder,
writes ``metadata.json``, renders figures and the report from the saved
tables, and moves the folder into place. `render_run` redoes the last two
steps for an existing run folder, without computing anything.
"""

import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import fit
from .environment import describe_environment, utc_timestamp
from .output import staged_directory
from .report import Code, Paragraph, Section, Table, write_report
from . import studies
from .studies import RunContext

__all__ = ["run_analysis", "render_run", "RunOutcome", "REPORT_TITLE"]

REPORT_TITLE = "Numerical differentiation: error against step"


@dataclass(frozen=True)
class RunOutcome:
    """What a run produced.

    Attributes
    ----------
    directory : pathlib.Path
        The run folder.
    faults : int
        Evaluations where f raised or returned NaN/inf inside its domain.
    notes : tuple of str
        One-line messages from the studies.
    timings : dict
        Seconds per stage.
    """

    directory: Path
    faults: int
    notes: tuple
    timings: dict


def run_analysis(config, target, *, force=False, executor=None):
    """Compute, draw and report into `target` (atomically).

    Parameters
    ----------
    config : analysis.studies.RunConfig
    target : path
        The run folder to create. It must not exist or be empty, unless
        `force`.
    force : bool, optional
        Replace an existing non-empty `target`.
    executor : concurrent.futures.Executor, optional
        Runs the sweeps; by default a process pool of ``config.workers``
        processes when that is above 1, else the sweeps run here.

    Returns
    -------
    RunOutcome
    """
    target = Path(target)
    timings = {}
    started = time.perf_counter()
    with staged_directory(target, force=force) as stage:
        own_pool = executor is None and config.workers > 1
        pool = ProcessPoolExecutor(max_workers=config.workers) if own_pool else executor
        try:
            results = {}
            for study in config.selected_studies():
                clock = time.perf_counter()
                results[study.name] = study.compute(RunContext(stage, config, pool))
                timings[f"compute_{study.name}"] = round(time.perf_counter() - clock, 3)
        finally:
            if own_pool:
                pool.shutdown(cancel_futures=True)
        faults = sum(r.faults for r in results.values())
        notes = tuple(n for r in results.values() for n in r.notes)
        metadata = {"title": REPORT_TITLE, "environment": describe_environment(config.argv),
                    "config": config.describe(),
                    "studies": [s.name for s in config.selected_studies()],
                    "faults": faults, "exit_status": 1 if faults else 0, "timings": timings}
        _write_metadata(stage, metadata)
        _render(stage, metadata, timings)
        timings["total"] = round(time.perf_counter() - started, 3)
        _write_metadata(stage, metadata)
    return RunOutcome(target, faults, notes, dict(timings))


def render_run(directory):
    """Redraw the figures and rewrite the report of a run folder from its tables.

    The new files are built in a copy of the folder that replaces it only
    when complete. Studies whose tables are missing are skipped.

    Raises
    ------
    ValueError
        If `directory` is not a run folder (no ``metadata.json``).
    """
    directory = Path(directory)
    source = directory / "metadata.json"
    if not source.is_file():
        raise ValueError(f"{directory} is not a run folder (no metadata.json)")
    try:
        metadata = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {source}: {error}") from None
    with staged_directory(directory, force=True) as stage:
        for path in directory.iterdir():
            if path.is_file() and path.suffix in (".csv", ".json"):
                (stage / path.name).write_bytes(path.read_bytes())
        timings = {}
        _render(stage, metadata, timings)
        metadata.setdefault("rendered", []).append(utc_timestamp())
        _write_metadata(stage, metadata)
    return directory


def _render(directory, metadata, timings):
    clock = time.perf_counter()
    present = [s for s in studies.STUDIES if all((directory / t).is_file() for t in s.tables)]
    drawn = {s.name: s.figures(directory, metadata) for s in present}
    timings["figures"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    sections = [_setup_section(metadata), _method_section(metadata)]
    for study in present:
        sections += study.sections(directory, metadata, drawn[study.name])
    sections.append(_files_section(directory))
    write_report(directory, metadata.get("title", REPORT_TITLE), sections)
    timings["report"] = round(time.perf_counter() - clock, 3)


def _write_metadata(directory, metadata):
    (directory / "metadata.json").write_text(json.dumps(metadata, indent=2, default=str) + "\n",
                                             encoding="utf-8")


def _setup_section(metadata):
    env = metadata.get("environment", {})
    git = env.get("git", {})
    commit = git.get("commit", "unknown")
    if git.get("modified"):
        commit += " (with uncommitted changes)"
    rows = [("date (UTC)", env.get("date", "")), ("git commit", commit),
            ("python", env.get("python", "")), ("platform", env.get("platform", "")),
            ("CPU", f"{env.get('cpu', '')} ({env.get('cores', '?')} logical cores)")]
    rows += [(name, version) for name, version in env.get("versions", {}).items()]
    timings = metadata.get("timings", {})
    rows += [(f"time: {name.replace('_', ' ')}", f"{seconds:.2f} s")
             for name, seconds in timings.items() if name.startswith("compute")]
    return Section("Set-up", "setup", (
        Paragraph("The command that produced this run:"), Code(env.get("command", "")),
        Table(("item", "value"), tuple(rows))))


def _method_section(metadata):
    config = metadata.get("config", {})
    functions = config.get("functions", [])
    points = ("each function's default point" if config.get("x") is None
              else ", ".join(f"{x:g}" for x in config["x"]))
    blocks = (
        Paragraph(f"Every function is differentiated (derivative order {config.get('deriv', 1)}) "
                  f"at {points} by numdiff.numerical_diff with the schemes "
                  f"{', '.join(config.get('schemes', []))} in {', '.join(config.get('dtypes', []))}, "
                  f"for steps eps from {config.get('eps_min', 0):g} to "
                  f"{config.get('eps_max', 0):g}, {config.get('per_decade', 0)} per decade, "
                  "whose powers of ten are exactly the decimal literals (1e-4 is 1e-4). All steps "
                  "of a point are evaluated in one vectorised call (eps[:, None] against the "
                  "points). The point is first rounded to the dtype and the exact derivative "
                  "is taken at that rounded point, so the error is that of the differentiation."),
        Paragraph("The model is numdiff.error_model: truncation C2 eps^p with C2 = |K| "
                  "|f^(p+q)(x)| (K the stencil's exact leading coefficient, p its order) and "
                  "rounding C1 eps^-q with C1 = u |f(x)| sum|c_i| (u = machine epsilon of the "
                  "dtype, c_i the weights, q the derivative order); h* minimises their sum, E* "
                  "is the sum there (Numerical Recipes 3rd ed. section 5.7; FiniteDifferences.jl). "
                  "For the complex step the rounding term is u |f'(x)| at every step."),
        Paragraph("Fitted slopes: least squares of log10|error| against log10 eps on the "
                  f"truncation branch (truncation term at least {fit._DOMINANCE:g} times the "
                  f"rounding term, and at most {100 * fit._TRUNCATION_CAP:g} % of |f'|) and on "
                  f"the cancellation branch (rounding term at least {fit._DOMINANCE:g} times "
                  f"the truncation term, and at most {100 * fit._ROUNDING_CAP:g} % of |f'|, "
                  "which leaves out the floor of total cancellation); exact zeros and steps "
                  "whose stencil leaves the domain are excluded, and a branch needs "
                  f"{fit._MIN_POINTS} steps over {fit._MIN_DECADES:g} decade. The observed best "
                  "step is where the error, smoothed by a running median over 5 neighbouring "
                  "steps, is lowest (the largest such step on ties); the minimum |error| is "
                  "that smoothed error. Errors that are exactly 0 are drawn at a floor and "
                  "marked as such."),
        Table(("function", "formula", "exact derivative from"),
              tuple((f.get("name", ""), f.get("formula", ""), f.get("reference", ""))
                    for f in functions)),
    )
    return Section("Method", "method", blocks)


def _files_section(directory):
    tables = {table: study.title for study in studies.STUDIES for table in study.tables}
    rows = [(name, f"table of the study '{tables[name]}'") for name in tables
            if (directory / name).is_file()]
    rows += [("metadata.json", "configuration, environment, timings, faults"),
             ("figures/", "every chart as PNG and SVG"),
             ("report.md, report.html", "this report")]
    return Section("Files of this run", "files", (
        Paragraph("Re-render figures and report from these tables with: "
                  "python -m analysis render RUN_DIR"),
        Table(("file", "content"), tuple(rows))))
