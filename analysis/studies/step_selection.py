"""The step-selection study: where each algorithm lands on the V-curve.

For each catalogue function of the run, at its default point, forward and
central differences are swept over a dense grid of steps (`v_curves`: the
V-shaped curve of |error| against the step, and its best step); then each
step-selection algorithm of `numdiff.step_selection` chooses a step, and
`numdiff.derivative` is run with each of its step rules
(`step_algorithms`). The study writes

``step_selection_curves.csv``
    `CURVE_COLUMNS`: one row per (function, scheme, step) of the sweep;
``step_selection.csv``
    `STEP_COLUMNS`: one row per (function, scheme, algorithm);

draws one grid figure (a panel per function: the two V-curves, a marker
where each algorithm lands, numdiff.derivative's error as a horizontal line)
and writes a section with a summary per algorithm and the table.

Examples
--------
>>> table = step_algorithms(["exp"], schemes=["central"])
>>> sorted(table["algorithm"].unique())[:2]
['derivative:auto', 'derivative:gill_murray']
>>> bool((table["abs_error"] < 1e-8).all())
True
"""

import numpy as np
import pandas as pd

from numdiff import get_scheme, numerical_diff
from numdiff.catalogue import CATALOGUE, get_function
from numdiff.derivative import STEP_RULES, derivative
from numdiff.step_selection import gill_murray_step, stepleman_winarsky_step, theory_step

from ..grid import eps_grid
from ..references import catalogue_names, error_floor
from ..findings import Finding
from ..names import DISPLAY_NAMES, display_name, status_name
from ..numbers import format_number, format_ratio
from ..report import Paragraph, Section, Table, figure_image
from ..study import Study, StudyResult, StudyTable
from ..tables import read_table, write_table

__all__ = ["STEP_ALGORITHMS", "ALGORITHM_LABELS", "CURVE_STEPS", "CURVE_COLUMNS",
           "STEP_COLUMNS", "v_curves", "best_steps", "step_algorithms", "step_selection_figure",
           "step_findings",
           "STUDY", "TABLES", "OPTIONS", "METHOD"]

#: The step-selection algorithms, by the name `numdiff.derivative` accepts as a step rule.
STEP_ALGORITHMS = {
    "theory": theory_step,
    "stepleman_winarsky": stepleman_winarsky_step,
    "gill_murray": gill_murray_step,
}

#: Names for legends and tables (`analysis.names`, the report's one naming).
ALGORITHM_LABELS = {key: DISPLAY_NAMES[key] for key in (*STEP_ALGORITHMS, "derivative:auto")}
#: The same in legends, where matplotlib's mathtext writes h* as h with a superscript star.
_LEGEND_LABELS = {**ALGORITHM_LABELS, "theory": "theory $h^*$ (estimated scale)"}

#: Steps of the V-curves: 1e-13 to 1, 20 per decade (decimal-exact powers of ten).
CURVE_STEPS = eps_grid(1e-13, 1.0, per_decade=20)

#: The best step is the minimum of the upper envelope of the error over
#: +-ENVELOPE_DECADES around each step, so that a lucky cancellation at one
#: step (an error far below its neighbours) is not taken as the optimum.
ENVELOPE_DECADES = 0.25

CURVE_COLUMNS = ("function", "x", "scheme", "eps", "abs_error")
STEP_COLUMNS = ("function", "x", "scheme", "algorithm", "step", "estimate", "exact",
                "abs_error", "error_estimate", "nfev", "status", "best_step", "best_error",
                "step_ratio", "error_ratio")

_SCHEMES = ("central", "forward")


def v_curves(functions=None, *, schemes=_SCHEMES, eps=CURVE_STEPS):
    """|error| of each scheme against the step at each function's default point.

    Parameters
    ----------
    functions : list of str, optional
        Catalogue names; default all.
    schemes : sequence of str, optional
    eps : array_like, optional
        The steps.

    Returns
    -------
    pandas.DataFrame
        `CURVE_COLUMNS`. Steps whose stencil leaves the function's domain
        have ``abs_error`` NaN.

    Examples
    --------
    >>> curves = v_curves(["exp"], schemes=["central"], eps=[1e-8, 1e-5, 1e-2])
    >>> curves["abs_error"].round(13).tolist()
    [0.0, 0.0, 4.53e-05]
    """
    eps = np.asarray(eps, dtype=np.float64)
    frames = []
    for name in (list(CATALOGUE) if functions is None else list(functions)):
        f = get_function(name)
        x = float(f.default_x)
        exact = float(f.derivative(x))
        lo, hi = f.domain
        for scheme in schemes:
            offsets = np.asarray(get_scheme(scheme).offsets(1), dtype=float)
            with np.errstate(all="ignore"):
                error = np.abs(numerical_diff(f, np.full(eps.shape, x), eps, scheme=scheme)
                               - exact)
            inside = (x + offsets.min() * eps > lo) & (x + offsets.max() * eps < hi)
            frames.append(pd.DataFrame({"function": name, "x": x, "scheme": scheme, "eps": eps,
                                        "abs_error": np.where(inside, error, np.nan)}))
    if not frames:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[list(CURVE_COLUMNS)]


