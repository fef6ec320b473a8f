"""Speed of `numdiff.numerical_diff`: every scheme, 1 to 10^6 points, float32 and float64.

Plus DeZero's own path: `Variable`/`Function` objects on a scalar, where the
per-call overhead (validation, stencil lookup) is all there is to measure. DeZero's
five-line formula is timed alongside as the baseline of that overhead. Every value
is seconds per call.
"""

import numpy as np

from .common import DTYPES, SCHEMES, DEFAULT_EPS, SIZES, require, uniform_points


class NumericalDiff:
    """Seconds per call of ``numerical_diff(np.exp, x, 1e-4, scheme=...)``.

    exp is about as cheap as one pass over x, so this is numdiff's own cost.
    """

    params = (SCHEMES, SIZES, DTYPES)
    param_names = ("scheme", "points", "dtype")

    def setup(self, scheme, points, dtype):
        self.numerical_diff = require("numdiff", "numerical_diff")
        self.x = uniform_points(points, dtype)
        self.scheme = scheme

    def time_numerical_diff(self, scheme, points, dtype):
        """Seconds per call of numerical_diff on exp at these points."""
        self.numerical_diff(np.exp, self.x, DEFAULT_EPS, scheme=self.scheme)


class RawEvaluations:
    """Baseline for `NumericalDiff`: the evaluations of f alone, real and complex (seconds).

    The central difference costs two real evaluations of f, the complex step one
    complex evaluation; the ratio of the two timings is numdiff's overhead.
    """

    params = (SIZES, DTYPES)
    param_names = ("points", "dtype")

    def setup(self, points, dtype):
        self.x = uniform_points(points, dtype)
        self.z = self.x + 1j * np.asarray(DEFAULT_EPS, dtype)

    def time_two_real_evaluations(self, points, dtype):
        """Seconds for np.exp twice on the real points: the central difference's evaluations."""
        np.exp(self.x)
        np.exp(self.x)

    def time_one_complex_evaluation(self, points, dtype):
        """Seconds for np.exp once on x + 1e-4 i: the complex step's evaluation."""
        np.exp(self.z)


def _seed_formula(f, x, eps=DEFAULT_EPS):
    # DeZero's numerical_diff (step 4), the baseline of the per-call overhead.
    variable = type(x)
    y0 = f(variable(x.data - eps))
    y1 = f(variable(x.data + eps))
    return (y1.data - y0.data) / (2 * eps)


class SeedPath:
    """DeZero's examples, seconds per call: ``Square`` at 2.0 and ``Square(Exp(Square(x)))`` at 0.5."""

    params = (("square", "composite"),)
    param_names = ("function",)

    def setup(self, function):
        Variable, Square, Exp, self.numerical_diff = require(
            "numdiff", "Variable", "Square", "Exp", "numerical_diff")
        if function == "square":
            self.f, self.x = Square(), Variable(np.array(2.0))
        else:
            def composite(x):
                return Square()(Exp()(Square()(x)))
            self.f, self.x = composite, Variable(np.array(0.5))

    def time_numerical_diff(self, function):
        """Seconds per call of numdiff's numerical_diff on the Variable."""
        self.numerical_diff(self.f, self.x)

    def time_seed_formula(self, function):
        """Seconds per call of DeZero's five-line numerical_diff on the same Variable."""
        _seed_formula(self.f, self.x)
