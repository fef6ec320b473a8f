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
from ..findings import ERROR_RATIO_RANGE, SLOPE_TOLERANCE, STEP_FACTOR
from ..findings import findings as study_findings
from ..fit import DEFAULT_EPS_TEXT, summarize_blocks
from ..names import display_name
from ..numbers import format_number, format_ratio
from ..report import Paragraph, Section, Table, figure_image
from ..study import Study, StudyResult, StudyTable
from ..sweep import sweep_blocks
from ..tables import read_table, write_table

__all__ = ["STUDY", "TABLES", "OPTIONS", "method", "MAX_DETAILED_FIGURES"]

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
        caption = (f"|error| of each scheme against the step for {function} at x = {x:g} "
                   f"({dtype}), observed and as the model predicts it; the legend names each "
                   "line and marker. Shading: where every scheme shown is dominated by "
                   "cancellation (blue) or truncation (orange).")
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


def _slope(value, expected, note):
    """A fitted slope with the theory's value, or "n/a" and why."""
    if not np.isfinite(value):
        return f"n/a: {note}" if note else "n/a"
    return f"{value:+.2f} ({expected:+d})"


def _note(row, column):
    note = row.get(column, "")
    return note if isinstance(note, str) else ""


def _ratio(value, row):
    """A ratio observed / model, capped, or "n/a" with the theory note."""
    note = _note(row, "theory_note")
    return format_ratio(value, far="model far off", missing=f"n/a: {note}" if note else "n/a")


def _summary_rows(summary):
    rows = []
    for _, r in summary.iterrows():
        rows.append((r["function"], format_number(r["x"]), display_name(r["scheme"]),
                     r["dtype"], format_number(r["best_step"]), format_number(r["theory_step"]),
                     _ratio(r["step_ratio"], r), format_number(r["min_error"]),
                     format_number(r["theory_error"]), _ratio(r["error_ratio"], r),
                     _slope(r["truncation_slope"], r["expected_truncation_slope"],
                            _note(r, "truncation_note")),
                     _slope(r["cancellation_slope"], r["expected_cancellation_slope"],
                            _note(r, "cancellation_note")),
                     format_number(r["seed_error"]),
                     format_number(r["seed_digits_lost"], missing="n/a: error 0 at the best step"
                                   if r["min_error"] == 0 else "n/a"),
                     "fault" if r["flagged"] else ""))
    return tuple(rows)


_SUMMARY_COLUMNS = ("function", "x", "scheme", "dtype", "best step", "model h*",
                    "step ratio", "min |error|", "model E*", "error ratio",
                    "truncation slope (order)", "cancellation slope (-q)",
                    "error at eps=1e-4", "digits lost at 1e-4", "flag")


def _within(values, low, high):
    values = values[np.isfinite(values)]
    if not len(values):
        return "n/a"
    return f"{int(((values >= low) & (values <= high)).sum())} of {len(values)}"


def _slopes_close(part, branch):
    slope = part[f"{branch}_slope"].astype(float)
    close = (slope - part[f"expected_{branch}_slope"]).abs() <= SLOPE_TOLERANCE
    fitted = int(np.isfinite(slope).sum())
    return f"{int(close.sum())} of {fitted}" if fitted else "n/a"


def _compact_rows(summary):
    """One row per scheme and dtype: medians and how often model and data agree."""
    rows = []
    for (scheme, dtype), part in summary.groupby(["scheme", "dtype"], sort=False):
        rows.append((display_name(scheme), dtype, str(len(part)),
                     format_number(part["best_step"].median()),
                     format_number(part["theory_step"].median()),
                     _within(part["step_ratio"].astype(float), 1 / STEP_FACTOR, STEP_FACTOR),
                     format_number(part["min_error"].median()),
                     _within(part["error_ratio"].astype(float), *ERROR_RATIO_RANGE),
                     _slopes_close(part, "truncation"), _slopes_close(part, "cancellation"),
                     format_number(part["seed_digits_lost"].median())))
    return tuple(rows)


_COMPACT_COLUMNS = ("scheme", "dtype", "cases", "median best step", "median model h*",
                    f"h* within x{STEP_FACTOR:g}", "median min |error|",
                    f"error within {ERROR_RATIO_RANGE[0]:g}-{ERROR_RATIO_RANGE[1]:g} E*",
                    f"truncation slope within {SLOPE_TOLERANCE:g}",
                    f"cancellation slope within {SLOPE_TOLERANCE:g}",
                    "median digits lost at 1e-4")


def key_findings(directory, metadata):
    """The study's findings (`analysis.findings.findings`) from ``summary.csv``."""
    return tuple(study_findings(_read_summary(directory)))


def _headline_stem(cases, images):
    """The detailed chart shown in the body: DeZero's example if drawn, else the first."""
    stems = [stem for case, stem in cases if stem in images]
    dezero = [stem for case, stem in cases if case[0] == "exp_square_squared" and stem in images]
    return (dezero or stems or [None])[0]


