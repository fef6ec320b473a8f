"""Charts of the sweep: they only read the tables (in memory or from CSV).

* `error_figure`: |error| against eps on log-log axes for one function and
  point, one line per scheme; the model's truncation, rounding and total
  curves; the regions where truncation or cancellation dominates (for every
  scheme shown) shaded; the observed optimum, the model's ``(h*, E*)`` and
  the seed's ``eps = 1e-4`` marked; the fitted slopes written on the
  branches. Errors that are exactly zero are drawn at a floor, as open
  triangles, and the legend says at which value.
* `grid_figure`: the observed curves of every function, small multiples.
* `dtype_figure`: observed best step and minimum error against the unit
  roundoff of float16/32/64, with the model's ``h*`` and ``E*``.

Colours are the Okabe-Ito palette (distinguishable with the common colour
vision deficiencies); line styles separate observation from model, so the
charts also read in grey scale. Figures are `matplotlib.figure.Figure`
objects built without pyplot (no global state, any backend).
"""

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .fit import DEFAULT_EPS

__all__ = ["error_figure", "grid_figure", "dtype_figure", "save_figure", "FigureFile",
           "SCHEME_COLOURS", "zero_floor", "figure_style", "colour"]

#: Okabe & Ito (2008), "Color Universal Design", one colour per scheme.
SCHEME_COLOURS = {
    "forward": "#D55E00", "central": "#0072B2", "backward": "#E69F00",
    "forward2": "#CC79A7", "backward2": "#F0E442", "central4": "#009E73",
    "central6": "#56B4E9", "central8": "#000000", "complex_step": "#999999",
}
_TRUNCATION_SHADE = "#E69F00"
_CANCELLATION_SHADE = "#56B4E9"
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


def _case(table, function, x, dtype):
    rows = table[(table["function"] == function) & (table["dtype"] == dtype)]
    return rows[rows["x"].to_numpy(dtype=float) == x]


