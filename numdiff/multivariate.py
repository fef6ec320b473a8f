"""Gradient, Jacobian and Hessian of functions of many variables.

Each partial derivative is a one-variable derivative along a coordinate.
By default (``step="auto"``) each is computed as `numdiff.derivative`
computes one: the scheme at a geometric series of steps from the automatic
step ``h0_i`` of the length scale ``max(1, |x_i|)``, Richardson
extrapolation, an error estimate and a status per entry, and smaller steps
for the coordinates whose tableaus ask for them (`numdiff._lines`; the
Hessian in `numdiff._hessian`). The result is a `MultivariateResult`.

With ``step="fixed"`` (or a relative step `eps`) one step per coordinate is
taken, ``h_i = eps max(1, |x_i|)``, and the bare array is returned:
``df/dx_i ~ sum_k c_k f(x + g_k h_i e_i) / h_i``, ``2n`` evaluations with
central differences.

``x`` may have any shape (a matrix of weights, say): the derivatives have
its shape (gradient), the shape of the values of ``f`` followed by it
(Jacobian), or it twice (Hessian).
"""

from functools import lru_cache

import numpy as np

from ._hessian import extrapolated_hessian
from ._lines import along_lines, scaled
from ._plan import make_plan
from ._validation import (as_points, as_steps, check_callable, check_deriv, check_flag,
                          check_integer, check_normal_steps, check_precision, uses_variables)
from .evaluator import Evaluator, stencil_estimate
from .multivariate_result import MultivariateResult
from .schemes import get_scheme
from .theory import length_scale, machine_epsilon

__all__ = ["coordinate_steps", "gradient", "jacobian", "hessian", "MultivariateResult"]

#: Largest number of array elements (``n`` times points) handed to ``f`` in
#: one batched call: 2**22 float64 values are 32 MiB. Larger batches are split.
BATCH_ELEMENTS = 2**22

#: The values of `step`.
STEPS = ("auto", "fixed")


def coordinate_steps(x, eps=None, *, scheme="central", deriv=1):
    """Per-coordinate steps ``h_i = eps * max(1, |x_i|)`` of the fixed-step path.

    Parameters
    ----------
    x : array_like
        The point, of any shape.
    eps : float or array_like of the shape of `x`, optional
        Relative step. By default the error theory's optimal step for a
        function of unit scale, ``|f| = |f^(p+q)| = 1``, in the dtype of `x`
        (`numdiff.optimal_step`): ``(3u)^(1/3)`` for ``"central"``,
        ``2 sqrt(u)`` for ``"forward"`` (Numerical Recipes 3rd ed. §5.7),
        ``(48u)^(1/4)`` for the central second derivative. For
        ``"complex_step"``, which has no subtraction and reaches its floor
        below the crossover step ``sqrt(6u)``, the default is ``u`` itself.
    scheme : str, optional
        A name from `numdiff.SCHEMES`.
    deriv : int, optional
        Derivative order the steps are for (1 for gradients, 2 for Hessians).

    Returns
    -------
    ndarray, the shape of `x`
        The steps, in the dtype of `x`.

    Notes
    -----
    Scaling by ``max(1, |x_i|)`` keeps the relative perturbation of large
    coordinates at `eps` and the absolute one of small coordinates at `eps`,
    the usual rule for unscaled variables (Gill, Murray & Wright, *Practical
    Optimization*, 1981, §8.6).

    Examples
    --------
    >>> import numpy as np
    >>> h = coordinate_steps(np.array([0.5, -200.0]))
    >>> bool(np.allclose(h, (3 * np.finfo(float).eps) ** (1 / 3) * np.array([1, 200])))
    True
    >>> coordinate_steps(np.array([0.0, 10.0]), 1e-3)
    array([0.001, 0.01 ])
    """
    points = as_points(x)
    spec = get_scheme(scheme)
    deriv = check_deriv(deriv, spec.max_deriv, spec.name)
    return _steps(points.reshape(-1), eps, spec, deriv, points.shape).reshape(points.shape)


