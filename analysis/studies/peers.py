"""The peer comparison: numdiff.derivative against scipy and numdifftools.

Each method differentiates the same catalogue points with its defaults
(`catalogue_points`): ``numdiff.derivative``, ``scipy.differentiate.derivative``
and ``numdifftools.Derivative``, the last two from the optional ``peers``
extra (``pip install 'numdiff[peers]'``). A peer that is not importable is
left out and the report says so; it is never an error. The study writes

``peers_points.csv``
    `POINT_COLUMNS`: one row per (method, function, point): estimate, error
    estimate, true error, whether the estimate covers it;
``peers_runs.csv``
    `RUN_COLUMNS`: one row per (method, function): evaluations per point and
    the time of one call on all the points of that function;
``peers_functions.csv``, ``peers_summary.csv``
    `SUMMARY_COLUMNS`: the same per (method, function) and per method (every
    method listed, with ``available`` false for a missing peer);
``peers_exp.csv``
    `EXP_COLUMNS`: the headline case, exp on ``np.linspace(0, 1, 10**5)``,
    each method timed in the same run, with time ratios to numdiff.

The true error is measured against ``f'`` at 50 digits rounded to float64
(`analysis.references.reference_derivatives`; ``np.exp`` in the headline
case) and floored at ``eps |f'|`` (eps the machine epsilon of float64) when
an error estimate is compared with it: an estimate covers the point when
``estimate >= max(|error|, eps |f'|)`` (`analysis.references.judge_estimates`).
Evaluations are counted by `numdiff.CountedFunction`.

Examples
--------
>>> points = catalogue_points(3, functions=["exp"])
>>> comparison = peer_comparison(points, peers=[], repeats=1)
>>> summarize_peers(comparison.points, comparison.runs)[["method", "coverage"]]
    method  coverage
0  numdiff       1.0
"""

import importlib
import time
from dataclasses import dataclass
from importlib import metadata

import numpy as np
import pandas as pd

from numdiff import CountedFunction, length_scale
from numdiff.catalogue import CATALOGUE, get_function

from ..findings import Finding
from ..names import DISPLAY_NAMES, display_name
from ..numbers import ESTIMATE_NOTES, format_number, format_percent, format_ratio
from ..peer_libraries import derivative_methods, importable_peers
from ..references import FLOAT64_EPS, catalogue_names, judge_estimates, reference_derivatives
from ..report import Paragraph, Section, Table
from ..study import Study, StudyResult, StudyTable
from ..tables import read_table, write_table
from ..timing import BATCH_SECONDS, batch_times

__all__ = ["PEERS", "METHOD_LABELS", "INSTALL_PEERS", "available_peers", "catalogue_points",
           "PeerComparison", "peer_comparison", "summarize_peers", "method_table",
           "exp_benchmark", "POINT_COLUMNS", "RUN_COLUMNS", "SUMMARY_COLUMNS", "EXP_COLUMNS",
           "build_study", "peer_findings", "STUDY", "TABLES", "OPTIONS", "METHOD"]

#: The peers: name -> (distribution, what is called).
PEERS = {"scipy": ("scipy", "scipy.differentiate.derivative"),
         "numdifftools": ("numdifftools", "numdifftools.Derivative")}
METHOD_LABELS = {key: DISPLAY_NAMES[key] for key in ("numdiff", *PEERS)}
#: How a user gets the peers (the optional dependencies of pyproject.toml).
INSTALL_PEERS = "pip install 'numdiff[peers]'"

POINT_COLUMNS = ("method", "function", "x", "estimate", "error_estimate", "exact", "abs_error",
                 "covered", "estimate_ratio")
RUN_COLUMNS = ("method", "function", "points", "mean_nfev", "time_s", "failure")
SUMMARY_COLUMNS = ("method", "function", "available", "version", "points", "finite",
                   "max_abs_error", "median_abs_error", "coverage", "median_estimate_ratio",
                   "mean_nfev", "time_s", "time_ratio")
