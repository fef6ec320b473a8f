"""Overhead of `numdiff.numerical_diff` over the evaluations of f it cannot avoid.

``python -m benchmarks.ratio`` times, in one process and interleaved repeat by
repeat (`benchmarks.timing`), ``numerical_diff(f, x, 1e-4)`` (central difference) over 10^6 float64
points against two plain evaluations ``f(x + h); f(x - h)`` of the same f on
precomputed arguments, and the complex step against one complex evaluation
``f(x + ih)``. Each timing is the minimum over the repeats; the printed ratio is
``numdiff / raw``. 1.0 would mean numdiff adds nothing to the evaluations
of f; the stencil's arithmetic (forming ``x +- h``, the difference, the division)
makes up the rest.
"""

import argparse
import sys

import numpy as np

from .common import DEFAULT_EPS, uniform_points
from .timing import interleaved_times

FUNCTIONS = {
    "exp": np.exp,
    "sin": np.sin,
    # DeZero's composite exp(x**2)**2 (step 4), written with numpy.
    "exp(x**2)**2": lambda x: np.exp(x ** 2) ** 2,
}


def measure(points=1_000_000, repeats=15):
    """Minimum times (s) of numdiff and the raw evaluations, per function and scheme."""
    from numdiff import numerical_diff

    x = np.array(uniform_points(points, "float64"))
    h = np.float64(DEFAULT_EPS)
    above, below = x + h, x - h
    z = x + 1j * h
    actions = {}
    for name, f in FUNCTIONS.items():
        actions[name, "central"] = lambda f=f: numerical_diff(f, x, DEFAULT_EPS)
        actions[name, "two real f"] = lambda f=f: (f(above), f(below))
        actions[name, "complex_step"] = lambda f=f: numerical_diff(f, x, DEFAULT_EPS,
                                                                   scheme="complex_step")
        actions[name, "one complex f"] = lambda f=f: f(z)
    times = interleaved_times(actions, rounds=repeats)
    return {key: min(t for samples in rounds for t in samples) for key, rounds in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ratio", description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    timings = measure(args.points, args.repeats)
    print(f"{args.points} float64 points, minimum of {args.repeats} interleaved repeats")
    print(f"{'f':14} {'central':>9} {'2 real f':>9} {'ratio':>6}   "
          f"{'complex':>9} {'1 cplx f':>9} {'ratio':>6}")
    for name in FUNCTIONS:
        c, r = timings[(name, "central")], timings[(name, "two real f")]
        s, z = timings[(name, "complex_step")], timings[(name, "one complex f")]
        print(f"{name:14} {c * 1e3:7.2f}ms {r * 1e3:7.2f}ms {c / r:6.2f}   "
              f"{s * 1e3:7.2f}ms {z * 1e3:7.2f}ms {s / z:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
