"""Figures of the error-against-step study, drawn from ``sweep.csv`` and ``summary.csv``.

* `error_figure`: |error| against eps on log-log axes for one function and
  point, one line per scheme; the model's truncation, rounding and total
  curves; the regions where truncation or cancellation dominates (for every
  scheme shown) shaded; the observed optimum, the model's ``(h*, E*)`` and
  the default ``eps = 1e-4`` marked; the fitted slopes written on the
  branches. Errors that are exactly zero are drawn at a floor, as open
  triangles, and the legend says at which value.
* `grid_figure`: the observed curves of every function, small multiples.
"""

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..fit import MODEL_WITHOUT_BRANCH
from ..figures import (colour, default_eps_handle, default_eps_line, dominance_handles,
                       figure_style, log_axes, panel_grid, shade_dominance, zero_floor)

__all__ = ["error_figure", "grid_figure"]


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
    with figure_style():
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
    for index, scheme in enumerate(schemes):
        part = rows[rows["scheme"] == scheme].sort_values("eps")
        eps = part["eps"].to_numpy(dtype=float)
        error = part["abs_error"].to_numpy(dtype=float)
        ok = (part["status"] == "ok").to_numpy()
        shown = np.where(ok & (error > 0), error, np.nan)
        # Curves that coincide (forward and central of sin at 0) stay visible: each later
        # scheme is thinner, drawn on top, with markers of its own shape.
        look = _look(index, detail)
        axes.plot(eps, shown, color=colour(scheme), label=scheme, zorder=2 + index / 10, **look)
        zeros = ok & (error == 0)
        if zeros.any():
            zero_seen = True
            axes.plot(eps[zeros], np.full(zeros.sum(), floor), ls="none", marker="v", ms=4,
                      mfc="none", color=colour(scheme))
        if np.isfinite(shown).any():
            top = max(top, np.nanmax(shown))
        handles.append(Line2D([], [], color=colour(scheme), label=f"{scheme}: observed",
                              **_look(index, True)))
        total = part["total_model"].to_numpy(dtype=float)
        axes.plot(eps, np.where(total > 0, total, np.nan), color=colour(scheme), lw=1.0,
                  ls="--", alpha=0.9)
        if detail:
            for columns, style in ((("truncation_model", "next_truncation_model"), ":"),
                                   (("rounding_model", "floor_model"), "-.")):
                values = sum(part[c].to_numpy(dtype=float) for c in columns if c in part)
                axes.plot(eps, np.where(values > 0, values, np.nan), color=colour(scheme),
                          lw=0.8, ls=style, alpha=0.7)
            _mark(axes, facts[facts["scheme"] == scheme], scheme, part, floor)
    log_axes(axes)
    axes.set_ylim(floor / 3, max(top, floor) * 30)
    if detail:
        shade_dominance(axes, facts["crossover_step"], rows["eps"].min(), rows["eps"].max(),
                        truncation=_has_branch(facts, "truncation"),
                        cancellation=_has_branch(facts, "cancellation"))
        default_eps_line(axes, annotate=True)
        handles += _detail_handles()
        if zero_seen:
            handles.append(Line2D([], [], ls="none", marker="v", mfc="none", mec="#555555",
                                  label=f"error exactly 0 (drawn at {floor:.0e})"))
    return handles


_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">")


def _look(index, detail):
    """Line width and marker of the `index`-th scheme: later ones thinner, other shapes."""
    look = {"lw": max(0.9, 2.6 - 0.7 * index)}
    if detail:
        look.update(marker=_MARKERS[index % len(_MARKERS)], ms=max(2.0, 3.6 - 0.5 * index),
                    markevery=2 if index % 2 else (1, 2))
    return look


def _has_branch(facts, branch):
    """Whether the model of every scheme shown has this branch (its note does not deny it)."""
    column = f"{branch}_note"
    if column not in facts:  # summaries written before the notes existed
        return True
    notes = facts[column].astype(object).fillna("")
    return bool(len(notes)) and not notes.isin(MODEL_WITHOUT_BRANCH).any()


def _detail_handles():
    """Legend entries of the model's curves, the optima, the default step and the shading."""
    return [
        Line2D([], [], color="#555555", lw=1.0, ls="--", label="model: total"),
        Line2D([], [], color="#555555", lw=0.8, ls=":",
               label=r"model: truncation $C_2 h^p + C_3 h^{p_2}$"),
        Line2D([], [], color="#555555", lw=0.8, ls="-.",
               label=r"model: rounding $C_1 h^{-q}$ + floor"),
        Line2D([], [], ls="none", marker="o", mfc="#555555", mec="black", ms=7,
               label="observed optimum"),
        Line2D([], [], ls="none", marker="D", mfc="white", mec="#555555", ms=6,
               label=r"model optimum $(h^*, E^*)$"),
        default_eps_handle(),
        *dominance_handles(),
    ]


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
    floor = zero_floor(rows["abs_error"])
    with figure_style():
        figure, grid = panel_grid(len(cases), panel=(2.6, 2.1), margins=(0.6, 1.1), left=0.08,
                                  top=0.85, bottom=0.55, hspace=0.35)
        for axes, (function, x) in zip(grid.flat, cases):
            handles = _draw_case(axes, _case(rows, function, x, dtype),
                                 _case(summary, function, x, dtype), floor, detail=False)
            axes.set_title(f"{function}, x = {x:g}", fontsize=9)
            default_eps_line(axes, lw=0.7)
        for axes in grid[:, 0]:
            axes.set_ylabel("|error|")
        for axes in grid[-1, :]:
            axes.set_xlabel("eps")
        handles.append(Line2D([], [], color="#555555", lw=1.0, ls="--", label="model: total"))
        handles.append(default_eps_handle(lw=0.7))
        handles.append(Line2D([], [], ls="none", marker="v", mfc="none", mec="#555555",
                              label=f"error exactly 0 (at {floor:.0e})"))
        figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0),
                      ncols=min(4, len(handles)), frameon=False)
    return figure
