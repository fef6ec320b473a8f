"""The grid of steps a sweep runs over: evenly spaced in log10, decimal exact.

The grid holds the steps ``10**(k / per_decade)`` for the integers ``k``
with ``eps_min <= 10**(k / per_decade) <= eps_max``. Each value is built by
parsing a decimal string ``"<mantissa>e<exponent>"`` with ``1 <= mantissa <
10``, never by ``10.0**k`` arithmetic, so that every power of ten in the grid
is bit for bit the float of its decimal literal: ``1e-4`` in the grid is the
``1e-4`` of DeZero's ``numerical_diff(f, x, eps=1e-4)`` and of published
tables (``10.0**-4`` is a different float, 1.0000000000000002e-04 on most
platforms, hence the strings).
"""

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["eps_grid", "DEFAULT_EPS_MIN", "DEFAULT_EPS_MAX", "DEFAULT_PER_DECADE"]

#: Smallest default step: below the float64 machine epsilon (2.2e-16), where
#: every real scheme has lost all digits to cancellation.
DEFAULT_EPS_MIN = 1e-16
#: Largest default step: the scale of ``x`` itself.
DEFAULT_EPS_MAX = 1.0
#: Default steps per decade (161 steps from 1e-16 to 1e0).
DEFAULT_PER_DECADE = 10

# Grid points within this fraction of a grid spacing of an end count as on it,
# so that eps_min=1e-16 includes 1e-16 despite log10 rounding.
_END_TOLERANCE = 1e-9


def eps_grid(eps_min=DEFAULT_EPS_MIN, eps_max=DEFAULT_EPS_MAX, *,
             per_decade=DEFAULT_PER_DECADE):
    """Steps evenly spaced in log10 between two ends, powers of ten exact.

    Parameters
    ----------
    eps_min, eps_max : float, optional
        Smallest and largest step, ``0 < eps_min < eps_max``. The grid holds
        the points ``10**(k / per_decade)`` that lie in ``[eps_min,
        eps_max]``; an end that is not such a point is not added.
    per_decade : int, optional
        Steps per decade, at least 1.

    Returns
    -------
    numpy.ndarray
        Increasing float64 steps; ``10**j`` equals the float of the decimal
        literal ``1e<j>`` exactly.

    Raises
    ------
    TypeError
        If an end is not a real number or `per_decade` is not an integer.
    ValueError
        If an end is not positive and finite, ``eps_min >= eps_max``,
        `per_decade` is below 1, or no grid point lies between the ends.

    Examples
    --------
    >>> grid = eps_grid()
    >>> len(grid), grid[0], grid[-1]
    (161, np.float64(1e-16), np.float64(1.0))
    >>> bool(grid[120] == 1e-4), bool(1e-4 in grid)
    (True, True)
    >>> eps_grid(1e-3, 1e-1, per_decade=2)
    array([0.001     , 0.00316228, 0.01      , 0.03162278, 0.1       ])
    """
    eps_min = _positive(eps_min, "eps_min")
    eps_max = _positive(eps_max, "eps_max")
    if isinstance(per_decade, bool) or not isinstance(per_decade, Integral):
        raise TypeError(f"per_decade must be an integer, got {per_decade!r}")
    if per_decade < 1:
        raise ValueError(f"per_decade must be at least 1, got {per_decade}")
    if not eps_min < eps_max:
        raise ValueError(f"eps_min must be smaller than eps_max, got eps_min={eps_min:g} "
                         f">= eps_max={eps_max:g}")
    first = math.ceil(per_decade * math.log10(eps_min) - _END_TOLERANCE)
    last = math.floor(per_decade * math.log10(eps_max) + _END_TOLERANCE)
    if first > last:
        raise ValueError(f"no step of a {per_decade}-per-decade grid lies between "
                         f"eps_min={eps_min:g} and eps_max={eps_max:g}")
    return np.array([_decimal_step(k, per_decade) for k in range(first, last + 1)])


def _decimal_step(k, per_decade):
    """``10**(k / per_decade)`` parsed from ``"<mantissa>e<exponent>"``."""
    exponent, position = divmod(k, per_decade)
    if position == 0:
        return float(f"1e{exponent}")
    # 1 < mantissa < 10; repr gives the shortest string that round-trips.
    mantissa = 10.0 ** (position / per_decade)
    return float(f"{mantissa!r}e{exponent}")


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value:g}")
    return value
