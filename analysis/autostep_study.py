"""The automatic derivative as tidy tables: step-selection algorithms and the peer comparison.

Pure data functions, no plotting and no files: each returns a pandas
DataFrame (one row per observation, plain columns) for the report and the
figures to read.

* `step_algorithms`: for each catalogue function at its default point and
  each step-selection algorithm, the step chosen, the error of the scheme at
  that step, the evaluations, the status, and the brute-force best step of a
  dense sweep (where the algorithm lands on the V-curve); plus
  `numdiff.derivative` with each step rule.
* `peer_comparison`: `numdiff.derivative`, ``scipy.differentiate.derivative``
  and ``numdifftools.Derivative`` on the same catalogue points: error,
  error-estimate coverage and tightness, evaluations per point and time.
* `exp_benchmark`: the headline case, exp on ``np.linspace(0, 1, n)``, each
  method timed in the same process, with time ratios to numdiff.

Peers that are not importable are left out (listed by `available_peers`),
never an error.

Examples
--------
>>> table = step_algorithms(functions=["exp"], schemes=["central"])
>>> sorted(table["algorithm"].unique())[:2]
['derivative:auto', 'derivative:gill_murray']
>>> bool((table["abs_error"] < 1e-8).all())
True
"""

import time

import numpy as np
import pandas as pd

from numdiff import numerical_diff
from numdiff.catalogue import CATALOGUE
from numdiff.derivative import STEP_RULES, derivative
from numdiff.step_selection import gill_murray_step, stepleman_winarsky_step, theory_step

__all__ = ["STEP_ALGORITHMS", "available_peers", "step_algorithms", "catalogue_points",
           "peer_comparison", "exp_benchmark"]

#: The step-selection algorithms, by the name `numdiff.derivative` accepts.
STEP_ALGORITHMS = {
    "theory": theory_step,
    "stepleman_winarsky": stepleman_winarsky_step,
    "gill_murray": gill_murray_step,
}

#: Steps of the brute-force sweep: 20 per decade from 1e-12 to 10^-0.5.
SWEEP_STEPS = 10.0 ** np.arange(-12.0, -0.45, 0.05)

U = float(np.finfo(np.float64).eps)


def available_peers():
    """Names of the peer methods importable here: a subset of ``["scipy", "numdifftools"]``.

    Examples
    --------
    >>> set(available_peers()) <= {"scipy", "numdifftools"}
    True
    """
    names = []
    try:
        from scipy.differentiate import derivative as _  # noqa: F401
        names.append("scipy")
    except ImportError:
        pass
    try:
        import numdifftools as _  # noqa: F401
        names.append("numdifftools")
    except ImportError:
        pass
    return names


def _best_step(f, x, scheme):
    """Step of least error in a dense sweep (upper envelope over a quarter decade)."""
    exact = float(f.derivative(x))
    errors = np.abs(numerical_diff(f, np.full(SWEEP_STEPS.shape, x), SWEEP_STEPS,
                                   scheme=scheme) - exact)
    width = 5
    padded = np.pad(errors, width, mode="edge")
    envelope = np.array([padded[i:i + 2 * width + 1].max() for i in range(errors.size)])
    index = int(np.argmin(envelope))
    return float(SWEEP_STEPS[index]), float(errors[index])


def step_algorithms(functions=None, *, schemes=("central", "forward")):
    """Where each step-selection algorithm lands, and what `derivative` makes of it.

    Parameters
    ----------
    functions : list of str, optional
        Catalogue names; default all.
    schemes : sequence of str, optional
        Real schemes to choose steps for.

    Returns
    -------
    pandas.DataFrame
        One row per (function, scheme, algorithm), columns: ``function``,
        ``x`` (the default point), ``scheme``, ``algorithm`` (a step
        algorithm's name, or ``"derivative:<rule>"`` for
        `numdiff.derivative` with that step rule), ``step`` (chosen step;
        for derivative rows the smallest step used), ``estimate``,
        ``exact``, ``abs_error``, ``error_estimate`` (derivative rows only,
        NaN otherwise), ``nfev`` (evaluations per point), ``status`` (the
        algorithm's status code), ``best_step`` and ``best_error`` (the
        brute-force optimum of the plain scheme), ``step_ratio``
        (``step / best_step``).
    """
    names = list(CATALOGUE) if functions is None else list(functions)
    rows = []
    for name in names:
        f = CATALOGUE[name]
        x = float(f.default_x)
        exact = float(f.derivative(x))
        for scheme in schemes:
            best_step, best_error = _best_step(f, x, scheme)
            base = dict(function=name, x=x, scheme=scheme, exact=exact,
                        best_step=best_step, best_error=best_error)
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
    table = pd.DataFrame(rows)
    table["abs_error"] = (table["estimate"] - table["exact"]).abs()
    table["step_ratio"] = table["step"] / table["best_step"]
    columns = ["function", "x", "scheme", "algorithm", "step", "estimate", "exact", "abs_error",
               "error_estimate", "nfev", "status", "best_step", "best_error", "step_ratio"]
    return table[columns]


