"""Inputs shared by the benchmarks: points, step grids and exact derivatives, built once.

Every module of the suite needs only numpy at import time (numdiff is imported here
when present, only to warm the forkserver); the library is used through `require`
inside ``setup``, which turns a missing module or name into
``NotImplementedError``, the signal asv records as "skipped". That keeps the suite
usable on commits (or installations) that lack a part of it.
"""

import importlib
from functools import lru_cache

import numpy as np

try:  # warm import for `asv run --launch-method=forkserver`; `require` does the checking
    import numdiff.catalogue  # noqa: F401
except ImportError:
    pass

#: The package benchmarked; it must be importable, whatever else is missing.
PROJECT = "numdiff"

#: Seed of every random input; each input has its own local generator.
SEED = 20_240_601

#: Scheme names, in the order of ``numdiff.SCHEMES``. Written out (not read from the
#: library) so the parameter grid stays the same across the commits asv compares.
SCHEMES = ("forward", "backward", "central", "forward2", "backward2",
           "central4", "central6", "central8", "complex_step")

#: The real schemes (every scheme but the complex step): those with an error V whose
#: optimal step can be located.
REAL_SCHEMES = tuple(name for name in SCHEMES if name != "complex_step")

#: Catalogue functions whose derivatives of every order are non-zero near their default
#: point, so every scheme has a finite best step: polynomials (exact for high-order
#: stencils) and ``abs`` (a kink) are left out.
SMOOTH_FUNCTIONS = ("exp", "exp_square_squared", "sin", "log", "sqrt", "reciprocal", "tanh",
                    "squire_trapp")

#: The tools compared on the same derivatives: numdiff and its two peers (the `peers` extra).
TOOLS = ("numdiff", "scipy", "numdifftools")

#: Point counts of the speed benchmarks: per-call overhead, mid-size, memory bound.
SIZES = (1, 1_000, 1_000_000)

#: Working precisions benchmarked.
DTYPES = ("float32", "float64")

#: numerical_diff's default step (DeZero's step 4: ``numerical_diff(f, x, eps=1e-4)``).
DEFAULT_EPS = 1e-4

#: Number of points around a function's default point in the accuracy benchmarks.
ACCURACY_POINTS = 16


def require(module, *names):
    """Import `module` and return the attributes `names` (or the module itself).

    Raises
    ------
    NotImplementedError
        If the module or one of the names is missing: asv then marks the benchmark
        as skipped instead of failed.
    ModuleNotFoundError
        If numdiff itself cannot be imported (not installed, or not on the path with
        ``--python=same``): every benchmark then fails, as a check should.
    """
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name == PROJECT:
            raise  # numdiff itself not installed: a broken setup must fail, not skip
        raise NotImplementedError(f"{module} is not available: {error}") from None
    except ImportError as error:
        raise NotImplementedError(f"{module} is not available: {error}") from None
    if not names:
        return found
    try:
        values = tuple(getattr(found, name) for name in names)
    except AttributeError as error:
        raise NotImplementedError(f"{module} lacks a name: {error}") from None
    return values[0] if len(names) == 1 else values


def step_grid(num=161):
    """The step grid: `num` steps spaced evenly in log10 from 1e-16 to 1 (10 per decade for 161).

    It spans the rounding-dominated side of every scheme's error V in float64, the
    optimum, and the truncation-dominated side.
    """
    return np.logspace(-16.0, 0.0, num)


@lru_cache(maxsize=None)
def uniform_points(n, dtype="float64", low=0.5, high=1.5):
    """`n` points drawn uniformly from ``[low, high)`` (inside every smooth function's domain).

    Read-only, so that a benchmark cannot change another one's input.
    """
    rng = np.random.default_rng(SEED)
    points = rng.uniform(low, high, n).astype(dtype)
    points.setflags(write=False)
    return points


@lru_cache(maxsize=None)
def points_near_default(name, dtype="float64"):
    """`ACCURACY_POINTS` points within 10% of the default point of catalogue function `name`."""
    function = require("numdiff.catalogue", "get_function")(name)
    rng = np.random.default_rng(SEED)
    x0 = function.default_x
    points = (x0 * rng.uniform(0.9, 1.1, ACCURACY_POINTS)).astype(dtype)
    if not np.all(function.contains(points)):
        raise ValueError(f"points near {x0} leave the domain of {name}")
    points.setflags(write=False)
    return points


@lru_cache(maxsize=None)
def exact_derivative(name, dtype="float64"):
    """First derivative of `name` at `points_near_default(name, dtype)`, as (high, low) float64 parts.

    ``high + low`` carries about 32 digits (from the catalogue's 50-digit mpmath
    reference), so `abs_error` measures the distance to the true derivative, not to
    its float64 rounding: an estimate that is exactly the rounded derivative still has
    a small positive error, and no accuracy benchmark ever returns 0.
    """
    function = require("numdiff.catalogue", "get_function")(name)
    high, low = [], []
    for x in points_near_default(name, dtype):
        reference = function.reference(float(x), 1)
        high.append(float(reference))
        low.append(float(reference - high[-1]))
    return np.array(high), np.array(low)


def abs_error(estimate, name, dtype="float64"):
    """``|estimate - f'(x)|`` at `points_near_default(name, dtype)`, in float64.

    `estimate` broadcasts against the points (e.g. one row per step).
    """
    high, low = exact_derivative(name, dtype)
    estimate = np.asarray(estimate, dtype=np.float64)
    # estimate - high is exact when the two agree to within a factor 2 (Sterbenz);
    # subtracting the low part then rounds only the (small) error itself.
    return np.abs((estimate - high) - low)
