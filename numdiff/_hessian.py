"""The automatic Hessian: shared second differences, one Richardson tableau per entry.

At each level ``k`` of the tableau every coordinate ``i`` has the step
``h_i = h0_i / r^k``. The diagonal entry is the central second difference
``(f(x + h_i e_i) - 2 f(x) + f(x - h_i e_i)) / h_i^2``; the mixed entry
``i < j`` is the seven-point formula of Abramowitz & Stegun (25.3.27),

    (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i) - f(x + h_j e_j) + 2 f(x)
     - f(x - h_i e_i) - f(x - h_j e_j) + f(x - h_i e_i - h_j e_j)) / (2 h_i h_j),

which reuses the diagonal's values and needs two new points per pair: the
cheapest symmetric choice (the four-point product of central differences
needs four). Both formulas are even in the steps (replacing ``h`` by ``-h``
leaves them unchanged), so with every step scaled by ``s = r^-k`` their
errors expand in ``s^2, s^4, ...``: the central scheme's second-derivative
tableau (order 2, order step 2, rounding power 2) extrapolates them, and its
rounding bound holds for both, whose weights sum to 4 over ``h_i h_j``.
"""

from dataclasses import dataclass

import numpy as np

from ._lines import as_real_pairs, check_real_on_the_axis, read_lines, settle
from ._refinement import row_shift, wants_smaller_steps
from ._tableau import within_tolerance
from .evaluator import require_complex
from .theory import arguments_scale, machine_epsilon, value_scale


@dataclass(frozen=True)
class HessianEntries:
    """The Hessian's entries (n, n), each with its error, status, step and order."""

    df: np.ndarray
    error: np.ndarray
    status: np.ndarray
    step: np.ndarray
    order: np.ndarray


@dataclass(frozen=True)
class _Entries:
    """A subset of the entries: diagonal ones `diag`, then pairs (`rows`, `cols`), as flat arrays.

    `estimate`, `error` and `column` are those of the best tableau entry;
    `row` its row (its smallest step is ``h0 / r^row``); `wanted` where
    smaller steps should help (`numdiff._refinement.wants_smaller_steps`)
    and `shift` by how many rows (`numdiff._refinement.row_shift`).
    """

    estimate: np.ndarray
    error: np.ndarray
    row: np.ndarray
    column: np.ndarray
    wanted: np.ndarray
    shift: np.ndarray
    least_scale: object = None


def extrapolated_hessian(moves, plan, h0, *, rtol, atol, refinements):
    """The `HessianEntries` of the scalar function of `moves` at initial steps `h0` (n,).

    Entries whose tableau shows that its steps were too large for ``f`` (as
    in `numdiff.derivative`, ``docs/method.md``) get up to `refinements`
    further tableaus: the steps of their coordinates shrink by ``r^m``, and
    every entry on those coordinates is evaluated again, keeping the
    tableau of smaller error estimate. (The complex step is not refined: its
    automatic step is already at the floor.)
    """
    n = h0.size
    if plan.scheme.needs_analytic:
        check_real_on_the_axis(moves)
    diag, (rows, cols) = np.arange(n), np.triu_indices(n, 1)
    found = _tableau(moves, plan, h0, diag, rows, cols, rtol, atol)
    # The initial steps along each entry's two coordinates.
    first, second = np.concatenate([h0, h0[rows]]), np.concatenate([h0, h0[cols]])
    kept = dict(df=found.estimate, error=found.error, row=found.row, column=found.column,
                improving=found.row == plan.levels - 1, first=first, second=second)
    if refinements and plan.scheme.subtracts:
        _refine(moves, plan, h0, found, kept, refinements, rtol, atol)
    return _pack(plan, n, rows, cols, kept, rtol, atol)


def _tableau(moves, plan, h0, diag, rows, cols, rtol, atol, least_scale=None):
    """The best tableau entries (`_Entries`) of the diagonal entries `diag` and the pairs.

    `least_scale` is the value scale of ``f`` with all its arguments rounded
    (`_level`), or None where every coordinate is evaluated: it is measured
    then, and returned in the `_Entries`.
    """
    measured = []

    def level(h):
        if plan.scheme.needs_analytic:
            return _complex_level(moves, h, diag, rows, cols)
        estimates, scale, found = _level(moves, h, diag, rows, cols, least_scale)
        measured.append(found)
        return estimates, scale

    table, scale = plan.level_table(h0, level)
    if table.dtype.kind == "c":
        table, scale = as_real_pairs(table, scale)
    # Rounding grows like 1 / (h_i h_j)^(q/2): the bound's step is their geometric mean.
    steps = np.concatenate([h0[diag], np.sqrt(h0[rows] * h0[cols])])
    steps = steps.reshape(steps.shape + (1,) * (table.ndim - 2))
    best = read_lines(plan, table, scale, steps)
    row, column = best.placed(plan.levels)
    estimate, error = np.array(best.estimate), np.array(best.error)
    wanted = wants_smaller_steps(best, row, within_tolerance(estimate, error, rtol, atol),
                                 plan.levels)
    shift = np.where(wanted, row_shift(plan, best.error, best.top_rounding), 0)
    if plan.scheme.subtracts:  # f(x) enters every level of a real stencil
        error += _shared_centre(plan, moves.centre(), diag.size, steps)
    return _Entries(estimate, error, row, column, wanted, shift,
                    measured[-1] if measured else None)


