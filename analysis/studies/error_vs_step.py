"""The main study: error against step for every function, point and scheme.

Writes ``sweep.csv`` (the tidy table, `analysis.sweep.SWEEP_COLUMNS`) and
``summary.csv`` (the fit, `analysis.fit.SUMMARY_COLUMNS`); draws one chart
per (function, x, dtype) and a grid of all functions
(`analysis.studies.error_vs_step_figures`); and writes the findings, the
summary table, a section per function and the faults.
"""

import re

import numpy as np
import pandas as pd

from .. import fit
from ..findings import findings as study_findings
from ..fit import DEFAULT_EPS_TEXT, summarize_blocks
from ..report import Paragraph, Section, Table, figure_image, format_number
from ..study import Study, StudyResult, StudyTable
from ..sweep import sweep_blocks
from ..tables import read_table, write_table

__all__ = ["STUDY", "TABLES", "OPTIONS", "method", "findings", "MAX_DETAILED_FIGURES"]

TABLES = (
    StudyTable("sweep.csv", "one row per function, point, scheme, dtype and step: estimate, "
                            "exact derivative, error and the model's terms"),
    StudyTable("summary.csv", "one row per function, point, scheme and dtype: observed and "
                              "model optimum, fitted slopes, error at the default eps = 1e-4"),
)
OPTIONS = ("--functions", "--expr", "--func", "--x", "--schemes", "--dtypes", "--eps-min",
           "--eps-max", "--per-decade", "--deriv", "--workers")

#: Detailed charts drawn at most (one per function, point and dtype).
MAX_DETAILED_FIGURES = 40


def compute(context):
    """Sweep, fit, and write ``sweep.csv`` and ``summary.csv``."""
    config = context.config
    blocks = sweep_blocks(config.targets, x=None if config.x is None else list(config.x),
                          schemes=config.schemes, dtypes=config.dtypes,
                          eps=config.steps(),
                          deriv=config.deriv, executor=context.executor,
                          progress=config.progress)
    frames, summaries = [], []
    for block in blocks:
        frames.append(block.to_frame())
        summaries.append(summarize_blocks([block]))
    table = pd.concat(frames, ignore_index=True)
    summary = pd.concat(summaries, ignore_index=True)
    write_table(table, context.directory, "sweep.csv")
    write_table(summary, context.directory, "summary.csv")
    flagged = summary[summary["flagged"]]
    faults = int(flagged["n_nonfinite"].sum() + flagged["n_raised"].sum())
    notes = ()
    if faults:
        names = ", ".join(dict.fromkeys(flagged["function"]))
        notes = (f"f raised or returned NaN/inf at {faults} of {len(table)} evaluations "
                 f"(functions: {names}); flagged in summary.csv and the report",)
    return StudyResult(faults, notes)


def _read_summary(directory):
    return read_table(directory, "summary.csv", text=("fault_message",))


