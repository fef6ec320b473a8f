"""The precision study: how the best step moves with the unit roundoff.

Sweeps every function of the run at its first point with forward and
central differences in float16, float32 and float64 over the run's grid,
writes ``precision_summary.csv`` (`analysis.fit.SUMMARY_COLUMNS`), draws
`analysis.figures.dtype_figure` and writes a section with its table. Faults
in this study (a function overflowing float16, say) are shown in its table
but do not change the exit status, which reports on the main sweep.
"""

from fractions import Fraction

import numpy as np
import pandas as pd

from .fit import summarize_blocks
from .report import Paragraph, Section, Table, figure_image
from .studies import Study, StudyResult, register_study
from .sweep import sweep_blocks

__all__ = ["PRECISION_STUDY", "PRECISION_DTYPES", "PRECISION_SCHEMES"]

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
    summary = summarize_blocks(blocks)
    summary.to_csv(context.directory / "precision_summary.csv", index=False,
                   float_format="%.17g")
    return StudyResult()


def model_exponents(summary):
    """``"forward u^(1/2) and u^(1/2), ..."``: the model's exponents of h* and E* per scheme."""
    parts = []
    for scheme, case in summary.groupby("scheme", sort=False):
        p, q = int(case["order"].iloc[0]), int(case["deriv"].iloc[0])
        parts.append(f"{scheme} u^({Fraction(1, p + q)}) and u^({Fraction(p, p + q)})")
    return ", ".join(parts)


def draw(directory, metadata):
    from . import figures as charts  # matplotlib only when drawing

    summary = pd.read_csv(directory / "precision_summary.csv")
    figure = charts.dtype_figure(summary)
    return (charts.save_figure(
        figure, directory / "figures", "precision",
        caption="Observed best step (left) and minimum |error| (right) against the unit "
                "roundoff u of float64, float32 and float16; thin lines: one per function; "
                "thick dashed: the model's h* and E*, median over the functions.",
        alt="best step and minimum error against unit roundoff"),)


def sections(directory, metadata, files):
    summary = pd.read_csv(directory / "precision_summary.csv")
    blocks = [Paragraph("The model predicts h* ~ u^(1/(p+q)) and E* ~ u^(p/(p+q)) (p the "
                        "order of accuracy, q the derivative order): "
                        f"{model_exponents(summary)}.")]
    for scheme in dict.fromkeys(summary["scheme"]):
        part = summary[(summary["scheme"] == scheme) & (summary["best_step"] > 0)
                       & np.isfinite(summary["best_step"])]
        slopes = []
        for _, case in part.groupby(["function", "x"], sort=False):
            if case["unit_roundoff"].nunique() >= 2:
                slopes.append(np.polyfit(np.log10(case["unit_roundoff"]),
                                         np.log10(case["best_step"]), 1)[0])
        if slopes:
            order = int(part["order"].iloc[0])
            deriv = int(part["deriv"].iloc[0])
            blocks.append(Paragraph(
                f"{scheme}: log-log slope of the observed best step against u, median "
                f"{np.median(slopes):.2f} over {len(slopes)} functions (model "
                f"1/(p+q) = {1 / (order + deriv):.2f})."))
    for image in files:
        blocks.append(figure_image(image))
    rows = tuple((r["function"], f"{r['x']:g}", r["scheme"], r["dtype"],
                  f"{r['unit_roundoff']:.2g}", f"{r['best_step']:.2g}",
                  f"{r['theory_step']:.2g}", f"{r['min_error']:.2g}",
                  f"{r['theory_error']:.2g}", "FAULT" if r["flagged"] else "")
                 for _, r in summary.iterrows())
    blocks.append(Table(("function", "x", "scheme", "dtype", "u", "best step", "model h*",
                         "min |error|", "model E*", "flag"), rows))
    return (Section("Precision: best step against unit roundoff", "precision", tuple(blocks)),)


PRECISION_STUDY = register_study(Study("precision", "Precision", compute, draw, sections,
                                       ("precision_summary.csv",)))
