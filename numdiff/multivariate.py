"""Gradient, Jacobian and Hessian of functions of many variables.

Each partial derivative is a one-variable difference along a coordinate:
``df/dx_i ~ sum_k c_k f(x + g_k h_i e_i) / h_i`` with the stencil of a named
scheme (`numdiff.SCHEMES`), so ``n`` variables cost ``n`` times the
evaluations of one derivative (``2n`` with central differences), against a
single backward pass for automatic differentiation.
"""

from functools import lru_cache

import numpy as np

from ._validation import as_points, as_steps, check_callable, check_flag, uses_variables
from .evaluator import Evaluator, stencil_estimate
from .schemes import get_scheme
from .theory import length_scale

__all__ = ["coordinate_steps", "gradient", "jacobian", "hessian"]

#: Largest number of array elements (``n`` times points) handed to ``f`` in
#: one batched call: 2**22 float64 values are 32 MiB. Larger batches are split.
BATCH_ELEMENTS = 2**22


def coordinate_steps(x, eps=None, *, scheme="central", deriv=1):
    """Per-coordinate steps ``h_i = eps * max(1, |x_i|)``.

    Parameters
    ----------
    x : array_like, shape (n,)
        The point.
    eps : float or array_like of shape (n,), optional
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
    ndarray, shape (n,)
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
    points = _as_vector(x)
    spec = get_scheme(scheme)
    return _steps(points, eps, spec, deriv)


def gradient(f, x, *, scheme="central", eps=None, vectorized=False):
    """Gradient of a scalar function of ``n`` variables by finite differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar`` for ``x`` of shape ``(n,)``; or, with
        ``vectorized=True``, ``f(X) -> shape (m,)`` for ``X`` of shape
        ``(n, m)`` holding ``m`` points as columns. A `numdiff.Function`
        (or `x` a `numdiff.Variable`) receives and returns `Variable`
        objects.
    x : array_like or Variable, shape (n,)
        The point. Integer input is computed in float64; float16, float32,
        float64 and longdouble are kept.
    scheme : str, optional
        A name from `numdiff.SCHEMES`, ``"central"`` by default;
        ``"complex_step"`` needs ``f`` written with complex-safe operations.
    eps : float or array_like of shape (n,), optional
        Relative step; the steps are ``h_i = eps * max(1, |x_i|)``. The
        default is the error theory's optimal step for the scheme; see
        `coordinate_steps`.
    vectorized : bool, optional
        If True, ``f`` takes a batch of points as the columns of an
        ``(n, m)`` array and returns their ``m`` values. Then ``f`` is called
        once (or once per `BATCH_ELEMENTS` elements) instead of once per
        point.

    Returns
    -------
    ndarray, shape (n,)
        The gradient, in the dtype of `x`.

    Raises
    ------
    TypeError
        If `f` is not callable, `x` or `eps` are not real numbers, or `f`
        returns something other than numbers.
    ValueError
        If `x` is not a non-empty finite vector of shape ``(n,)``; `eps` is
        not positive, of the wrong shape, or too small to move `x`; the
        scheme is unknown; `f` does not return a scalar (one value per
        point with ``vectorized=True``); or, for the complex step, `f`
        returns real values for complex input.

    See Also
    --------
    jacobian : for vector-valued functions.
    numdiff.gradient_check : compare an analytic gradient with this one.

    Notes
    -----
    For a stencil with offsets ``g_k`` and weights ``n_k / D`` (integers
    ``n_k``, `numdiff.Stencil`),
    ``df/dx_i = sum_k n_k f(x + g_k h_i e_i) / (D h_i)``; with central
    differences this is ``(f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)`` to
    the last bit. ``f`` is evaluated at ``n`` points per non-zero offset,
    plus ``f(x)`` once if the stencil uses it: ``2n`` points for
    ``"central"``, ``n + 1`` for ``"forward"``, ``n`` for
    ``"complex_step"``. Each evaluation is one call with the whole vector.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):  # works on one point (n,) and on columns (n, m)
    ...     return np.sum(x ** 2, axis=0) + x[0] * x[1]
    >>> gradient(f, np.array([1.0, 2.0, 3.0])).round(8)
    array([4., 5., 6.])
    >>> gradient(f, np.array([1.0, 2.0, 3.0]), vectorized=True).round(8)
    array([4., 5., 6.])
    """
    return _jacobian(get_scheme(scheme), _AlongCoordinates(f, x, vectorized, scalar=True), eps)


def jacobian(f, x, *, scheme="central", eps=None, vectorized=False):
    """Jacobian of a function of ``n`` variables by finite differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> array of shape s`` for ``x`` of shape ``(n,)`` (``s`` may be
        ``()``); or, with ``vectorized=True``, ``f(X) -> shape s + (m,)``
        for ``X`` of shape ``(n, m)`` holding ``m`` points as columns.
    x : array_like or Variable, shape (n,)
        The point.
    scheme, eps, vectorized
        As in `gradient`.

    Returns
    -------
    ndarray, shape s + (n,)
        ``J[..., i] = d f[...] / d x_i``: for ``f: R^n -> R^m`` the usual
        ``(m, n)`` matrix; for a scalar ``f`` the gradient.

    Raises
    ------
    TypeError, ValueError
        As in `gradient`; `f` must return the same shape at every point.

    Examples
    --------
    >>> import numpy as np
    >>> def polar(x):
    ...     return np.array([x[0] * np.cos(x[1]), x[0] * np.sin(x[1])])
    >>> jacobian(polar, np.array([2.0, 0.0])).round(8)
    array([[1., 0.],
           [0., 2.]])
    """
    return _jacobian(get_scheme(scheme), _AlongCoordinates(f, x, vectorized, scalar=False), eps)


def _jacobian(spec, evaluate, eps):
    """`jacobian` of the function of `evaluate` (`gradient` when it requires a scalar)."""
    h = _steps(evaluate.x, eps, spec, 1)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        result = spec.along_coordinates(evaluate, h)
    return np.moveaxis(evaluate.as_dtype(result), 0, -1)


def hessian(f, x, *, scheme="central", eps=None, vectorized=False):
    """Hessian of a scalar function of ``n`` variables by finite differences.

    Parameters
    ----------
    f : callable
        As in `gradient`: a scalar function, batched if `vectorized`.
    x : array_like or Variable, shape (n,)
        The point.
    scheme : str, optional
        A real scheme from `numdiff.SCHEMES` (not ``"complex_step"``).
    eps : float or array_like of shape (n,), optional
        Relative step, ``h_i = eps * max(1, |x_i|)``; by default the error
        theory's optimal step for the scheme's second derivative with unit
        scales (``(48u)^(1/4)``, about 3e-4 in float64, for ``"central"``).
    vectorized : bool, optional
        As in `gradient`.

    Returns
    -------
    ndarray, shape (n, n)
        The symmetric Hessian, in the dtype of `x`.

    Raises
    ------
    TypeError, ValueError
        As in `gradient`; also for ``scheme="complex_step"``.

    Notes
    -----
    The diagonal uses the scheme's second-derivative stencil along each
    coordinate. An off-diagonal entry uses the product of two
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
    >>> hessian(f, np.array([1.0, 0.0])).round(6)
    array([[0., 2.],
           [2., 0.]])
    """
    spec = get_scheme(scheme)
    if spec.max_deriv < 2:
        raise ValueError(f"hessian needs a real scheme; {spec.name} gives first derivatives only")
    evaluate = _AlongCoordinates(f, x, vectorized, scalar=True)
    h = _steps(evaluate.x, eps, spec, 2)
    n = h.size
    first, second = spec.stencil(1), spec.stencil(2)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        values = evaluate.along(second.offsets, h)
        diagonal = stencil_estimate({float(g): v for g, v in values.items()}, None, h, second,
                                    summation="ascending", divide=None).estimate
        diagonal = diagonal / (second.denominator * h * h)
        rows, cols = np.triu_indices(n, 1)
        mixed = np.zeros(rows.size, dtype=evaluate.dtype)
        if rows.size:
            # f(x + g h_i e_i) for every i, by offset g (cached from the diagonal)
            single = evaluate.along(first.offsets, h)
            for gk, nk in zip(first.offsets, first.numerators):
                for gl, nl in zip(first.offsets, first.numerators):
                    if gk != 0 and gl != 0:
                        deltas = np.stack([_scaled(gk, h[rows]), _scaled(gl, h[cols])], axis=1)
                        values = evaluate.points(np.stack([rows, cols], axis=1), deltas)
                    elif gk == 0 and gl == 0:
                        values = single[0][0]
                    else:
                        values = single[gl][cols] if gk == 0 else single[gk][rows]
                    mixed = mixed + (nk * nl) * values
            mixed = mixed / ((first.denominator ** 2) * h[rows] * h[cols])
    result = np.diag(diagonal).astype(evaluate.dtype)
    result[rows, cols] = mixed
    result[cols, rows] = mixed
    return result


def _scaled(g, h):
    """``g h`` without a multiplication for ``g = +-1`` (as `numerical_diff`)."""
    if g == 1:
        return h
    if g == -1:
        return -h
    return h.dtype.type(g) * h


def _as_vector(x, name="x"):
    points = as_points(x, name)
    if points.ndim != 1:
        raise ValueError(f"{name} must be a vector of shape (n,), got shape {points.shape}"
                         + ("; use np.atleast_1d for one variable" if points.ndim == 0 else ""))
    return points


def _steps(points, eps, spec, deriv):
    """Steps ``h_i = eps max(1, |x_i|)``, checked to move every coordinate."""
    dtype = points.dtype
    if eps is None:
        relative = np.asarray(_default_relative_step(spec, deriv, dtype), dtype=dtype)
    else:
        relative = as_steps(eps, dtype)
        if relative.ndim > 1 or relative.size not in (1, points.size):
            raise ValueError(f"eps must be a number or an array of shape {points.shape}, "
                             f"got shape {relative.shape}")
    h = relative * length_scale(points)
    if not np.isfinite(h).all():
        raise ValueError("eps * max(1, |x|) overflows the dtype " + str(dtype))
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

    The loop path calls ``f`` once per point on a fresh copy of ``x``; the
    batched path stacks points as columns and calls ``f`` once per batch.
    Each call goes through a `numdiff.evaluator.Evaluator` (Variable
    wrapping, numbers checked, calls counted); the shape of the values is
    checked here, where a point is a vector.
    """

    def __init__(self, f, x, vectorized, scalar):
        check_callable(f)
        self.vectorized = check_flag(vectorized, "vectorized")
        self.wrap = uses_variables(f, x)
        self.x = _as_vector(x)
        self.f = Evaluator(f, wrap=self.wrap, elementwise=False,
                           batch_axis=1 if self.vectorized else None)
        self.scalar = scalar
        self.dtype = self.x.dtype
        # float16 has no complex counterpart; the complex step uses complex64.
        self.complex_dtype = np.result_type(self.dtype, np.complex64)
        self.out_shape = None
        self._along = {}  # offset g -> f(x + g h_i e_i) for every i; f(x) for g = 0

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
            deltas = np.concatenate([np.zeros(1, h.dtype) if g == 0 else _scaled(g, h)
                                     for g in new])
            values = self.points(coords[:, None], deltas[:, None])
            start = 0
            for g in new:
                size = 1 if g == 0 else n
                block = values[start:start + size]
                self._along[g] = np.broadcast_to(block, (n,) + block.shape[1:]) if g == 0 else block
                start += size
        return {g: self._along[g] for g in offsets}

    def center(self):
        """``f(x)``."""
        return self.along((0,), np.zeros(0, self.dtype))[0][0]

    def points(self, coords, deltas):
        """``f`` at ``x`` with ``x[coords[c, j]] += deltas[c, j]``; shape (m,) + s.

        The coordinates of one row must be distinct.
        """
        work = np.result_type(self.dtype, deltas.dtype)
        m = coords.shape[0]
        if not self.vectorized:
            out = [self._call_one(self._moved(coords[c], deltas[c], work)) for c in range(m)]
            return self.as_dtype(np.stack(out))
        n = self.x.size
        chunk = max(1, BATCH_ELEMENTS // n)
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
        """Real values in the dtype of `x`; complex values (complex step) kept."""
        return values if values.dtype.kind == "c" else values.astype(self.dtype, copy=False)

    def _moved(self, coords, deltas, work):
        point = self.x.astype(work, copy=True)
        point[coords] += deltas
        return point

    def _raw(self, point):
        return self.f(point)

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
        y = self._raw(point)
        self._check_shape(y.shape, "")
        return y

    def _call_batch(self, batch):
        y = self._raw(batch)
        m = batch.shape[1]
        if y.ndim == 0 or y.shape[-1] != m:
            raise ValueError(
                f"with vectorized=True, f must return the values of its {m} points "
                f"along the last axis (shape s + ({m},)), got shape {y.shape}")
        self._check_shape(y.shape[:-1], " per point (vectorized=True: one value per column)")
        return np.moveaxis(y, -1, 0)
