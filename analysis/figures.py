"""The charts' shared style: colours, sizes, the floor of exact zeros, shading, saving.

Each study draws its own figures beside it (`analysis.studies`), from its
tables only, with what is here: `figure_style` (fonts and sizes),
`colour` (one colour per scheme), `zero_floor` (where errors that are
exactly 0 are drawn), `shade_dominance` (where truncation or cancellation
dominates), `default_eps_line` (the default step marked) and `save_figure`
(PNG and SVG, reproducible bytes).

Colours are the Okabe-Ito palette (distinguishable with the common colour
vision deficiencies); line styles separate observation from model, so the
charts also read in grey scale. Figures are `matplotlib.figure.Figure`
objects built without pyplot (no global state, any backend).
"""

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .fit import DEFAULT_EPS, DEFAULT_EPS_TEXT

__all__ = ["save_figure", "FigureFile", "SCHEME_COLOURS", "zero_floor", "figure_style",
           "colour", "log_axes", "panel_grid", "shade_dominance", "dominance_handles",
           "default_eps_line", "default_eps_handle", "DEFAULT_EPS_LABEL"]

#: Okabe & Ito (2008), "Color Universal Design", one colour per scheme.
SCHEME_COLOURS = {
    "forward": "#D55E00", "central": "#0072B2", "backward": "#E69F00",
    "forward2": "#CC79A7", "backward2": "#F0E442", "central4": "#009E73",
    "central6": "#56B4E9", "central8": "#000000", "complex_step": "#999999",
}
_TRUNCATION_SHADE = "#E69F00"
_CANCELLATION_SHADE = "#56B4E9"
#: Legend text of the default step's vertical line (`default_eps_line`).
DEFAULT_EPS_LABEL = f"default eps = {DEFAULT_EPS_TEXT}"
_DEFAULT_EPS_COLOUR = "#444444"
_RC = {"svg.fonttype": "none", "svg.hashsalt": "numdiff-analysis", "font.size": 9,
       "axes.titlesize": 10, "legend.fontsize": 8}


@dataclass(frozen=True)
class FigureFile:
    """A saved figure: its files and the words that go with it."""

    stem: str
    png: Path
    svg: Path
    caption: str
    alt: str


def figure_style():
    """The charts' matplotlib settings, as a context manager (for studies' own figures)."""
    return matplotlib.rc_context(_RC)


def colour(scheme):
    """Colour of a scheme (grey for unknown names)."""
    return SCHEME_COLOURS.get(scheme, "#666666")


def zero_floor(errors):
    """The value at which exact zeros are drawn: a decade below the smallest positive error.

    Examples
    --------
    >>> zero_floor([0.0, 3e-17, 1e-3])
    1e-18
    >>> zero_floor([0.0])
    1e-20
    """
    values = np.asarray(errors, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        return 1e-20
    return float(f"1e{math.floor(math.log10(positive.min())) - 1}")


def log_axes(axes):
    """Log-log axes with a light major grid, as every error chart has."""
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.grid(True, which="major", lw=0.4, alpha=0.5)


def panel_grid(count, *, panel, margins, left, top, bottom, hspace):
    """Small multiples: a figure with `count` panels, at most 4 a row, sharing both axes.

    Parameters
    ----------
    count : int
        Panels drawn; the rest of the last row is hidden.
    panel : (float, float)
        Width and height of a panel, in inches.
    margins : (float, float)
        Width and height added for labels and the legend, in inches.
    left : float
        Left margin, a fraction of the width.
    top, bottom : float
        Top and bottom margins, in inches.
    hspace : float
        Space between rows, a fraction of a panel's height.

    Returns
    -------
    (matplotlib.figure.Figure, numpy.ndarray of Axes)
        The grid has shape (rows, columns).
    """
    from matplotlib.figure import Figure

    columns = min(4, count)
    rows = math.ceil(count / columns)
    height = panel[1] * rows + margins[1]
    figure = Figure(figsize=(panel[0] * columns + margins[0], height))
    figure.subplots_adjust(left=left, right=0.99, bottom=bottom / height, top=1 - top / height,
                           hspace=hspace, wspace=0.08)
    grid = figure.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    for axes in grid.flat[count:]:
        axes.set_visible(False)
    return figure, grid


def shade_dominance(axes, crossings, eps_min, eps_max, *, truncation=True, cancellation=True):
    """Shade where every scheme shown is on the same branch of its model.

    Below the smallest crossover step (`crossings`, one per scheme: where
    the model's truncation and rounding terms are equal) cancellation
    dominates for all of them; above the largest, truncation does. A branch
    the model does not have (`truncation` or `cancellation` False: an exact
    stencil, no cancellation where ``f(x) = x = 0``, the complex step) is
    not shaded, nor is anything where the crossover is unknown (NaN).
    """
    axes.set_xlim(eps_min, eps_max)
    crossings = np.asarray(crossings, dtype=float)
    if crossings.size == 0 or np.isnan(crossings).any() or (crossings <= 0).any():
        return
    if cancellation and crossings.min() > eps_min:
        axes.axvspan(eps_min, min(eps_max, crossings.min()), color=_CANCELLATION_SHADE,
                     alpha=0.15, lw=0)
    if truncation and crossings.max() < eps_max:
        axes.axvspan(max(eps_min, crossings.max()), eps_max, color=_TRUNCATION_SHADE,
                     alpha=0.15, lw=0)


def dominance_handles():
    """Legend entries of the `shade_dominance` colours."""
    return [Patch(color=_TRUNCATION_SHADE, alpha=0.15, label="truncation dominates"),
            Patch(color=_CANCELLATION_SHADE, alpha=0.15, label="cancellation dominates")]


def default_eps_line(axes, *, lw=0.9, annotate=False):
    """The dotted vertical line at `analysis.fit.DEFAULT_EPS`, optionally labelled."""
    axes.axvline(DEFAULT_EPS, color=_DEFAULT_EPS_COLOUR, lw=lw, ls=(0, (1, 2)))
    if annotate:
        axes.annotate(DEFAULT_EPS_LABEL, (DEFAULT_EPS, 1.0), xycoords=("data", "axes fraction"),
                      xytext=(3, -12), textcoords="offset points", fontsize=8,
                      color=_DEFAULT_EPS_COLOUR)


def default_eps_handle(*, lw=0.9):
    """Legend entry of `default_eps_line`."""
    return Line2D([], [], color=_DEFAULT_EPS_COLOUR, lw=lw, ls=(0, (1, 2)),
                  label=DEFAULT_EPS_LABEL)


def save_figure(figure, directory, stem, *, caption="", alt=""):
    """Write `figure` as ``<stem>.png`` (150 dpi) and ``<stem>.svg`` into `directory`.

    Returns
    -------
    FigureFile
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{stem}.png", directory / f"{stem}.svg"
    with matplotlib.rc_context(_RC):
        figure.savefig(png, dpi=150, metadata={"Software": None})
        figure.savefig(svg, metadata={"Date": None, "Creator": None})
    return FigureFile(stem, png, svg, caption, alt or caption)
