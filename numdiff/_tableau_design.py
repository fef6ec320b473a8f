"""The design of `numdiff.derivative`'s tableau: its constants per scheme, levels, ratio and dtype.

For one (scheme, derivative order, levels, ratio, dtype) combination,
`tableau_design` fixes the order of the base estimates and of the tableau's
columns, the automatic initial step (the error theory applied to the
extrapolated stencil, `numdiff.derivative`'s module docstring), the weights
of the top entry and of its distance to the entry below, the weight of the
rounding bound in the error estimate, and the leading rows of the central
tableau that may use the nominal step. Computed once per combination, in
exact fractions where it matters.
"""

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from .richardson import ROUNDING_WEIGHT, entry_fractions, entry_weights
from .schemes import get_scheme
from .stencil import stencil
from .theory import machine_epsilon


#: Weight of ``|x| |f'|`` in the value scale ``F`` (`numdiff.derivative`'s
#: module docstring): the rounding of ``x`` to nearest moves it by at most half
#: a unit, ``u |x| / 2``.
CONDITION_WEIGHT = 0.5


@dataclass(frozen=True)
class TableauDesign:
    """Constants of one (scheme, deriv, levels, ratio, dtype) combination."""

    order: int  # of the base estimates D(h), the tableau's first column
    order_step: int
    weight_sum: float
    auto_constant: float
    scale_to_initial: float
    # The top entry's weights and those of its distance to T[K-1, K-2] over
    # the rows (a read-only (2, K) array), and the weight of the first row's
    # rounding bound in its error estimate (ROUNDING_WEIGHT times the
    # propagated factor).
    combinations: np.ndarray
    top_rounding_weight: float
    # The base stencil is the two-point central difference (1st derivative).
    plain_central: bool
    # Its leading rows whose top-entry weights are so small that the nominal
    # step 2h can stand for the step actually taken (`count_nominal_rows`).
    nominal_rows: int = 0


@lru_cache(maxsize=64)
def tableau_design(name, deriv, levels, ratio, dtype):
    spec = get_scheme(name)
    u = machine_epsilon(dtype)
    if spec.is_complex:
        # Im f(x+ih)/h = f' - f''' h^2/6 + ...: powers 2, 4, ...; no rounding
        # growth as h shrinks (rounding power 0).
        # h0 = sqrt(u) L puts the truncation ~ (h/L)^2/6 ~ u/6 below the
        # rounding floor u |f'| even before extrapolation.
        return TableauDesign(2, 2, 1.0, float(np.sqrt(u)), 1.0,
                             *top_combinations(levels, ratio, 2, 2, 0, dtype), False)
    base = spec.stencil(deriv)
    order_step = 2 if spec.layout == "central" else 1
    r = Fraction(ratio) if float(ratio).is_integer() else Fraction(ratio).limit_denominator(10**6)
    # The error estimate of the top entry is its distance to T[K-1, K-2], the
    # entry of offsets g_i / r^k, k = 1..K-1; h0 puts that entry at its own
    # optimum, h0 / r = h*(K-1 levels), so that its truncation error, and so
    # the estimate, is down at the rounding level.
    # With two levels, the whole tableau (one entry) stands in for that entry.
    below = sorted({g / r**k for g in base.offsets for k in range(1 if levels > 2 else 0,
                                                                  levels)})
    auto_constant = theory_constant(stencil(below, deriv), u)
    # Rounded to the nearest power of two: every step h0 / r^k is then a
    # power of two for r = 2, and x +- h exact for most x.
    auto_constant = float(2.0 ** np.round(np.log2(auto_constant)))
    # The bound |f^(m)| <= m! |f| / L^m holds within L of x; the first row's
    # stencil, which reaches max|g| h0, is kept within L / 2 of x, where the
    # Taylor terms of its values fall at least by half per order.
    auto_constant = min(auto_constant, max_initial_constant(base))
    scale_to_initial = auto_constant / theory_constant(base, u)
    plain = base.offsets == (-1, 1)
    return TableauDesign(base.accuracy, order_step, float(base.weight_sum),
                         auto_constant, scale_to_initial,
                         *top_combinations(levels, ratio, base.accuracy, order_step, deriv, dtype),
                         plain, count_nominal_rows(levels, float(ratio), base) if plain else 0)


#: Largest share of the top entry's rounding bound (of its part from rounding
#: ``x``, ``CONDITION_WEIGHT |x| |f'|``) that the nominal-step rows may add.
NOMINAL_SHARE = 1 / 32