EXP_COLUMNS = ("method", "n", "max_abs_error", "coverage", "median_estimate_ratio",
               "mean_nfev", "repeats", "time_median_s", "time_min_s", "time_ratio")

def available_peers():
    """Names of the peer methods importable here: a subset of ``["scipy", "numdifftools"]``.

    Examples
    --------
    >>> set(available_peers()) <= {"scipy", "numdifftools"}
    True
    """
    return importable_peers()


def _version(method):
    """Installed version of a method's package; "" when it is not installed."""
    distribution = "numdiff" if method == "numdiff" else PEERS[method][0]
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        try:
            return str(importlib.import_module(distribution).__version__)
        except (ImportError, AttributeError):
            return ""


def catalogue_points(per_function=5, *, functions=None):
    """The shared test points: each catalogue function on a grid over its domain.

    The grid spans the domain clipped to [-3, 3]; points closer to a
    singularity, kink or domain edge than ``max(1, |x|)/8`` (the reach of
    the automatic step) are left out, and the default point is added.

    Parameters
    ----------
    per_function : int, optional
        Grid points per function before that filtering.
    functions : list of str, optional
        Catalogue names; default all.

    Returns
    -------
    dict
        name -> float64 array of points.

    Examples
    --------
    >>> catalogue_points(3, functions=["log"])["log"].tolist()
    [0.75, 1.0, 1.5, 2.25]
    """
    points = {}
    for name in (list(CATALOGUE) if functions is None else list(functions)):
        f = get_function(name)
        lo, hi = f.domain
        grid = np.linspace(max(lo, -3.0), min(hi, 3.0), per_function + 2)[1:-1]
        grid = np.append(grid, f.default_x)
        reach = length_scale(grid) / 8
        points[name] = np.unique(grid[(grid - reach > lo) & (grid + reach < hi)])
    return points


@dataclass(frozen=True)
class PeerComparison:
    """The raw observations of `peer_comparison`.

    Attributes
    ----------
    points : pandas.DataFrame
        `POINT_COLUMNS`, one row per (method, function, point).
    runs : pandas.DataFrame
        `RUN_COLUMNS`, one row per (method, function): ``mean_nfev`` (values
        of f computed per point), ``time_s`` (best of the repeats of one call
        on all the points of the function, timed in batches of calls lasting
        `analysis.timing.BATCH_SECONDS` or more), ``failure`` (the exception a
        method raised, empty if none; its points are then NaN).
    available : tuple of str
        The peers that were importable.
    """

    points: pd.DataFrame
    runs: pd.DataFrame
    available: tuple


def peer_comparison(points=None, *, peers=None, repeats=3):
    """numdiff's `derivative` against the peers on the same catalogue points.

    Parameters
    ----------
    points : dict, optional
        name -> array of points; default `catalogue_points`.
    peers : list of str, optional
        Peers to include; default `available_peers`. Names not importable
        are skipped.
    repeats : int, optional
        Timing repeats per (method, function) after one counted call; the
        minimum is kept.

    Returns
    -------
    PeerComparison
    """
    points = catalogue_points() if points is None else points
    available = available_peers()
    peers = available if peers is None else [p for p in peers if p in available]
    rows, runs = [], []
    for method, run in derivative_methods(peers).items():
        for name, x in points.items():
            f = get_function(name)
            x = np.asarray(x, dtype=np.float64)
            exact = reference_derivatives(f, x)
            counter = CountedFunction(f)
            failure = ""
            with np.errstate(all="ignore"):
                try:
                    df, error, _ = run(counter, x)
                    seconds = min(batch_times(lambda: run(f, x), repeats))
                except Exception as problem:  # noqa: BLE001 - a peer's failure is data
                    failure = f"{type(problem).__name__}: {problem}"
                    df = error = np.full(x.shape, np.nan)
                    seconds = np.nan
            true, covered, ratio = judge_estimates(df, error, exact)
            rows.append(pd.DataFrame({
                "method": method, "function": name, "x": x,
                "estimate": np.asarray(df, dtype=float), "error_estimate": np.asarray(
                    error, dtype=float), "exact": exact, "abs_error": true,
                "covered": covered, "estimate_ratio": ratio}))
            runs.append(dict(method=method, function=name, points=x.size,
                             mean_nfev=counter.values / x.size, time_s=seconds,
                             failure=failure))
    table = (pd.concat(rows, ignore_index=True) if rows
             else pd.DataFrame(columns=POINT_COLUMNS))
    return PeerComparison(table[list(POINT_COLUMNS)],
                          pd.DataFrame(runs, columns=RUN_COLUMNS), tuple(available))


