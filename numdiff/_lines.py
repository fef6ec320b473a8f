"""First derivatives along lines through ``x``, extrapolated as `numdiff.derivative` does.

A partial derivative ``df/dx_i`` is the derivative of ``t -> f(x + t e_i)`` at
``t = 0``, a directional derivative that of ``t -> f(x + t v)``: one-variable
derivatives along lines. `along_lines` evaluates the scheme of a
`numdiff._plan.Plan` at the steps ``h0_d / r^k`` along every line ``d``,
reads each entry's Richardson tableau with `numdiff._tableau.read_tableau`
(the top entry where truncation is resolved, a Ridders search elsewhere; the
error estimate is the distance to the entry below plus the rounding bound),
refines the lines whose tableaus show their steps were too large, and returns
a `Lines` of estimates, errors, steps, orders and statuses.
"""

from dataclasses import dataclass

import numpy as np

from ._refinement import row_shift, wants_smaller_steps
from ._settled_columns import settled_columns
from ._tableau import read_tableau, within_tolerance
from .derivative_result import DerivativeStatus
from .evaluator import require_complex, stencil_estimate
from .theory import arguments_scale, machine_epsilon, value_scale


@dataclass(frozen=True)
class Lines:
    """Per line (axis 0) and value of ``f`` (trailing axes): the best estimate and its error."""

    df: np.ndarray
    error: np.ndarray
    step: np.ndarray
    order: np.ndarray
    status: np.ndarray


def along_lines(moves, plan, h0, *, rtol, atol, refinements, coordinates=False):
    """The derivatives along the lines of `moves` with their error estimates (`Lines`).

    `moves` gives ``f`` at ``x`` moved along line ``d`` by ``delta``
    (``moves.values(index, deltas)``, shape ``(m,) + s``), ``f(x)``
    (``moves.centre()``) and the position of ``x`` on each line
    (``moves.origin``, for the step actually taken). `h0` are the initial
    steps per line. Complex values of ``f`` are extrapolated as two real
    tableaus (real and imaginary parts), whose errors are combined by
    ``hypot``. With `coordinates`, the lines are the coordinate axes
    through ``x``: their derivatives make up the gradient, and every value
    of ``f`` carries the rounding of all its arguments (`least_value_scale`).
    """
    if plan.scheme.needs_analytic:
        check_real_on_the_axis(moves)
    read = _read(moves, plan, np.arange(h0.size), h0, coordinates)
    best, steps, row, column = read.entries, read.steps, read.row, read.column
    levels = plan.levels
    kept = dict(df=np.array(best.estimate), error=np.array(best.error),
                step=np.array(plan.step_of_row(steps, row)),
                order=np.array(plan.order + column * plan.order_step),
                improving=np.array(row == levels - 1))
    converged = within_tolerance(kept["df"], kept["error"], rtol, atol)
    if refinements and plan.rounding_power:
        wanted = wants_smaller_steps(best, row, converged, levels)
        _refine(moves, plan, h0, best, wanted, refinements, rtol, atol, kept, read)
    return _finish(kept, rtol, atol, read.complex_values, plan.dtype)


@dataclass(frozen=True)
class _Read:
    """One reading of the lines' tableaus (`_read`)."""

    entries: object  # numdiff._tableau.Entries
    steps: np.ndarray
    row: np.ndarray
    column: np.ndarray
    complex_values: bool
    least_scale: object  # `least_value_scale` of the first tableau, or None


def _read(moves, plan, lines, h0, coordinates, least_scale=None):
    """The tableaus of `lines` at initial steps `h0`, read (`read_lines`), as a `_Read`.

    Complex values become real pairs; with `coordinates` every value scale
    is at least `least_scale`, measured on this tableau where not given.
    """
    table, scale = level_table(moves, plan, lines, h0)
    complex_values = table.dtype.kind == "c"
    if complex_values:
        table, scale = as_real_pairs(table, scale)
    if coordinates and least_scale is None:
        least_scale = least_value_scale(moves, plan, table)
    if least_scale is not None:
        np.maximum(scale, least_scale, out=scale)
    steps = _per_element(h0, table.shape[1:])
    entries = read_lines(plan, table, scale, steps)
    row, column = entries.placed(plan.levels)
    return _Read(entries, steps, row, column, complex_values, least_scale)


