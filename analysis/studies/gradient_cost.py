"""The cost of many variables: evaluations and time of the numerical gradient against n.

A numerical gradient of ``f: R^n -> R`` evaluates ``f`` at every stencil
point of every coordinate: ``2n`` points with central differences, where
backpropagation needs one pass. `cost_vs_n` measures it for
``f(x) = sum(exp(x))`` (`sum_exp`), for ``numdiff.gradient`` calling ``f``
once per point and with ``vectorized=True`` (points in batches), beside the
time of one evaluation of ``f``. The study writes ``gradient_cost.csv``
(`COST_COLUMNS`), draws a log-log chart of evaluations and time against n,
and writes a section with the table.

`accuracy_vs_n` sets the cost beside the accuracy: the relative error and
the evaluations of the gradient of Rosenbrock's function (`rosenbrock`)
at a seeded point, for ``numdiff.gradient`` with automatic steps and with
fixed steps, ``scipy.differentiate.jacobian`` and ``numdifftools.Gradient``
where installed (``gradient_accuracy.csv``, `ACCURACY_COLUMNS`).

Examples
--------
>>> table = cost_vs_n((1, 10), repeats=1)
>>> table[table["method"] == "gradient"][["n", "calls", "evaluations"]]
    n  calls  evaluations
1   1      2            2
4  10     20           20
"""

import numpy as np
import pandas as pd

from numdiff import CountedFunction, get_scheme, gradient
from numdiff.catalogue import rosenbrock, rosenbrock_gradient

from ..findings import Finding
from ..names import DISPLAY_NAMES, display_name
from ..numbers import format_number
from ..peer_libraries import importable_peers
from ..report import Paragraph, Section, Table, figure_image
from ..study import Study, StudyResult, StudyTable
from ..tables import read_table, write_table
from ..timing import best_time

__all__ = ["sum_exp", "cost_vs_n", "DEFAULT_SIZES", "COST_COLUMNS", "METHOD_LABELS",
           "cost_figure", "cost_findings", "build_study", "STUDY", "TABLES", "OPTIONS", "METHOD",
           "rosenbrock", "accuracy_vs_n", "judge_gradient", "ACCURACY_SIZES", "ACCURACY_COLUMNS",
           "ACCURACY_LABELS", "accuracy_figure"]

#: n from 1 to 10^4, log-spaced (two per decade).
DEFAULT_SIZES = (1, 3, 10, 30, 100, 300, 1000, 3000, 10000)
#: Timing: repeat a measurement up to `repeats` times, but stop once this
#: many seconds were spent on it (at least one run).
TIME_BUDGET_S = 0.05

COST_COLUMNS = ("n", "method", "scheme", "calls", "evaluations", "expected_evaluations",
                "seconds", "runs", "ratio_to_f", "max_abs_error")
METHOD_LABELS = {key: DISPLAY_NAMES[key] for key in ("f", "gradient", "gradient_batched")}


def sum_exp(x):
    """``sum_i exp(x_i)``, on one point of shape (n,) or columns of shape (n, m)."""
    return np.sum(np.exp(x), axis=0)