def summarize_peers(points, runs, *, by=("method",), methods=None):
    """Error, coverage, evaluations and time, per method (or per method and function).

    Parameters
    ----------
    points, runs : pandas.DataFrame
        `PeerComparison.points` and `.runs` (or as read from the CSV files).
    by : tuple of str, optional
        ``("method",)`` or ``("method", "function")``.
    methods : sequence of str, optional
        Methods to list even when they have no rows (missing peers), with
        ``available`` false; default those in `points`.

    Returns
    -------
    pandas.DataFrame
        `SUMMARY_COLUMNS` (``function`` is ``"all"`` per method):
        ``coverage`` is the fraction of points whose estimate covers the
        floored true error, ``median_estimate_ratio`` the median of estimate
        over floored true error, ``mean_nfev`` the values of f per point,
        ``time_s`` the summed best times, ``time_ratio`` that over numdiff's.
    """
    by = list(by)
    order = list(dict.fromkeys(points["method"])) if methods is None else list(methods)
    rows = []
    def grouped(table):
        return {k if isinstance(k, tuple) else (k,): v
                for k, v in table.groupby(by, sort=False)}

    groups, timed = grouped(points), grouped(runs)
    keys = list(groups) if by != ["method"] else [(m,) for m in order]
    for key in keys:
        method = key[0]
        part, cost = groups.get(key), timed.get(key)
        base = dict(method=method, function=key[1] if len(key) > 1 else "all",
                    version=_version(method))
        if part is None or cost is None:
            rows.append(dict(base, available=False, points=0, finite=0))
            continue
        finite = np.isfinite(part["estimate"].to_numpy(dtype=float))
        error = part["abs_error"].to_numpy(dtype=float)[finite]
        rows.append(dict(base, available=True, points=len(part), finite=int(finite.sum()),
                         max_abs_error=float(error.max()) if error.size else np.nan,
                         median_abs_error=float(np.median(error)) if error.size else np.nan,
                         coverage=float(part["covered"].astype(bool).mean()),
                         median_estimate_ratio=float(np.nanmedian(part["estimate_ratio"]))
                         if finite.any() else np.nan,
                         mean_nfev=float((cost["mean_nfev"] * cost["points"]).sum()
                                         / cost["points"].sum()),
                         time_s=float(cost["time_s"].sum())))
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    reference = table[table["method"] == "numdiff"].set_index("function")["time_s"]
    table["time_ratio"] = [t / reference.get(f, np.nan) if f in reference.index else np.nan
                           for t, f in zip(table["time_s"], table["function"])]
    return table