def _refine(moves, plan, h0, found, kept, rounds, rtol, atol):
    """Smaller steps for the coordinates of the entries that want them, in place on `kept`."""
    n = h0.size
    rows, cols = np.triu_indices(n, 1)
    first, second = np.concatenate([np.arange(n), rows]), np.concatenate([np.arange(n), cols])
    h = np.array(h0)
    wanted, shift = _per_entry(found.wanted), _per_entry(found.shift)
    for _ in range(rounds):
        m = np.zeros(n, dtype=np.int64)
        np.maximum.at(m, first[wanted], shift[wanted])
        np.maximum.at(m, second[wanted], shift[wanted])
        coordinates = m > 0
        if not coordinates.any():
            return
        h[coordinates] /= plan.dtype.type(plan.ratio) ** m[coordinates].astype(plan.dtype)
        redo = coordinates[first] | coordinates[second]
        diag = np.flatnonzero(redo[:n])
        pairs = np.flatnonzero(redo[n:])
        new = _tableau(moves, plan, h, diag, rows[pairs], cols[pairs], rtol, atol,
                       found.least_scale)
        index = np.concatenate([diag, n + pairs])
        better = _entry_error(new.error) < _entry_error(kept["error"][index])
        parts = better.reshape(better.shape + (1,) * (new.error.ndim - 1))
        for name, value in (("df", new.estimate), ("error", new.error), ("row", new.row),
                            ("column", new.column)):
            kept[name][index] = np.where(parts, value, kept[name][index])
        for name, coordinate in (("first", first), ("second", second)):
            kept[name][index] = np.where(better, h[coordinate[index]], kept[name][index])
        kept["improving"][index] = np.where(parts, new.row == plan.levels - 1, False)
        wanted = np.zeros(first.size, dtype=bool)
        shift = np.zeros(first.size, dtype=np.int64)
        wanted[index] = _per_entry(new.wanted) & better
        shift[index] = _per_entry(new.shift)


def _entry_error(error):
    """The error of each entry: ``hypot`` of a complex entry's two parts (a last axis of 2)."""
    return error if error.ndim == 1 else np.hypot(error[..., 0], error[..., 1])


def _per_entry(values):
    """One value per entry: the parts of a complex entry (a last axis of 2) combined."""
    if values.ndim == 1:
        return values
    return values.any(axis=-1) if values.dtype == bool else values.max(axis=-1)


def _pack(plan, n, rows, cols, kept, rtol, atol):
    """The `HessianEntries`: statuses, the error floor, complex parts joined, symmetric."""
    complex_values = kept["df"].ndim > 1  # real and imaginary parts along a last axis
    df, error, status = settle(kept, rtol, atol, complex_values, plan.dtype)
    row, order = kept["row"], plan.order + kept["column"] * plan.order_step
    if complex_values:
        order, row = order.min(axis=-1), row.max(axis=-1)
    shrink = plan.dtype.type(plan.ratio) ** -row.astype(plan.dtype)
    df, error, status, order = _symmetric(n, rows, cols, df, error, status, order)
    step = _steps(n, rows, cols, kept["first"] * shrink, kept["second"] * shrink)
    return HessianEntries(df, error, status, step, order)


def _shared_centre(plan, centre, n, steps):
    """The rounding ``f(x)`` carries into every level at once: a bound per entry.

    ``f(x)`` enters each base estimate with the weight ``2 / h_i^2``
    (diagonal) or ``1 / (h_i h_j)`` (mixed), the same value at every level:
    its rounding error ``d`` is not independent between the rows, as the
    rounding bound of `numdiff._tableau` assumes (it counts half the worst
    case), but grows like ``r^(2k)`` in row ``k`` and adds up coherently,
    to ``|sum_k w_k r^(2k)| c d / h0^2`` in the top entry (weights
    ``w_k``). With ``|d| <= eps |f(x)|`` this is added to the error
    estimate in full. `n` is the number of diagonal entries.
    """
    weights = plan.combinations[0].astype(np.float64)
    growth = float(plan.ratio) ** (plan.rounding_power * np.arange(plan.levels))
    amplification = abs(float(weights @ growth))
    weight = np.concatenate([np.full(n, 2.0), np.ones(steps.shape[0] - n)])
    weight = weight.reshape((-1,) + (1,) * (steps.ndim - 1))
    size = machine_epsilon(plan.dtype) * np.abs(centre) * amplification
    return (weight * size / steps ** plan.rounding_power).astype(plan.dtype)