def best_steps(curves):
    """The best step of each V-curve (minimum of the upper envelope, `ENVELOPE_DECADES`).

    Parameters
    ----------
    curves : pandas.DataFrame
        `v_curves` output.

    Returns
    -------
    pandas.DataFrame
        One row per (function, x, scheme): ``best_step``, ``best_error``
        (the error at that step).
    """
    rows = []
    for (name, x, scheme), part in curves.groupby(["function", "x", "scheme"], sort=False):
        part = part.sort_values("eps")
        eps = part["eps"].to_numpy(dtype=float)
        error = part["abs_error"].to_numpy(dtype=float)
        error = np.where(np.isfinite(error), error, np.inf)
        decades = np.log10(eps)
        envelope = np.array([error[np.abs(decades - d) <= ENVELOPE_DECADES + 1e-9].max()
                             for d in decades])
        index = int(np.argmin(envelope))
        rows.append(dict(function=name, x=x, scheme=scheme, best_step=float(eps[index]),
                         best_error=float(error[index])))
    return pd.DataFrame(rows, columns=["function", "x", "scheme", "best_step", "best_error"])


def step_algorithms(functions=None, *, schemes=_SCHEMES, curves=None):
    """Where each step-selection algorithm lands, and what `derivative` makes of it.

    Parameters
    ----------
    functions, schemes : optional
        As for `v_curves`; the schemes must be real (the algorithms choose
        steps for them).
    curves : pandas.DataFrame, optional
        `v_curves` of the same functions and schemes (computed if not given),
        for the best step.

    Returns
    -------
    pandas.DataFrame
        `STEP_COLUMNS`, one row per (function, scheme, algorithm):
        ``algorithm`` is a step algorithm's name, or ``"derivative:<rule>"``
        for `numdiff.derivative` with that step rule; ``step`` is the step
        chosen (for derivative rows the smallest step used: it extrapolates
        over several steps); ``error_estimate`` is derivative's own (NaN for
        the step algorithms); ``nfev`` the evaluations per point; ``status``
        the algorithm's status code; ``best_step``, ``best_error`` the
        optimum of the V-curve (`best_steps`); ``step_ratio`` is
        ``step / best_step``; ``error_ratio`` is ``abs_error / best_error``,
        both floored at ``eps |f'|`` (eps the machine epsilon of float64).
    """
    names = list(CATALOGUE) if functions is None else list(functions)
    if curves is None:
        curves = v_curves(names, schemes=schemes)
    best = best_steps(curves).set_index(["function", "scheme"])
    rows = []
    for name in names:
        f = get_function(name)
        x = float(f.default_x)
        exact = float(f.derivative(x))
        for scheme in schemes:
            base = dict(function=name, x=x, scheme=scheme, exact=exact,
                        best_step=best.loc[(name, scheme), "best_step"],
                        best_error=best.loc[(name, scheme), "best_error"])
            with np.errstate(all="ignore"):
                for algorithm, select in STEP_ALGORITHMS.items():
                    res = select(f, x, scheme=scheme)
                    rows.append(dict(base, algorithm=algorithm, step=float(res.step),
                                     estimate=float(res.estimate), error_estimate=np.nan,
                                     nfev=int(res.nfev), status=int(res.status)))
                for rule in ("auto", *STEP_RULES):
                    res = derivative(f, x, scheme=scheme, step=rule)
                    rows.append(dict(base, algorithm=f"derivative:{rule}", step=float(res.step),
                                     estimate=float(res.df), error_estimate=float(res.error),
                                     nfev=int(res.nfev), status=int(res.status)))
    if not rows:
        return pd.DataFrame(columns=STEP_COLUMNS)
    table = pd.DataFrame(rows)
    table["abs_error"] = (table["estimate"] - table["exact"]).abs()
    table["step_ratio"] = table["step"] / table["best_step"]
    floor = error_floor(table["exact"])
    table["error_ratio"] = (np.maximum(table["abs_error"], floor)
                            / np.maximum(table["best_error"], floor))
    return table[list(STEP_COLUMNS)]