def exp_benchmark(n=10**5, *, peers=None, repeats=3, slow_repeats=2):
    """exp on ``np.linspace(0, 1, n)``: error, coverage, evaluations and time of each method.

    Each method is called once with ``np.exp`` behind a counter of the
    values it computes (its error, coverage and evaluations come from that
    call), then timed on ``np.exp`` itself over `repeats` calls in a row
    (numdifftools, the slowest, `slow_repeats`): the times of repeated
    calls, as asv's samples are, all in this one process so that the time
    ratios compare like with like. (A call right after another library's
    large temporaries were freed can be slower, by the page faults of
    memory the system has taken back: ``python -m benchmarks.peer_ratio``
    reports both.)

    Returns
    -------
    pandas.DataFrame
        `EXP_COLUMNS`, one row per method; ``time_ratio`` is the median time
        over numdiff's.

    Examples
    --------
    >>> table = exp_benchmark(1000, peers=[], repeats=1)
    >>> table["method"].tolist(), bool(table["max_abs_error"].iloc[0] < 1e-13)
    (['numdiff'], True)
    """
    x = np.linspace(0.0, 1.0, n)
    exact = np.exp(x)
    available = available_peers()
    peers = available if peers is None else [p for p in peers if p in available]
    rows = []
    for method, run in derivative_methods(peers).items():
        counter = CountedFunction(np.exp)
        df, error, _ = run(counter, x)
        count = slow_repeats if method == "numdifftools" else repeats
        times = []
        for _ in range(count):
            start = time.perf_counter()
            run(np.exp, x)
            times.append(time.perf_counter() - start)
        true, covered, ratio = judge_estimates(df, error, exact)
        rows.append(dict(method=method, n=n, max_abs_error=float(np.nanmax(true)),
                         coverage=float(covered.mean()),
                         median_estimate_ratio=float(np.nanmedian(ratio)),
                         mean_nfev=counter.values / n, repeats=count,
                         time_median_s=float(np.median(times)),
                         time_min_s=float(np.min(times))))
    table = pd.DataFrame(rows)
    table["time_ratio"] = table["time_median_s"] / float(
        table.loc[table["method"] == "numdiff", "time_median_s"].iloc[0])
    return table[list(EXP_COLUMNS)]


# ---------------------------------------------------------------- the study

#: Grid points per function before filtering (`catalogue_points`).
STUDY_POINTS_PER_FUNCTION = 5
#: Points of the headline exp case.
STUDY_EXP_POINTS = 10**5


TABLES = (
    StudyTable("peers_points.csv", "one row per method, catalogue function and point: "
                                   "estimate, error estimate, true error, coverage"),
    StudyTable("peers_runs.csv", "one row per method and function: evaluations per point, "
                                 "time of one call, failure"),
    StudyTable("peers_functions.csv", "per method and function: error, coverage, "
                                      "evaluations, time and its ratio to numdiff's"),
    StudyTable("peers_summary.csv", "per method (missing peers listed as unavailable): the "
                                    "same over all functions"),
    StudyTable("peers_exp.csv", "the headline case, exp on 10^5 points: error, coverage, "
                                "evaluations, times and their ratio to numdiff's"),
)
OPTIONS = ("--functions",)


def build_study(*, per_function=STUDY_POINTS_PER_FUNCTION, exp_points=STUDY_EXP_POINTS,
                repeats=3, peers=None):
    """The peer comparison as a `Study` of the sizes given (`STUDY` has the defaults).

    Parameters
    ----------
    per_function : int, optional
        Grid points per catalogue function (`catalogue_points`).
    exp_points : int, optional
        Points of the headline exp case.
    repeats : int, optional
        Timing repeats: batches per (method, function); in the headline case
        ``2 repeats + 1`` calls, numdifftools `repeats` calls.
    peers : list of str, optional
        Peers to try (default: every peer that is importable).
    """
    def compute(context):
        names = catalogue_names(context.config.targets)
        comparison = peer_comparison(catalogue_points(per_function, functions=names),
                                     peers=peers, repeats=repeats)
        points, runs, directory = comparison.points, comparison.runs, context.directory
        write_table(points, directory, "peers_points.csv")
        write_table(runs, directory, "peers_runs.csv")
        write_table(summarize_peers(points, runs, methods=["numdiff", *PEERS]), directory,
                    "peers_summary.csv")
        write_table(summarize_peers(points, runs, by=("method", "function")), directory,
                    "peers_functions.csv")
        write_table(exp_benchmark(exp_points, peers=peers, repeats=2 * repeats + 1,
                                  slow_repeats=repeats), directory, "peers_exp.csv")
        failures = runs[runs["failure"].fillna("") != ""]
        notes = tuple(f"peers: {r['method']} failed on {r['function']}: {r['failure']}"
                      for _, r in failures.iterrows())
        return StudyResult(notes=notes)

    return Study("peers", "Peer comparison", compute, lambda directory, metadata: (),
                 sections, TABLES, OPTIONS, METHOD, key_findings, appendix)


