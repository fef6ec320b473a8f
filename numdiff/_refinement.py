"""Refinement rounds of `numdiff.derivative`: smaller steps for the elements that need them.

Where the first tableau shows its steps were too large for ``f``
(`wants_smaller_steps`), `refine_steps` builds tableaus at steps smaller by
``r^m`` for those elements alone, reusing the rows the tableaus share and
keeping, per element, the round of smallest error estimate. The criteria and
the choice of ``m`` are in `numdiff.derivative`'s module docstring.
"""

from dataclasses import dataclass

import numpy as np

from .evaluator import Evaluator
from ._tableau import best_entries, difference_row, rounding_bound, within_tolerance
from ._tableau_design import level_steps


@dataclass(frozen=True)
class Problem:
    """What every refinement round needs to know besides the points."""

    f: object
    wrap: bool
    spec: object
    deriv: int
    levels: int
    ratio: float
    design: object
    rtol: float
    atol: float


@dataclass
class Kept:
    """Per element (flat): the best round so far, updated in place by `refine_steps`."""

    df: np.ndarray
    error: np.ndarray
    step: np.ndarray
    order: np.ndarray
    improving: np.ndarray  # the kept entry used the smallest step tried
    nfev: np.ndarray


def wants_smaller_steps(entries, row, converged, levels):
    """Elements a tableau at smaller steps should help: a mask.

    Two signs that the steps are too large, both only where the error
    estimate is more than its rounding part explains (otherwise smaller steps
    only add rounding): the top entry's truncation is predicted above its
    rounding part while the best entry used the smallest step (the
    estimates were still improving), or the estimate is above the tolerance
    (the tableau did not converge at all: steps beyond the length scale of
    ``f``, or values not finite at the larger steps).
    """
    unexplained = ~(entries.error <= 2 * entries.top_rounding)
    wanted = ~converged
    if entries.unresolved is not None:
        wanted |= entries.unresolved & (row == levels - 1)
    wanted &= unexplained
    return wanted


def refine_steps(problem, points, h0, noise, table, best, refine, rounds, kept):
    """Further tableaus at smaller steps for the elements in `refine`, in place on `kept`.

    Each round takes the elements still refining, compacts them, shifts
    their steps down by ``r^m`` (`row_shift`), reuses the ``K - m`` rows of the
    previous tableau that the new one shares, evaluates ``f`` only for the
    ``m`` new rows of the elements that need them, and keeps the new best
    entry where its error estimate is smaller. An element goes on to the
    next round only if this one improved it, or its kept estimate is still
    above the tolerance (or not finite), and `wants_smaller_steps` still
    holds for the new tableau.
    """
    levels, ratio, design = problem.levels, problem.ratio, problem.design
    dtype = points.dtype
    rounding_power = problem.spec.rounding_power(problem.deriv)
    index = np.flatnonzero(refine)
    h_previous = h0[index]
    previous = table[:, index]
    shift = row_shift(best.error.reshape(-1)[index], best.top_rounding.reshape(-1)[index],
                      design, rounding_power, levels, ratio)
    for _ in range(rounds):
        h_new = h_previous / dtype.type(ratio) ** shift.astype(dtype)
        at = points[index]
        new_table, scale, calls = shifted_tableau(problem, at, h_new, previous, shift)
        kept.nfev[index] += calls
        rho = rounding_bound(new_table, scale, h_new, problem.spec, problem.deriv, design,
                             None if noise is None else noise[index])
        entries = best_entries(new_table, design, ratio, rho, rounding_power)
        row = np.full(index.size, levels - 1) if entries.row is None else entries.row
        column = np.full(index.size, levels - 1) if entries.column is None else entries.column
        # An element whose kept estimate is not finite or not converged goes on
        # whatever this round gave: the steps may still be beyond its length scale.
        failing = ~within_tolerance(kept.df[index], kept.error[index], problem.rtol, problem.atol)
        better = entries.error < kept.error[index]
        # Tried a smaller step: the kept entry no longer uses the smallest one, unless replaced.
        kept.improving[index] = better & (row == levels - 1)
        chosen = index[better]
        kept.df[chosen] = entries.estimate[better]
        kept.error[chosen] = entries.error[better]
        kept.step[chosen] = h_new[better] / dtype.type(ratio) ** row[better].astype(dtype)
        kept.order[chosen] = design.order + column[better] * design.order_step
        converged = within_tolerance(entries.estimate, entries.error, problem.rtol, problem.atol)
        go_on = (better | failing) & wants_smaller_steps(entries, row, converged, levels)
        if not go_on.any():
            return
        shift = row_shift(entries.error[go_on], entries.top_rounding[go_on], design,
                          rounding_power, levels, ratio)
        index = index[go_on]
        h_previous = h_new[go_on]
        previous = new_table[:, go_on]


def row_shift(error, top_rounding, design, rounding_power, levels, ratio):
    """Rows ``m`` (1 to K-1) to shift the steps down by, from the measured truncation.

    The distance that estimates the error falls like ``h^P`` with ``P`` the
    order of ``T[K-1, K-2]``, while the rounding part of the top entry grows
    like ``h^-q``; the two meet after a step factor
    ``(rounding / error)^(1/(P+q))``, rounded up to whole rows of ratio
    ``r``. Far from the asymptotic regime the effective order is lower, so
    the shift falls short and the next round continues; it never overshoots
    the model. Where the error is not finite, all ``K - 1`` rows: the new
    tableau starts at the old smallest step.
    """
    order = design.order + max(levels - 2, 0) * design.order_step
    rows = np.ceil(np.log(error / top_rounding) / ((order + rounding_power) * np.log(ratio)))
    rows = np.where(np.isfinite(rows), rows, levels - 1)
    return np.clip(rows, 1, levels - 1).astype(np.int64)


def shifted_tableau(problem, points, h0, previous, shift):
    """Tableau at steps ``h0 / r^k`` whose first ``K - m`` rows are the previous tableau's last.

    Row ``k`` of the new tableau is row ``k + m`` of the previous one where
    ``k + m < K``; the others are evaluated, ``f`` called on the compacted
    elements that need that row. Returns the tableau, ``max|f|`` at the
    smallest step (always new) and the calls per element.
    """
    spec, deriv, levels, ratio = problem.spec, problem.deriv, problem.levels, problem.ratio
    dtype = points.dtype
    n = points.size
    table = np.empty((levels, n), dtype=dtype)
    calls = np.zeros(n, dtype=np.int64)
    scale = None
    centre = None
    if spec.uses_centre(deriv):
        # f(x) is shared by every row: one call for all the elements.
        sample = Evaluator(problem.f, dtype=dtype, wrap=problem.wrap)
        centre = sample(points)
        calls += sample.calls
    columns = np.arange(n)
    for k, h in enumerate(level_steps(h0, levels, ratio, dtype)):
        source = k + shift
        reuse = source < levels
        table[k, reuse] = previous[source[reuse], columns[reuse]]
        need = ~reuse
        if not need.any():
            continue
        sample = Evaluator(problem.f, dtype=dtype, wrap=problem.wrap)
        estimate, size = difference_row(spec, sample, points[need], h[need], deriv,
                                        None if centre is None else centre[need])
        table[k, need] = estimate
        calls[need] += sample.calls
        if k == levels - 1:
            scale = size
    return table, scale, calls
