"""`numdiff.derivative` next to its peers, each with its defaults, on the same inputs.

Tools: numdiff's ``derivative`` (automatic step, Richardson extrapolation, error
estimate), ``scipy.differentiate.derivative`` (SciPy >= 1.15) and
``numdifftools.Derivative(f, full_output=True)``; all three return a derivative and
an error estimate. A peer that is not installed (``pip install numdiff[peers]``
installs both) is skipped.

The headline case is exp on ``np.linspace(0, 1, 10**5)`` in float64, one
vectorised call per tool (`EXP_POINTS`), checked against ``np.exp(x)``:

* ``time_derivative``, ``peakmem_derivative``: one call;
* ``track_max_error``: the largest absolute error over the points;
* ``track_evaluations``: values of f computed per point (the elements of every
  array f was called with, counted by `numdiff.CountedFunction`);
* ``track_uncovered``: the fraction of points where the error estimate does not
  cover the true error (see `judge`); 0 is the goal;
* ``track_estimate_ratio``: ``max(r, 1/r)`` with ``r`` the median of error
  estimate over true error (floored as in `judge`); 1 is a perfect estimate.

The same four ``track_`` values per (tool, catalogue function) at the accuracy
benchmarks' points (`common.points_near_default`), errors taken against the
50-digit reference (`common.abs_error`).

``track_time_share`` (`PeerExpTimeShare`) is numdiff's time on the headline case as
a fraction of a peer's, both timed in the same process, call after call
(`benchmarks.timing`), so that both see the same load of the machine: the number
to compare with the targets (at most 0.1 of scipy's time, 0.01 of numdifftools').

Every value is positive and lower is better, as asv assumes. ``python -m
benchmarks.peer_ratio`` times the headline case for the three tools in one process.
"""

from functools import lru_cache

import numpy as np

from .common import (SMOOTH_FUNCTIONS, TOOLS, abs_error, exact_derivative, points_near_default,
                     require)
from .timing import interleaved_times as interleave, median_ratio

#: Points of the headline exp case: ``np.linspace(0, 1, EXP_POINTS)``.
EXP_POINTS = 10**5

_TINY = float(np.finfo(np.float64).tiny)


def estimator(tool):
    """A callable ``(f, x) -> (df, error estimate)`` through `tool` with its defaults.

    Raises ``NotImplementedError`` (asv: skipped) if the tool is not importable.
    """
    if tool == "numdiff":
        derivative = require("numdiff.derivative", "derivative")

        def run(f, x):
            result = derivative(f, x)
            return result.df, result.error
    elif tool == "scipy":
        derivative = require("scipy.differentiate", "derivative")

        def run(f, x):
            result = derivative(f, x)
            return result.df, result.error
    elif tool == "numdifftools":
        Derivative = require("numdifftools", "Derivative")

        def run(f, x):
            # (estimate, error_estimate, ...) in numdifftools >= 0.11; (estimate, info)
            # with info.error_estimate before.
            result = Derivative(f, full_output=True)(x)
            info = result[1]
            return result[0], getattr(info, "error_estimate", info)
    else:
        raise ValueError(f"unknown tool {tool!r}; expected one of {TOOLS}")
    return run


@lru_cache(maxsize=None)
def exp_points(n=EXP_POINTS):
    """``np.linspace(0, 1, n)``, read-only."""
    x = np.linspace(0.0, 1.0, n)
    x.setflags(write=False)
    return x


def judge(df, error, true_error, derivative):
    """Max abs error, uncovered fraction and median estimate ratio of one result.

    The true error is floored at ``u |f'|`` (u = ``numdiff.unit_roundoff()``,
    2**-53) before it is compared with
    the error estimate: a point is covered when ``isfinite(df)`` and
    ``error >= max(|true error|, u |f'|)``, and the estimate ratio is
    ``error / max(|true error|, u |f'|)``. Points where df is not finite count as
    uncovered and are left out of the max error and the ratio.

    Returns
    -------
    dict
        ``max_error``, ``coverage``, ``uncovered`` (``1 - coverage``),
        ``median_ratio`` (median of the estimate ratio) and ``estimate_ratio``
        (``max(r, 1/r)`` of that median; NaN if no point is finite).
    """
    u = require("numdiff", "unit_roundoff")()
    df = np.asarray(df, dtype=np.float64)
    error = np.broadcast_to(np.asarray(error, dtype=np.float64), df.shape)
    true_error = np.asarray(true_error, dtype=np.float64)
    floored = np.maximum(true_error, np.maximum(u * np.abs(derivative), _TINY))
    finite = np.isfinite(df)
    with np.errstate(invalid="ignore"):
        covered = finite & (error >= floored)
    coverage = float(np.mean(covered))
    if finite.any():
        max_error = float(np.max(true_error[finite]))
        with np.errstate(divide="ignore", invalid="ignore"):
            median = np.median(error[finite] / floored[finite])
            estimate_ratio = float(np.fmax(median, 1.0 / median))
        median_ratio = float(median)
    else:
        max_error = median_ratio = estimate_ratio = float("nan")
    return dict(max_error=max_error, coverage=coverage, uncovered=1.0 - coverage,
                median_ratio=median_ratio, estimate_ratio=estimate_ratio)


def counted_run(tool, f, x):
    """``(df, error estimate, values of f computed per point)`` of `tool` on `f` at `x`."""
    run = estimator(tool)
    counted = require("numdiff", "CountedFunction")(f)
    with np.errstate(all="ignore"):
        df, error = run(counted, x)
    return df, error, counted.values / x.size