def cost_vs_n(sizes=DEFAULT_SIZES, *, scheme="central", repeats=5, batched=True):
    """Evaluations and time of the numerical gradient of `sum_exp` against n.

    Parameters
    ----------
    sizes : sequence of int
        Numbers of variables ``n``.
    scheme : str
        Difference scheme of the gradient.
    repeats : int
        Each time is the best of up to this many runs (fewer for slow runs:
        `TIME_BUDGET_S`).
    batched : bool
        Also measure ``gradient(..., vectorized=True)`` (``f`` called on
        columns of points, in batches of up to
        ``numdiff.multivariate.BATCH_ELEMENTS`` values).

    Returns
    -------
    pandas.DataFrame
        `COST_COLUMNS`, one row per (n, method), method in ``"f"`` (one
        evaluation), ``"gradient"`` and ``"gradient_batched"``: ``calls``
        (calls of f), ``evaluations`` (points at which f is evaluated),
        ``expected_evaluations`` (the scheme's stencil points per coordinate
        times n, the centre shared where the stencil has one),
        ``seconds`` (best time), ``runs`` (timed runs), ``ratio_to_f``
        (seconds over those of one evaluation of f at the same n),
        ``max_abs_error`` (against the analytic gradient ``exp(x)``; NaN
        for ``"f"``). The gradients are timed through the counter of
        calls (`numdiff.CountedFunction`), which adds one Python call per
        call of f.
    """
    offsets = get_scheme(scheme).stencil(1).offsets
    per_coordinate = sum(1 for g in offsets if g != 0)
    shared_centre = int(any(g == 0 for g in offsets))
    rows = []
    for n in sizes:
        x = np.linspace(0.0, 1.0, n)
        t_f, runs = best_time(lambda: sum_exp(x), max(repeats, 50), budget=TIME_BUDGET_S)
        rows.append(dict(n=n, method="f", scheme=scheme, calls=1, evaluations=1,
                         expected_evaluations=1, seconds=t_f, runs=runs, ratio_to_f=1.0,
                         max_abs_error=np.nan))
        for method, vectorized in (("gradient", False), ("gradient_batched", True)):
            if vectorized and not batched:
                continue
            # Points lie along axis 1 of a batch; a call per point has shape (n,).
            counted = CountedFunction(sum_exp, batch_axis=1)
            result = []
            seconds, runs = best_time(
                lambda: result.append(gradient(counted, x, scheme=scheme, step="fixed",
                                               vectorized=vectorized)), repeats,
                budget=TIME_BUDGET_S)
            rows.append(dict(n=n, method=method, scheme=scheme, calls=counted.calls // runs,
                             evaluations=counted.points // runs,
                             expected_evaluations=per_coordinate * n + shared_centre,
                             seconds=seconds, runs=runs, ratio_to_f=seconds / t_f,
                             max_abs_error=float(np.abs(result[-1] - np.exp(x)).max())))
    return pd.DataFrame(rows, columns=COST_COLUMNS)


#: n of the accuracy comparison (the peers' cost grows as n^2 evaluations of an
#: O(n) function beyond; scipy's Jacobian of n variables holds n^2 stencil values).
ACCURACY_SIZES = (2, 3, 10, 30, 100, 300, 1000)
ACCURACY_COLUMNS = ("n", "method", "evaluations", "relative_error", "covered")
ACCURACY_LABELS = {"auto": "numdiff.gradient (automatic steps)",
                   "fixed": "numdiff.gradient (step='fixed')",
                   "scipy": "scipy.differentiate.jacobian",
                   "numdifftools": "numdifftools.Gradient"}


def accuracy_vs_n(sizes=ACCURACY_SIZES, *, seed=0, peers=None):
    """Relative error and evaluations of the gradient of `rosenbrock` against n.

    Parameters
    ----------
    sizes : sequence of int
        Numbers of variables ``n`` (at least 2).
    seed : int
        The point is ``default_rng(seed).uniform(-2, 2, n)``.
    peers : sequence of str, optional
        Among ``"scipy"`` and ``"numdifftools"``; default: those importable.

    Returns
    -------
    pandas.DataFrame
        `ACCURACY_COLUMNS`, one row per (n, method): ``evaluations`` (points
        at which ``f`` was evaluated), ``relative_error`` (largest entry
        error over the largest entry of the exact gradient), ``covered``
        (share of entries whose error is within the method's error
        estimate; NaN for the fixed step, which has none).

    Examples
    --------
    >>> table = accuracy_vs_n((5,), peers=())
    >>> table["method"].tolist(), table["evaluations"].tolist()
    (['auto', 'fixed'], [50, 10])
    >>> bool((table["relative_error"] < 1e-8).all())
    True
    """
    methods = accuracy_methods(tuple(importable_peers()) if peers is None else tuple(peers))
    rows = []
    for n in sizes:
        x = np.random.default_rng(seed).uniform(-2.0, 2.0, n)
        exact = rosenbrock_gradient(x)
        for method, run in methods.items():
            relative_error, covered, evaluations = judge_gradient(run, rosenbrock, x, exact)
            rows.append(dict(n=n, method=method, evaluations=evaluations,
                             relative_error=relative_error, covered=covered))
    return pd.DataFrame(rows, columns=ACCURACY_COLUMNS)


