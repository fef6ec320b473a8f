"""Refinement rounds of `numdiff.derivative`: smaller steps for the elements that need them.

Where the first tableau shows its steps were too large for ``f``
(`wants_smaller_steps`), `refine_steps` builds tableaus at steps smaller by
``r^m`` for those elements alone, reusing the rows the tableaus share and
keeping, per element, the round of smallest error estimate. The criteria and
the choice of ``m`` are in ``docs/method.md``.
"""

from dataclasses import dataclass

import numpy as np

from .evaluator import Evaluator
from ._noisy_elements import noise_like
from ._tableau import best_entries, difference_row, rounding_bound, within_tolerance


@dataclass(frozen=True)
class Problem:
    """What every refinement round needs to know besides the points."""

    plan: object
    f: object
    wrap: bool
    rtol: float
    atol: float
    noise_hints: bool = False  # each round's tableau is read for noise (`noise_like`)


@dataclass
class Kept:
    """Per element (flat): the best round so far, updated in place by `refine_steps`."""

    df: np.ndarray
    error: np.ndarray
    step: np.ndarray
    order: np.ndarray
    improving: np.ndarray  # the kept entry used the smallest step tried
    nfev: np.ndarray
    rounding: np.ndarray  # the rounding part of the kept round's top entry
    evidence: np.ndarray  # the kept round's base estimates converge (`converging`)
    doubt: np.ndarray  # some refinement round's base estimates did not converge
    unsettled: np.ndarray  # the kept round's top entry was not resolved (it was searched)
    looks_noisy: np.ndarray  # some round's last distances moved as noise moves them
    unsure: np.ndarray  # the first tableau's last distance: noise or truncation (spot-check it)


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


def refine_steps(problem, tableau, points, refine, rounds, kept):
    """Further tableaus at smaller steps for the elements in `refine`, in place on `kept`.

    Each round takes the elements still refining, compacts them, shifts
    their steps down by ``r^m`` (`row_shift`), reuses the ``K - m`` rows of the
    previous tableau that the new one shares, evaluates ``f`` only for the
    ``m`` new rows of the elements that need them, and keeps the new best
    entry where its error estimate is smaller. An element goes on to the
    next round only if this one improved it, or its kept estimate is still
    above the tolerance (or not finite), and `wants_smaller_steps` still
    holds for the new tableau. `tableau` is the first `numdiff._tableau.Tableau`.
    """
    plan = problem.plan
    levels, ratio, dtype = plan.levels, plan.ratio, plan.dtype
    points = points.reshape(-1)
    h0 = np.broadcast_to(tableau.h0, refine.shape).reshape(-1)
    noise = None if tableau.noise is None else tableau.noise.reshape(-1)
    index = np.flatnonzero(refine)
    h_previous = h0[index]
    previous = tableau.table.reshape(levels, -1)[:, index]
    best = tableau.best
    shift = row_shift(plan, best.error.reshape(-1)[index], best.top_rounding.reshape(-1)[index])
    tried = [(index, kept.df[index], kept.error[index])]
    for _ in range(rounds):
        h_new = h_previous / dtype.type(ratio) ** shift.astype(dtype)
        new_table, scale, calls = shifted_tableau(problem, points[index], h_new, previous, shift)
        kept.nfev[index] += calls
        rho = rounding_bound(plan, new_table, scale, h_new,
                             None if noise is None else noise[index])
        entries = best_entries(plan, new_table, rho)
        looks = noise_like(plan, new_table, entries, None) if problem.noise_hints else None
        tried.append((index, entries.estimate, entries.error))
        go_on = keep_better(problem, index, h_new, entries, kept, looks)
        if not go_on.any():
            break
        shift = row_shift(plan, entries.error[go_on], entries.top_rounding[go_on])
        index = index[go_on]
        h_previous = h_new[go_on]
        previous = new_table[:, go_on]
    cover_contradictions(tried, kept)


def cover_contradictions(tried, kept):
    """Widen the kept error, in place, to cover every round whose estimate contradicts the kept one.

    `tried` holds ``(index, estimate, error)`` of each round (the first
    tableau's kept entries included). Two rounds contradict each other
    where their intervals ``estimate +- error`` do not meet: one of the two
    error estimates is wrong, and nothing says which (at steps beyond the
    length scale of ``f`` two entries can agree by chance and claim a tiny
    error). The kept error then covers the other round's interval too,
    ``|df - estimate| + error``.
    """
    for index, estimate, error in tried:
        with np.errstate(invalid="ignore"):
            gap = np.abs(estimate - kept.df[index])
            apart = (gap > error + kept.error[index]) & ~kept.evidence[index]
        kept.error[index[apart]] = (gap + error)[apart]


def keep_better(problem, index, h_new, entries, kept, looks=None):
    """Keep the new entries of the elements `index` where better; which go on (a mask).

    An element whose kept estimate is not finite or not converged goes on
    whatever this round gave: the steps may still be beyond its length scale.
    `looks` (a mask over `index`, or None) marks the new tableaus whose last
    distances look like noise (`numdiff._noisy_elements.noise_like`).
    """
    plan = problem.plan
    levels = plan.levels
    row, column = entries.placed(levels)
    failing = ~within_tolerance(kept.df[index], kept.error[index], problem.rtol, problem.atol)
    better = entries.error < kept.error[index]
    # Tried a smaller step: the kept entry no longer uses the smallest one, unless replaced.
    kept.improving[index] = better & (row == levels - 1)
    chosen = index[better]
    kept.df[chosen] = entries.estimate[better]
    kept.error[chosen] = entries.error[better]
    kept.step[chosen] = plan.step_of_row(h_new[better], row[better])
    kept.order[chosen] = plan.order + column[better] * plan.order_step
    kept.rounding[chosen] = entries.top_rounding[better]
    kept.unsettled[chosen] = False if entries.searched is None else entries.searched[better]
    if looks is not None:
        kept.looks_noisy[index] |= looks
    if entries.evidence is not None:
        kept.evidence[chosen] = entries.evidence[better]
        kept.doubt[index] |= ~entries.evidence
    else:
        kept.evidence[chosen] = True
    converged = within_tolerance(entries.estimate, entries.error, problem.rtol, problem.atol)
    return (better | failing) & wants_smaller_steps(entries, row, converged, levels)


def row_shift(plan, error, top_rounding):
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
    levels = plan.levels
    order = plan.order + max(levels - 2, 0) * plan.order_step
    rows = np.ceil(np.log(error / top_rounding) /
                   ((order + plan.rounding_power) * np.log(plan.ratio)))
    rows = np.where(np.isfinite(rows), rows, levels - 1)
    return np.clip(rows, 1, levels - 1).astype(np.int64)


def shifted_tableau(problem, points, h0, previous, shift):
    """Tableau at steps ``h0 / r^k`` whose first ``K - m`` rows are the previous tableau's last.

    Row ``k`` of the new tableau is row ``k + m`` of the previous one where
    ``k + m < K``; the others are evaluated, ``f`` called on the compacted
    elements that need that row. Returns the tableau, ``max|f|`` at the
    smallest step (always new) and the calls per element.
    """
    plan = problem.plan
    spec, deriv, levels = plan.scheme, plan.deriv, plan.levels
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
    for k, h in enumerate(plan.steps(h0)):
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
