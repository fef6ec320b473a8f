"""A whole run: the studies' computations, then figures and report, written atomically.

`run_analysis` computes the run's studies (every study of
`analysis.studies.STUDIES`, or those chosen with ``--studies``:
`RunConfig.selected_studies`) into a temporary folder,
writes ``metadata.json``, renders figures and the report from the saved
tables, and moves the folder into place. `render_run` redoes the last two
steps for an existing run folder, without computing anything.
"""

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from . import paper
from .environment import describe_environment, utc_timestamp
from .output import staged_directory
from .pool import worker_pool
from .report import Code, Details, Paragraph, Section, Table, write_report
from .run_folder import check_run, record_tables
from .study import RunContext

__all__ = ["run_analysis", "render_run", "RunOutcome"]


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
    config : analysis.config.RunConfig
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
    selected = config.selected_studies()
    with staged_directory(target, force=force) as stage:
        with worker_pool(config.workers if executor is None else 1) as own:
            pool = executor if executor is not None else own
            results = {}
            for study in selected:
                clock = time.perf_counter()
                results[study.name] = study.compute(RunContext(stage, config, pool))
                timings[f"compute_{study.name}"] = round(time.perf_counter() - clock, 3)
        faults = sum(r.faults for r in results.values())
        notes = tuple(n for r in results.values() for n in r.notes)
        metadata = {"environment": describe_environment(config.argv),
                    "config": config.describe(), "studies": [s.name for s in selected],
                    "faults": faults, "exit_status": 1 if faults else 0, "timings": timings,
                    "tables": record_tables(stage, selected)}
        metadata = {"title": paper.report_title(metadata, selected)[0], **metadata}
        _write_metadata(stage, metadata)
        _render(stage, metadata, timings, [s for s in selected
                                           if all(f in metadata["tables"] for f in s.files)])
        timings["total"] = round(time.perf_counter() - started, 3)
        _write_metadata(stage, metadata)
    return RunOutcome(target, faults, notes, dict(timings))


def render_run(directory):
    """Redraw the figures and rewrite the report of a run folder from its tables.

    The whole folder is checked first (`analysis.run_folder.check_run`:
    every table of the run's studies present and as the run recorded it);
    a damaged folder is refused and left as it is. The new files are then
    built in a copy of the folder (every file of it, so nothing the render
    cannot rebuild is lost) that replaces it only when complete.

    Raises
    ------
    analysis.run_folder.DamagedRunError
        (a `ValueError`) if `directory` is not a run folder or is damaged;
        the message names the file.
    """
    directory = Path(directory)
    metadata, chosen = check_run(directory)
    with staged_directory(directory, force=True, option="render:") as stage:
        shutil.copytree(directory, stage, symlinks=True, dirs_exist_ok=True,
                        copy_function=_link_or_copy)
        timings = {}
        _render(stage, metadata, timings, chosen)
        metadata.setdefault("rendered", []).append(utc_timestamp())
        _write_metadata(stage, metadata)
    return directory


def _link_or_copy(source, destination):
    """Hard-link a table (render never writes one: no second copy of a large sweep.csv);
    copy anything else, which render may rewrite in the copy only."""
    if str(source).endswith(".csv"):
        try:
            os.link(source, destination)
            return destination
        except OSError:
            pass
    return shutil.copy2(source, destination)


def _render(directory, metadata, timings, present):
    clock = time.perf_counter()
    drawn = {s.name: s.figures(directory, metadata) for s in present}
    timings["figures"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    found = {s.name: s.key_findings(directory, metadata) for s in present}
    title, subtitle = paper.report_title(metadata, present)
    metadata["title"] = title
    sections = [paper.abstract_section(metadata, present, found),
                *paper.findings_sections(present, found),
                *_method_sections(directory, metadata, present)]
    for study in present:
        sections += study.sections(directory, metadata, drawn[study.name])
    sections += [paper.appendix_section(directory, metadata, present, drawn),
                 _setup_section(metadata, directory, present)]
    write_report(directory, title, sections, subtitle=subtitle, abstract="abstract")
    timings["report"] = round(time.perf_counter() - clock, 3)


def _write_metadata(directory, metadata):
    (directory / "metadata.json").write_text(json.dumps(metadata, indent=2, default=str) + "\n",
                                             encoding="utf-8")


def _setup_section(metadata, directory, present):
    """Provenance in a paragraph; versions, timings and the run's files on request."""
    env = metadata.get("environment", {})
    git = env.get("git", {})
    commit = git.get("commit", "unknown")
    if git.get("modified"):
        commit += " (with uncommitted changes)"
    details = [(name, version) for name, version in env.get("versions", {}).items()]
    timings = metadata.get("timings", {})
    details += [(f"time: {name.replace('_', ' ')}", f"{seconds:.2f} s")
                for name, seconds in timings.items() if name.startswith("compute")]
    return Section("Set-up", "setup", (
        Paragraph(f"Run on {env.get('date', 'an unknown date')} (UTC) from git commit {commit}, "
                  f"Python {env.get('python', '?')} on {env.get('platform', '?')}, "
                  f"{env.get('cpu', '')} ({env.get('cores', '?')} logical cores), with the "
                  "command:"),
        Code(env.get("command", "")),
        Details("Versions and computing times", (Table(("item", "value"), tuple(details)),)),
        *_files_blocks(directory, present)))


def _method_sections(directory, metadata, present):
    """The Method section: the run's functions, then each study's method (a subsection)."""
    functions = metadata.get("config", {}).get("functions", [])
    blocks = (Paragraph("The functions of this run, and where each exact derivative comes "
                        "from; then how each study of the run is made."),
              Table(("function", "formula", "exact derivative from"),
                    tuple((f.get("name", ""), f.get("formula", ""), f.get("reference", ""))
                          for f in functions)))
    result = [Section("Method", "method", blocks)]
    for study in present:
        method = study.method_blocks(directory, metadata)
        if method:
            result.append(Section(study.title, f"method-{study.name}", method, level=3))
    return result


def _files_blocks(directory, present):
    """The files of the run, each table described by the study that wrote it."""
    rows = [(table.file, f"{table.description} (study '{study.title}')")
            for study in present for table in study.tables if (directory / table.file).is_file()]
    rows += [("metadata.json", "configuration, environment, timings, faults"),
             ("figures/", "every chart as PNG and SVG"),
             ("report.md, report.html", "this report")]
    return (Details("Files of this run", (
        Paragraph("python -m analysis render RUN_DIR re-renders the figures and the report "
                  "from the tables of this run folder."),
        Table(("file", "content"), tuple(rows)))),)