def judge_gradient(run, f, x, exact):
    """Relative error, coverage and evaluations of one run of a gradient method at `x`.

    Parameters
    ----------
    run : callable
        ``run(f, x) -> (estimate, error estimate or None)``, as the values of
        `accuracy_methods`.
    f : callable
        The function differentiated, of a vector ``x`` of n variables (every
        call gets the n variables on axis 0, a batch of points on the others).
    x : numpy.ndarray
        The point, of shape ``(n,)``.
    exact : numpy.ndarray
        The exact derivative at `x`, of the shape of the estimate.

    Returns
    -------
    relative_error : float
        The largest entry error over the largest entry of `exact`.
    covered : float
        The share of entries whose error is within the error estimate; NaN
        when `run` gives none.
    evaluations : int
        The points at which `f` was evaluated (`numdiff.CountedFunction`'s
        values over n).

    Examples
    --------
    >>> from numdiff.catalogue import rosenbrock, rosenbrock_gradient
    >>> x = np.array([0.5, -1.0, 1.5])
    >>> run = accuracy_methods(())["fixed"]
    >>> relative_error, covered, evaluations = judge_gradient(run, rosenbrock, x,
    ...                                                       rosenbrock_gradient(x))
    >>> evaluations, bool(np.isnan(covered)), bool(relative_error < 1e-8)
    (6, True, True)
    """
    counted = CountedFunction(f)
    estimate, error = run(counted, x)
    deviation = np.abs(estimate - exact)
    return (float(deviation.max() / np.abs(exact).max()),
            np.nan if error is None else float(np.mean(deviation <= error)),
            counted.values // x.size)


def accuracy_methods(peers):
    """``{method: run(f, x) -> (estimate, error estimate or None)}``, numdiff's first."""

    def auto(f, x):
        res = gradient(f, x, vectorized=True)
        return res.df, res.error

    def fixed(f, x):
        return gradient(f, x, step="fixed", vectorized=True), None

    def scipy(f, x):
        from scipy.differentiate import jacobian

        res = jacobian(f, x)
        return res.df, res.error

    def numdifftools(f, x):
        import numdifftools as nd

        found = nd.Gradient(f, full_output=True)(x)
        return found.estimate, np.reshape(found.error_estimate, np.shape(found.estimate))

    methods = {"auto": auto, "fixed": fixed}
    known = {"scipy": scipy, "numdifftools": numdifftools}
    methods.update({name: known[name] for name in peers})
    return methods


def _slope(n, values):
    """Least-squares slope of log10(values) against log10(n)."""
    n, values = np.asarray(n, dtype=float), np.asarray(values, dtype=float)
    ok = (n > 0) & (values > 0) & np.isfinite(values)
    if ok.sum() < 2:
        return np.nan
    return float(np.polyfit(np.log10(n[ok]), np.log10(values[ok]), 1)[0])


# ---------------------------------------------------------------- the study

_COLOURS = {"f": "#000000", "gradient": "#0072B2", "gradient_batched": "#E69F00"}
_MARKERS = {"f": "o", "gradient": "s", "gradient_batched": "^"}


def cost_figure(table):
    """Evaluations (left) and time (right) against n, log-log, from `cost_vs_n` output.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from ..figures import figure_style, log_axes

    methods = [m for m in METHOD_LABELS if m in set(table["method"])]
    gradients = [m for m in methods if m != "f"]
    with figure_style():
        figure = Figure(figsize=(9.2, 4.4))
        figure.subplots_adjust(left=0.075, right=0.985, bottom=0.3, top=0.92, wspace=0.24)
        left, right = figure.subplots(1, 2)
        handles = []
        for method in gradients:
            part = table[table["method"] == method].sort_values("n")
            wide = method == "gradient"  # the batched points coincide: drawn thinner on top
            left.plot(part["n"], part["evaluations"], color=_COLOURS[method],
                      lw=3.0 if wide else 1.3, marker=_MARKERS[method], ms=8 if wide else 5,
                      label=f"{METHOD_LABELS[method]}: points")
            left.plot(part["n"], part["calls"], color=_COLOURS[method], lw=1.0, ls=":",
                      marker=_MARKERS[method], ms=5, mfc="white")
        expected = table[table["method"] == gradients[0]].sort_values("n") if gradients else None
        if expected is not None:
            # On top of the measured points it should equal: thin, dashed, black.
            left.plot(expected["n"], expected["expected_evaluations"], color="#000000", lw=1.1,
                      ls=(0, (4, 3)), zorder=6)
        for method in methods:
            part = table[table["method"] == method].sort_values("n")
            right.plot(part["n"], part["seconds"], color=_COLOURS[method], lw=1.5,
                       marker=_MARKERS[method], ms=5)
            handles.append(Line2D([], [], color=_COLOURS[method], lw=1.5,
                                  marker=_MARKERS[method], ms=5,
                                  label=METHOD_LABELS[method]))
        f_times = table[table["method"] == "f"].sort_values("n")
        if expected is not None and len(f_times):
            cost = expected["expected_evaluations"].to_numpy() * f_times["seconds"].to_numpy()
            right.plot(f_times["n"], cost, color="#000000", lw=1.1, ls=(0, (4, 3)), zorder=6)
        scheme = table["scheme"].iloc[0]
        handles += [
            Line2D([], [], color="#555555", lw=1.0, ls=":", marker="s", mfc="white", ms=5,
                   label="calls of f (left, open markers; = points when f is called per point)"),
            Line2D([], [], color="#000000", lw=1.1, ls=(0, (4, 3)),
                   label=f"expected: {scheme} stencil points $\\times\\, n$ (left), "
                         "times one evaluation of f (right)"),
        ]
        for axes in (left, right):
            log_axes(axes)
            axes.set_xlabel("number of variables n")
        left.set_ylabel("evaluations of f (points) and calls of f")
        right.set_ylabel("time (s, best of repeated runs)")
        left.set_title(f"Evaluations of f for one gradient ({scheme})")
        right.set_title("Time of one gradient and of one evaluation of f")
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=2,
                      frameon=False)
    return figure


def accuracy_figure(table):
    """Relative error (left) and evaluations (right) against n, log-log, from `accuracy_vs_n`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    from ..figures import figure_style, log_axes

    colours = {"auto": "#0072B2", "fixed": "#56B4E9", "scipy": "#D55E00",
               "numdifftools": "#009E73"}
    markers = {"auto": "s", "fixed": "o", "scipy": "^", "numdifftools": "D"}
    with figure_style():
        figure = Figure(figsize=(9.2, 4.0))
        figure.subplots_adjust(left=0.08, right=0.985, bottom=0.27, top=0.91, wspace=0.26)
        left, right = figure.subplots(1, 2)
        for method in ACCURACY_LABELS:
            part = table[table["method"] == method].sort_values("n")
            if not len(part):
                continue
            style = dict(color=colours[method], marker=markers[method], ms=5, lw=1.5,
                         label=ACCURACY_LABELS[method])
            left.plot(part["n"], np.maximum(part["relative_error"], 1e-17), **style)
            right.plot(part["n"], part["evaluations"], **style)
        for axes in (left, right):
            log_axes(axes)
            axes.set_xlabel("number of variables n")
        left.set_ylabel("max |error| / max |gradient|")
        right.set_ylabel("evaluations of f (points)")
        left.set_title("Accuracy of the gradient of Rosenbrock's function")
        right.set_title("Its cost")
        handles, labels = left.get_legend_handles_labels()
        figure.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=2,
                      frameon=False)
    return figure


