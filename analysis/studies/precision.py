"""The precision study: how the best step and the best error move with the unit roundoff.

Sweeps every function of the run at its first point with the forward,
central and fourth-order central differences in every floating-point format
at hand: numpy's float16, float32, float64 and longdouble, and, where the
optional package ml_dtypes is installed, the machine-learning formats
bfloat16, float8_e4m3fn and float8_e5m2 (each operation computed in float32
and rounded to the format, as ml_dtypes does). Writes
``precision_summary.csv`` (`analysis.fit.SUMMARY_COLUMNS`), draws the best
step and the error near it against the unit roundoff ``u``, observed and
modelled, one line per scheme, and writes a section with the medians per
scheme and format. Faults in this study (a function overflowing float8,
say) are shown in its table but do not change the exit status, which
reports on the main sweep.
"""

from fractions import Fraction

import numpy as np

from numdiff.formats import ML_FORMATS, format_dtype

from ..findings import Finding
from ..fit import summarize_blocks
from ..names import display_name
from ..numbers import format_number
from ..report import Paragraph, Section, Table, figure_image
from ..study import Study, StudyResult, StudyTable
from ..sweep import sweep_blocks
from ..tables import read_table, write_table

__all__ = ["STUDY", "TABLES", "OPTIONS", "METHOD", "NUMPY_FORMATS", "PRECISION_DTYPES",
           "PRECISION_SCHEMES", "precision_formats", "model_exponents", "scheme_medians",
           "precision_findings", "dtype_figure"]

TABLES = (StudyTable("precision_summary.csv", "the columns of summary.csv, one row per function, "
                                              "scheme and floating-point format"),)
OPTIONS = ("--x", "--eps-min", "--eps-max", "--per-decade", "--deriv", "--workers")

#: numpy's formats, always swept whatever --dtypes says.
NUMPY_FORMATS = ("float16", "float32", "float64", "longdouble")
PRECISION_SCHEMES = ("forward", "central", "central4")


def precision_formats():
    """The formats this study sweeps: numpy's, and ml_dtypes' where it is installed.

    Examples
    --------
    >>> precision_formats()[:4]
    ('float16', 'float32', 'float64', 'longdouble')
    """
    available = []
    for name in ML_FORMATS:
        try:
            format_dtype(name)
        except ValueError:
            continue
        available.append(name)
    return NUMPY_FORMATS + tuple(available)


#: The formats of this installation, in the order of `precision_formats`.
PRECISION_DTYPES = precision_formats()


def compute(context):
    """Sweep every format and write ``precision_summary.csv``."""
    config = context.config
    points = {t.name: (config.x[0] if config.x else t.default_x) for t in config.targets}
    blocks = sweep_blocks(config.targets, x=points, schemes=PRECISION_SCHEMES,
                          dtypes=precision_formats(), eps=config.steps(), deriv=config.deriv,
                          executor=context.executor, progress=config.progress)
    write_table(summarize_blocks(blocks), context.directory, "precision_summary.csv")
    return StudyResult()


def model_exponents(summary):
    """``"forward u^(1/2) and u^(1/2), ..."``: the model's exponents of h* and E* per scheme."""
    parts = []
    for scheme, case in summary.groupby("scheme", sort=False):
        p, q = int(case["order"].iloc[0]), int(case["deriv"].iloc[0])
        parts.append(f"{scheme} u^({Fraction(1, p + q)}) and u^({Fraction(p, p + q)})")
    return ", ".join(parts)


def scheme_medians(summary):
    """Per scheme and format: medians over the functions of the observed and modelled optimum.

    Returns
    -------
    pandas.DataFrame
        Columns scheme, dtype, unit_roundoff, best_step, theory_step,
        typical_error, theory_error, cases; sorted by scheme, then ``u``.
    """
    usable = summary[np.isfinite(summary["best_step"].astype(float))]
    grouped = usable.groupby(["scheme", "dtype"], sort=False)
    table = grouped[["unit_roundoff", "best_step", "theory_step", "typical_error",
                     "theory_error"]].median().reset_index()
    table["cases"] = grouped.size().to_numpy()
    order = {scheme: i for i, scheme in enumerate(dict.fromkeys(summary["scheme"]))}
    table["rank"] = table["scheme"].map(order)
    return table.sort_values(["rank", "unit_roundoff"]).drop(columns="rank").reset_index(drop=True)


def draw(directory, metadata):
    """The figure of best step and error against u, from the table."""
    from ..figures import save_figure  # matplotlib only when drawing

    figure = dtype_figure(read_table(directory, "precision_summary.csv"))
    return (save_figure(
        figure, directory / "figures", "precision",
        caption="Best step (left) and error near it (right) against the unit roundoff u of "
                "each floating-point format, medians over the functions: observed (solid, "
                "circles) and the complete error model's h* and E* (dashed, diamonds), one "
                "colour per scheme. The error is the root mean square over half a decade "
                "of steps around the best one.",
        alt="best step and error against unit roundoff, observed and model, per scheme"),)


