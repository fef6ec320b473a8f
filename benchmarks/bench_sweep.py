"""Speed and peak memory of error sweeps: estimates over a grid of steps, errors against exact values.

* ``time_default_sweep``: every catalogue function at its default point, every
  scheme that applies (the complex step only for analytic functions), the
  161-step grid 1e-16..1: one ``numerical_diff`` call per (function, scheme)
  with the steps as a column ``eps[:, None]``.
* ``peakmem_large_sweep``: central differences of exp at 10^6 points over the
  161 steps, the steps broadcast ``eps[:, None]`` against the points in blocks
  of `BLOCK` steps, each block reduced to its median absolute error per step;
  the peak is the process's baseline plus numdiff's temporaries for a
  ``BLOCK x 10^6`` table.
"""

import numpy as np

from .common import require, step_grid, uniform_points

#: Steps per block of the large sweep: 8 x 10^6 float64 values are 64 MB per temporary.
BLOCK = 8


def _sweep_default():
    numerical_diff, SCHEMES = require("numdiff", "numerical_diff", "SCHEMES")
    CATALOGUE = require("numdiff.catalogue", "CATALOGUE")
    steps = step_grid()[:, None]
    errors = {}
    with np.errstate(all="ignore"):
        for name, f in CATALOGUE.items():
            exact = f.derivative(f.default_x)
            for scheme, spec in SCHEMES.items():
                if spec.is_complex and not f.analytic:
                    continue
                estimate = numerical_diff(f, np.array([f.default_x]), steps, scheme=scheme)
                errors[name, scheme] = np.abs(estimate[:, 0] - exact)
    return errors


def _sweep_large(points):
    numerical_diff = require("numdiff", "numerical_diff")
    x = uniform_points(points)
    exact = np.exp(x)
    steps = step_grid()
    medians = []
    with np.errstate(all="ignore"):
        for start in range(0, len(steps), BLOCK):
            estimate = numerical_diff(np.exp, x, steps[start:start + BLOCK, None])
            estimate -= exact
            medians.append(np.median(np.abs(estimate, out=estimate), axis=1))
    return np.concatenate(medians)


class DefaultSweep:
    timeout = 120

    def setup(self):
        require("numdiff.catalogue", "CATALOGUE")

    def time_default_sweep(self):
        _sweep_default()


class LargeSweep:
    timeout = 300

    def setup(self):
        require("numdiff", "numerical_diff")
        uniform_points(1_000_000)

    def peakmem_large_sweep(self):
        _sweep_large(1_000_000)