def gradient(f, x, *, scheme="central", step="auto", eps=None, vectorized=False, levels=None,
             refinements=3, rtol=None, atol=0.0):
    """Gradient of a scalar function of many variables, with an error estimate per entry.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar`` for ``x`` of the shape of `x`; or, with
        ``vectorized=True``, ``f(X) -> shape (m,)`` for ``X`` of shape
        ``x.shape + (m,)`` holding ``m`` points along its last axis. A
        `numdiff.Function` (or `x` a `numdiff.Variable`) receives and
        returns `Variable` objects.
    x : array_like or Variable
        The point, of any shape (a vector, a matrix of weights, ...).
        Integer input is computed in float64; float16, float32, float64 and
        longdouble are kept.
    scheme : str, optional
        A name from `numdiff.SCHEMES`, ``"central"`` by default;
        ``"complex_step"`` needs ``f`` written with complex-safe operations
        and real on the real axis.
    step : {"auto", "fixed"}, optional
        ``"auto"``: per coordinate, the tableau of `numdiff.derivative`
        (automatic step, Richardson extrapolation, error estimate, status,
        refinement); returns a `MultivariateResult`. ``"fixed"``: one step
        per coordinate (`coordinate_steps`); returns the bare array.
    eps : float or array_like of the shape of `x`, optional
        Relative step of the fixed-step path, ``h_i = eps * max(1, |x_i|)``
        (given, it selects that path). The default is the error theory's
        optimal step for the scheme; see `coordinate_steps`.
    vectorized : bool, optional
        If True, ``f`` takes a batch of points stacked along a new last axis
        and returns their ``m`` values. Then ``f`` is called once per level
        of the tableau (or once per `BATCH_ELEMENTS` elements) instead of
        once per point.
    levels, refinements, rtol, atol
        As in `numdiff.derivative` (``step="auto"`` only).

    Returns
    -------
    MultivariateResult or ndarray
        With ``step="auto"``: ``df`` (the gradient, shape of `x`), ``error``,
        ``status``, ``step``, ``order`` and ``nfev``. With the fixed step:
        the gradient, in the dtype of `x`. Complex where ``f`` is complex
        (the error stays real). A fixed-step entry that is NaN or infinite
        means ``f`` returned such values or the difference overflowed (the
        automatic path says so in its status, `NON_FINITE`).

    Raises
    ------
    TypeError
        If `f` is not callable, `x` or `eps` are not real numbers, or `f`
        returns something other than numbers.
    ValueError
        If `x` is empty or not finite; `eps` is not positive, of the wrong
        shape, or too small to move `x`; `step`, `levels`, `refinements`,
        `rtol` or `atol` are out of range; the scheme is unknown; `f` does
        not return a scalar (one value per point with ``vectorized=True``);
        or, for the complex step, `f` returns real values for complex input.

    See Also
    --------
    jacobian : for vector-valued functions.
    numdiff.directional : the derivative along one direction, at the cost of one.
    numdiff.gradient_check : compare an analytic gradient with this one.

    Notes
    -----
    Automatic: coordinate ``i`` is the derivative of ``t -> f(x + t e_i)``
    at ``x_i``, computed as `numdiff.derivative` computes one (its
    ``docs/method.md``): ``2 K n`` evaluations for the central scheme with
    ``K = 5`` levels where no refinement is needed, each refined coordinate
    a further ``2 K`` per round.

    Fixed: for a stencil with offsets ``g_k`` and weights ``n_k / D``
    (integers ``n_k``, `numdiff.Stencil`),
    ``df/dx_i = sum_k n_k f(x + g_k h_i e_i) / (D h_i)``; with central
    differences this is ``(f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)`` to
    the last bit. ``f`` is evaluated at ``n`` points per non-zero offset,
    plus ``f(x)`` once if the stencil uses it: ``2n`` points for
    ``"central"``, ``n + 1`` for ``"forward"``, ``n`` for
    ``"complex_step"``.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):  # works on one point (n,) and on columns (n, m)
    ...     return np.sum(x ** 2, axis=0) + x[0] * x[1]
    >>> res = gradient(f, np.array([1.0, 2.0, 3.0]))
    >>> res.df.round(12), res.status
    (array([4., 5., 6.]), array([0, 0, 0]))
    >>> bool(np.all(np.abs(res.df - [4, 5, 6]) <= res.error)), res.nfev
    (True, 30)
    >>> gradient(f, np.array([1.0, 2.0, 3.0]), step="fixed").round(8)
    array([4., 5., 6.])
    >>> gradient(f, np.array([1.0, 2.0, 3.0]), step="fixed", vectorized=True).round(8)
    array([4., 5., 6.])
    """
    moves = _AlongCoordinates(f, x, vectorized, scalar=True)
    return _first_derivatives(get_scheme(scheme), moves, step, eps, levels, refinements,
                              rtol, atol)