# ---------------------------------------------------------------- the study

def compute(context):
    """Sweep and run the algorithms; write the two tables."""
    names = catalogue_names(context.config.targets)
    curves = v_curves(names)
    write_table(curves, context.directory, "step_selection_curves.csv")
    write_table(step_algorithms(names, curves=curves), context.directory, "step_selection.csv")
    return StudyResult()


#: Marker of each algorithm on the V-curves (shapes, so that they read without colour).
_MARKERS = {"theory": "D", "stepleman_winarsky": "s", "gill_murray": "^"}
_BEST_MARKER = "o"


def step_selection_figure(curves, table):
    """The V-curves of every function with the algorithms' steps marked (small multiples).

    Parameters
    ----------
    curves, table : pandas.DataFrame
        `v_curves` and `step_algorithms` output (as read from the CSV files).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..figures import figure_style, panel_grid, zero_floor

    names = list(dict.fromkeys(curves["function"]))
    if not names:
        raise ValueError("no V-curves to draw")
    schemes = list(dict.fromkeys(curves["scheme"]))
    floor = zero_floor(np.concatenate([curves["abs_error"].to_numpy(dtype=float),
                                       table["abs_error"].to_numpy(dtype=float)]))
    top = np.nanmax(curves["abs_error"].to_numpy(dtype=float))
    with figure_style():
        few = len(names) <= 2  # a narrow figure: a bigger panel, a legend in two columns
        figure, grid = panel_grid(len(names), panel=(3.6, 2.8) if few else (2.75, 2.3),
                                  margins=(2.6, 2.2) if few else (0.7, 1.5),
                                  left=0.25 if few else 0.07, top=1.45 if few else 0.8,
                                  bottom=0.5, hspace=0.42)
        zero_seen = False
        for axes, name in zip(grid.flat, names):
            rows = table[table["function"] == name]
            for scheme in schemes:
                part = curves[(curves["function"] == name) & (curves["scheme"] == scheme)]
                zero_seen |= _draw_scheme(axes, part.sort_values("eps"),
                                          rows[rows["scheme"] == scheme], scheme, floor)
            axes.set_title(f"{name}, x = {rows['x'].iloc[0] if len(rows) else np.nan:g}",
                           fontsize=9)
        grid[0, 0].set_ylim(floor / 3, max(top, floor) * 30)
        for axes in grid[:, 0]:
            axes.set_ylabel("|error| (units of f')")
        for index, axes in enumerate(grid.flat[:len(names)]):
            if index + grid.shape[1] >= len(names):  # nothing drawn below this panel
                axes.xaxis.set_tick_params(labelbottom=True)
                axes.set_xlabel("step eps (units of x)")
        handles = _legend_handles(schemes, floor, zero_seen)
        figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0),
                      ncols=2 if few else min(4, len(handles)), frameon=False)
    return figure


def _draw_scheme(axes, part, mine, scheme, floor):
    """One scheme's V-curve in a panel, its best step and the algorithms' steps.

    Returns whether an error of exactly 0 was drawn (at `floor`).
    """
    from ..figures import colour, log_axes

    error = part["abs_error"].to_numpy(dtype=float)
    eps = part["eps"].to_numpy(dtype=float)
    axes.plot(eps, np.where(error > 0, error, np.nan), color=colour(scheme), lw=1.2)
    zero_seen = bool((error == 0).any())
    if zero_seen:
        axes.plot(eps[error == 0], np.full((error == 0).sum(), floor), ls="none",
                  marker="v", ms=3, mfc="none", color=colour(scheme))
    log_axes(axes)
    if mine.empty:
        return zero_seen
    best = mine.iloc[0]
    axes.plot(best["best_step"], max(best["best_error"], floor), ls="none",
              marker=_BEST_MARKER, ms=12, mfc="none", mec="black", mew=1.3, zorder=4)
    for algorithm, marker in _MARKERS.items():
        hit = mine[mine["algorithm"] == algorithm]
        if not hit.empty:
            axes.plot(hit["step"].iloc[0], max(hit["abs_error"].iloc[0], floor), ls="none",
                      marker=marker, ms=8.5, mfc=colour(scheme), mec="black", mew=0.8,
                      zorder=5)
    auto = mine[mine["algorithm"] == "derivative:auto"]
    if not auto.empty:
        level = auto["abs_error"].iloc[0]
        zero_seen |= bool(level == 0)
        axes.axhline(max(level, floor), color=colour(scheme), lw=1.0, ls=(0, (4, 2, 1, 2)),
                     alpha=0.9)
    return zero_seen


def _legend_handles(schemes, floor, zero_seen):
    from matplotlib.lines import Line2D

    from ..figures import colour

    handles = [Line2D([], [], color=colour(s), lw=1.2, label=f"{s}: |error| of the sweep")
               for s in schemes]
    handles += [Line2D([], [], color="#555555", lw=1.0, ls=(0, (4, 2, 1, 2)),
                       label="|error| of " + ALGORITHM_LABELS["derivative:auto"])]
    handles += [Line2D([], [], ls="none", marker=_BEST_MARKER, ms=12, mfc="none", mec="black",
                       mew=1.3, label="best step of the sweep")]
    handles += [Line2D([], [], ls="none", marker=m, ms=8.5, mfc="#BBBBBB", mec="black",
                       label=_LEGEND_LABELS[a]) for a, m in _MARKERS.items()]
    if zero_seen:
        handles.append(Line2D([], [], ls="none", marker="v", ms=4, mfc="none",
                              mec="#555555", label=f"error exactly 0 (drawn at {floor:.0e})"))
    return handles


def draw(directory, metadata):
    """The grid figure, from the two CSV files."""
    from ..figures import save_figure

    curves = read_table(directory, "step_selection_curves.csv")
    if curves.empty:
        return ()
    table = read_table(directory, "step_selection.csv")
    return (save_figure(
        step_selection_figure(curves, table), directory / "figures", "step_selection",
        caption="Where each step-selection algorithm lands on the V-curve of forward and "
                "central differences, at each catalogue function's default point; the "
                "horizontal line is the |error| of numdiff.derivative (step='auto'), which "
                "extrapolates over several steps and so is not a point on the curve.",
        alt="V-curves of every function with the steps chosen by each algorithm"),)


#: Notes of capped error ratios: far above 1 is far worse than the best step, far below better.
_ERROR_NOTES = {"far": "far worse than the best step", "below": "far better than the best step"}


def _summary_rows(table):
    rows = []
    for (scheme, algorithm), part in table.groupby(["scheme", "algorithm"], sort=False):
        ratios = part["step_ratio"].to_numpy(dtype=float)
        within = int(np.sum((ratios >= 0.1) & (ratios <= 10)))
        plain = not algorithm.startswith("derivative:")
        rows.append((scheme, display_name(algorithm),
                     f"{within} of {len(part)}" if plain else "n/a: extrapolates",
                     format_ratio(np.median(part["error_ratio"]), **_ERROR_NOTES),
                     format_ratio(np.max(part["error_ratio"]), **_ERROR_NOTES),
                     format_number(np.median(part["abs_error"])),
                     format_number(np.max(part["abs_error"])),
                     format_number(np.mean(part["nfev"]))))
    return tuple(rows)


def step_findings(table):
    """Per scheme: where the step algorithms land, and numdiff.derivative's error.

    Examples
    --------
    >>> found = step_findings(step_algorithms(["exp"], schemes=["central"]))
    >>> print(found[0].text)  # doctest: +ELLIPSIS
    With central differences, the 3 step-selection algorithms land within a factor 10 of the best step in ... of 3 cases (median step ratio ...).
    """
    found = []
    plain = table[~table["algorithm"].str.startswith("derivative:")]
    for scheme in dict.fromkeys(table["scheme"]):
        part = plain[(plain["scheme"] == scheme) & np.isfinite(plain["step_ratio"])]
        if len(part):
            inside = int(((part["step_ratio"] >= 0.1) & (part["step_ratio"] <= 10)).sum())
            values = {"scheme": scheme, "inside": inside, "cases": len(part),
                      "algorithms": part["algorithm"].nunique(),
                      "median": float(part["step_ratio"].median())}
            found.append(Finding("step_within", (
                f"With {scheme} differences, the {values['algorithms']} step-selection algorithms "
                "land within a "
                f"factor 10 of the best step in {inside} of {len(part)} cases (median step "
                f"ratio {format_number(values['median'])})."), values))
        auto = table[(table["scheme"] == scheme) & (table["algorithm"] == "derivative:auto")
                     & np.isfinite(table["abs_error"])]
        best = plain[(plain["scheme"] == scheme)].groupby("function")["best_error"].first()
        best = best[np.isfinite(best)]
        if len(auto) and len(best):
            values = {"scheme": scheme, "median": float(auto["abs_error"].median()),
                      "nfev": float(auto["nfev"].median()), "best": float(best.median()),
                      "cases": len(auto)}
            found.append(Finding("derivative_error", (
                f"With {scheme} differences, {display_name('derivative:auto')} reaches a median "
                "|error| of "
                f"{format_number(values['median'])} over {len(auto)} functions with "
                f"{format_number(values['nfev'])} evaluations (median), against "
                f"{format_number(values['best'])} at the best step of the plain scheme."),
                values))
    return found


def key_findings(directory, metadata):
    """`step_findings` of ``step_selection.csv``."""
    return tuple(step_findings(read_table(directory, "step_selection.csv")))


_TITLE = "Step selection: where each algorithm lands on the V-curve"


def sections(directory, metadata, files):
    """The figure and the summary per algorithm."""
    table = read_table(directory, "step_selection.csv")
    if table.empty:
        return (Section(_TITLE, "step-selection", (Paragraph(
            "No catalogue function in this run (--functions): the step-selection study needs "
            "the catalogue's exact derivatives."),)),)
    blocks = [figure_image(image) for image in files]
    shown = table[table["algorithm"].isin([*STEP_ALGORITHMS, "derivative:auto"])]
    blocks.append(Table(_SUMMARY_COLUMNS, _summary_rows(shown),
                        "Per algorithm, over the functions of the run (error ratio = |error| "
                        "/ |error at the best step|; numdiff.derivative with the other step "
                        "rules: appendix)"))
    return (Section(_TITLE, "step-selection", tuple(blocks)),)


_SUMMARY_COLUMNS = ("scheme", "algorithm", "step within x10 of best", "median error ratio",
                    "max error ratio", "median |error|", "max |error|", "mean evaluations")


def _status(algorithm, code):
    return status_name("derivative" if algorithm.startswith("derivative:") else "step", code)


def appendix(directory, metadata, files):
    """Every function, scheme and algorithm (numdiff.derivative with step='auto')."""
    table = read_table(directory, "step_selection.csv")
    if table.empty:
        return ()
    rules = table[~table["algorithm"].isin([*STEP_ALGORITHMS, "derivative:auto"])]
    shown = table[table["algorithm"].isin([*STEP_ALGORITHMS, "derivative:auto"])]
    rows = tuple((r["function"], format_number(r["x"]), r["scheme"],
                  display_name(r["algorithm"]), format_number(r["step"]),
                  format_number(r["best_step"]),
                  "n/a: extrapolates" if r["algorithm"].startswith("derivative:")
                  else format_ratio(r["step_ratio"], far="step far too large",
                                    below="step far too small"),
                  format_number(r["abs_error"]), format_number(r["best_error"]),
                  format_ratio(r["error_ratio"], **_ERROR_NOTES),
                  str(int(r["nfev"])), _status(r["algorithm"], r["status"]))
                 for _, r in shown.iterrows())
    return (Table(("function", "x", "scheme", "algorithm", "step", "best step", "step ratio",
                   "|error|", "best |error|", "error ratio", "evaluations", "status"), rows,
                  "Step selection per function (numdiff.derivative with the other step rules: "
                  "step_selection.csv)"),
            Table(_SUMMARY_COLUMNS, _summary_rows(rules),
                  "numdiff.derivative with each step algorithm as its step rule"))


METHOD = ("Each catalogue function of the run is differentiated at its default point. The "
          "V-curve is the |error| of the plain scheme over steps from 1e-13 to 1, 20 per "
          "decade; its best step is the minimum of the error's upper envelope over a quarter "
          "decade either side (step_selection_curves.csv). Each algorithm of "
          "numdiff.step_selection chooses a step for the scheme (theory h* with the derivative "
          "scale estimated by a finite difference; "
          f"{DISPLAY_NAMES['stepleman_winarsky']}; {DISPLAY_NAMES['gill_murray']}); "
          "numdiff.derivative is run with step='auto' and with each "
          "algorithm as its step rule (step_selection.csv). Error ratio = |error| / |error at "
          "the best step|, both floored at eps|f'| (eps the machine epsilon of float64); evaluations are calls of f per point, the "
          "final estimate included.")

TABLES = (
    StudyTable("step_selection_curves.csv", "one row per catalogue function, scheme and step: "
                                            "the V-curve at the default point"),
    StudyTable("step_selection.csv", "one row per catalogue function, scheme and algorithm: "
                                     "step chosen, error, evaluations, best step of the curve"),
)
OPTIONS = ("--functions",)

STUDY = Study("step_selection", "Step selection", compute, draw, sections, TABLES, OPTIONS,
              METHOD, key_findings, appendix)