#: Unit roundoff of float64: finer formats are compared against float64 references.
_FLOAT64_UNIT_ROUNDOFF = 2.0 ** -53


def precision_findings(summary):
    """Per scheme: how the observed best step scales with u, against the model's exponent.

    The slope is a least-squares fit of log10(best step) on log10(u) per
    function (where two formats or more have a positive best step; formats
    finer than float64, whose errors the float64 references cannot resolve,
    left out); the finding states their median and the model's ``1/(p+q)``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"function": "f", "x": 1.0, "scheme": "forward", "order": 1,
    ...                      "deriv": 1, "unit_roundoff": [1e-14, 1e-6],
    ...                      "best_step": [1e-7, 1e-3], "flagged": False})
    >>> print(precision_findings(rows)[0].text)
    With forward differences, the observed best step scales as u to the power 0.5 (median over 1 function), against the model's 1/(p+q) = 0.5.
    """
    found = []
    # Formats finer than float64 are left out: their references are float64's.
    summary = summary[summary["unit_roundoff"] >= _FLOAT64_UNIT_ROUNDOFF]
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
    """One row per format, finest first: ``u``, then each scheme's median best step and h*."""
    medians = scheme_medians(summary)
    schemes = list(dict.fromkeys(medians["scheme"]))
    header = ("format", "u") + tuple(f"{display_name(scheme)} {what}" for scheme in schemes
                                      for what in ("best step", "model h*"))
    rows = []
    for dtype, part in medians.groupby("dtype", sort=False):
        cells = [dtype, format_number(part["unit_roundoff"].iloc[0])]
        for scheme in schemes:
            row = part[part["scheme"] == scheme]
            cells += [format_number(row["best_step"].iloc[0]) if len(row) else "n/a",
                      format_number(row["theory_step"].iloc[0]) if len(row) else "n/a"]
        rows.append(tuple(cells))
    return header, tuple(rows)


def sections(directory, metadata, files):
    """The formats, the model's exponents, the figure and the medians per scheme and format."""
    summary = read_table(directory, "precision_summary.csv")
    blocks = [Paragraph("The model predicts h* ~ u^(1/(p+q)) and E* ~ u^(p/(p+q)) (u the unit "
                        "roundoff, p the order of accuracy, q the derivative order): "
                        f"{model_exponents(summary)}.")]
    blocks += [figure_image(image) for image in files]
    header, rows = _compact_rows(summary)
    blocks.append(Table(header, rows, "Best steps, medians over the functions (errors: the "
                                      "figure; every case: appendix, precision_summary.csv)"))
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
    """Best step and error near it against the unit roundoff, observed and model, per scheme.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from ..figures import colour, figure_style, log_axes

    medians = scheme_medians(summary)
    with figure_style():
        figure = Figure(figsize=(9.2, 4.6))
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.27, top=0.9, wspace=0.25)
        left, right = figure.subplots(1, 2)
        handles = []
        for scheme, part in medians.groupby("scheme", sort=False):
            u = part["unit_roundoff"].to_numpy(dtype=float)
            for axes, observed, model in ((left, "best_step", "theory_step"),
                                          (right, "typical_error", "theory_error")):
                axes.plot(u, _positive(part[observed]), color=colour(scheme), lw=1.6,
                          marker="o", ms=5)
                axes.plot(u, _positive(part[model]), color=colour(scheme), lw=1.2, ls="--",
                          marker="D", ms=5, mfc="white")
            handles += [Line2D([], [], color=colour(scheme), lw=1.6, marker="o", ms=5,
                               label=f"{scheme}: observed"),
                        Line2D([], [], color=colour(scheme), lw=1.2, ls="--", marker="D",
                               ms=5, mfc="white", label=f"{scheme}: model")]
        for axes, label, title in ((left, "best step $h$", "Best step ($h^*$ for the model)"),
                                   (right, "error near the best step",
                                    "Error ($E^*$ for the model)")):
            log_axes(axes)
            axes.set_xlabel("unit roundoff $u$ of the format (half its machine epsilon)")
            axes.set_ylabel(label)
            axes.set_title(title)
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0),
                      ncols=3, frameon=False)
    return figure


def _positive(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


METHOD = ("Each function at its first point, with forward, central and central4, in every "
          "format at hand whatever --dtypes says: float16, float32, float64, longdouble and, "
          "with ml_dtypes (the 'formats' extra), bfloat16, float8_e4m3fn and float8_e5m2, "
          "whose operations ml_dtypes computes in float32 and rounds to the format. Fitted as "
          "the sweep (precision_summary.csv: the columns of summary.csv). References are "
          "float64, so longdouble errors below about 1e-16 |f'| are not resolved.")

STUDY = Study("precision", "Precision", compute, draw, sections, TABLES, OPTIONS, METHOD,
              key_findings, appendix)
