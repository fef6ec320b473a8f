"""The precision study: how the best step moves with the unit roundoff.

Sweeps every function of the run at its first point with forward and
central differences in float16, float32 and float64 over the run's grid,
writes ``precision_summary.csv`` (`analysis.fit.SUMMARY_COLUMNS`), draws
`dtype_figure` and writes a section with its table. Faults
in this study (a function overflowing float16, say) are shown in its table
but do not change the exit status, which reports on the main sweep.
"""

from fractions import Fraction

import numpy as np

from ..fit import summarize_blocks
from ..findings import Finding
from ..names import display_name
from ..numbers import format_number
from ..report import Paragraph, Section, Table, figure_image
from ..study import Study, StudyResult, StudyTable
from ..sweep import sweep_blocks
from ..tables import read_table, write_table

__all__ = ["STUDY", "TABLES", "OPTIONS", "METHOD", "PRECISION_DTYPES", "PRECISION_SCHEMES",
           "model_exponents", "dtype_figure", "precision_findings"]

TABLES = (StudyTable("precision_summary.csv", "the columns of summary.csv, one row per function, "
                                              "scheme and dtype (float16, float32, float64)"),)
OPTIONS = ("--x", "--eps-min", "--eps-max", "--per-decade", "--deriv", "--workers")

PRECISION_DTYPES = ("float16", "float32", "float64")
PRECISION_SCHEMES = ("forward", "central")


def compute(context):
    """Sweep the three dtypes and write ``precision_summary.csv``."""
    config = context.config
    points = {t.name: (config.x[0] if config.x else t.default_x) for t in config.targets}
    blocks = sweep_blocks(config.targets, x=points, schemes=PRECISION_SCHEMES,
                          dtypes=PRECISION_DTYPES,
                          eps=config.steps(),
                          deriv=config.deriv, executor=context.executor,
                          progress=config.progress)
    write_table(summarize_blocks(blocks), context.directory, "precision_summary.csv")
    return StudyResult()


def model_exponents(summary):
    """``"forward u^(1/2) and u^(1/2), ..."``: the model's exponents of h* and E* per scheme."""
    parts = []
    for scheme, case in summary.groupby("scheme", sort=False):
        p, q = int(case["order"].iloc[0]), int(case["deriv"].iloc[0])
        parts.append(f"{scheme} u^({Fraction(1, p + q)}) and u^({Fraction(p, p + q)})")
    return ", ".join(parts)


def draw(directory, metadata):
    """The figure of best step and minimum error against u, from the table."""
    from ..figures import save_figure  # matplotlib only when drawing

    figure = dtype_figure(read_table(directory, "precision_summary.csv"))
    return (save_figure(
        figure, directory / "figures", "precision",
        caption="Best step (left) and minimum |error| (right) against u of float64, float32 "
                "and float16: one thin line per function; dashed: the model, median over the "
                "functions.",
        alt="best step and minimum error against unit roundoff"),)


def precision_findings(summary):
    """Per scheme: how the observed best step scales with u, against the model's exponent.

    The slope is a least-squares fit of log10(best step) on log10(u) per
    function (where two dtypes or more have a positive best step); the
    finding states their median and the model's ``1/(p+q)``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"function": "f", "x": 1.0, "scheme": "forward", "order": 1,
    ...                      "deriv": 1, "unit_roundoff": [1e-16, 1e-8],
    ...                      "best_step": [1e-8, 1e-4], "flagged": False})
    >>> print(precision_findings(rows)[0].text)
    With forward differences, the observed best step scales as u to the power 0.5 (median over 1 function), against the model's 1/(p+q) = 0.5.
    """
    found = []
    for scheme in dict.fromkeys(summary["scheme"]):
        part = summary[(summary["scheme"] == scheme) & (summary["best_step"] > 0)
                       & np.isfinite(summary["best_step"])]
        slopes = [np.polyfit(np.log10(case["unit_roundoff"]), np.log10(case["best_step"]), 1)[0]
                  for _, case in part.groupby(["function", "x"], sort=False)
                  if case["unit_roundoff"].nunique() >= 2]
        if not slopes:
            continue
        order, deriv = int(part["order"].iloc[0]), int(part["deriv"].iloc[0])
        values = {"scheme": scheme, "median": float(np.median(slopes)), "cases": len(slopes),
                  "model": 1 / (order + deriv)}
        found.append(Finding("precision_slope", (
            f"With {scheme} differences, the observed best step scales as u to the power "
            f"{format_number(values['median'])} (median over {len(slopes)} "
            f"function{'s' * (len(slopes) != 1)}), against the model's 1/(p+q) = "
            f"{format_number(values['model'])}."), values))
    return found


def key_findings(directory, metadata):
    """`precision_findings` of ``precision_summary.csv``."""
    return tuple(precision_findings(read_table(directory, "precision_summary.csv")))


def _compact_rows(summary):
    rows = []
    for (scheme, dtype), part in summary.groupby(["scheme", "dtype"], sort=False):
        rows.append((display_name(scheme), dtype, format_number(part["unit_roundoff"].iloc[0]),
                     format_number(part["best_step"].median()),
                     format_number(part["theory_step"].median()),
                     format_number(part["min_error"].median()),
                     format_number(part["theory_error"].median()),
                     str(int(part["flagged"].astype(bool).sum()))))
    return tuple(rows)