def catalogue_points(per_function=9):
    """The shared test points: each catalogue function on a grid over its domain.

    The grid spans the domain clipped to [-3, 3]; points closer to a
    singularity, kink or domain edge than ``max(1, |x|)/8`` (the reach of
    the automatic step) are left out, and the default point is added.

    Returns
    -------
    dict
        name -> float64 array of points.
    """
    points = {}
    for name, f in CATALOGUE.items():
        lo, hi = f.domain
        grid = np.linspace(max(lo, -3.0), min(hi, 3.0), per_function + 2)[1:-1]
        grid = np.append(grid, f.default_x)
        reach = np.maximum(1.0, np.abs(grid)) / 8
        points[name] = np.unique(grid[(grid - reach > lo) & (grid + reach < hi)])
    return points


class _Counter:
    """``f`` counting the values it computes."""

    def __init__(self, f):
        self.f = f
        self.values = 0

    def __call__(self, x):
        self.values += np.size(x)
        return self.f(x)


def _methods(peers):
    """name -> callable(f, x) returning (df, error estimate)."""
    def ours(f, x):
        res = derivative(f, x)
        return res.df, res.error

    methods = {"numdiff": ours}
    if "scipy" in peers:
        from scipy.differentiate import derivative as scipy_derivative

        def scipy_method(f, x):
            res = scipy_derivative(f, x)
            return res.df, res.error
        methods["scipy"] = scipy_method
    if "numdifftools" in peers:
        import numdifftools

        def numdifftools_method(f, x):
            res = numdifftools.Derivative(f, full_output=True)(x)
            return np.asarray(res.estimate), np.asarray(res.error_estimate)
        methods["numdifftools"] = numdifftools_method
    return methods


def _best_time(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


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
        Timing repeats per (method, function); the minimum is kept.

    Returns
    -------
    pandas.DataFrame
        One row per (method, function), columns: ``method``, ``function``,
        ``points``, ``max_abs_error``, ``max_rel_error``, ``coverage``
        (fraction of points where the error estimate is at least the true
        error), ``median_estimate_ratio`` (median of estimate over the true
        error floored at ``u |f'|``), ``mean_nfev`` (values of ``f``
        computed per point), ``time_s`` (best of `repeats`, for all points
        of that function in one call).
    """
    points = catalogue_points() if points is None else points
    available = available_peers()
    peers = available if peers is None else [p for p in peers if p in available]
    rows = []
    for method, run in _methods(peers).items():
        for name, x in points.items():
            f = CATALOGUE[name]
            x = np.asarray(x, dtype=np.float64)
            counter = _Counter(f)
            with np.errstate(all="ignore"):
                df, error = run(counter, x)
                seconds = _best_time(lambda: run(f, x), repeats)
                df, error = np.asarray(df, dtype=float), np.asarray(error, dtype=float)
                exact = f.derivative(x)
                true = np.abs(df - exact)
                floor = np.maximum(true, np.maximum(U * np.abs(exact), 1e-300))
                ok = np.isfinite(df)
                rows.append(dict(
                    method=method, function=name, points=x.size,
                    max_abs_error=float(np.max(true[ok])) if ok.any() else np.nan,
                    max_rel_error=float(np.max(true[ok] / np.maximum(np.abs(exact[ok]), 1e-300)))
                    if ok.any() else np.nan,
                    coverage=float(np.mean(error >= true)),
                    median_estimate_ratio=float(np.median(error[ok] / floor[ok]))
                    if ok.any() else np.nan,
                    mean_nfev=counter.values / x.size, time_s=seconds))
    return pd.DataFrame(rows)


def exp_benchmark(n=10**5, *, peers=None, repeats=5):
    """exp on ``np.linspace(0, 1, n)``: error, coverage, evaluations and time of each method.

    Parameters
    ----------
    n : int, optional
        Number of points.
    peers : list of str, optional
        Default `available_peers`.
    repeats : int, optional
        Timing repeats (numdifftools, the slowest, gets at most 2); median
        and minimum kept.

    Returns
    -------
    pandas.DataFrame
        One row per method: ``method``, ``max_abs_error``, ``coverage``,
        ``median_estimate_ratio``, ``mean_nfev``, ``time_median_s``,
        ``time_min_s``, ``time_ratio`` (median time over numdiff's, measured
        in the same call).
    """
    x = np.linspace(0.0, 1.0, n)
    exact = np.exp(x)
    available = available_peers()
    peers = available if peers is None else [p for p in peers if p in available]
    rows = []
    for method, run in _methods(peers).items():
        counter = _Counter(np.exp)
        df, error = run(counter, x)
        times = []
        for _ in range(min(repeats, 2) if method == "numdifftools" else repeats):
            start = time.perf_counter()
            run(np.exp, x)
            times.append(time.perf_counter() - start)
        true = np.abs(np.asarray(df) - exact)
        rows.append(dict(method=method, max_abs_error=float(true.max()),
                         coverage=float(np.mean(np.asarray(error) >= true)),
                         median_estimate_ratio=float(np.median(
                             np.asarray(error) / np.maximum(true, U * exact))),
                         mean_nfev=counter.values / n, time_median_s=float(np.median(times)),
                         time_min_s=float(np.min(times))))
    table = pd.DataFrame(rows)
    table["time_ratio"] = table["time_median_s"] / float(
        table.loc[table["method"] == "numdiff", "time_median_s"].iloc[0])
    return table