def sections(directory, metadata, files):
    """The section: the headline chart, all functions at a glance, a table per scheme; faults."""
    summary = _read_summary(directory)
    images = {f.stem: f for f in files}
    cases = _cases(summary)
    blocks = []
    headline = _headline_stem(cases, images)
    if headline is not None:
        blocks.append(figure_image(images[headline]))
    if "grid" in images and len(cases) > 1:
        blocks.append(figure_image(images["grid"]))
    blocks.append(Table(_COMPACT_COLUMNS, _compact_rows(summary),
                        "Summary per scheme and dtype: observed optimum against the model's "
                        "(h*, E*), "
                        "fitted slopes against the theory (every function: appendix, "
                        "summary.csv)"))
    result = [Section("Error against step: observed and predicted optimum", "summary",
                      tuple(blocks))]
    flagged = summary[summary["flagged"]]
    if len(flagged):
        rows = tuple((r["function"], format_number(r["x"]), r["scheme"], r["dtype"],
                      str(int(r["n_nonfinite"])), str(int(r["n_raised"])), r["fault_message"])
                     for _, r in flagged.iterrows())
        result.append(Section("Faults", "faults", (
            Paragraph("The function raised an exception or returned NaN/inf at these steps, "
                      "inside its domain. Those steps are recorded in sweep.csv with status "
                      "'nonfinite' or 'raised' and left out of the fit; the rest of the run "
                      "completed and the command exited with status 1."),
            Table(("function", "x", "scheme", "dtype", "NaN/inf steps", "raising steps",
                   "message"), rows))))
    return tuple(result)


def appendix(directory, metadata, files):
    """Per function: its formula, its detailed charts and its rows of the summary."""
    summary = _read_summary(directory)
    formulas = _formulas(metadata)
    images = {f.stem: f for f in files}
    cases = _cases(summary)
    blocks = [Paragraph("Step ratio = observed best step / model h*; error ratio = observed "
                        "error near the best step (root mean square over half a decade) / "
                        "model E*; slopes are least-squares fits of log10|error| against "
                        "log10 eps on each branch, the theory's value in parentheses; n/a "
                        "says why a value is missing.")]
    for function in dict.fromkeys(summary["function"]):
        info = formulas.get(function, {})
        blocks.append(Paragraph(f"Function {function}: f(x) = "
                                f"{info.get('formula', function)}; exact derivative: "
                                f"{info.get('reference', 'see metadata.json')}."))
        blocks += [figure_image(images[stem]) for case, stem in cases
                   if case[0] == function and stem in images]
        part = summary[summary["function"] == function]
        blocks.append(Table(_SUMMARY_COLUMNS, _summary_rows(part)))
    return tuple(blocks)


def method(directory, metadata):
    """The sweep and the fit, as configured for the run (from ``metadata.json``)."""
    config = metadata.get("config", {})
    points = ("each function's default point" if config.get("x") is None
              else ", ".join(f"{x:g}" for x in config["x"]))
    schemes, dtypes = ", ".join(config.get("schemes", [])), ", ".join(config.get("dtypes", []))
    return (
        Paragraph(f"Every function is differentiated (derivative order {config.get('deriv', 1)}) "
                  f"at {points} by numdiff.numerical_diff with {schemes} in {dtypes}, for "
                  f"steps eps from {config.get('eps_min', 0):g} to {config.get('eps_max', 0):g}, "
                  f"{config.get('per_decade', 0)} per decade (powers of ten exactly the decimal "
                  "literals), all steps of a point in one vectorised call. The point is rounded "
                  "to the dtype first and the exact derivative taken there, so the error is that "
                  f"of the differentiation. The default eps = {DEFAULT_EPS_TEXT} is the default "
                  "step of DeZero's numerical_diff, which numdiff.numerical_diff keeps."),
        Paragraph("The model (numdiff.error_model): cancellation C1 eps^-q, C1 = sum|c_i| "
                  "(u |f| + u |x| |f'|), each value of f off by its own rounding and its "
                  "argument's (so the branch remains where f(x) = 0); truncation C2 eps^p + "
                  "C3 eps^p2 from the stencil's exact leading and next coefficients (the next "
                  "governs where f^(p+q)(x) = 0); a floor u |f^(q)| (1 + sum|c_i g_i^q|/q!). u "
                  "is the unit roundoff (half the machine epsilon); h* minimises the sum, E* is "
                  "its value there (Numerical Recipes 3rd ed. 5.7; Gill, Murray & Wright 1981, "
                  "8.6)."),
        Paragraph("Slopes are least-squares fits of log10|error| on log10 eps over the "
                  "steps where the model says a branch it has dominates (by "
                  f"{fit._DOMINANCE:g} times, within {100 * fit._TRUNCATION_CAP:g} % and "
                  f"{100 * fit._ROUNDING_CAP:g} % of |f'|), at least {fit._MIN_POINTS} steps "
                  f"over {fit._MIN_DECADES:g} decade ({fit._MIN_CANCELLATION_DECADES:g} for "
                  "cancellation); a wrong sign is not reported, and summary.csv's notes say "
                  "why. The best step minimises the error smoothed by a running median of 5 "
                  "steps; the error ratio compares E* with the root mean square error over "
                  "them (errors of random sign cancel by chance near the optimum)."),
    )


STUDY = Study("error_vs_step", "Error against step", compute, draw, sections, TABLES, OPTIONS,
              method, key_findings, appendix)