def jacobian(f, x, *, scheme="central", step="auto", eps=None, vectorized=False, levels=None,
             refinements=3, rtol=None, atol=0.0):
    """Jacobian of a function of many variables, with an error estimate per entry.

    Parameters
    ----------
    f : callable
        ``f(x) -> array of shape s`` for ``x`` of the shape of `x` (``s``
        may be ``()``); or, with ``vectorized=True``,
        ``f(X) -> shape s + (m,)`` for ``X`` of shape ``x.shape + (m,)``.
    x : array_like or Variable
        The point, of any shape.
    scheme, step, eps, vectorized, levels, refinements, rtol, atol
        As in `gradient`.

    Returns
    -------
    MultivariateResult or ndarray
        ``J[..., i] = d f[...] / d x_i``, of shape ``s + x.shape``: for
        ``f: R^n -> R^m`` the usual ``(m, n)`` matrix; for a scalar ``f`` the
        gradient. A `MultivariateResult` with ``step="auto"``, the array
        with the fixed step.

    Raises
    ------
    TypeError, ValueError
        As in `gradient`; `f` must return the same shape at every point.

    Examples
    --------
    >>> import numpy as np
    >>> def polar(x):
    ...     return np.array([x[0] * np.cos(x[1]), x[0] * np.sin(x[1])])
    >>> res = jacobian(polar, np.array([2.0, 0.0]))
    >>> res.df.round(12)
    array([[1., 0.],
           [0., 2.]])
    >>> bool(np.all(res.error < 1e-13))
    True
    >>> jacobian(polar, np.array([2.0, 0.0]), step="fixed").round(8)
    array([[1., 0.],
           [0., 2.]])
    """
    moves = _AlongCoordinates(f, x, vectorized, scalar=False)
    return _first_derivatives(get_scheme(scheme), moves, step, eps, levels, refinements,
                              rtol, atol)


def _first_derivatives(spec, moves, step, eps, levels, refinements, rtol, atol):
    """`jacobian` of the function of `moves`: fixed steps, or the automatic tableaus."""
    if _fixed(step, eps):
        return _jacobian(spec, moves, eps)
    plan, rtol, atol, refinements = _auto_options(spec, 1, moves.dtype, levels, refinements,
                                                  rtol, atol)
    h0 = _auto_steps(plan, moves.x)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        found = along_lines(moves, plan, h0, rtol=rtol, atol=atol, refinements=refinements,
                            coordinates=True)
    shape = moves.out_shape + moves.shape

    def arrange(values):
        return np.moveaxis(values, 0, -1).reshape(shape)

    return MultivariateResult(arrange(found.df), arrange(found.error), arrange(found.status),
                              arrange(found.step), arrange(found.order), moves.nfev)


def _fixed(step, eps):
    """Whether the fixed-step path is asked for (`step` checked)."""
    if not isinstance(step, str) or step not in STEPS:
        raise ValueError(f"step must be one of {STEPS}, got {step!r}")
    return step == "fixed" or eps is not None


