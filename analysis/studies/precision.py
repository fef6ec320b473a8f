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

from ..fit import summarize_blocks
from ..report import Paragraph, Section, Table, figure_image, format_number
from ..study import Study, StudyResult, StudyTable
from ..sweep import sweep_blocks
from ..tables import read_table, write_table

__all__ = ["STUDY", "TABLES", "OPTIONS", "METHOD", "NUMPY_FORMATS", "PRECISION_SCHEMES",
           "precision_formats", "model_exponents", "scheme_medians", "dtype_figure"]

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


def sections(directory, metadata, files):
    summary = read_table(directory, "precision_summary.csv")
    medians = scheme_medians(summary)
    formats = ", ".join(dict.fromkeys(summary["dtype"]))
    blocks = [Paragraph(
        f"Formats swept: {formats}. The model predicts h* ~ u^(1/(p+q)) and E* ~ u^(p/(p+q)) "
        f"(p the order of accuracy, q the derivative order): {model_exponents(summary)}. "
        "Here u is the unit roundoff, half the machine epsilon.")]
    blocks += [Paragraph(text) for text in _slope_sentences(medians, summary)]
    blocks += [figure_image(image) for image in files]
    rows = tuple((r.scheme, r.dtype, format_number(r.unit_roundoff), format_number(r.best_step),
                  format_number(r.theory_step), format_number(r.typical_error),
                  format_number(r.theory_error), str(int(r.cases)))
                 for r in medians.itertuples())
    blocks.append(Table(("scheme", "format", "u", "best step", "model h*", "error",
                         "model E*", "functions"), rows))
    return (Section("Precision: best step against unit roundoff", "precision", tuple(blocks)),)


def _slope_sentences(medians, summary):
    """Per scheme, the log-log slopes of the medians against u, observed and modelled."""
    for scheme, part in medians.groupby("scheme", sort=False):
        if part["unit_roundoff"].nunique() < 2:
            continue
        log_u = np.log10(part["unit_roundoff"].to_numpy(dtype=float))
        slopes = [np.polyfit(log_u, np.log10(part[column].to_numpy(dtype=float)), 1)[0]
                  for column in ("best_step", "theory_step")]
        case = summary[summary["scheme"] == scheme].iloc[0]
        p, q = int(case["order"]), int(case["deriv"])
        yield (f"{scheme}: the median best step grows like u^{slopes[0]:.2f} over "
               f"{len(part)} formats (model medians u^{slopes[1]:.2f}; theory "
               f"1/(p+q) = {1 / (p + q):.2f}).")


def dtype_figure(summary):
    """Best step and error near it against the unit roundoff, observed and model, per scheme.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from ..figures import colour, figure_style

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
            axes.set_xscale("log")
            axes.set_yscale("log")
            axes.set_xlabel("unit roundoff $u$ of the format (half its machine epsilon)")
            axes.set_ylabel(label)
            axes.set_title(title)
            axes.grid(True, lw=0.4, alpha=0.5)
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0),
                      ncols=3, frameon=False)
    return figure


def _positive(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


METHOD = ("Every function of the run is differentiated at its first point with the forward, "
          "central and fourth-order central differences in every floating-point format at "
          "hand, whatever --dtypes says: numpy's float16, float32, float64 and longdouble, and, "
          "with the optional ml_dtypes package (the 'formats' extra), bfloat16 and the 8-bit "
          "float8_e4m3fn and float8_e5m2, for which numpy has no arithmetic of its own: "
          "ml_dtypes computes each operation, f included, in float32 and rounds the result to "
          "the format. Each case is fitted as in the sweep (precision_summary.csv has the "
          "columns of summary.csv). Its column unit_roundoff holds the unit roundoff u of the "
          "format and machine_epsilon twice that. The references are float64 closed forms, so "
          "longdouble errors below about 1e-16 |f'| are not resolved.")

STUDY = Study("precision", "Precision", compute, draw, sections, TABLES, OPTIONS, METHOD)