TABLES = (StudyTable("gradient_cost.csv", "one row per n and method: calls, evaluations, "
                                          "time, time over one evaluation of f, error"),
          StudyTable("gradient_accuracy.csv", "one row per n and method: evaluations, relative "
                                              "error and coverage of the error estimate of the "
                                              "gradient of Rosenbrock's function"))
OPTIONS = ()


def build_study(*, sizes=DEFAULT_SIZES, repeats=5, accuracy_sizes=ACCURACY_SIZES):
    """The cost study as a `Study` of the sizes given (`STUDY` has the defaults)."""
    def compute(context):
        write_table(cost_vs_n(sizes, repeats=repeats), context.directory, "gradient_cost.csv")
        write_table(accuracy_vs_n(accuracy_sizes), context.directory, "gradient_accuracy.csv")
        return StudyResult()

    return Study("gradient_cost", "Cost of many variables", compute, draw, sections, TABLES,
                 OPTIONS, METHOD, key_findings, appendix)


def draw(directory, metadata):
    """The cost chart, from ``gradient_cost.csv``."""
    from ..figures import save_figure

    table = read_table(directory, "gradient_cost.csv")
    saved = (save_figure(
        cost_figure(table), directory / "figures", "gradient_cost",
        caption="The numerical gradient of f(x) = sum(exp(x)) against the number of "
                "variables n: evaluations of f grow as the stencil's points times n (2n for "
                "central differences, left); its time, calling f per point or on batches of "
                "points, against 2n evaluations of f (right).",
        alt="evaluations and time of the numerical gradient against n"),)
    accuracy = _read_accuracy(directory)
    if accuracy is None:
        return saved
    return saved + (save_figure(
        accuracy_figure(accuracy), directory / "figures", "gradient_accuracy",
        caption="Gradient of Rosenbrock's function at a seeded point in [-2, 2]^n against the "
                "number of variables n, log-log. Left: largest entry error over the largest "
                "entry of the exact gradient. Right: points at which f was evaluated.",
        alt="relative error and evaluations of four gradients against n"),)