def error_figure(sweep, summary, function, x, *, dtype="float64", title=None):
    """|error| against eps for one function at one point, with the model.

    Parameters
    ----------
    sweep, summary : pandas.DataFrame
        The tidy table and its summary (`analysis.sweep`, `analysis.fit`).
    function : str
    x : float
    dtype : str, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _case(sweep, function, x, dtype)
    facts = _case(summary, function, x, dtype)
    if rows.empty:
        raise ValueError(f"no rows for function {function!r} at x={x!r} in {dtype}")
    with matplotlib.rc_context(_RC):
        # Fixed margins: a constrained layout would double the drawing time.
        figure = Figure(figsize=(9.2, 5.0))
        figure.subplots_adjust(left=0.085, right=0.70, bottom=0.1, top=0.93)
        axes = figure.add_subplot()
        floor = zero_floor(rows["abs_error"])
        handles = _draw_case(axes, rows, facts, floor, detail=True)
        title = title or f"{function} at x = {x:g} ({dtype})"
        axes.set_title(title if len(title) <= 90 else title[:87] + "...")
        axes.set_xlabel("step eps (units of x)")
        axes.set_ylabel("absolute error |estimate - exact| (units of f')")
        figure.legend(handles=handles, loc="center left", bbox_to_anchor=(0.71, 0.5),
                      frameon=False)
    return figure


def _draw_case(axes, rows, facts, floor, *, detail):
    """Curves of one case on `axes`; returns legend handles."""
    schemes = list(dict.fromkeys(rows["scheme"]))
    top = 0.0
    handles = []
    zero_seen = False
    for scheme in schemes:
        part = rows[rows["scheme"] == scheme].sort_values("eps")
        eps = part["eps"].to_numpy(dtype=float)
        error = part["abs_error"].to_numpy(dtype=float)
        ok = (part["status"] == "ok").to_numpy()
        shown = np.where(ok & (error > 0), error, np.nan)
        axes.plot(eps, shown, color=colour(scheme), lw=1.6, marker="." if detail else None,
                  ms=3.5, label=scheme)
        zeros = ok & (error == 0)
        if zeros.any():
            zero_seen = True
            axes.plot(eps[zeros], np.full(zeros.sum(), floor), ls="none", marker="v", ms=4,
                      mfc="none", color=colour(scheme))
        if np.isfinite(shown).any():
            top = max(top, np.nanmax(shown))
        handles.append(Line2D([], [], color=colour(scheme), lw=1.6, marker=".",
                              label=f"{scheme}: observed"))
        total = part["total_model"].to_numpy(dtype=float)
        axes.plot(eps, np.where(total > 0, total, np.nan), color=colour(scheme), lw=1.0,
                  ls="--", alpha=0.9)
        if detail:
            for column, style in (("truncation_model", ":"), ("rounding_model", "-.")):
                values = part[column].to_numpy(dtype=float)
                axes.plot(eps, np.where(values > 0, values, np.nan), color=colour(scheme),
                          lw=0.8, ls=style, alpha=0.7)
            _mark(axes, facts[facts["scheme"] == scheme], scheme, part, floor)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_ylim(floor / 3, max(top, floor) * 30)
    axes.grid(True, which="major", lw=0.4, alpha=0.5)
    if detail:
        _shade(axes, facts, rows["eps"].min(), rows["eps"].max())
        axes.axvline(DEFAULT_EPS, color="#444444", lw=0.9, ls=(0, (1, 2)))
        axes.annotate("seed eps = 1e-4", (DEFAULT_EPS, 1.0), xycoords=("data", "axes fraction"),
                      xytext=(3, -12), textcoords="offset points", fontsize=8, color="#444444")
        handles += [
            Line2D([], [], color="#555555", lw=1.0, ls="--", label="model: total"),
            Line2D([], [], color="#555555", lw=0.8, ls=":", label="model: truncation C2 h^p"),
            Line2D([], [], color="#555555", lw=0.8, ls="-.", label="model: rounding C1 h^-q"),
            Line2D([], [], ls="none", marker="o", mfc="#555555", mec="black", ms=7,
                   label="observed optimum"),
            Line2D([], [], ls="none", marker="D", mfc="white", mec="#555555", ms=6,
                   label="model optimum (h*, E*)"),
            Line2D([], [], color="#444444", lw=0.9, ls=(0, (1, 2)), label="seed eps = 1e-4"),
            Patch(color=_TRUNCATION_SHADE, alpha=0.15, label="truncation dominates"),
            Patch(color=_CANCELLATION_SHADE, alpha=0.15, label="cancellation dominates"),
        ]
        if zero_seen:
            handles.append(Line2D([], [], ls="none", marker="v", mfc="none", mec="#555555",
                                  label=f"error exactly 0 (drawn at {floor:.0e})"))
    return handles


def _mark(axes, facts, scheme, part, floor):
    if facts.empty:
        return
    fact = facts.iloc[0]
    if np.isfinite(fact["best_step"]) and np.isfinite(fact["min_error"]):
        axes.plot(fact["best_step"], max(fact["min_error"], floor), ls="none", marker="o",
                  ms=7, mfc=colour(scheme), mec="black", zorder=5)
    if (np.isfinite(fact["theory_step"]) and np.isfinite(fact["theory_error"])
            and fact["theory_error"] > 0):
        axes.plot(fact["theory_step"], fact["theory_error"], ls="none", marker="D", ms=6,
                  mfc="white", mec=colour(scheme), mew=1.5, zorder=5)
    eps = part["eps"].to_numpy(dtype=float)
    error = part["abs_error"].to_numpy(dtype=float)
    for branch in ("truncation", "cancellation"):
        slope = fact[f"{branch}_slope"]
        low, high = fact[f"{branch}_fit_min"], fact[f"{branch}_fit_max"]
        if not np.isfinite(slope):
            continue
        middle = math.sqrt(low * high)
        index = int(np.argmin(np.abs(np.log(eps / middle))))
        level = error[index] if error[index] > 0 else np.nan
        if not np.isfinite(level):
            continue
        expected = fact[f"expected_{branch}_slope"]
        axes.annotate(f"slope {slope:+.2f} (theory {expected:+g})", (eps[index], level),
                      xytext=(0, 10), textcoords="offset points", ha="center", fontsize=7.5,
                      color=colour(scheme),
                      bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def _shade(axes, facts, eps_min, eps_max):
    """Shade where every scheme shown is on the same branch of its model.

    A crossover of inf (no truncation: the stencil is exact for f) leaves
    no truncation-dominated region; an unknown model (NaN) shades nothing.
    """
    axes.set_xlim(eps_min, eps_max)
    crossings = facts["crossover_step"].to_numpy(dtype=float)
    if crossings.size == 0 or np.isnan(crossings).any() or (crossings <= 0).any():
        return
    if crossings.min() > eps_min:
        axes.axvspan(eps_min, min(eps_max, crossings.min()), color=_CANCELLATION_SHADE,
                     alpha=0.15, lw=0)
    if crossings.max() < eps_max:
        axes.axvspan(max(eps_min, crossings.max()), eps_max, color=_TRUNCATION_SHADE,
                     alpha=0.15, lw=0)


def grid_figure(sweep, summary, *, dtype="float64"):
    """Observed |error| against eps of every (function, x), small multiples.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = sweep[sweep["dtype"] == dtype]
    cases = list(dict.fromkeys(zip(rows["function"], rows["x"])))
    if not cases:
        raise ValueError(f"no rows in {dtype}")
    columns = min(4, len(cases))
    lines = math.ceil(len(cases) / columns)
    floor = zero_floor(rows["abs_error"])
    with matplotlib.rc_context(_RC):
        height = 2.1 * lines + 1.1
        figure = Figure(figsize=(2.6 * columns + 0.6, height))
        figure.subplots_adjust(left=0.08, right=0.99, bottom=0.55 / height,
                               top=1 - 0.85 / height, hspace=0.35, wspace=0.08)
        grid = figure.subplots(lines, columns, squeeze=False, sharex=True, sharey=True)
        for axes, (function, x) in zip(grid.flat, cases):
            handles = _draw_case(axes, _case(rows, function, x, dtype),
                                 _case(summary, function, x, dtype), floor, detail=False)
            axes.set_title(f"{function}, x = {x:g}", fontsize=9)
            axes.axvline(DEFAULT_EPS, color="#444444", lw=0.7, ls=(0, (1, 2)))
        for axes in grid.flat[len(cases):]:
            axes.set_visible(False)
        for axes in grid[:, 0]:
            axes.set_ylabel("|error|")
        for axes in grid[-1, :]:
            axes.set_xlabel("eps")
        handles.append(Line2D([], [], color="#555555", lw=1.0, ls="--", label="model: total"))
        handles.append(Line2D([], [], color="#444444", lw=0.7, ls=(0, (1, 2)),
                              label="seed eps = 1e-4"))
        handles.append(Line2D([], [], ls="none", marker="v", mfc="none", mec="#555555",
                              label=f"error exactly 0 (at {floor:.0e})"))
        figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0),
                      ncols=min(4, len(handles)), frameon=False)
    return figure


