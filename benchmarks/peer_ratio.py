"""Time of `numdiff.derivative` against its peers on exp, measured in one run.

``python -m benchmarks.peer_ratio`` differentiates exp over
``np.linspace(0, 1, n)`` (float64, n = 10^5 by default) with numdiff's
``derivative``, ``scipy.differentiate.derivative`` and ``numdifftools.Derivative``,
each with its defaults (see `bench_derivative_peers`), in one process and
interleaved repeat by repeat, so that every tool sees the same state of the machine.
In each repeat every tool is called ``--calls`` times in a row: the first call
follows the other tools' work (whose freed memory the system may have taken back,
so that fresh pages cost a fault each on first use), the later ones repeat the
same call, as asv's samples do. It prints, for the first calls and for the
repeated ones, each tool's minimum and median time and the ratios of those times
to numdiff's (peer / numdiff: above 1 means numdiff is faster), and, from one further
call with ``np.exp`` wrapped in ``numdiff.CountedFunction``: the largest absolute error against
``np.exp(x)``, the values of exp computed per point, the fraction of points where
the error estimate covers the true error (floored at ``u |f'|``, u = 2**-53) and the
median estimate / true error. A peer that is not importable is reported and skipped.
"""

import argparse
import sys

import numpy as np

from .bench_derivative_peers import EXP_POINTS, TOOLS, interleaved_times


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer_ratio",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=EXP_POINTS,
                        help="points of np.linspace(0, 1, points) (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=10,
                        help="rounds over the tools (default: %(default)s)")
    parser.add_argument("--calls", type=int, default=2,
                        help="calls in a row per tool and round; with 2 or more the "
                             "repeated calls are reported apart (default: %(default)s)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS),
                        help="tools to run (default: all); numdiff always runs, as the "
                             "reference of the ratios")
    args = parser.parse_args(argv)
    if args.points < 1 or args.repeats < 1 or args.calls < 1:
        parser.error("--points, --repeats and --calls must be positive")
    tools = ["numdiff", *[tool for tool in dict.fromkeys(args.tools) if tool != "numdiff"]]
    times, stats, skipped = interleaved_times(args.points, args.repeats, tools, args.calls)
    for tool, why in skipped.items():
        print(f"{tool}: skipped, not importable ({why}); pip install 'numdiff[peers]'")
    print(f"exp on np.linspace(0, 1, {args.points}), float64, {args.repeats} interleaved "
          f"rounds of {args.calls} call(s) per tool; ratio = tool / numdiff")
    print(f"{'tool':13} {'max |error|':>11} {'evals/pt':>8} {'coverage':>8} {'est/true':>8}")
    for tool, s in stats.items():
        print(f"{tool:13} {s['max_error']:11.2e} {s['evaluations']:8.3g} "
              f"{100 * s['coverage']:7.2f}% {s['median_ratio']:8.3g}")
    groups = {"first call of each round": lambda calls: calls[:1]}
    if args.calls > 1:
        groups["repeated calls"] = lambda calls: calls[1:]
    for title, pick in groups.items():
        chosen = {tool: [t for calls in samples for t in pick(calls)]
                  for tool, samples in times.items()}
        base_min, base_median = min(chosen["numdiff"]), float(np.median(chosen["numdiff"]))
        print(f"\n{title}:")
        print(f"{'tool':13} {'min':>10} {'median':>10} {'ratio min':>9} {'ratio med':>9}")
        for tool, samples in chosen.items():
            low, middle = min(samples), float(np.median(samples))
            print(f"{tool:13} {low * 1e3:8.2f}ms {middle * 1e3:8.2f}ms {low / base_min:9.2f} "
                  f"{middle / base_median:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
