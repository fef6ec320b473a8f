"""The plan of `numdiff.derivative`: its tableau's constants per scheme, levels, ratio and dtype.

For one (scheme, derivative order, levels, ratio, dtype) combination,
`make_plan` fixes the order of the base estimates and of the tableau's
columns, the automatic initial step (the error theory applied to the
extrapolated stencil, ``docs/method.md``), the weights
of the top entry and of its distance to the entry below, the weight of the
rounding bound in the error estimate, and the leading rows of the central
tableau that may use the nominal step. Computed once per combination, in
exact fractions where it matters.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .richardson import ROUNDING_WEIGHT, entry_fractions, entry_weights
from .schemes import get_scheme
from .theory import CONDITION_WEIGHT, length_scale, machine_epsilon


@dataclass(frozen=True)
class Plan:
    """What `numdiff.derivative` does for one (scheme, deriv, levels, ratio, dtype) combination.

    The options as given (`scheme` the `numdiff.Scheme` object), and the
    constants of the tableau they imply.
    """

    scheme: object
    deriv: int
    levels: int
    ratio: float
    dtype: np.dtype
    order: int  # of the base estimates D(h), the tableau's first column
    order_step: int
    rounding_power: int
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

    @property
    def top_order(self):
        """Order of accuracy of the top entry ``T[K-1, K-1]``."""
        return self.order + (self.levels - 1) * self.order_step

    def steps(self, h0):
        """The steps ``h0 / r^k``, k < levels, each divided from the previous in the dtype."""
        steps = [h0]
        for _ in range(self.levels - 1):
            steps.append(steps[-1] / self.dtype.type(self.ratio))
        return steps

    def level_table(self, h0, estimate_at):
        """``estimate_at(h)`` at every step, stacked levels first, and the smallest step's scale.

        `estimate_at` returns an estimate and its value scale; only the
        smallest step's scale is kept (the rounding bound reads it there).
        """
        rows, scale = [], None
        for k, h in enumerate(self.steps(h0)):
            estimate, size = estimate_at(h)
            rows.append(estimate)
            if k == self.levels - 1:
                scale = size
        return np.stack(rows), scale

    def step_of_row(self, h0, row):
        """``h0 / r^row`` (`row` an int array), in the dtype."""
        return h0 / self.dtype.type(self.ratio) ** row.astype(self.dtype)

    def auto_step(self, points, extent):
        """``constant * L``, ``L = max(1, |x|)`` rounded down to a power of two (`extent` = max|x|)."""
        constant = points.dtype.type(self.auto_constant)
        if extent < 2:
            return constant  # L = 1 everywhere
        _, exponent = np.frexp(length_scale(points))
        return np.ldexp(constant, exponent - 1).astype(points.dtype)


@lru_cache(maxsize=64)
def make_plan(scheme, deriv, levels, ratio, dtype):
    """The `Plan` of a scheme (a name or a `numdiff.Scheme`) and the tableau's options."""
    spec = get_scheme(scheme)
    u = machine_epsilon(dtype)
    order, order_step = spec.accuracy(deriv), spec.order_step
    power = spec.rounding_power(deriv)
    auto_constant, scale_to_initial = spec.initial_step(deriv, levels, ratio, u)
    plain = spec.step_taken(deriv)
    nominal = count_nominal_rows(levels, float(ratio), spec.stencil(deriv)) if plain else 0
    return Plan(spec, deriv, levels, ratio, np.dtype(dtype), order, order_step, power,
                spec.weight_sum(deriv), auto_constant, scale_to_initial,
                *top_combinations(levels, ratio, order, order_step, power, dtype), plain,
                nominal)


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
    row): for ``K = 5``, ``r = 2`` the first three.
    Other entries weigh those rows more: where the tableau is searched, the
    rows get the step actually taken first (`numdiff._tableau.NominalRows.restore`).
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