def sections(directory, metadata, files):
    """The model's exponents, the figure and the medians per scheme and dtype."""
    summary = read_table(directory, "precision_summary.csv")
    blocks = [Paragraph("The model predicts h* ~ u^(1/(p+q)) and E* ~ u^(p/(p+q)) (p the "
                        "order of accuracy, q the derivative order): "
                        f"{model_exponents(summary)}.")]
    blocks += [figure_image(image) for image in files]
    blocks.append(Table(("scheme", "dtype", "u", "median best step", "median model h*",
                         "median min |error|", "median model E*", "faults"),
                        _compact_rows(summary),
                        "Medians over the functions (every case: appendix, "
                        "precision_summary.csv)"))
    return (Section("Precision: best step against unit roundoff", "precision", tuple(blocks)),)


def _missing(row):
    """"n/a" and the summary's reason for a missing model value, when it gives one."""
    note = row.get("theory_note", "")
    return f"n/a: {note}" if isinstance(note, str) and note else "n/a"


def appendix(directory, metadata, files):
    """Every case of ``precision_summary.csv``."""
    summary = read_table(directory, "precision_summary.csv")
    rows = tuple((r["function"], format_number(r["x"]), display_name(r["scheme"]), r["dtype"],
                  format_number(r["unit_roundoff"]), format_number(r["best_step"]),
                  format_number(r["theory_step"], missing=_missing(r)),
                  format_number(r["min_error"]),
                  format_number(r["theory_error"], missing=_missing(r)),
                  "fault" if r["flagged"] else "")
                 for _, r in summary.iterrows())
    return (Table(("function", "x", "scheme", "dtype", "u", "best step", "model h*",
                   "min |error|", "model E*", "flag"), rows, "Precision: every case"),)


def dtype_figure(summary):
    """Observed best step and minimum error against the unit roundoff, per scheme.

    Each thin line is one (function, x); the thick dashed line is the median
    over them of the model's ``h*`` (left) and ``E*`` (right).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from ..figures import colour, figure_style

    with figure_style():
        figure = Figure(figsize=(9.2, 4.6))
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.3, top=0.88, wspace=0.25)
        left, right = figure.subplots(1, 2)
        handles = []
        for scheme in dict.fromkeys(summary["scheme"]):
            part = summary[summary["scheme"] == scheme]
            for _, case in part.groupby(["function", "x"], sort=False):
                case = case.sort_values("unit_roundoff")
                for axes, column in ((left, "best_step"), (right, "min_error")):
                    values = case[column].to_numpy(dtype=float)
                    axes.plot(case["unit_roundoff"], np.where(values > 0, values, np.nan),
                              color=colour(scheme), lw=0.7, alpha=0.45, marker="o", ms=3)
            median = part.groupby("unit_roundoff")[["theory_step", "theory_error"]].median()
            for axes, column in ((left, "theory_step"), (right, "theory_error")):
                values = median[column].to_numpy(dtype=float)
                axes.plot(median.index, np.where(np.isfinite(values) & (values > 0), values,
                                                 np.nan),
                          color=colour(scheme), lw=2.0, ls="--")
            handles.append(Line2D([], [], color=colour(scheme), lw=0.7, marker="o", ms=3,
                                  label=f"{scheme}: observed (one line per function)"))
            handles.append(Line2D([], [], color=colour(scheme), lw=2.0, ls="--",
                                  label=f"{scheme}: model $h^*$ (left), $E^*$ (right), "
                                        "median over functions"))
        for axes, label in ((left, "best step eps"), (right, "minimum |error|")):
            axes.set_xscale("log")
            axes.set_yscale("log")
            axes.set_xlabel("unit roundoff u of the dtype (float64, float32, float16)")
            axes.set_ylabel(label)
            axes.grid(True, lw=0.4, alpha=0.5)
        exponents = {scheme: (int(case["order"].iloc[0]), int(case["deriv"].iloc[0]))
                     for scheme, case in summary.groupby("scheme", sort=False)}
        left.set_title("Best step\n(model: " + ", ".join(
            f"{scheme} $\\propto u^{{{Fraction(1, p + q)}}}$"
            for scheme, (p, q) in exponents.items()) + ")")
        right.set_title("Minimum error\n(model: " + ", ".join(
            f"{scheme} $\\propto u^{{{Fraction(p, p + q)}}}$"
            for scheme, (p, q) in exponents.items()) + ")")
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=2,
                      frameon=False)
    return figure


METHOD = ("Every function of the run is differentiated at its first point with forward and "
          "central differences in float16, float32 and float64, over the run's grid of steps; "
          "each case is fitted as in the sweep (precision_summary.csv has the columns of "
          "summary.csv). Its column unit_roundoff holds the machine epsilon of the dtype, the u "
          "of the error model.")

STUDY = Study("precision", "Precision", compute, draw, sections, TABLES, OPTIONS, METHOD,
              key_findings, appendix)
