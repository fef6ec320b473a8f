"""`directional`: the derivative of ``f`` along a direction (a Jacobian-vector product).

The derivative of ``t -> f(x + t v)`` at ``t = 0`` is ``J(x) v``: for a
scalar ``f`` the gradient's projection ``grad f . v``. It costs one
one-variable derivative, whatever the number of variables: the tableau of
`numdiff.derivative` along the line (`numdiff._lines`), with its error
estimate and status.
"""

import numpy as np

from ._lines import along_lines
from ._validation import as_array
from .formats import format_info
from .multivariate import _AlongCoordinates, _auto_options
from .multivariate_result import MultivariateResult
from .schemes import get_scheme

__all__ = ["directional"]


def directional(f, x, v, *, scheme="central", vectorized=False, levels=None, refinements=3,
                rtol=None, atol=0.0):
    """Derivative of `f` at `x` along `v`, with an error estimate: ``J(x) v``.

    Parameters
    ----------
    f : callable
        ``f(x) -> array of shape s`` (``s`` may be ``()``), as for
        `numdiff.jacobian`; batched along a new last axis if `vectorized`.
    x : array_like or Variable
        The point, of any shape.
    v : array_like
        A direction of the shape of `x`, or ``k`` directions stacked along
        a first axis, shape ``(k,) + x.shape``. Not normalised: the result
        is linear in `v`.
    scheme : str, optional
        A name from `numdiff.SCHEMES`.
    vectorized, levels, refinements, rtol, atol
        As in `numdiff.gradient`.

    Returns
    -------
    MultivariateResult
        ``df`` of shape ``s`` (one direction) or ``(k,) + s``; ``step`` is
        the smallest step in ``t`` along each direction.

    Raises
    ------
    TypeError, ValueError
        As `numdiff.jacobian`; also if `v` is not real, has neither the
        shape of `x` nor ``(k,) + x.shape``, or is zero or not finite.

    Notes
    -----
    The initial step along ``v`` moves the coordinate of largest ``|v_i|``
    by the step `numdiff.derivative` takes at the length scale
    ``max(1, max|x|)``: ``h0 = c L / max|v|``. ``x + t v`` is rounded in
    every coordinate that ``t v_i`` does not shift exactly, so the value
    scale of the rounding bound adds ``|x|_max / |v|_max |J v| / 2``
    (`numdiff.theory.value_scale`, the argument's rounding measured in
    units of ``t``).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: np.sum(x ** 2)
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> res = directional(f, x, np.array([1.0, 0.5, -1.0]))
    >>> print(f"{res.df:.12f}", int(res.status), res.nfev)  # 2 + 2 - 6
    -2.000000000000 0 10
    >>> bool(abs(res.df + 2.0) <= res.error)
    True
    """
    moves = _AlongCoordinates(f, x, vectorized, scalar=False)
    directions, single = _directions(v, moves.shape, moves.dtype)
    lines = _AlongDirections(moves, directions.reshape(directions.shape[0], -1))
    spec = get_scheme(scheme)
    plan, rtol, atol, refinements = _auto_options(spec, 1, moves.dtype, levels, refinements,
                                                  rtol, atol)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        found = along_lines(lines, plan, lines.initial_steps(plan), rtol=rtol, atol=atol,
                            refinements=refinements)
    pick = (lambda a: a[0]) if single else (lambda a: a)
    return MultivariateResult(pick(found.df), pick(found.error), pick(found.status),
                              pick(found.step), pick(found.order), moves.nfev)


def _directions(v, shape, dtype=None):
    """`v` as an array of directions ``(k,) + shape``, and whether it was one direction.

    With `dtype` (that of ``x``), each direction's largest element must be a
    normal number of it: the steps along ``v`` are divided by it.
    """
    array = as_array(v, "iuf", "v must be an array of numbers", "v must hold real numbers")
    single = array.shape == shape
    if not single and array.shape[1:] != shape:
        raise ValueError(f"v must have the shape of x, {shape}, or (k,) + {shape}, "
                         f"got {array.shape}")
    array = array.astype(np.result_type(array.dtype, np.float16), copy=False)
    array = array.reshape((1,) + shape) if single else array
    if array.shape[0] == 0:
        raise ValueError("v must hold at least one direction")
    if not np.isfinite(array).all():
        raise ValueError("v must be finite")
    largest = np.abs(array).reshape(array.shape[0], -1).max(axis=1)
    if not np.all(largest > 0):
        raise ValueError("v must not be zero")
    if dtype is not None:
        info = format_info(dtype)
        if np.any(largest > info.max):
            raise ValueError(f"v must be finite in the dtype of x, {np.dtype(dtype)}: "
                             f"{largest.max():g} overflows it")
        if np.any(largest < info.tiny):
            raise ValueError(f"v must have in each direction an element of at least the "
                             f"smallest normal number of {np.dtype(dtype)}, "
                             f"{float(info.tiny):.3g}; got {largest.min():g}")
    return array, single


class _AlongDirections:
    """``f`` at ``x + t v_d`` for directions ``v_d`` (rows of a (k, n) array), through `moves`."""

    #: ``x + t v`` rounds: the central difference divides by the step as given.
    steps_taken = False

    def __init__(self, moves, directions):
        self.moves = moves
        self.directions = directions.astype(moves.dtype)
        self.dtype = moves.dtype
        self.complex_dtype = moves.complex_dtype
        self.size = np.abs(self.directions).max(axis=1)
        # The length of x in units of t along each direction (`directional`, Notes).
        with np.errstate(over="ignore"):  # inf: x is beyond reach along v (status says so)
            self.origin = np.full(directions.shape[0], np.abs(moves.x).max(),
                                  self.dtype) / self.size

    @property
    def out_shape(self):
        return self.moves.out_shape

    def centre(self):
        return self.moves.centre()

    def values(self, lines, deltas):
        """``f(x + deltas[c] v_lines[c])`` for every c: shape (m,) + s."""
        return self.moves.shifted(deltas[:, None] * self.directions[lines])

    def initial_steps(self, plan):
        """``h0 = c L / max|v|`` per direction, ``L`` of the largest ``|x_i|``."""
        extent = float(np.abs(self.moves.x).max())
        step = plan.auto_step(np.array([extent], self.dtype), extent)
        return (np.broadcast_to(step, (1,)) / self.size).astype(self.dtype)
