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

from ._tableau import read_tableau, within_tolerance
from .derivative_result import DerivativeStatus
from .theory import machine_epsilon, value_scale


@dataclass(frozen=True)
class HessianEntries:
    """The Hessian's entries (n, n), each with its error, status, step and order."""

    df: np.ndarray
    error: np.ndarray
    status: np.ndarray
    step: np.ndarray
    order: np.ndarray


def extrapolated_hessian(moves, plan, h0, *, rtol, atol, refinements):
    """The `HessianEntries` of the scalar function of `moves` at initial steps `h0` (n,).

    `refinements` is accepted for the signature of the first derivatives;
    the Hessian's tableau is not refined (its steps are the automatic ones).
    """
    n = h0.size
    rows, cols = np.triu_indices(n, 1)
    table, scale = [], None
    level = _complex_level if plan.scheme.is_complex else _level
    for k, h in enumerate(plan.steps(h0)):
        estimates, size = level(moves, h, rows, cols)
        table.append(estimates)
        if k == plan.levels - 1:
            scale = size
    table = np.stack(table)
    complex_values = table.dtype.kind == "c"
    if complex_values:
        table = np.stack([table.real, table.imag], axis=-1)
        scale = np.stack([scale, scale], axis=-1)
    # Rounding grows like 1 / (h_i h_j)^(q/2): the bound's step is their geometric mean.
    steps = np.concatenate([h0, np.sqrt(h0[rows] * h0[cols])])
    steps = steps.reshape(steps.shape + (1,) * (table.ndim - 2))
    best = read_tableau(plan, table, scale, steps, None, None).best
    top = np.full(table.shape[1:], plan.levels - 1)
    row = top if best.row is None else best.row
    column = top if best.column is None else best.column
    df, error = np.array(best.estimate), np.array(best.error)
    if not plan.scheme.is_complex:
        error += _shared_centre(plan, moves.centre(), n, steps)
    converged = within_tolerance(df, error, rtol, atol)
    status = np.where(converged, DerivativeStatus.CONVERGED,
                      np.where(row == plan.levels - 1, DerivativeStatus.NOT_CONVERGED,
                               DerivativeStatus.ERROR_GREW)).astype(np.int64)
    status[~(np.isfinite(df) & np.isfinite(error))] = DerivativeStatus.NON_FINITE
    order = plan.order + column * plan.order_step
    if complex_values:
        df = df[..., 0] + 1j * df[..., 1]
        error = np.hypot(error[..., 0], error[..., 1])
        status, order, row = status.max(axis=-1), order.min(axis=-1), row.max(axis=-1)
    error = np.fmax(error, machine_epsilon(plan.dtype) * np.abs(df)).astype(plan.dtype)
    shrink = plan.dtype.type(plan.ratio) ** -row.astype(plan.dtype)
    df, error, status, order = _symmetric(n, rows, cols, df, error, status, order)
    return HessianEntries(df, error, status, _steps(n, rows, cols, h0, shrink), order)


def _shared_centre(plan, centre, n, steps):
    """The rounding ``f(x)`` carries into every level at once: a bound per entry.

    ``f(x)`` enters each base estimate with the weight ``2 / h_i^2``
    (diagonal) or ``1 / (h_i h_j)`` (mixed), the same value at every level:
    its rounding error ``d`` is not independent between the rows, as the
    rounding bound of `numdiff._tableau` assumes (it counts half the worst
    case), but grows like ``r^(2k)`` in row ``k`` and adds up coherently,
    to ``|sum_k w_k r^(2k)| c d / h0^2`` in the top entry (weights
    ``w_k``). With ``|d| <= eps |f(x)|`` this is added to the error
    estimate in full.
    """
    weights = plan.combinations[0].astype(np.float64)
    growth = float(plan.ratio) ** (plan.rounding_power * np.arange(plan.levels))
    amplification = abs(float(weights @ growth))
    weight = np.concatenate([np.full(n, 2.0), np.ones(steps.shape[0] - n)])
    weight = weight.reshape((-1,) + (1,) * (steps.ndim - 1))
    size = machine_epsilon(plan.dtype) * np.abs(centre) * amplification
    return (weight * size / steps ** plan.rounding_power).astype(plan.dtype)


def _level(moves, h, rows, cols):
    """The base estimates of one level (diagonal, then pairs ``i < j``) and their value scale."""
    n = h.size
    lines = np.arange(n)
    centre = moves.centre()
    above, below = moves.values(lines, h), moves.values(lines, -h)
    pair = np.stack([rows, cols], axis=1)
    both_above = moves.points(pair, np.stack([h[rows], h[cols]], axis=1))
    both_below = moves.points(pair, np.stack([-h[rows], -h[cols]], axis=1))
    diagonal = ((above - centre) + (below - centre)) / (h * h)
    mixed = ((both_above - above[rows] - above[cols] + centre)
             + (both_below - below[rows] - below[cols] + centre)) / (2 * h[rows] * h[cols])
    size = np.maximum(np.maximum(np.abs(above), np.abs(below)), np.abs(centre))
    slope = np.abs(above - below) / (2 * h)
    diagonal_scale = value_scale(np.array(size, dtype=moves.dtype), np.abs(moves.x), slope)
    mixed_scale = np.maximum(np.maximum(diagonal_scale[rows], diagonal_scale[cols]),
                             np.maximum(np.abs(both_above), np.abs(both_below)))
    return np.concatenate([diagonal, mixed]), np.concatenate([diagonal_scale, mixed_scale])


def _complex_level(moves, h, rows, cols):
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
    lines = np.arange(h.size)
    up, down = h * (1 + 1j), h * (-1 + 1j)
    above, below = moves.values(lines, up), moves.values(lines, down)
    pair = np.stack([rows, cols], axis=1)
    both_above = moves.points(pair, np.stack([up[rows], up[cols]], axis=1))
    both_below = moves.points(pair, np.stack([down[rows], down[cols]], axis=1))
    if above.dtype.kind != "c":
        raise ValueError("complex_step needs f to return complex values for complex input "
                         f"(got dtype {above.dtype}); use complex-safe operations or a "
                         "real scheme")
    diagonal = (above.imag - below.imag) / (2 * h * h)
    along = (both_above.imag - both_below.imag) / 2  # d^T H d
    hi, hj = h[rows], h[cols]
    mixed = (along - hi * hi * diagonal[rows] - hj * hj * diagonal[cols]) / (2 * hi * hj)
    slope = np.abs(above.imag + below.imag) / (2 * h)
    pair_slope = np.abs(both_above.imag + both_below.imag) / (2 * np.sqrt(hi * hj))
    mixed_scale = pair_slope + (hi / hj) * slope[rows] + (hj / hi) * slope[cols]
    return (np.concatenate([diagonal, mixed]).astype(moves.dtype),
            np.concatenate([slope, mixed_scale]).astype(moves.dtype))


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


def _steps(n, rows, cols, h0, shrink):
    """``step[i, j]``: the smallest step along ``x_i`` of entry ``(i, j)``."""
    step = np.empty((n, n), dtype=h0.dtype)
    index = np.arange(n)
    step[index, index] = h0 * shrink[:n]
    step[rows, cols] = h0[rows] * shrink[n:]
    step[cols, rows] = h0[cols] * shrink[n:]
    return step