def dtype_figure(summary):
    """Observed best step and minimum error against the unit roundoff, per scheme.

    Each thin line is one (function, x); the thick dashed line is the median
    over them of the model's ``h*`` (left) and ``E*`` (right).

    Returns
    -------
    matplotlib.figure.Figure
    """
    with matplotlib.rc_context(_RC):
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
                                  label=f"{scheme}: model, median over functions"))
        for axes, label in ((left, "best step eps"), (right, "minimum |error|")):
            axes.set_xscale("log")
            axes.set_yscale("log")
            axes.set_xlabel("unit roundoff u of the dtype (float64, float32, float16)")
            axes.set_ylabel(label)
            axes.grid(True, lw=0.4, alpha=0.5)
        exponents = {scheme: (int(case["order"].iloc[0]), int(case["deriv"].iloc[0]))
                     for scheme, case in summary.groupby("scheme", sort=False)}
        left.set_title("Best step\n(model: " + ", ".join(
            f"{scheme} ~ u^{Fraction(1, p + q)}" for scheme, (p, q) in exponents.items()) + ")")
        right.set_title("Minimum error\n(model: " + ", ".join(
            f"{scheme} ~ u^{Fraction(p, p + q)}" for scheme, (p, q) in exponents.items()) + ")")
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=2,
                      frameon=False)
    return figure


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
