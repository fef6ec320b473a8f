"""Accuracy and evaluations of the gradient of Rosenbrock's function against the peers, in one run.

``python -m benchmarks.gradient_peers`` differentiates `numdiff.catalogue.rosenbrock`
at ``count`` seeded points per size, ``default_rng(seed).uniform(-2, 2, n)`` drawn one
after another (the points of ``tests/test_multivariate_auto.py``), with
``numdiff.gradient`` (automatic steps, points batched), ``scipy.differentiate.jacobian``
and ``numdifftools.Gradient``, each with its defaults, and prints per size and tool the
mean, median and largest relative error (largest entry error over the largest entry of
the exact gradient), the share of entries whose error is within the tool's error
estimate, and the mean and largest number of points at which ``f`` was evaluated. With
``--hessian`` it adds ``numdiff.hessian`` against ``scipy.differentiate.hessian`` (the
latter at n <= 10 only: its cost grows as n^2 stencils of n^2 points). A peer that is
not importable is reported and skipped.
"""

import argparse
import sys
import warnings

import numpy as np


def seeded_points(n, count, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-2.0, 2.0, n) for _ in range(count)]


def _numdiff_hessian(f, x):
    from numdiff import hessian

    found = hessian(f, x, vectorized=True)
    return found.df, found.error


def _scipy_hessian(f, x):
    from scipy.differentiate import hessian

    found = hessian(f, x)
    return found.ddf, found.error


HESSIANS = {"numdiff": _numdiff_hessian, "scipy": _scipy_hessian}


def gradients():
    """The gradients compared: the cost study's numdiff (automatic steps) and its peers.

    Imported when called, so that asv can list this module's (absent) benchmarks at
    commits that lack the analysis package.
    """
    from analysis.peer_libraries import PEER_MODULES
    from analysis.studies.gradient_cost import accuracy_methods

    methods = accuracy_methods(tuple(PEER_MODULES))
    return {"numdiff": methods["auto"], **{peer: methods[peer] for peer in PEER_MODULES}}


def modules():
    """The module each tool needs."""
    from analysis.peer_libraries import PEER_MODULES

    return {"numdiff": "numdiff", **PEER_MODULES}


def measure(run, exact, n, count, seed):
    """``dict(errors, covered, evaluations)`` of `run(f, x)` at the seeded points of n
    variables (`analysis.studies.gradient_cost.judge_gradient` at each)."""
    from analysis.studies.gradient_cost import judge_gradient
    from numdiff.catalogue import rosenbrock

    errors, covered, evaluations = [], [], []
    for x in seeded_points(n, count, seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            relative_error, share, points = judge_gradient(run, rosenbrock, x, exact(x))
        errors.append(relative_error)
        covered.append(share)
        evaluations.append(points)
    return dict(errors=np.array(errors), covered=float(np.mean(covered)),
                evaluations=np.array(evaluations))


def _importable(tool):
    import importlib

    try:
        importlib.import_module(modules()[tool])
    except ImportError as exc:
        return str(exc)
    return None


def _print_table(title, results):
    print(f"\n{title}")
    print(f"{'n':>5} {'tool':13} {'mean':>9} {'median':>9} {'max':>9} {'covered':>8} "
          f"{'evals':>8} {'max':>7}")
    for (n, tool), s in results.items():
        e = s["errors"]
        print(f"{n:5d} {tool:13} {e.mean():9.2e} {np.median(e):9.2e} {e.max():9.2e} "
              f"{100 * s['covered']:7.2f}% {s['evaluations'].mean():8.1f} "
              f"{s['evaluations'].max():7d}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gradient_peers",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 100],
                        help="numbers of variables (default: %(default)s)")
    parser.add_argument("--count", type=int, default=20,
                        help="seeded points per size (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="(default: %(default)s)")
    parser.add_argument("--hessian", action="store_true", help="also the Hessians")
    args = parser.parse_args(argv)
    if args.count < 1 or min(args.sizes) < 2:
        parser.error("--count must be positive and every size at least 2")
    from numdiff.catalogue import rosenbrock_gradient, rosenbrock_hessian

    skipped = {tool: why for tool in modules() if (why := _importable(tool))}
    for tool, why in skipped.items():
        print(f"{tool}: skipped, not importable ({why}); pip install 'numdiff[peers]'")
    print(f"Rosenbrock's function at {args.count} points default_rng({args.seed})"
          f".uniform(-2, 2, n) per size; relative error = largest entry error / largest entry")
    tables = [("gradient", gradients(), rosenbrock_gradient, lambda tool, n: True)]
    if args.hessian:
        tables.append(("Hessian", HESSIANS, rosenbrock_hessian,
                       lambda tool, n: tool == "numdiff" or n <= 10))
    for title, tools, exact, wanted in tables:
        results = {}
        for n in args.sizes:
            for tool, run in tools.items():
                if tool not in skipped and wanted(tool, n):
                    results[(n, tool)] = measure(run, exact, n, args.count, args.seed)
        _print_table(title, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