def _level(moves, h, diag, rows, cols, least_scale=None):
    """The base estimates of one level (entries `diag`, then pairs), their scale, the least.

    Every value of ``f`` is taken to err by at least ``u S``, ``S = w sum_j
    |x_j| |df/dx_j|`` (`numdiff.theory.arguments_scale`: all arguments
    rounded) from the central differences ``(f(x + h_j e_j) - f(x - h_j
    e_j)) / (2 h_j)`` of this level, or `least_scale` where given (a level
    that evaluates only some coordinates).
    """
    n = h.size
    need = np.union1d(diag, np.concatenate([rows, cols]))
    at = np.zeros(n, dtype=np.intp)
    at[need] = np.arange(need.size)
    centre = moves.centre()
    above, below = moves.values(need, h[need]), moves.values(need, -h[need])
    pair = np.stack([rows, cols], axis=1)
    both_above = moves.points(pair, np.stack([h[rows], h[cols]], axis=1))
    both_below = moves.points(pair, np.stack([-h[rows], -h[cols]], axis=1))
    hd = h[diag]
    diagonal = ((above[at[diag]] - centre) + (below[at[diag]] - centre)) / (hd * hd)
    r, c = at[rows], at[cols]
    mixed = ((both_above - above[r] - above[c] + centre)
             + (both_below - below[r] - below[c] + centre)) / (2 * h[rows] * h[cols])
    size = np.maximum(np.maximum(np.abs(above), np.abs(below)), np.abs(centre))
    slope = np.abs(above - below) / (2 * h[need])
    scale = value_scale(np.array(size, dtype=moves.dtype), np.abs(moves.x[need]), slope)
    if least_scale is None:
        least_scale = arguments_scale(moves.x[need], slope)
    np.maximum(scale, least_scale, out=scale)
    mixed_scale = np.maximum(np.maximum(scale[r], scale[c]),
                             np.maximum(np.abs(both_above), np.abs(both_below)))
    return (np.concatenate([diagonal, mixed]), np.concatenate([scale[at[diag]], mixed_scale]),
            least_scale)


def _complex_level(moves, h, diag, rows, cols):
    """One level of the complex-step Hessian (`numdiff.ComplexStep`'s second derivative).

    Along ``e_i`` the second derivative is
    ``Im(f(x + (1 + i) h_i e_i) - f(x + (-1 + i) h_i e_i)) / (2 h_i^2)``;
    along ``d = h_i e_i + h_j e_j`` the same formula with unit step gives
    ``d^T H d = h_i^2 H_ii + 2 h_i h_j H_ij + h_j^2 H_jj``, from which the
    mixed entry is solved. Both expand in ``s^4, s^8, ...`` with the steps
    scaled by ``s``. The value scale is ``|Im(f_+ + f_-)| / (2h)``, about
    ``|f'|`` along the line, which sets the rounding ``u |f'| / h``; a mixed
    entry carries the rounding of its two diagonal entries as well.
    """
    need = np.union1d(diag, np.concatenate([rows, cols]))
    at = np.zeros(h.size, dtype=np.intp)
    at[need] = np.arange(need.size)
    up, down = h * (1 + 1j), h * (-1 + 1j)
    above, below = require_complex(moves.values(need, up[need])), moves.values(need, down[need])
    pair = np.stack([rows, cols], axis=1)
    both_above = moves.points(pair, np.stack([up[rows], up[cols]], axis=1))
    both_below = moves.points(pair, np.stack([down[rows], down[cols]], axis=1))
    second = (above.imag - below.imag) / (2 * h[need] * h[need])
    along = (both_above.imag - both_below.imag) / 2  # d^T H d
    hi, hj = h[rows], h[cols]
    r, c = at[rows], at[cols]
    mixed = (along - hi * hi * second[r] - hj * hj * second[c]) / (2 * hi * hj)
    slope = np.abs(above.imag + below.imag) / (2 * h[need])
    pair_slope = np.abs(both_above.imag + both_below.imag) / (2 * np.sqrt(hi * hj))
    mixed_scale = pair_slope + (hi / hj) * slope[r] + (hj / hi) * slope[c]
    return (np.concatenate([second[at[diag]], mixed]).astype(moves.dtype),
            np.concatenate([slope[at[diag]], mixed_scale]).astype(moves.dtype))


def _symmetric(n, rows, cols, *entries):
    """Each array of entries (diagonal, then pairs) as a symmetric (n, n) matrix."""
    matrices = []
    for values in entries:
        matrix = np.empty((n, n), dtype=values.dtype)
        index = np.arange(n)
        matrix[index, index] = values[:n]
        matrix[rows, cols] = values[n:]
        matrix[cols, rows] = values[n:]
        matrices.append(matrix)
    return matrices


def _steps(n, rows, cols, first, second):
    """``step[i, j]``: the smallest step along ``x_i`` of entry ``(i, j)``.

    `first` and `second` are the steps along each entry's first and second
    coordinates (diagonal entries, then pairs ``i < j``).
    """
    step = np.empty((n, n), dtype=first.dtype)
    index = np.arange(n)
    step[index, index] = first[:n]
    step[rows, cols] = first[n:]
    step[cols, rows] = second[n:]
    return step
