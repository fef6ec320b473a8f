"""Accuracy of every scheme on the catalogue's smooth functions, tracked over commits.

A change that makes a scheme faster but loses digits shows up here. Every value is
positive and lower is better, as asv assumes when it flags regressions:

* ``track_min_error``: the smallest mean absolute error over the step grid
  (`common.step_grid`: 161 steps, 1e-16 to 1); the best a user can do with one
  fixed step for these points;
* ``track_error_at_seed_eps``: the mean absolute error at the default step 1e-4
  (``numerical_diff``'s ``eps``, from DeZero);
* ``track_step_ratio`` (real schemes): how far the best step on the grid lies from
  the error model's ``h*``, as ``max(r, 1/r)`` with ``r = observed / h*``
  (observed: the grid step of the smallest mean error; ``h*``: geometric mean of
  the predictions at the points); 1 is a perfect prediction, the grid's
  resolution (10 steps per decade) alone allows up to 10^0.05 = 1.12. The model
  bounds the rounding error, so the observed best step is usually smaller.

Errors are taken against the catalogue's 50-digit mpmath reference (see
`common.abs_error`), at `common.ACCURACY_POINTS` points within 10% of each
function's default point.
"""

import numpy as np

from .common import (DTYPES, REAL_SCHEMES, SCHEMES, DEFAULT_EPS, SMOOTH_FUNCTIONS, abs_error,
                     points_near_default, require, step_grid)


def _error_table(scheme, name, dtype, steps):
    """Absolute errors, one row per step, one column per point."""
    numerical_diff = require("numdiff", "numerical_diff")
    function = require("numdiff.catalogue", "get_function")(name)
    x = points_near_default(name, dtype)
    steps = np.asarray(steps, dtype=dtype).reshape(-1, 1)
    with np.errstate(all="ignore"):
        estimate = numerical_diff(function, x, steps, scheme=scheme)
    return abs_error(estimate, name, dtype)


class SchemeAccuracy:
    """Mean absolute error (abs error) of a scheme at the best grid step and at the default step.

    `common.ACCURACY_POINTS` points near the function's default point, errors against
    the 50-digit reference; the step grid is `common.step_grid` (161 steps, 1e-16 to 1).
    """

    params = (SCHEMES, SMOOTH_FUNCTIONS, DTYPES)
    param_names = ("scheme", "function", "dtype")

    def setup(self, scheme, function, dtype):
        self.table = _error_table(scheme, function, dtype, step_grid())
        self.at_seed_eps = _error_table(scheme, function, dtype, [DEFAULT_EPS])

    def track_min_error(self, scheme, function, dtype):
        """Smallest mean absolute error over the 161 grid steps (abs error)."""
        return float(np.nanmin(self.table.mean(axis=1)))

    track_min_error.unit = "abs error"

    def track_error_at_seed_eps(self, scheme, function, dtype):
        """Mean absolute error at the default step 1e-4 (abs error)."""
        return float(self.at_seed_eps.mean())

    track_error_at_seed_eps.unit = "abs error"


class OptimalStep:
    """Observed best step against the error model's ``h*`` (ratio), real schemes only.

    The complex step has no V to locate: every step below its crossover reaches the
    same floor, so its best grid step is arbitrary; it is not in the parameters.
    """

    params = (REAL_SCHEMES, SMOOTH_FUNCTIONS, DTYPES)
    param_names = ("scheme", "function", "dtype")

    def setup(self, scheme, function, dtype):
        get_scheme, error_model = require("numdiff", "get_scheme", "error_model")
        spec = get_scheme(scheme)
        f = require("numdiff.catalogue", "get_function")(function)
        x = points_near_default(function, dtype).astype(np.float64)
        # The complete model: the truncation terms involve f^(p+q) and f^(p2+q).
        leading, following = spec.truncation_orders(1)
        model = error_model(scheme, f_scale=np.abs(f(x)), x_scale=np.abs(x),
                            result_scale=np.abs(f.derivative(x, 1)),
                            derivative_scale=np.abs(f.derivative(x, leading)),
                            next_derivative_scale=np.abs(f.derivative(x, following)),
                            dtype=dtype)
        steps = step_grid()
        mean = _error_table(scheme, function, dtype, steps).mean(axis=1)
        # The step where the mean error, smoothed by a running median over 5 steps (as the
        # analysis does), is lowest: the rounding of x + h makes single steps lucky for every
        # point at once. The points lie within 10% of each other: that one step against the
        # geometric mean of the predictions.
        padded = np.pad(np.where(np.isfinite(mean), mean, np.inf), 2, constant_values=np.inf)
        smooth = np.median(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)
        observed = steps[np.argmin(smooth)]
        self.ratio = observed / np.exp(np.mean(np.log(model.optimal_step)))

    def track_step_ratio(self, scheme, function, dtype):
        """``max(r, 1/r)``, r = best grid step / model's h* (ratio; 1 is perfect, 1.12 the grid's)."""
        return float(max(self.ratio, 1 / self.ratio))

    track_step_ratio.unit = "ratio"