def _first_seen(values):
    return {value: index for index, value in enumerate(dict.fromkeys(values))}


def method_table(summary):
    """Rows of the per-method table of the report (formatted cells)."""
    rows = []
    for _, r in summary.iterrows():
        label = display_name(r["method"])
        if not bool(r["available"]):
            rows.append((label, r["version"] or "not installed", *["n/a"] * 8))
            continue
        rows.append((label, r["version"], str(int(r["points"])),
                     format_number(r["max_abs_error"]), format_number(r["median_abs_error"]),
                     format_percent(r["coverage"]),
                     format_ratio(r["median_estimate_ratio"], **ESTIMATE_NOTES),
                     format_number(r["mean_nfev"]), format_number(r["time_s"]),
                     format_number(r["time_ratio"])))
    return tuple(rows)


_METHOD_COLUMNS = ("method", "version", "points", "max |error|", "median |error|",
                   "coverage", "median estimate/true", "evaluations per point", "time (s)",
                   "time / numdiff")


METHOD = (
    "Each method differentiates the same points with its default settings: every "
    "catalogue function of the run on a grid over its domain (clipped to [-3, 3], points "
    "within max(1, |x|)/8 of a singularity or kink left out, the default point added; "
    "peers_points.csv). The true error is measured against f' at 50 digits (mpmath) "
    "rounded to float64. Coverage is the fraction of points where the method's error "
    "estimate is at least the true error, the true error floored at eps|f'| "
    f"(eps = {format_number(FLOAT64_EPS)}, the machine epsilon of float64); the "
    "estimate/true ratio uses the same floor. Evaluations are values of f "
    "computed per point; time is that of one call per function on all its points (the "
    f"best of batches of calls lasting {BATCH_SECONDS * 1e3:g} ms or more), summed over "
    "the functions, measured in this run.")


def sections(directory, metadata, files):
    """The peer section: availability, per-method table, the exp headline table."""
    summary = read_table(directory, "peers_summary.csv", text=("version",))
    runs = read_table(directory, "peers_runs.csv", text=("failure",))
    exp = read_table(directory, "peers_exp.csv")
    blocks = _availability(summary, runs)
    blocks.append(Table(_METHOD_COLUMNS, method_table(summary),
                        "All functions of the run together"))
    blocks += _headline(exp)
    return (Section("Peer comparison: numdiff.derivative, scipy and numdifftools", "peers",
                    tuple(blocks)),)


def appendix(directory, metadata, files):
    """The table per function and method."""
    return tuple(_per_function(read_table(directory, "peers_functions.csv", text=("version",))))


def _label(method):
    return display_name(method)


def _availability(summary, runs):
    """Paragraphs naming the peers not installed here and the failures of those that ran."""
    blocks = [Paragraph(f"{_label(r['method'])} is not installed here, so it is left out of "
                        f"this comparison; install the optional peers with: {INSTALL_PEERS}")
              for _, r in summary[~summary["available"].astype(bool)].iterrows()]
    blocks += [Paragraph(f"{_label(r['method'])} raised on {r['function']}: {r['failure']} "
                         "(its points count as uncovered).")
               for _, r in runs[runs["failure"] != ""].iterrows()]
    return blocks