def _slug(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "f"


def _cases(summary):
    """The (function, x, dtype) of the summary in order, each with its detailed chart's stem."""
    cases = dict.fromkeys(zip(summary["function"], summary["x"], summary["dtype"]))
    return [(case, f"error_{index:02d}_{_slug(case[0])}") for index, case in enumerate(cases)]


def _formulas(metadata):
    return {f["name"]: f for f in metadata.get("config", {}).get("functions", [])}


def draw(directory, metadata):
    """Detailed charts (first `MAX_DETAILED_FIGURES`) and the grid figure."""
    from . import error_vs_step_figures as charts  # matplotlib only when drawing
    from ..figures import save_figure

    table = read_table(directory, "sweep.csv")
    summary = _read_summary(directory)
    formulas = _formulas(metadata)
    out = directory / "figures"
    files = []
    for (function, x, dtype), stem in _cases(summary)[:MAX_DETAILED_FIGURES]:
        formula = formulas.get(function, {}).get("formula", function)
        figure = charts.error_figure(table, summary, function, x, dtype=dtype,
                                     title=f"{function}: f(x) = {formula} at x = {x:g} "
                                           f"({dtype})")
        caption = (f"|error| of each scheme against the step for {function} at x = {x:g} in "
                   f"{dtype}: observed (solid), model (dashed: total, dotted: truncation, "
                   f"dash-dot: rounding); filled circles: observed optimum; diamonds: model "
                   f"(h*, E*); dotted vertical line: the default eps = 1e-4; shading: where "
                   f"every scheme shown is dominated by cancellation (blue) or by truncation "
                   f"(orange). Exact zeros of the error, if any, are drawn as open triangles "
                   f"at the floor given in the legend.")
        files.append(save_figure(figure, out, stem, caption=caption,
                                        alt=f"error against step for {function} at x={x:g}"))
    first_dtype = summary["dtype"].iloc[0]
    figure = charts.grid_figure(table, summary, dtype=first_dtype)
    files.append(save_figure(
        figure, out, "grid",
        caption=f"Observed |error| against the step for every function ({first_dtype}); "
                f"dashed: the model's total error. Exact zeros drawn at the floor in the legend.",
        alt="error against step for every function"))
    return tuple(files)


def _slope(value):
    return "n/a" if not np.isfinite(value) else f"{value:+.2f}"


def _summary_rows(summary):
    rows = []
    for _, r in summary.iterrows():
        rows.append((r["function"], f"{r['x']:g}", r["scheme"], r["dtype"],
                     format_number(r["best_step"]), format_number(r["theory_step"]),
                     format_number(r["step_ratio"]), format_number(r["min_error"]),
                     format_number(r["theory_error"]), format_number(r["error_ratio"]),
                     f"{_slope(r['truncation_slope'])} ({r['expected_truncation_slope']:+d})",
                     f"{_slope(r['cancellation_slope'])} "
                     f"({r['expected_cancellation_slope']:+d})",
                     format_number(r["crossover_step"]), format_number(r["seed_error"]),
                     format_number(r["seed_digits_lost"]),
                     "FAULT" if r["flagged"] else ""))
    return tuple(rows)


_SUMMARY_COLUMNS = ("function", "x", "scheme", "dtype", "best step", "model h*",
                    "step ratio", "min |error|", "model E*", "error ratio",
                    "truncation slope (order)", "cancellation slope (-q)", "model crossover",
                    "error at eps=1e-4", "digits lost at 1e-4", "flag")


def findings(summary):
    """The findings' sentences (`analysis.findings`: each built from the table's values).

    Examples
    --------
    >>> from analysis.sweep import sweep
    >>> from analysis.fit import summarize
    >>> lines = findings(summarize(sweep(["exp", "sin"])))
    >>> print(lines[0])  # doctest: +ELLIPSIS
    At its best step, central is more accurate than forward by a median of ... decimal digits over 2 cases in float64 (...).
    """
    return [finding.text for finding in study_findings(summary)]


def sections(directory, metadata, files):
    """Findings, summary table, one section per function, the grid figure, faults."""
    summary = _read_summary(directory)
    formulas = _formulas(metadata)
    result = [Section("Findings", "findings", tuple(Paragraph(t) for t in findings(summary))),
              Section("Summary: observed against predicted optimum", "summary", (
                  Paragraph("One row per function, point, scheme and dtype. Step ratio = "
                            "observed best step / model h*; error ratio = observed error near "
                            "the best step (root mean square over half a decade) / model E*; "
                            "slopes are least-squares fits of log10|error| against log10 eps "
                            "on each branch, with the theory's value in parentheses (n/a: the "
                            "notes in summary.csv say why)."),
                  Table(_SUMMARY_COLUMNS, _summary_rows(summary))))]
    flagged = summary[summary["flagged"]]
    if len(flagged):
        rows = tuple((r["function"], f"{r['x']:g}", r["scheme"], r["dtype"],
                      str(int(r["n_nonfinite"])), str(int(r["n_raised"])), r["fault_message"])
                     for _, r in flagged.iterrows())
        result.append(Section("Faults", "faults", (
            Paragraph("The function raised an exception or returned NaN/inf at these steps, "
                      "inside its domain. Those steps are recorded in sweep.csv with status "
                      "'nonfinite' or 'raised' and left out of the fit; the rest of the run "
                      "completed and the command exited with status 1."),
            Table(("function", "x", "scheme", "dtype", "NaN/inf steps", "raising steps",
                   "message"), rows))))
    images = {f.stem: f for f in files}
    cases = _cases(summary)
    for function in dict.fromkeys(summary["function"]):
        info = formulas.get(function, {})
        blocks = [Paragraph(f"f(x) = {info.get('formula', function)}; exact derivative: "
                            f"{info.get('reference', 'see metadata.json')}.")]
        blocks += [figure_image(images[stem]) for case, stem in cases
                   if case[0] == function and stem in images]
        part = summary[summary["function"] == function]
        blocks.append(Table(_SUMMARY_COLUMNS, _summary_rows(part)))
        result.append(Section(f"Function {function}", f"function-{_slug(function)}",
                              tuple(blocks)))
    grid = images.get("grid")
    if grid is not None:
        result.append(Section("All functions at a glance", "grid", (figure_image(grid),)))
    return tuple(result)


def method(directory, metadata):
    """The sweep and the fit, as configured for the run (from ``metadata.json``)."""
    config = metadata.get("config", {})
    points = ("each function's default point" if config.get("x") is None
              else ", ".join(f"{x:g}" for x in config["x"]))
    schemes, dtypes = ", ".join(config.get("schemes", [])), ", ".join(config.get("dtypes", []))
    return (
        Paragraph(f"Every function is differentiated (derivative order {config.get('deriv', 1)}) "
                  f"at {points} by numdiff.numerical_diff with the schemes "
                  f"{schemes} in {dtypes}, "
                  f"for steps eps from {config.get('eps_min', 0):g} to "
                  f"{config.get('eps_max', 0):g}, {config.get('per_decade', 0)} per decade, "
                  "whose powers of ten are exactly the decimal literals (1e-4 is 1e-4). All steps "
                  "of a point are evaluated in one vectorised call (eps[:, None] against the "
                  "points). The point is first rounded to the dtype and the exact derivative "
                  "is taken at that rounded point, so the error is that of the differentiation."),
        Paragraph(f"The default eps = {DEFAULT_EPS_TEXT} is the default step of DeZero's "
                  f"numerical_diff(f, x, eps={DEFAULT_EPS_TEXT}), which numdiff.numerical_diff "
                  "keeps; the summary gives each case's error at that step and the decimal digits it "
                  "loses against the best step."),
        Paragraph("The model is numdiff.error_model, complete: cancellation C1 eps^-q with "
                  "C1 = sum|c_i| (u |f(x)| + u |x| |f'(x)|), each value of f off by its own "
                  "rounding and by that of its argument x + g eps (so the branch remains where "
                  "f(x) = 0); truncation C2 eps^p + C3 eps^p2 with C2 = |K| |f^(p+q)(x)| and "
                  "C3 = |K2| |f^(p2+q)(x)| (K, K2 the stencil's exact leading and next "
                  "coefficients: the next term governs where the leading derivative vanishes); "
                  "and a floor u |f^(q)(x)| (1 + sum|c_i g_i^q| / q!), the rounding of the "
                  "result itself (one machine epsilon for forward and central). u is the unit "
                  "roundoff of the dtype (half its machine epsilon), c_i and g_i the weights and "
                  "offsets, q the derivative order; h* minimises the sum and E* is the sum "
                  "there (Numerical Recipes 3rd ed. section 5.7; Gill, Murray & Wright 1981, "
                  "section 8.6; FiniteDifferences.jl). The complex step has no cancellation: "
                  "its rounding is the floor."),
        Paragraph("Fitted slopes: least squares of log10|error| against log10 eps on the "
                  f"truncation branch (truncation term at least {fit._DOMINANCE:g} times the "
                  f"rounding term, and at most {100 * fit._TRUNCATION_CAP:g} % of |f'|) and on "
                  f"the cancellation branch (rounding term at least {fit._DOMINANCE:g} times "
                  f"the truncation term, and at most {100 * fit._ROUNDING_CAP:g} % of |f'|, "
                  "which leaves out the floor of total cancellation); exact zeros and steps "
                  "whose stencil leaves the domain are excluded, and a branch needs "
                  f"{fit._MIN_POINTS} steps over {fit._MIN_DECADES:g} decade "
                  f"({fit._MIN_CANCELLATION_DECADES:g} for cancellation, whose rounding errors "
                  "scatter). Only a branch the model has is fitted; where the leading "
                  "truncation term is less than a tenth of the next one, the next one's order "
                  "is expected; a slope of the wrong sign is not reported; summary.csv's notes "
                  "say why a branch or a ratio is missing. The observed best step is where "
                  "the error, smoothed by a running median over 5 neighbouring steps, is "
                  "lowest (the largest such step on ties); the minimum |error| is that "
                  "smoothed error, and the error ratio compares E* with the root mean square "
                  "error over the same 5 steps (rounding errors of random sign cancel by "
                  "chance near the optimum; the model gives their size). Errors that are "
                  "exactly 0 are drawn at a floor and marked as such."),
    )


STUDY = Study("error_vs_step", "Error against step", compute, draw, sections, TABLES, OPTIONS,
              method)