def exp_case(tool, n=EXP_POINTS):
    """`judge`'s values and the evaluations per point of `tool` on exp over `exp_points(n)`."""
    x = exp_points(n)
    df, error, evaluations = counted_run(tool, np.exp, x)
    exact = np.exp(x)
    stats = judge(df, error, np.abs(np.asarray(df, dtype=np.float64) - exact), exact)
    stats["evaluations"] = evaluations
    return stats


def interleaved_times(points=EXP_POINTS, repeats=15, tools=TOOLS, calls=1):
    """Times (s) of each available tool on the headline case, interleaved, and the tools skipped.

    Every round calls each tool `calls` times in a row, tool after tool
    (`benchmarks.timing.interleaved_times`).

    Returns
    -------
    times : dict
        tool -> list of `repeats` lists of `calls` times of one call on
        ``exp_points(points)``.
    stats : dict
        tool -> `exp_case` of that tool (its first call, also a warm-up, made
        before any timing).
    skipped : dict
        tool -> why it is not importable.
    """
    x = exp_points(points)
    actions, stats, skipped = {}, {}, {}
    for tool in tools:
        try:
            run = estimator(tool)
        except NotImplementedError as error:
            skipped[tool] = str(error)
            continue
        stats[tool] = exp_case(tool, points)
        actions[tool] = lambda run=run: run(np.exp, x)
    return interleave(actions, rounds=repeats, calls=calls), stats, skipped


def catalogue_case(tool, name):
    """`judge`'s values and the evaluations per point of `tool` on catalogue function `name`."""
    f = require("numdiff.catalogue", "get_function")(name)
    df, error, evaluations = counted_run(tool, f, points_near_default(name))
    high, _ = exact_derivative(name)
    stats = judge(df, error, abs_error(df, name), high)
    stats["evaluations"] = evaluations
    return stats


def _track(key, unit, doc):
    """A ``track_`` method returning ``self.stats[key]``, in `unit`, documented by `doc`."""

    def track(self, *params):
        return self.stats[key]

    track.__name__ = track.__qualname__ = f"track_{key}"
    track.__doc__, track.unit = doc, unit
    return track


class _Tracks:
    """The four ``track_`` values of a `judge` result in ``self.stats``."""

    track_max_error = _track("max_error", "abs error", "Largest absolute error over the points.")
    track_evaluations = _track("evaluations", "evaluations", "Values of f computed per point, "
                               "counted by `numdiff.CountedFunction`.")
    track_uncovered = _track("uncovered", "fraction", "Share of points whose error estimate is "
                             "below the floored true error (0 best).")
    track_estimate_ratio = _track("estimate_ratio", "ratio", "``max(r, 1/r)``, r the median "
                                  "estimate / floored true error (1 is perfect).")


class PeerExpSpeed:
    """Time (seconds per call) and peak memory (bytes) of one call on the headline exp case.

    Each sample times calls in a row for at least `sample_time` (about a dozen for
    numdiff, whose single calls of a few ms are at the mercy of the machine's load;
    one for numdifftools, which takes about half a second per call), and sampling
    stops after a few seconds per round.
    """

    params = (TOOLS,)
    param_names = ("tool",)
    sample_time = 0.05
    repeat = (2, 10, 4.0)
    timeout = 120

    def setup(self, tool):
        self.run = estimator(tool)
        self.x = exp_points()

    def time_derivative(self, tool):
        """Seconds per call of the tool, with its defaults, on exp over linspace(0, 1, 10**5)."""
        self.run(np.exp, self.x)

    def peakmem_derivative(self, tool):
        """Peak resident memory of the process (bytes) around one such call."""
        self.run(np.exp, self.x)


class PeerExpTimeShare:
    """numdiff's time over a peer's on the headline exp case, both timed in this process (ratio).

    Four rounds, each calling numdiff three times and then the peer three times; the
    share is the median of numdiff's repeated calls (the second and third of a round)
    over the median of the peer's (`benchmarks.timing.median_ratio`). Targets: at most
    0.1 of scipy's time, 0.01 of numdifftools'.
    """

    params = (("scipy", "numdifftools"),)
    param_names = ("peer",)
    rounds = 4
    timeout = 300

    def setup(self, peer):
        times, _, skipped = interleaved_times(repeats=self.rounds, tools=("numdiff", peer),
                                              calls=3)
        if skipped:
            raise NotImplementedError("; ".join(skipped.values()))
        self.share = median_ratio(times, "numdiff", peer)

    def track_time_share(self, peer):
        """numdiff's time over the peer's, measured call after call in one process (ratio)."""
        return self.share

    track_time_share.unit = "ratio"


class PeerExpAccuracy(_Tracks):
    """Error (abs), evaluations per point and error-estimate quality on the headline exp case."""

    params = (TOOLS,)
    param_names = ("tool",)
    timeout = 120

    def setup(self, tool):
        self.stats = exp_case(tool)


class PeerCatalogueAccuracy(_Tracks):
    """Error (abs), evaluations per point and error-estimate quality per catalogue function.

    At `common.points_near_default`, errors against the 50-digit reference.
    """

    params = (TOOLS, SMOOTH_FUNCTIONS)
    param_names = ("tool", "function")

    def setup(self, tool, function):
        self.stats = catalogue_case(tool, function)
