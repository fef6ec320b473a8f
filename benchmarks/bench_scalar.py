"""Calls on a scalar: numdiff's cost per call, alone and as a ratio to a baseline.

On one point the work of f is nothing; what is left is numdiff's own cost per call
(input checks, stencil lookup, array set-up), the part that dominates a loop of scalar
calls such as an optimiser makes.

* ``ScalarCalls``: seconds per call of ``numerical_diff(np.exp, 1.0)``,
  ``derivative(np.exp, 1.0)`` and ``gradient`` of a sum of exponentials at 3 variables.
* ``ScalarTimeRatio.track_time_ratio`` (ratio): a numdiff call's time over a baseline's,
  both timed in this process, call after call (`benchmarks.timing`):

  - ``numerical_diff_over_formula``: ``numerical_diff(np.exp, 1.0)`` over DeZero's
    formula ``(f(x + eps) - f(x - eps)) / (2 * eps)`` written out; target at most 10;
  - ``derivative_over_scipy``: ``derivative(np.exp, 1.0)`` over
    ``scipy.differentiate.derivative(np.exp, 1.0)``; target at most 0.05; skipped
    without SciPy >= 1.15.
"""

import inspect
from functools import partial

import numpy as np

from .common import DEFAULT_EPS, require
from .timing import calls_per_sample, interleaved_times, median_ratio

#: The point of the gradient benchmark: 3 variables.
GRADIENT_POINT = (0.5, 1.0, 1.5)


def central_formula(f, x, eps=DEFAULT_EPS):
    """DeZero's numerical_diff on a number: the central difference, nothing else."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def sum_exp(v):
    """``sum(exp(v_i))``, a scalar function of the variables in `v`."""
    return np.sum(np.exp(v))


def ratio_actions(ratio):
    """The two calls a ratio compares, numerator first: name -> callable taking no arguments.

    Raises ``NotImplementedError`` (asv: skipped) if a tool is missing.
    """
    if ratio == "numerical_diff_over_formula":
        numerical_diff = require("numdiff", "numerical_diff")
        return {"numerical_diff": lambda: numerical_diff(np.exp, 1.0),
                "formula": lambda: central_formula(np.exp, 1.0)}
    if ratio == "derivative_over_scipy":
        derivative = require("numdiff", "derivative")
        scipy_derivative = require("scipy.differentiate", "derivative")
        return {"derivative": lambda: derivative(np.exp, 1.0),
                "scipy": lambda: scipy_derivative(np.exp, 1.0)}
    raise ValueError(f"unknown ratio {ratio!r}")


class ScalarCalls:
    """Seconds per call of numdiff's functions on a scalar point (exp at 1; gradient at 3 variables)."""

    def setup(self):
        self.numerical_diff, self.derivative, self.gradient = require(
            "numdiff", "numerical_diff", "derivative", "gradient")
        if "step" in inspect.signature(self.gradient).parameters:
            # The one-step-per-coordinate gradient, as this benchmark always timed it.
            self.gradient = partial(self.gradient, step="fixed")
        self.point = np.array(GRADIENT_POINT)

    def time_numerical_diff(self):
        """Seconds per call of numerical_diff(np.exp, 1.0)."""
        self.numerical_diff(np.exp, 1.0)

    def time_derivative(self):
        """Seconds per call of derivative(np.exp, 1.0)."""
        self.derivative(np.exp, 1.0)

    def time_gradient(self):
        """Seconds per call of gradient(sum_exp, [0.5, 1.0, 1.5]) with fixed steps."""
        self.gradient(sum_exp, self.point)


class ScalarTimeRatio:
    """A numdiff call's time over a baseline's on a scalar, both timed in this process (ratio).

    `timing_rounds` rounds, each taking `samples_per_round` samples of the numdiff call
    and then of the baseline; a sample times a run of calls lasting about
    `sample_duration` seconds
    (`timing.calls_per_sample`). The ratio is the median of the repeated samples over
    the median of the baseline's (`timing.median_ratio`). Lower is better; targets: 10
    for numerical_diff over the formula, 0.05 for derivative over SciPy's.
    """

    params = (("numerical_diff_over_formula", "derivative_over_scipy"),)
    param_names = ("ratio",)
    timing_rounds = 5
    samples_per_round = 3
    sample_duration = 5e-3

    def setup(self, ratio):
        actions = ratio_actions(ratio)
        numbers = {name: calls_per_sample(action, self.sample_duration)
                   for name, action in actions.items()}
        times = interleaved_times(actions, rounds=self.timing_rounds,
                                  calls=self.samples_per_round, numbers=numbers)
        self.ratio = median_ratio(times, *actions)

    def track_time_ratio(self, ratio):
        """numdiff's time per call over the baseline's, measured call after call (ratio)."""
        return self.ratio

    track_time_ratio.unit = "ratio"
