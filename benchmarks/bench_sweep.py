"""Speed and peak memory of error sweeps: estimates over the step grid, errors against exact values.

Through the analysis package (skipped on commits without it):

* ``AnalysisSweep.time_default_sweep``: ``analysis.sweep.sweep`` with its
  defaults (each catalogue function at its default point, the default schemes,
  the 161-step grid 1e-16..1) into one tidy DataFrame;
* ``AnalysisSweep.peakmem_large_sweep``: 10^6 points x 161 steps (central
  differences of exp), streamed block by block (``sweep_blocks``) into the
  per-point summary (``analysis.fit.summarize_blocks``), which is how the
  analysis runs sweeps too large for one table.

Through ``numdiff.numerical_diff`` alone, the core of every sweep:

* ``NumericalDiffSweep.time_all_schemes``: every catalogue function at its
  default point, every scheme that applies, one call per (function, scheme)
  with the steps as a column ``eps[:, None]``;
* ``NumericalDiffSweep.peakmem_large_sweep``: central differences of exp at
  10^6 points over the 161 steps, ``BLOCK`` steps per call, each block reduced
  to its median absolute error per step: the process's baseline plus
  numdiff's temporaries for a ``BLOCK x 10^6`` table.
"""

import numpy as np

from .common import require, step_grid, uniform_points

#: Steps per call of the large numdiff-only sweep: 8 x 10^6 float64 values are
#: 64 MB per temporary array.
BLOCK = 8

#: Points of the large sweeps.
LARGE = 1_000_000


class AnalysisSweep:
    """The analysis' sweep: seconds of the default sweep, bytes of the 10^6-point one."""

    timeout = 300

    def setup(self):
        self.sweep, self.sweep_blocks = require("analysis.sweep", "sweep", "sweep_blocks")
        self.summarize_blocks = require("analysis.fit", "summarize_blocks")
        self.names = list(require("numdiff.catalogue", "CATALOGUE"))
        uniform_points(LARGE)

    def time_default_sweep(self):
        """Seconds of analysis.sweep over every catalogue function, default settings."""
        self.sweep(self.names)

    def peakmem_large_sweep(self):
        """Peak resident memory (bytes) of the 10^6-point x 161-step sweep and its summary."""
        blocks = self.sweep_blocks(["exp"], x=uniform_points(LARGE), schemes=["central"])
        self.summarize_blocks(blocks)


def _sweep_all_schemes():
    numerical_diff, SCHEMES = require("numdiff", "numerical_diff", "SCHEMES")
    CATALOGUE = require("numdiff.catalogue", "CATALOGUE")
    steps = step_grid()[:, None]
    errors = {}
    with np.errstate(all="ignore"):
        for name, f in CATALOGUE.items():
            exact = f.derivative(f.default_x)
            for scheme, spec in SCHEMES.items():
                if spec.needs_analytic and not f.analytic:
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


class NumericalDiffSweep:
    """numerical_diff over the step grid: seconds for every scheme, bytes for 10^6 points."""

    timeout = 300

    def setup(self):
        require("numdiff.catalogue", "CATALOGUE")
        uniform_points(LARGE)

    def time_all_schemes(self):
        """Seconds for every (catalogue function, scheme) at the default point, 161 steps."""
        _sweep_all_schemes()

    def peakmem_large_sweep(self):
        """Peak resident memory (bytes) of central differences at 10^6 points, 8 steps per call."""
        _sweep_large(LARGE)
