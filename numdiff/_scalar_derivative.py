"""`numdiff.derivative` at one point, on numpy scalars.

A call on a scalar is the common case of gradient checks and teaching; on
arrays of one element its cost is that of the arrays' machinery, not of the
arithmetic. Here the central difference's tableau is computed on numpy
scalars with the array path's operations in the same order, ``f`` called
with arrays of one element as there, so with its bits, and only the common case is finished here: every check of the input
cheap (types first), the top entry resolved (its distance below the share
of its rounding part where the array path would look for noise), finite and
within the tolerance. Anything else goes to the array path: before ``f`` is called
(which then checks the input and raises where it must), or after, with the
rows computed here (`ScalarRows`).
"""

import math
from dataclasses import dataclass

import numpy as np

from ._noisy_elements import NOISE_LIKE_DISTANCE
from ._plan import make_plan
from ._validation import MAX_RATIO
from .derivative_result import DerivativeResult
from .evaluator import ComplexValues, scalar_values
from .schemes import SCHEMES
from .theory import machine_epsilon, value_scale
from .variable import Function

__all__ = ["on_a_scalar", "ScalarRows"]

#: The types of ``x`` computed here, and their dtypes. Not float16: numpy sums
#: the tableau's products of float16 values in float32 (`numdiff._tableau.combine`),
#: which scalar arithmetic would not reproduce.
SCALAR_DTYPES = {float: np.dtype(np.float64), np.float64: np.dtype(np.float64),
                 np.float32: np.dtype(np.float32), np.longdouble: np.dtype(np.longdouble)}


@dataclass(frozen=True)
class ScalarRows:
    """The base estimates computed here, for the array path to read: rows, value scale, calls."""

    rows: list
    scale: object
    calls: int


@dataclass(frozen=True)
class _Constants:
    """A plan's constants as numpy scalars of its dtype, for one scalar call."""

    plan: object
    rounding: object  # u sum|c| ROUNDING_WEIGHT factor, in the dtype
    weights: tuple  # the top entry's and its distance's weights, row by row
    default_rtol: object  # sqrt(u), the rtol when none is given
    u: float


_CONSTANTS = {}


def _constants(scheme, deriv, levels, ratio, dtype):
    """The `_Constants` of a call, or None if the array path must take it (cached)."""
    key = (scheme, deriv, levels, ratio, dtype)
    found = _CONSTANTS.get(key)
    if found is None and key not in _CONSTANTS:
        spec = SCHEMES.get(scheme)
        found = None
        if spec is not None and spec.subtracts and 1 <= deriv <= spec.max_deriv:
            u = machine_epsilon(dtype)
            plan = make_plan(spec, deriv, spec.automatic_levels(deriv, ratio, u)
                             if levels is None else levels, ratio, dtype)
            if plan.plain_central and plan.combinations.all():
                found = _Constants(
                    plan, dtype.type(u * plan.weight_sum * plan.top_rounding_weight),
                    tuple(tuple(row) for row in plan.combinations),
                    np.sqrt(u), u)
        _CONSTANTS[key] = found
    return found


def _plain(value, *types):
    return type(value) in types and math.isfinite(value)


def on_a_scalar(f, x, scheme, deriv, step, levels, ratio, refinements, rtol, atol):
    """`derivative`'s result at a scalar `x`; `ScalarRows` to finish on arrays; or None."""
    dtype = SCALAR_DTYPES.get(type(x))
    if dtype is None or type(scheme) is not str or type(deriv) is not int or \
            not (type(step) is str and step == "auto") or not callable(f) or \
            isinstance(f, Function) or not _plain(ratio, float, int) or not 1 < ratio <= MAX_RATIO or \
            not (levels is None or type(levels) is int and 2 <= levels <= 12) or \
            not (type(refinements) is int and 0 <= refinements <= 10) or \
            not (rtol is None or _plain(rtol, float) and rtol >= 0) or \
            not (_plain(atol, float, int) and atol >= 0):
        return None
    constants = _constants(scheme, deriv, levels, float(ratio), dtype)
    x = dtype.type(x)
    if constants is None or not math.isfinite(x):
        return None
    return _central_tableau(f, x, constants,
                            constants.default_rtol if rtol is None else rtol, float(atol))


@np.errstate(invalid="ignore", over="ignore", divide="ignore")
def _central_tableau(f, x, constants, rtol, atol):
    """The central difference's tableau at `x`, read where it is plainly converged."""
    plan = constants.plan
    h0 = _initial_step(plan, x)
    steps = plan.steps(h0)
    rows, scale = _rows(f, x, steps, plan.nominal_rows)
    calls = 2 * len(rows)
    rho = scale * (constants.rounding / h0 ** plan.rounding_power)
    if rows[-2] == rows[-1]:
        return ScalarRows(rows, scale, calls)  # maybe exact: the array path decides
    value, distance = (_combine(rows, weights, steps, plan.nominal_rows)
                       for weights in constants.weights)
    error = abs(distance)
    # Not resolved, or not finite; or the last row may look like noise, or be
    # unsure (`numdiff._noisy_elements.read_last_row`): the array path reads it.
    if not (error <= rho * constants.plan.dtype.type(NOISE_LIKE_DISTANCE) and
            value - value == 0):
        return ScalarRows(rows, scale, calls)
    error = error + rho
    smallest = value if value > 0 else (-value if value < 0 else 0)
    if not error <= rtol * smallest + atol:
        return ScalarRows(rows, scale, calls)
    u, dtype = constants.u, plan.dtype
    if not error >= u * max(-value, value):
        error = np.fmax(error, np.abs(value) * dtype.type(u))
    step = h0 / dtype.type(plan.ratio) ** (plan.levels - 1)
    return DerivativeResult(value, error, dtype.type(step), np.int64(calls), np.int64(0),
                            np.int64(plan.top_order))


def _initial_step(plan, x):
    """`numdiff._plan.Plan.auto_step` at one point."""
    constant = plan.dtype.type(plan.auto_constant)
    if abs(x) < 2:
        return constant
    _, exponent = np.frexp(np.maximum(np.abs(x), 1))
    return plan.dtype.type(np.ldexp(constant, exponent - 1))


def _rows(f, x, steps, nominal):
    """The central differences at `steps` (the first `nominal` undivided), and ``F`` at the last."""
    rows = []
    scalar = type(x)
    calls = []

    def real(value):
        calls.append(1)
        if type(value) is not scalar and np.iscomplexobj(value):
            raise ComplexValues(len(calls))
        return value

    if type(f) is np.ufunc:  # computes a scalar as an array: the same bits
        def call(at):
            y = f(at)
            return y if type(y) is scalar else real(scalar_values(y, x))
    else:  # f is called with arrays of one element, as on the array path
        def call(at):
            y = f(np.array([at]))
            if type(y) is np.ndarray and y.shape == (1,) and y.dtype == x.dtype:
                return y[0]
            return real(scalar_values(y, x, (1,)))
    for k, h in enumerate(steps):
        above, below = x + h, x - h
        f_above, f_below = call(above), call(below)
        row = f_above - f_below
        rows.append(row if k < nominal else row / (above - below))
    scale = np.maximum(np.abs(f_above), np.abs(f_below))
    return rows, value_scale(scale, x, rows[-1])


def _combine(rows, weights, steps, nominal):
    """``sum_k w_k T_k`` in the order of the rows, from 0, as `numdiff._tableau.combine` sums."""
    total = rows[0].dtype.type(0)
    for k, (w, row) in enumerate(zip(weights, rows)):
        if k < nominal:
            w = w / (2 * steps[k])
        total = total + w * row
    return total