def least_value_scale(moves, plan, table):
    """The least value scale: that of ``f`` with all its arguments rounded; or None.

    `numdiff.theory.arguments_scale` of the base estimates at the smallest
    steps (the last row of `table`, lines along axis 0), which stand for the
    gradient; one per value of ``f``. It replaces each line's own argument
    term ``w |x_i| |f'_i|`` where larger: where ``f`` is a sum whose terms cancel, its values err by
    far more than ``eps |f|`` and the term of one coordinate. None for a scheme
    that does not subtract values of ``f`` (the complex step: its rounding
    is that of ``f'``).
    """
    if not plan.scheme.subtracts:
        return None
    return arguments_scale(_per_element(moves.origin, table.shape[1:]), table[-1])


def read_lines(plan, table, scale, steps):
    """The best entries of the lines' tableaus: `read_tableau`'s, or a settled lower column's.

    Where a lower column of the tableau agrees within rounding (a partial
    derivative that is a polynomial of low degree along its line), its
    entry of largest steps carries less rounding than the top entry
    (`numdiff._settled_columns`).
    """
    return settled_columns(plan, table, read_tableau(plan, table, scale, steps, None, None).best)


def check_real_on_the_axis(moves):
    """Raise unless ``f(x)`` is real: the complex step reads ``Im f`` as the derivative's.

    One evaluation of ``f``, at ``x + 0i`` (a complex argument, as the
    complex step passes), so that a complex-valued ``f``, or an ``x`` outside
    the real domain of ``f`` (``log(-1 + 0i) = i pi``), is refused rather
    than differentiated wrongly (use a real scheme for it).
    """
    centre = moves.values(np.zeros(1, np.intp), np.zeros(1, moves.complex_dtype))
    if centre.dtype.kind == "c" and np.any(centre.imag != 0):
        raise ValueError("complex_step needs f real for real x (it reads Im f(x + ih) as "
                         "h f'(x)); f(x) has an imaginary part: x is outside the real "
                         "domain of f, or f is complex-valued; use a real scheme, which "
                         "differentiates complex values")


def level_table(moves, plan, lines, h0):
    """Base estimates ``D(h0_d / r^k)`` of `lines`, shape ``(K, len(lines)) + s``, and ``F``.

    ``F`` is the value scale at the smallest step (`numdiff.theory.value_scale`).
    """
    return plan.level_table(h0, lambda h: _estimate(moves, plan.scheme, lines, h))


def _estimate(moves, spec, lines, h):
    """One first-derivative estimate per line at steps `h`, and its value scale."""
    if spec.needs_analytic:
        values = require_complex(moves.values(lines, h.astype(moves.complex_dtype) * 1j))
        estimate = (values.imag / _per_element(h, values.shape)).astype(moves.dtype)
        return estimate, np.abs(estimate)
    st = spec.stencil(1)
    found = {}
    for g in st.offsets:
        found[float(g)] = (np.broadcast_to(moves.centre(), (lines.size,) + moves.out_shape)
                           if g == 0 else moves.values(lines, scaled(g, h)))
    sample = next(iter(found.values()))
    steps = _per_element(h, sample.shape)
    origin = _per_element(moves.origin[lines], sample.shape)
    if st.offsets == (-1, 1) and moves.steps_taken:
        taken = (origin + steps) - (origin - steps)
        estimate = (found[1.0] - found[-1.0]) / taken
        shifted = None
    else:
        estimate = stencil_estimate(found, None, steps, st, summation="pairs").estimate
        shifted = steps
    size = np.max([np.abs(v) for v in found.values()], axis=0)
    return estimate, value_scale(np.array(size, dtype=moves.dtype), np.abs(origin),
                                 np.abs(estimate), shifted_by=shifted)


def scaled(g, h):
    """``g h`` for an offset `g` of a stencil (``h`` and ``-h`` without a product)."""
    return h if g == 1 else -h if g == -1 else h.dtype.type(g) * h


