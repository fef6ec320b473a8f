"""Time of `numdiff.derivative` against its peers on exp, measured in one run.

``python -m benchmarks.peer_ratio`` differentiates exp over
``np.linspace(0, 1, n)`` (float64, n = 10^5 by default) with numdiff's
``derivative``, ``scipy.differentiate.derivative`` and ``numdifftools.Derivative``,
each with its defaults (see `bench_derivative_peers`), in one process and
interleaved repeat by repeat, so that every tool sees the same state of the machine.
It prints each tool's minimum and median time, the ratios of those times to
numdiff's (peer / numdiff: above 1 means numdiff is faster), and, from one further
call with a counting wrapper around ``np.exp``: the largest absolute error against
``np.exp(x)``, the values of exp computed per point, the fraction of points where
the error estimate covers the true error (floored at ``u |f'|``, u = 2**-53) and the
median estimate / true error. A peer that is not importable is reported and skipped.
"""

import argparse
import sys
import time

import numpy as np

from .bench_derivative_peers import EXP_POINTS, TOOLS, estimator, exp_case, exp_points


def measure(points=EXP_POINTS, repeats=15, tools=TOOLS):
    """Times (s) of each available tool, interleaved, and the tools skipped.

    Returns
    -------
    times : dict
        tool -> list of `repeats` times of one call on ``exp_points(points)``.
    stats : dict
        tool -> `bench_derivative_peers.exp_case` of that tool (its first call,
        also a warm-up, made before any timing).
    skipped : dict
        tool -> why it is not importable.
    """
    x = exp_points(points)
    runs, stats, skipped = {}, {}, {}
    for tool in tools:
        try:
            runs[tool] = estimator(tool)
        except NotImplementedError as error:
            skipped[tool] = str(error)
            continue
        stats[tool] = exp_case(tool, points)
    times = {tool: [] for tool in runs}
    for _ in range(repeats):
        for tool, run in runs.items():
            start = time.perf_counter()
            run(np.exp, x)
            times[tool].append(time.perf_counter() - start)
    return times, stats, skipped


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer_ratio",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=EXP_POINTS,
                        help="points of np.linspace(0, 1, points) (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=15,
                        help="timed calls per tool (default: %(default)s)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS),
                        help="tools to run (default: all); numdiff always runs, as the "
                             "reference of the ratios")
    args = parser.parse_args(argv)
    if args.points < 1 or args.repeats < 1:
        parser.error("--points and --repeats must be positive")
    tools = ["numdiff", *[tool for tool in dict.fromkeys(args.tools) if tool != "numdiff"]]
    times, stats, skipped = measure(args.points, args.repeats, tools)
    for tool, why in skipped.items():
        print(f"{tool}: skipped, not importable ({why}); pip install 'numdiff[peers]'")
    print(f"exp on np.linspace(0, 1, {args.points}), float64, {args.repeats} interleaved "
          "repeats per tool; ratio = tool / numdiff")
    print(f"{'tool':13} {'min':>10} {'median':>10} {'ratio min':>9} {'ratio med':>9} "
          f"{'max |error|':>11} {'evals/pt':>8} {'coverage':>8} {'est/true':>8}")
    base_min, base_median = min(times["numdiff"]), float(np.median(times["numdiff"]))
    for tool, samples in times.items():
        low, middle = min(samples), float(np.median(samples))
        s = stats[tool]
        print(f"{tool:13} {low * 1e3:8.2f}ms {middle * 1e3:8.2f}ms {low / base_min:9.2f} "
              f"{middle / base_median:9.2f} {s['max_error']:11.2e} {s['evaluations']:8.3g} "
              f"{100 * s['coverage']:7.2f}% {s['median_ratio']:8.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
