"""Many variables: the automatic gradient, Hessian and directional derivative, tracked over commits.

On Rosenbrock's function at ``default_rng(0).uniform(-2, 2, n)`` (points batched,
``vectorized=True``):

* ``AutoGradient``: seconds per call, evaluations of f, relative error (largest entry
  error over the largest entry) and the share of entries whose error exceeds the
  error estimate, for n = 5, 100, 1000;
* ``AutoHessian``: the same for the Hessian, n = 5 and 50;
* ``Directional``: seconds per directional derivative at n = 10^4, and its evaluations.

Lower is better for every value, as asv assumes.
"""

import numpy as np

from .common import require


try:
    from numdiff.catalogue import rosenbrock, rosenbrock_gradient, rosenbrock_hessian
except ImportError:  # a commit before the catalogue had them: `_auto` skips every benchmark
    rosenbrock = rosenbrock_gradient = rosenbrock_hessian = None


def point(n):
    return np.random.default_rng(0).uniform(-2.0, 2.0, n)


def _auto(name):
    """The numdiff function `name` if it has automatic steps (a result with ``df``), else skip."""
    require("numdiff.catalogue", "rosenbrock")
    function = require("numdiff", name)
    found = function(rosenbrock, point(3), vectorized=True)
    if not hasattr(found, "df"):
        raise NotImplementedError(f"numdiff.{name} has no automatic steps here")
    return function


class _Tracked:
    """Accuracy and cost of one automatic computation, measured once in `setup`."""

    function = None

    def setup(self, n):
        self.compute = _auto(self.function)
        self.x = point(n)
        self.result = self.compute(rosenbrock, self.x, vectorized=True)
        self.exact = self.exact_of(self.x)

    def track_relative_error(self, n):
        """Largest entry error over the largest entry (relative error)."""
        return float(np.abs(self.result.df - self.exact).max() / np.abs(self.exact).max())

    track_relative_error.unit = "relative error"

    def track_uncovered(self, n):
        """Share of entries whose true error exceeds the error estimate (share)."""
        return float(np.mean(np.abs(self.result.df - self.exact) > self.result.error))

    track_uncovered.unit = "share"

    def track_evaluations(self, n):
        """Points at which f was evaluated (evaluations)."""
        return int(self.result.nfev)

    track_evaluations.unit = "evaluations"


class AutoGradient(_Tracked):
    """numdiff.gradient with automatic steps on Rosenbrock's function."""

    params = ([5, 100, 1000],)
    param_names = ("n",)
    function = "gradient"
    exact_of = staticmethod(rosenbrock_gradient)

    def time_gradient(self, n):
        """Seconds per automatic gradient."""
        self.compute(rosenbrock, self.x, vectorized=True)


class AutoHessian(_Tracked):
    """numdiff.hessian with automatic steps on Rosenbrock's function."""

    params = ([5, 50],)
    param_names = ("n",)
    function = "hessian"
    exact_of = staticmethod(rosenbrock_hessian)

    def time_hessian(self, n):
        """Seconds per automatic Hessian."""
        self.compute(rosenbrock, self.x, vectorized=True)


class Directional:
    """numdiff.directional at 10^4 variables: the cost of one derivative."""

    def setup(self):
        require("numdiff.catalogue", "rosenbrock")
        self.directional = require("numdiff", "directional")
        self.x = point(10_000)
        self.v = np.cos(np.arange(10_000))

    def time_directional(self):
        """Seconds per directional derivative."""
        self.directional(rosenbrock, self.x, self.v)

    def track_evaluations(self):
        """Points at which f was evaluated (evaluations)."""
        return int(self.directional(rosenbrock, self.x, self.v).nfev)

    track_evaluations.unit = "evaluations"
