"""`numdiff.derivative` (automatic step, Richardson extrapolation, error estimate): speed and accuracy.

* ``time_derivative``: default settings, exp at 1 to 10^6 points, per base scheme;
* ``track_error``: mean absolute error at the accuracy benchmarks' points (see
  `bench_accuracy`), against the 50-digit reference, per scheme (all of them);
* ``track_default_point_error``: the absolute error at the function's default
  point alone (Squire-Trapp's classic 1.5, for one);
* ``track_evaluations``: mean evaluations of f per point (step selection
  included), the price of that accuracy.
"""

import numpy as np

from .common import (SCHEMES, SIZES, SMOOTH_FUNCTIONS, abs_error, points_near_default, require,
                     uniform_points)

BASE_SCHEMES = ("central", "central4", "complex_step")


def _derivative():
    return require("numdiff.derivative", "derivative")


class DerivativeSpeed:
    """Seconds per call of ``derivative(np.exp, x, scheme=...)`` with default settings.

    `common.uniform_points`: 1, 10^3 and 10^6 points in [0.5, 1.5).
    """

    params = (BASE_SCHEMES, SIZES)
    param_names = ("scheme", "points")

    def setup(self, scheme, points):
        self.derivative = _derivative()
        self.x = uniform_points(points)

    def time_derivative(self, scheme, points):
        """Seconds per call of derivative on exp at these points."""
        self.derivative(np.exp, self.x, scheme=scheme)


class DerivativeAccuracy:
    """Error (abs error) and evaluations of f per point of ``derivative`` with each scheme.

    At `common.points_near_default` of each smooth catalogue function, and at its
    default point alone; errors against the 50-digit reference.
    """

    params = (SCHEMES, SMOOTH_FUNCTIONS)
    param_names = ("scheme", "function")

    def setup(self, scheme, function):
        derivative = _derivative()
        f = require("numdiff.catalogue", "get_function")(function)
        with np.errstate(all="ignore"):
            self.result = derivative(f, points_near_default(function), scheme=scheme)
            at_default = derivative(f, f.default_x, scheme=scheme)
        self.error = abs_error(self.result.df, function)
        self.default_error = abs(float(at_default.df) - float(f.reference(f.default_x)))

    def track_error(self, scheme, function):
        """Mean absolute error at the points near the default point (abs error)."""
        return float(self.error.mean())

    track_error.unit = "abs error"

    def track_default_point_error(self, scheme, function):
        """Absolute error at the function's default point (abs error)."""
        return self.default_error

    track_default_point_error.unit = "abs error"

    def track_evaluations(self, scheme, function):
        """Mean evaluations of f per point, as ``result.nfev`` reports them (evaluations)."""
        return float(np.mean(self.result.nfev))

    track_evaluations.unit = "evaluations"
