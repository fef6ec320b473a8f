"""numdiff next to its peers on the same derivative at the same points.

Peers: ``scipy.differentiate.derivative`` (SciPy >= 1.15; order-8 stencil, step
halved until converged) and ``numdifftools.Derivative`` (Richardson extrapolation
over a geometric series of steps), both with their default settings, against
numdiff's default ``numerical_diff`` (central difference, step 1e-4). A peer that is
not installed (``pip install numdiff[peers]`` installs both) is skipped.

* ``time_derivative``: 1000 points drawn uniformly from [0.5, 1.5);
* ``track_error``: mean absolute error at the accuracy benchmarks' points (see
  `bench_accuracy`), against the 50-digit reference.
"""

import numpy as np

from .common import (SMOOTH_FUNCTIONS, TOOLS, abs_error, points_near_default, require,
                     uniform_points)

#: Functions timed: the cheapest, a libm call that costs more, and the composite of
#: Squire & Trapp (four libm calls).
TIMED_FUNCTIONS = ("exp", "sin", "squire_trapp")


def _derivative(tool):
    """A callable ``(f, x) -> f'(x)`` through `tool` with its defaults."""
    if tool == "numdiff":
        numerical_diff = require("numdiff", "numerical_diff")
        return numerical_diff
    if tool == "scipy":
        derivative = require("scipy.differentiate", "derivative")
        return lambda f, x: derivative(f, x).df
    Derivative = require("numdifftools", "Derivative")
    return lambda f, x: Derivative(f)(x)


class PeerSpeed:
    """Seconds per call of each tool's derivative at 1000 points in [0.5, 1.5)."""

    params = (TOOLS, TIMED_FUNCTIONS)
    param_names = ("tool", "function")

    def setup(self, tool, function):
        self.derivative = _derivative(tool)
        self.f = require("numdiff.catalogue", "get_function")(function)
        self.x = uniform_points(1_000)

    def time_derivative(self, tool, function):
        """Seconds per call of the tool, with its defaults, at 1000 points."""
        self.derivative(self.f, self.x)


class PeerAccuracy:
    """Mean absolute error (abs error) of each tool at `common.points_near_default`."""

    params = (TOOLS, SMOOTH_FUNCTIONS)
    param_names = ("tool", "function")

    def setup(self, tool, function):
        derivative = _derivative(tool)
        f = require("numdiff.catalogue", "get_function")(function)
        with np.errstate(all="ignore"):
            self.error = abs_error(derivative(f, points_near_default(function)), function)

    def track_error(self, tool, function):
        """Mean absolute error against the 50-digit reference (abs error)."""
        return float(self.error.mean())

    track_error.unit = "abs error"