def peer_findings(summary, exp):
    """Coverage, error and evaluations per method; the exp headline's time ratios.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"method": ["numdiff", "scipy"], "available": [True, False],
    ...     "points": [10, 0], "coverage": [1.0, float("nan")],
    ...     "max_abs_error": [1e-15, float("nan")], "mean_nfev": [12.0, float("nan")]})
    >>> [f.text for f in peer_findings(summary, pd.DataFrame())]  # doctest: +NORMALIZE_WHITESPACE
    ["numdiff.derivative's error estimate covers the true error at 100.0 % of 10 points
      (max |error| 1e-15, 12 evaluations per point).",
     'scipy.differentiate.derivative is not installed here: no comparison with it.']
    """
    found = []
    for _, r in summary.iterrows():
        name = _label(r["method"])
        if not bool(r["available"]):
            found.append(Finding("peer_missing", f"{name} is not installed here: no "
                                 "comparison with it.", {"method": r["method"]}))
            continue
        if not np.isfinite(r["coverage"]) or not r["points"]:
            continue
        values = {"method": r["method"], "coverage": float(r["coverage"]),
                  "points": int(r["points"]), "max_abs_error": float(r["max_abs_error"]),
                  "mean_nfev": float(r["mean_nfev"])}
        found.append(Finding("peer_coverage", (
            f"{name}'s error estimate covers the true error at "
            f"{format_percent(values['coverage'])} of {values['points']} points (max |error| "
            f"{format_number(values['max_abs_error'])}, "
            f"{format_number(values['mean_nfev'])} evaluations per point)."), values))
    timed = (exp[(exp["method"] != "numdiff") & np.isfinite(exp["time_ratio"])]
             if len(exp) and "numdiff" in set(exp["method"]) else exp.iloc[:0])
    if len(timed):
        values = {"n": int(timed["n"].iloc[0]),
                  "time_ratio": dict(zip(timed["method"], timed["time_ratio"].astype(float)))}
        ratios = [f"{_label(m)} {format_number(t)}" for m, t in values["time_ratio"].items()]
        found.append(Finding("peer_time", (
            f"On exp at {values['n']} points in one call, the time over numdiff.derivative's "
            f"is: {'; '.join(ratios)} (this run, one machine)."), values))
    return found


def key_findings(directory, metadata):
    """`peer_findings` of ``peers_summary.csv`` and ``peers_exp.csv``."""
    return tuple(peer_findings(read_table(directory, "peers_summary.csv", text=("version",)),
                               read_table(directory, "peers_exp.csv")))


def _headline(exp):
    """The exp case's table."""
    if not len(exp):
        return []
    head = exp[exp["method"] == "numdiff"].iloc[0]
    rows = tuple((_label(r["method"]), format_number(r["max_abs_error"]),
                  format_percent(r["coverage"]), format_ratio(r["median_estimate_ratio"],
                                                              **ESTIMATE_NOTES),
                  format_number(r["mean_nfev"]), format_number(r["time_median_s"] * 1e3),
                  format_number(r["time_min_s"] * 1e3), str(int(r["repeats"])),
                  format_number(r["time_ratio"]))
                 for _, r in exp.iterrows())
    return [Table(("method", "max |error|", "coverage", "median estimate/true",
                   "evaluations per point", "time median (ms)", "time min (ms)",
                   "timed calls", "time / numdiff"), rows,
                  f"Headline case: exp on np.linspace(0, 1, {int(head['n'])}), float64, one "
                  "vectorised call (times of calls repeated after a first, counted one)")]


def _per_function(per_function):
    """The table per function and method (or why there is none)."""
    if not len(per_function):
        return [Paragraph("No catalogue function in this run (--functions): only the exp "
                          "headline case was measured.")]
    order = _first_seen(per_function["function"])
    ordered = per_function.sort_values("function", kind="stable",
                                       key=lambda names: names.map(order))
    rows = tuple((r["function"], _label(r["method"]), str(int(r["points"])),
                  format_number(r["max_abs_error"]), format_number(r["median_abs_error"]),
                  format_percent(r["coverage"]),
                  format_ratio(r["median_estimate_ratio"], **ESTIMATE_NOTES),
                  format_number(r["mean_nfev"]), format_number(r["time_s"] * 1e3),
                  format_number(r["time_ratio"]))
                 for _, r in ordered.iterrows())
    return [Table(("function", "method", "points", "max |error|", "median |error|",
                   "coverage", "median estimate/true", "evaluations per point", "time (ms)",
                   "time / numdiff"), rows, "Peer comparison per function")]


STUDY = build_study()