def _read_accuracy(directory):
    """``gradient_accuracy.csv`` if the run wrote it (runs before it existed did not)."""
    if not (directory / "gradient_accuracy.csv").exists():
        return None
    return read_table(directory, "gradient_accuracy.csv")


def cost_findings(table):
    """Evaluations against the stencil's count, their growth with n, and batching.

    Examples
    --------
    >>> print(cost_findings(cost_vs_n((1, 10), repeats=1))[0].text)  # doctest: +NORMALIZE_WHITESPACE
    The gradient evaluated f at the expected number of points (stencil points x n) at 2 of 2
    sizes; log-log slope of evaluations against n: 1.
    >>> cost_findings(cost_vs_n((), repeats=1))
    []
    """
    loop = table[table["method"] == "gradient"].sort_values("n")
    if not len(loop):
        return []
    exact = int((loop["evaluations"] == loop["expected_evaluations"]).sum())
    slope = _slope(loop["n"], loop["evaluations"])
    values = {"exact": exact, "sizes": len(loop), "slope": slope}
    text = (f"The gradient evaluated f at the expected number of points (stencil points x n) "
            f"at {exact} of {len(loop)} sizes")
    text += (f"; log-log slope of evaluations against n: {format_number(slope)}."
             if np.isfinite(slope) else ".")
    found = [Finding("gradient_evaluations", text, values)]
    batched = table[table["method"] == "gradient_batched"].set_index("n")["seconds"]
    speed = (loop.set_index("n")["seconds"] / batched).dropna()
    speed = speed[np.isfinite(speed)]
    if len(speed):
        values = {"low": float(speed.min()), "high": float(speed.max()), "sizes": len(speed)}
        found.append(Finding("gradient_batching", (
            f"Batching the points (vectorized=True) makes one gradient from "
            f"{format_number(values['low'])} to {format_number(values['high'])} times faster "
            f"over {len(speed)} sizes: it removes the per-call overhead, not the "
            "evaluations."), values))
    return found


def key_findings(directory, metadata):
    """`cost_findings` of ``gradient_cost.csv``."""
    return tuple(cost_findings(read_table(directory, "gradient_cost.csv")))