def _auto_options(spec, deriv, dtype, levels, refinements, rtol, atol):
    """The `numdiff._plan.Plan` and the tolerances of the automatic path, checked."""
    levels = spec.automatic_levels(deriv, 2.0, machine_epsilon(dtype)) if levels is None else \
        check_integer(levels, "levels", 2, 12)
    refinements = check_integer(refinements, "refinements", 0, 10)
    rtol = float(np.sqrt(machine_epsilon(dtype))) if rtol is None else _tolerance(rtol, "rtol")
    atol = _tolerance(atol, "atol")
    return make_plan(spec, deriv, levels, 2.0, dtype), rtol, atol, refinements


def _tolerance(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be non-negative and finite, got {value!r}")
    return float(value)


def _auto_steps(plan, points):
    """`numdiff.derivative`'s automatic initial step per coordinate (a power of two times L_i)."""
    extent = float(np.max(np.abs(points)))
    return np.broadcast_to(plan.auto_step(points, extent), points.shape).astype(points.dtype)


def _jacobian(spec, evaluate, eps):
    """`jacobian` of the function of `evaluate` with fixed steps (`gradient` for a scalar f)."""
    h = _steps(evaluate.x, eps, spec, 1, evaluate.shape)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        result = spec.along_coordinates(evaluate, h)
    result = np.moveaxis(evaluate.as_dtype(result), 0, -1)
    return result.reshape(result.shape[:-1] + evaluate.shape)


def hessian(f, x, *, scheme="central", step="auto", eps=None, vectorized=False, levels=None,
            refinements=3, rtol=None, atol=0.0):
    """Hessian of a scalar function of many variables, with an error estimate per entry.

    Parameters
    ----------
    f : callable
        As in `gradient`: a scalar function, batched if `vectorized`.
    x : array_like or Variable
        The point, of any shape.
    scheme : str, optional
        A real scheme from `numdiff.SCHEMES`, or ``"complex_step"``
        (`numdiff.ComplexStep`'s second derivative on the diagonal, with
        ``f`` analytic and real on the real axis).
    step : {"auto", "fixed"}, optional
        As in `gradient`. The automatic path uses the central scheme's
        stencils whatever `scheme` names, except for ``"complex_step"``.
    eps : float or array_like of the shape of `x`, optional
        Relative step of the fixed path, ``h_i = eps * max(1, |x_i|)``; by
        default the error theory's optimal step for the scheme's second
        derivative with unit scales (``(48u)^(1/4)``, about 3e-4 in
        float64, for ``"central"``).
    vectorized, levels, refinements, rtol, atol
        As in `gradient`.

    Returns
    -------
    MultivariateResult or ndarray
        The symmetric Hessian, of shape ``x.shape + x.shape``; complex where
        ``f`` is. Non-finite entries as in `gradient`.

    Raises
    ------
    TypeError, ValueError
        As in `gradient`; also for ``scheme="complex_step"`` on the
        fixed-step path.

    Notes
    -----
    Automatic (`numdiff._hessian`): the diagonal entries use the central
    second difference ``(f(x + h_i e_i) - 2 f(x) + f(x - h_i e_i)) / h_i^2``
    and the mixed ones the seven-point formula that shares those values,
    ``(f(x + h_i e_i + h_j e_j) - f(x + h_i e_i) - f(x + h_j e_j) + 2 f(x)
    - f(x - h_i e_i) - f(x - h_j e_j) + f(x - h_i e_i - h_j e_j)) / (2 h_i h_j)``
    (Abramowitz & Stegun, 25.3.27): two new points per pair. Both are even
    in the step, so their errors expand in ``h^2, h^4, ...`` when every step
    shrinks by the same factor, and a Richardson tableau per entry
    extrapolates them: ``K (n^2 + n) + 1`` evaluations for ``K`` levels.
    Only ``i <= j`` is computed; the result is symmetric by construction.
    Entries whose tableau shows its steps were too large are refined as in
    `numdiff.derivative`: their coordinates' steps shrink, and the entries on
    those coordinates are evaluated again.

    Fixed: the diagonal uses the scheme's second-derivative stencil along
    each coordinate. An off-diagonal entry uses the product of two
    first-derivative stencils,
    ``H_ij = sum_k sum_l c_k c_l f(x + g_k h_i e_i + g_l h_j e_j) / (h_i h_j)``,
    which has the scheme's order of accuracy; for ``"central"`` it is the
    four-point formula
    ``(f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j)``. Points shared between
    entries are evaluated once: ``2n^2 + 1`` evaluations for ``"central"``,
    ``(n + 1)(n + 2) / 2`` for ``"forward"``.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return x[0] ** 2 * x[1] + np.sin(x[1])
    >>> res = hessian(f, np.array([1.0, 0.0]))
    >>> res.df.round(10)
    array([[0., 2.],
           [2., 0.]])
    >>> bool(np.all(res.error < 1e-9)), res.nfev
    (True, 31)
    >>> hessian(f, np.array([1.0, 0.0]), step="fixed").round(6)
    array([[0., 2.],
           [2., 0.]])
    """
    spec = get_scheme(scheme)
    moves = _AlongCoordinates(f, x, vectorized, scalar=True)
    if _fixed(step, eps):
        return _fixed_hessian(spec, moves, eps)
    hessian_scheme = spec.hessian_scheme()
    plan, rtol, atol, refinements = _auto_options(hessian_scheme, 2, moves.dtype, levels,
                                                  refinements, rtol, atol)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        found = extrapolated_hessian(moves, plan, _auto_steps(plan, moves.x), rtol=rtol,
                                     atol=atol, refinements=refinements)
    shape = moves.shape * 2
    return MultivariateResult(*(value.reshape(shape) for value in
                                (found.df, found.error, found.status, found.step, found.order)),
                              moves.nfev)


def _fixed_hessian(spec, evaluate, eps):
    """`hessian` with one step per coordinate (see its Notes)."""
    if not spec.subtracts:
        raise ValueError(f"hessian needs a real scheme with fixed steps; {spec.name} "
                         "is for step='auto'")
    h = _steps(evaluate.x, eps, spec, 2, evaluate.shape)
    n = h.size
    first, second = spec.stencil(1), spec.stencil(2)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        values = evaluate.along(second.offsets, h)
        diagonal = stencil_estimate({float(g): v for g, v in values.items()}, None, h, second,
                                    summation="ascending", divide=None).estimate
        diagonal = diagonal / (second.denominator * h * h)
        rows, cols = np.triu_indices(n, 1)
        mixed = np.zeros(rows.size, dtype=diagonal.dtype)
        if rows.size:
            # f(x + g h_i e_i) for every i, by offset g (cached from the diagonal)
            single = evaluate.along(first.offsets, h)
            for gk, nk in zip(first.offsets, first.numerators):
                for gl, nl in zip(first.offsets, first.numerators):
                    if gk != 0 and gl != 0:
                        deltas = np.stack([scaled(gk, h[rows]), scaled(gl, h[cols])], axis=1)
                        values = evaluate.points(np.stack([rows, cols], axis=1), deltas)
                    elif gk == 0 and gl == 0:
                        values = single[0][0]
                    else:
                        values = single[gl][cols] if gk == 0 else single[gk][rows]
                    mixed = mixed + (nk * nl) * values
            mixed = mixed / ((first.denominator ** 2) * h[rows] * h[cols])
    # Complex values of f keep their imaginary part.
    result = np.diag(diagonal).astype(np.result_type(evaluate.dtype, diagonal, mixed))
    result[rows, cols] = mixed
    result[cols, rows] = mixed
    return result.reshape(evaluate.shape * 2)


def _steps(points, eps, spec, deriv, shape):
    """Steps ``h_i = eps max(1, |x_i|)`` (flat `points` of an x of `shape`), checked to move x."""
    dtype = points.dtype
    if eps is None:
        relative = np.asarray(_default_relative_step(spec, deriv, dtype), dtype=dtype)
    else:
        relative = as_steps(eps, dtype)
        if relative.size != 1 and relative.shape not in (shape, points.shape):
            raise ValueError(f"eps must be a number or an array of shape {shape}, "
                             f"got shape {relative.shape}")
        relative = relative.reshape(-1) if relative.size != 1 else relative
    with np.errstate(over="ignore"):
        h = relative * length_scale(points)
    if not np.isfinite(h).all():
        raise ValueError("eps * max(1, |x|) overflows the dtype " + str(dtype))
    if not spec.subtracts:  # the complex step divides by h alone: h must be normal
        check_normal_steps(h, "eps * max(1, |x|)")
    reach = max(abs(float(g)) for g in spec.offsets(deriv))
    with np.errstate(over="ignore"):
        beyond = ~np.isfinite(np.abs(points) + dtype.type(reach) * h)
    if beyond.any():
        i = int(np.argmax(beyond))
        raise ValueError(f"eps is too large: the stencil's points x[{i}] +- {reach:g} * "
                         f"{h[i]:.3g} overflow {dtype} (x[{i}] = {points[i]!r})")
    if spec.subtracts:
        stuck = (points + h) == points
        if stuck.any():
            i = int(np.argmax(stuck))
            raise ValueError(f"eps is too small: the step {h[i]:.3g} does not move x[{i}] = "
                             f"{points[i]!r} in {dtype}")
    return h


@lru_cache(maxsize=None)
def _default_relative_step(scheme, deriv, dtype):
    """The theory's optimal step at unit scales (`coordinate_steps`), cached."""
    return scheme.default_relative_step(deriv, dtype)


class _AlongCoordinates:
    """``f`` at ``x`` moved along one or two coordinates.

    ``x`` may have any shape; it is handled as the flat vector of its ``n``
    elements, and ``f`` receives points of the shape of ``x``. The loop path
    calls ``f`` once per point on a fresh copy of ``x``; the batched path
    stacks points along a new last axis (shape ``x.shape + (m,)``) and calls
    ``f`` once per batch. Each call goes through a
    `numdiff.evaluator.Evaluator` (Variable wrapping, numbers checked, calls
    counted); the shape of the values is checked here, where a point is a
    whole array.
    """

    def __init__(self, f, x, vectorized, scalar):
        check_callable(f)
        self.vectorized = check_flag(vectorized, "vectorized")
        self.wrap = uses_variables(f, x)
        points = as_points(x)
        self.shape = points.shape
        self.x = points.reshape(-1)
        self.f = Evaluator(f, wrap=self.wrap, elementwise=False,
                           batch_axis=len(self.shape) if self.vectorized else None)
        self.scalar = scalar
        self.dtype = self.x.dtype
        # float16 has no complex counterpart; the complex step uses complex64.
        self.complex_dtype = np.result_type(self.dtype, np.complex64)
        self.out_shape = None
        self._along = {}  # offset g -> f(x + g h_i e_i) for every i; f(x) for g = 0

    #: Along a coordinate ``x_i + h`` is formed as `numdiff.derivative` forms it,
    #: so the central difference may divide by the step actually taken.
    steps_taken = True

    @property
    def origin(self):
        """The position of ``x`` along each coordinate line: ``x`` itself (flat)."""
        return self.x

    @property
    def nfev(self):
        """Points at which ``f`` was evaluated so far."""
        return self.f.points if self.vectorized else self.f.calls

    def along(self, offsets, h):
        """``{g: f(x + g h_i e_i) for every i}``, shape (n,) + s each.

        Offsets not seen before are evaluated together, in one batch; ``g = 0``
        (the point ``x`` itself) is evaluated once and broadcast. Every call
        on one evaluator must use the same steps `h`.
        """
        n = self.x.size
        new = [g for g in offsets if g not in self._along]
        if new:
            coords = np.concatenate([np.zeros(1, np.intp) if g == 0 else np.arange(n)
                                     for g in new])
            deltas = np.concatenate([np.zeros(1, h.dtype) if g == 0 else scaled(g, h)
                                     for g in new])
            values = self.points(coords[:, None], deltas[:, None])
            start = 0
            for g in new:
                size = 1 if g == 0 else n
                block = values[start:start + size]
                self._along[g] = np.broadcast_to(block, (n,) + block.shape[1:]) if g == 0 else block
                start += size
        return {g: self._along[g] for g in offsets}

    def centre(self):
        """``f(x)``, evaluated once (kept by `along` with the offset 0)."""
        return self.along((0,), np.zeros(0, self.dtype))[0][0]

    def values(self, lines, deltas):
        """``f(x + deltas[c] e_lines[c])`` for every c: shape (m,) + s."""
        return self.points(np.asarray(lines)[:, None], np.asarray(deltas)[:, None])

    def shifted(self, deltas):
        """``f(x + deltas[c])`` for every row ``c`` of `deltas` (m, n): shape (m,) + s."""
        if not self.vectorized:
            return self.as_dtype(np.stack([self._call_one(self.x + row) for row in deltas]))
        chunk = max(1, BATCH_ELEMENTS // self.x.size)
        parts = [self._call_batch(self.x[:, None] + deltas[start:start + chunk].T)
                 for start in range(0, deltas.shape[0], chunk)]
        return self.as_dtype(np.concatenate(parts))

    def points(self, coords, deltas):
        """``f`` at ``x`` with ``x[coords[c, j]] += deltas[c, j]``; shape (m,) + s.

        The coordinates of one row must be distinct.
        """
        work = np.result_type(self.dtype, deltas.dtype)
        m = coords.shape[0]
        if m == 0:  # no points (a Hessian's pairs of one variable)
            return np.empty((0,) + (self.out_shape or ()), self.dtype)
        if not self.vectorized:
            out = [self._call_one(self._moved(coords[c], deltas[c], work)) for c in range(m)]
            return self.as_dtype(np.stack(out))
        chunk = max(1, BATCH_ELEMENTS // self.x.size)
        parts = []
        for start in range(0, m, chunk):
            stop = min(m, start + chunk)
            batch = np.repeat(self.x.astype(work)[:, None], stop - start, axis=1)
            columns = np.arange(stop - start)
            for j in range(coords.shape[1]):
                batch[coords[start:stop, j], columns] += deltas[start:stop, j]
            parts.append(self._call_batch(batch))
        return self.as_dtype(np.concatenate(parts))

    def as_dtype(self, values):
        """Real values in the dtype of `x`; complex values kept (less precise ones refused)."""
        check_precision(values, self.dtype)
        return values if values.dtype.kind == "c" else values.astype(self.dtype, copy=False)

    def _moved(self, coords, deltas, work):
        point = self.x.astype(work, copy=True)
        point[coords] += deltas
        return point

    def _check_shape(self, shape, what):
        if self.scalar and shape != ():
            raise ValueError(f"f must return a scalar{what}, got shape {shape}; "
                             "use jacobian for vector-valued functions")
        if self.out_shape is None:
            self.out_shape = shape
        elif shape != self.out_shape:
            raise ValueError(f"f must return the same shape at every point{what}: "
                             f"got {shape} after {self.out_shape}")

    def _call_one(self, point):
        y = self.f(point.reshape(self.shape))
        self._check_shape(y.shape, "")
        return y

    def _call_batch(self, batch):
        """``f`` on the points that are the columns of `batch` (n, m), as ``x.shape + (m,)``."""
        m = batch.shape[1]
        y = self.f(batch.reshape(self.shape + (m,)))
        if y.ndim == 0 or y.shape[-1] != m:
            raise ValueError(
                f"with vectorized=True, f must return the values of its {m} points "
                f"along the last axis (shape s + ({m},)), got shape {y.shape}")
        self._check_shape(y.shape[:-1], " per point (vectorized=True: one value per point)")
        return np.moveaxis(y, -1, 0)