def _per_element(h, shape):
    """Steps per line, shaped to broadcast against elements of shape ``(lines,) + s``."""
    return np.asarray(h).reshape((-1,) + (1,) * (len(shape) - 1))


def as_real_pairs(values, scale):
    """Complex `values` as real and imaginary parts along a new last axis, `scale` for both."""
    return (np.stack([values.real, values.imag], axis=-1),
            np.stack([scale, scale], axis=-1))


def _refine(moves, plan, h0, best, wanted, rounds, rtol, atol, kept, first):
    """New tableaus at smaller steps for the lines with an element in `wanted`, kept where better.

    A line's steps shrink by ``r^m``, ``m`` the largest `row_shift` of its
    elements; each round evaluates a whole tableau for the refined lines.
    The least value scale of the `first` reading (`_Read`) stays.
    """
    levels, dtype = plan.levels, plan.dtype
    shape = kept["df"].shape
    per_line = wanted.reshape(shape[0], -1).any(axis=1)
    shift = np.where(wanted, row_shift(plan, best.error, best.top_rounding), 0)
    h = np.asarray(h0, dtype=dtype).reshape(-1).copy()
    for _ in range(rounds):
        lines = np.flatnonzero(per_line)
        if lines.size == 0:
            return
        m = shift.reshape(shape[0], -1)[lines].max(axis=1)
        h[lines] = h[lines] / dtype.type(plan.ratio) ** m.astype(dtype)
        read = _read(moves, plan, lines, h[lines], False, first.least_scale)
        entries, steps, row, column = read.entries, read.steps, read.row, read.column
        better = entries.error < kept["error"][lines]
        for name, value in (("df", entries.estimate), ("error", entries.error),
                            ("step", plan.step_of_row(steps, row)),
                            ("order", plan.order + column * plan.order_step)):
            kept[name][lines] = np.where(better, value, kept[name][lines])
        kept["improving"][lines] = np.where(better, row == levels - 1, False)
        converged = within_tolerance(entries.estimate, entries.error, rtol, atol)
        go_on = wants_smaller_steps(entries, row, converged, levels) & better
        per_line = np.zeros(shape[0], dtype=bool)
        per_line[lines] = go_on.reshape(lines.size, -1).any(axis=1)
        shift = np.zeros(shape, dtype=np.int64)
        shift[lines] = np.where(go_on, row_shift(plan, entries.error, entries.top_rounding), 0)


def _finish(kept, rtol, atol, complex_values, dtype):
    """The `Lines` of the kept entries (`settle`); a complex entry's smaller step and order."""
    df, error, status = settle(kept, rtol, atol, complex_values, dtype)
    step, order = kept["step"], kept["order"]
    if complex_values:
        step, order = step.min(axis=-1), order.min(axis=-1)
    return Lines(df, error, step.astype(dtype), order.astype(np.int64), status)


def settle(kept, rtol, atol, complex_values, dtype):
    """``df``, ``error`` and status of the kept entries (``kept["df"]``, ``["error"]``,
    ``["improving"]``).

    The status is CONVERGED within the tolerance, else NOT_CONVERGED where
    the entry used the smallest steps (``improving``), else ERROR_GREW;
    NON_FINITE where ``df`` or ``error`` is not finite. With `complex_values`
    the real and imaginary parts (a last axis of 2) are put back together:
    errors by ``hypot``, the worse status. Errors are floored at ``eps |df|``.
    """
    df, error = kept["df"], kept["error"]
    converged = within_tolerance(df, error, rtol, atol)
    status = np.where(converged, DerivativeStatus.CONVERGED,
                      np.where(kept["improving"], DerivativeStatus.NOT_CONVERGED,
                               DerivativeStatus.ERROR_GREW)).astype(np.int64)
    status[~(np.isfinite(df) & np.isfinite(error))] = DerivativeStatus.NON_FINITE
    if complex_values:
        df = df[..., 0] + 1j * df[..., 1]
        error = np.hypot(error[..., 0], error[..., 1])
        status = status.max(axis=-1)
    error = np.fmax(error, machine_epsilon(dtype) * np.abs(df)).astype(dtype)
    return df, error, status