def sections(directory, metadata, files):
    """The cost section: the chart and a compact table."""
    table = read_table(directory, "gradient_cost.csv")
    blocks = [figure_image(image) for image in files[:1]]
    wide = {m: table[table["method"] == m].set_index("n") for m in METHOD_LABELS
            if m in set(table["method"])}
    rows = []
    sizes = sorted(set(table["n"]))
    decades = [n for n in sizes if np.log10(n) == round(np.log10(n))] if sizes else []
    for n in (decades if len(decades) >= 2 else sizes):
        cells = [str(int(n))]
        for method, column in (("gradient", "evaluations"), ("f", "seconds"),
                               ("gradient", "seconds"), ("gradient_batched", "seconds"),
                               ("gradient", "max_abs_error")):
            part = wide.get(method)
            value = part.loc[n, column] if part is not None and n in part.index else np.nan
            cells.append(str(int(value)) if column == "evaluations" and np.isfinite(value)
                         else format_number(value, missing="n/a: not measured"))
        rows.append(tuple(cells))
    blocks.append(Table(("n", "evaluations", "time of f (s)", "gradient, per point (s)",
                         "gradient, batched (s)", "max |error|"), tuple(rows),
                        "One gradient of sum(exp(x)), at the powers of ten of n (every size, "
                        "calls and time ratios: appendix, gradient_cost.csv)"))
    blocks += _accuracy_blocks(_read_accuracy(directory))
    return (Section("Cost of many variables: the numerical gradient against n",
                    "gradient-cost", tuple(blocks)),)


def _accuracy_blocks(table):
    """The accuracy comparison in one sentence, from the table's largest n (chart: appendix)."""
    if table is None or not len(table):
        return []
    largest = table[table["n"] == table["n"].max()].set_index("method")
    short = {"auto": "automatic", "fixed": "fixed step", "scipy": "scipy",
             "numdifftools": "numdifftools"}
    parts = [f"{short[m]} {format_number(r['relative_error'])} ({int(r['evaluations'])} "
             "evaluations)" for m, r in largest.iterrows() if m in short]
    auto = table[table["method"] == "auto"]
    return [Paragraph(
        f"Rosenbrock's gradient at n = {int(table['n'].max())}, relative error: "
        + ", ".join(parts) + "; the automatic gradient's estimate covered at least "
        f"{format_number(100 * auto['covered'].min())}% of its entries (chart and every "
        "size: appendix).")]


def appendix(directory, metadata, files):
    """Every size and method: evaluations, calls, time, time over f, error; then accuracy."""
    table = read_table(directory, "gradient_cost.csv")
    rows = tuple((str(int(r["n"])), display_name(r["method"]), str(int(r["evaluations"])),
                  str(int(r["calls"])), format_number(r["seconds"]),
                  format_number(r["ratio_to_f"]),
                  format_number(r["max_abs_error"], missing="n/a: f itself"))
                 for _, r in table.iterrows())
    tables = (Table(("n", "method", "evaluations", "calls", "time (s)", "time / f",
                     "max |error|"), rows, "Cost of many variables: every size and method"),)
    accuracy = _read_accuracy(directory)
    if accuracy is None or not len(accuracy):
        return tables
    rows = tuple((str(int(r["n"])), ACCURACY_LABELS.get(r["method"], r["method"]),
                  str(int(r["evaluations"])), format_number(r["relative_error"]),
                  format_number(r["covered"], missing="n/a: no estimate"))
                 for _, r in accuracy.sort_values(["n", "method"], kind="stable").iterrows())
    return tables + tuple(figure_image(image) for image in files[1:]) + (
        Table(("n", "method", "evaluations", "relative error", "share covered by the estimate"),
              rows, "Gradient of Rosenbrock's function: accuracy and cost"),)


METHOD = ("numdiff.gradient differentiates f(x) = sum(exp(x)) at x = linspace(0, 1, n); "
          "evaluations are the points at which f is evaluated, counted by a wrapper of f; "
          "times are the best of repeated runs in this process (gradient_cost.csv).")

STUDY = build_study()