def count_nominal_rows(levels, ratio, base):
    """Leading rows of the central difference computed with the nominal step ``2h``.

    ``(f(x+h) - f(x-h)) / ((x+h) - (x-h))`` divides by the step actually
    taken; dividing by ``2h`` instead changes ``D(h)`` by at most about
    ``|f'| u |x| / h`` (each shift rounds by up to ``u |x|``), which has the
    form of the condition part of the rounding bound. Row ``k`` enters the top
    entry with the weight ``w_k`` and a step ``r^(K-1-k)`` times the
    smallest, so rows ``k < m`` add at most ``sum |w_k| r^-(K-1-k)`` times
    ``u |x| |f'| / h_(K-1)``, while the top entry's estimate holds
    ``ROUNDING_WEIGHT * factor * CONDITION_WEIGHT * sum|c| * r^-(K-1)`` times
    it. The leading rows whose cumulative share stays below `NOMINAL_SHARE`
    skip the step's subtraction and division (two of the five passes of a
    row): for ``K = 5``, ``r = 2`` the first three, adding 2% of that part.
    Other entries weigh those rows more: where the tableau is searched, the
    rows get the step actually taken first (`NominalRows.restore`).
    """
    if levels < 3:
        return 0
    weights, factor = entry_weights(levels, ratio, base.accuracy, 2, base.deriv)[
        (levels - 1, levels - 1)]
    allowed = NOMINAL_SHARE * ROUNDING_WEIGHT * factor * CONDITION_WEIGHT * \
        float(base.weight_sum) * ratio ** -(levels - 1)
    shares = np.cumsum(np.abs(weights) * ratio ** -np.arange(levels - 1, -1, -1.0))
    return int(min(np.searchsorted(shares, allowed, side="right"), levels - 2))


def top_combinations(levels, ratio, order, order_step, rounding_power, dtype):
    """The top entry's and its distance's weights, and its rounding weight (`TableauDesign`).

    The weights go from exact fractions to longdouble, then to `dtype` (a
    float64 detour would cost longdouble its extra digits; numerators and
    denominators can exceed float16's range).
    """
    fractions = entry_fractions(levels, float(ratio), order, order_step)
    top = fractions[(levels - 1, levels - 1)]
    lower = fractions[(levels - 1, levels - 2)]
    wide = np.longdouble
    combinations = np.array([[wide(w.numerator) / wide(w.denominator) for w in weights]
                             for weights in (top, [t - w for t, w in zip(top, lower)])],
                            dtype=wide).astype(dtype)
    combinations.setflags(write=False)
    _, factor = entry_weights(levels, float(ratio), order, order_step, rounding_power)[
        (levels - 1, levels - 1)]
    return combinations, ROUNDING_WEIGHT * factor


def theory_constant(st, u):
    """Optimal step at length scale 1 for an analytic function: Cauchy's estimate.

    With ``|f^(m)| <= m! |f| / L^m`` (Cauchy's estimate for ``f`` analytic in
    a disc of radius ``L`` about ``x``), ``E'(h) = 0`` of the model gives
    ``h* = L (q u sum|c| / (p |K| (p+q)!))^(1/(p+q))``.
    """
    p, q = st.accuracy, st.deriv
    denominator = p * abs(float(st.error_coefficient)) * math.factorial(p + q)
    return float((q * u * float(st.weight_sum) / denominator) ** (1.0 / (p + q)))


#: Largest distance from ``x``, in units of ``L = max(1, |x|)``, at which the
#: automatic step's first stencil samples ``f``.
MAX_REACH = 0.5


def max_initial_constant(base):
    """Largest power of two ``c`` with ``c max|g_i| <= MAX_REACH``: the cap on the initial step.

    Examples
    --------
    >>> from numdiff import get_scheme
    >>> max_initial_constant(get_scheme("central").stencil(1))  # offsets -1, 1
    0.5
    >>> max_initial_constant(get_scheme("central8").stencil(1))  # offsets -4 .. 4
    0.125
    """
    reach = max(abs(g) for g in base.offsets)
    return float(2.0 ** math.floor(math.log2(MAX_REACH / reach)))


def auto_step(points, design, extent):
    """``constant * L``, ``L = max(1, |x|)`` rounded down to a power of two (`extent` = max|x|)."""
    constant = points.dtype.type(design.auto_constant)
    if extent < 2:
        return constant  # L = 1 everywhere
    _, exponent = np.frexp(np.maximum(np.abs(points), 1))
    return np.ldexp(constant, exponent - 1).astype(points.dtype)


def level_steps(h0, levels, ratio, dtype):
    """The steps ``h0 / r^k``, k < levels, each divided from the previous in the dtype."""
    steps = [h0]
    for _ in range(levels - 1):
        steps.append(steps[-1] / dtype.type(ratio))
    return steps
