"""`numerical_diff`: one vectorised finite difference with a given step."""

import math

import numpy as np

from ._validation import (as_steps, check_callable, check_deriv, check_flag,
                          check_normal_steps, points_and_extent, uses_variables)
from .evaluator import Evaluator, scalar_estimate, term_groups
from .schemes import SCHEMES, get_scheme
from .variable import Function

__all__ = ["numerical_diff"]


def numerical_diff(f, x, eps=1e-4, *, scheme="central", deriv=1, exact_step=False):
    """Finite-difference derivative of `f` at `x` with step `eps`.

    With the defaults this is the central difference
    ``(f(x + eps) - f(x - eps)) / (2 eps)``, computed exactly as written.

    Parameters
    ----------
    f : callable
        The function. A `numdiff.Function`, or a Python function built from
        them, receives and returns `numdiff.Variable` objects; this happens
        when `f` is a `Function` or `x` is a `Variable`. Otherwise `f`
        receives a numpy array (or numpy scalar) of the broadcast shape of
        `x` and `eps` and must return one of the same shape: it is applied
        element-wise, once per stencil point.
    x : Variable, float or array_like
        Point(s). Integer input is computed in float64; float16, float32,
        float64 and longdouble are kept.
    eps : float or array_like, optional
        Step(s) ``h > 0``, broadcast against `x`: ``eps[:, None]`` against
        ``x`` of shape ``(n,)`` gives a table of shape ``(len(eps), n)``.
        Converted to the dtype of `x`. The default, DeZero's ``1e-4``, suits
        first and second derivatives in float64; the rounding error of a
        stencil for ``f^(q)`` grows as ``u sum|c_i| |f| / eps^q``, about
        ``35 |f|`` for the fourth derivative at ``1e-4``. For higher orders
        (or lower precisions) take the step of `numdiff.unit_scale_step`
        times ``max(1, |x|)``, as in the last example, or let
        `numdiff.derivative` choose it.
    scheme : str, optional
        A name from `numdiff.SCHEMES`: ``"forward"``, ``"backward"``,
        ``"central"``, ``"forward2"``, ``"backward2"``, ``"central4"``,
        ``"central6"``, ``"central8"`` or ``"complex_step"``.
    deriv : int, optional
        Derivative order: 1 to `numdiff.MAX_DERIV` (8); 1 or 2 for ``"complex_step"``.
    exact_step : bool, optional
        If True, use the representable step ``(x + eps) - x`` in place of
        `eps`, which removes the error of forming ``x + eps`` (Numerical
        Recipes 3rd ed. §5.7). Where ``x + eps == x`` for some elements only,
        their step is 0 and their estimate NaN (for every element, ValueError,
        as without `exact_step`).

    Returns
    -------
    numpy scalar or ndarray
        The estimate, of shape ``broadcast(x, eps)`` and the dtype of `x`.
        Non-finite values of `f` give non-finite estimates, and so does an
        overflow of the sum or of the quotient (``x`` or `eps` near the
        largest number of the dtype): a NaN or infinite estimate means the
        computation overflowed there (`numdiff.derivative` reports it as a
        status). A real scheme
        applied to a complex-valued `f` differentiates its real and
        imaginary parts alike: the estimate is then complex (the matching
        complex dtype). The complex step needs `f` real on the real axis.

    Raises
    ------
    TypeError
        If `f` is not callable, `x` or `eps` are not real numbers, `deriv`
        is not an integer, or `f` returns something other than numbers or
        floating-point values less precise than the dtype of `x` (float32
        values for float64 `x`, whose differences would be lost).
    ValueError
        If `x` is empty, NaN or infinite; `eps` is empty, not positive, NaN,
        infinite, or so small that ``x + eps == x`` for every element (a real
        scheme would return 0); `x` and `eps` do not broadcast; the scheme
        or `deriv` is unknown; `f` returns the wrong shape; or, for the
        complex step, `eps` is subnormal, `f` returns real values for complex
        input or `f` is not real at `x` (`x` outside its real domain).

    See Also
    --------
    numdiff.SCHEMES : the schemes and their stencils.
    numdiff.error_model : the truncation and rounding errors to expect.

    Notes
    -----
    The real schemes evaluate ``sum_i n_i f(x + g_i h) / (D h^q)`` with
    integer numerators ``n_i`` over the common denominator ``D`` of the exact
    weights, pairing symmetric offsets, so the central difference is the
    textbook formula to the last bit. `f` is called once per offset (once
    for the complex step) with the whole array.

    Examples
    --------
    >>> import numpy as np
    >>> from numdiff import Square, Variable
    >>> print(numerical_diff(Square(), Variable(np.array(2.0))))
    4.000000000004
    >>> numerical_diff(np.sin, np.array([0.0, np.pi]), scheme="central4")
    array([ 1., -1.])
    >>> float(numerical_diff(np.exp, 0.0, 1e-20, scheme="complex_step"))
    1.0
    >>> numerical_diff(np.exp, 0.0, np.array([1e-1, 1e-2])).round(8)
    array([1.0016675 , 1.00001667])
    >>> complex(numerical_diff(lambda t: np.exp(1j * t), 0.0, 1e-5).round(8))
    1j

    A fourth derivative at a step suited to it (``1e-4`` would give noise):

    >>> from numdiff import SCHEMES, machine_epsilon, unit_scale_step
    >>> h = unit_scale_step(SCHEMES["central"].stencil(4), machine_epsilon())
    >>> bool(abs(numerical_diff(np.exp, 1.0, h, deriv=4) - np.e) < 1e-4)
    True
    """
    dtype = _SCALAR_DTYPES.get(type(x))
    if dtype is not None and exact_step is False and type(deriv) is int:
        found = _on_a_scalar(f, dtype.type(x), eps, scheme, deriv)
        if found is not None:
            return found
    check_callable(f)
    spec = get_scheme(scheme)
    deriv = check_deriv(deriv, spec.max_deriv, spec.name)
    exact_step = check_flag(exact_step, "exact_step")
    wrap = uses_variables(f, x)
    points, largest_point = points_and_extent(x)
    dtype = points.dtype
    h = as_steps(eps, dtype)
    try:
        np.broadcast_shapes(points.shape, h.shape)
    except ValueError:
        raise ValueError(f"x of shape {points.shape} and eps of shape {h.shape} "
                         "do not broadcast together") from None

    evaluate = Evaluator(f, dtype=dtype, wrap=wrap)
    if spec.subtracts:
        _check_step_moves(points, h, largest_point)
        if exact_step:
            with np.errstate(over="ignore"):  # x + h beyond the largest number: inf, as without
                h = (points + h) - points
    else:
        check_normal_steps(h)
    return spec.evaluate(evaluate, points, h, deriv).estimate[()]


#: The types of ``x`` (and of ``eps``) `numerical_diff` computes on without arrays.
_SCALAR_DTYPES = {float: np.dtype(np.float64), np.float64: np.dtype(np.float64),
                  np.float32: np.dtype(np.float32), np.float16: np.dtype(np.float16),
                  np.longdouble: np.dtype(np.longdouble)}
#: The largest finite number of each scalar type: a larger step would overflow in it.
_LARGEST = {t: float(np.finfo(t).max) for t in _SCALAR_DTYPES}
#: (scheme name, deriv) -> the terms of a real scheme's stencil, its denominator and
#: order (`scalar_estimate`), and its reach ``max |g|``, filled as schemes are used.
_SCALAR_STENCILS = {}


def _on_a_scalar(f, x, eps, scheme, deriv):
    """`numerical_diff` at one point, on numpy scalars: the array path's bits, or None.

    Only the common case is taken here, each of its checks cheap (types
    first): a real named scheme, a finite `x`, a positive finite step that
    moves `x`, ``f`` not a `numdiff.Function`. Anything else returns None,
    and the array path checks it (and raises where it must).
    """
    if type(scheme) is not str:
        return None
    known = _SCALAR_STENCILS.get((scheme, deriv))
    if known is None:
        spec = SCHEMES.get(scheme)
        if spec is None or not spec.subtracts or not 1 <= deriv <= spec.max_deriv:
            return None
        st = spec.stencil(deriv)
        groups = term_groups(st)
        known = _SCALAR_STENCILS[(scheme, deriv)] = \
            ((groups, st.denominator, deriv), max(abs(g) for g, _, _ in groups))
    terms, reach = known
    scalar = type(x)
    if not (type(eps) is float or type(eps) is scalar) or not callable(f) or \
            isinstance(f, Function):
        return None
    # In Python floats: x + g eps must stay finite in x's type (or the array
    # path takes it, and says so without a warning).
    if not (math.isfinite(x) and 0 < eps and
            math.fabs(x) + float(eps) * reach < _LARGEST[scalar]):
        return None
    h = scalar(eps)
    if not x + h != x:  # the array path's check (raises if x + h == x)
        return None
    return scalar_estimate(f, x, h, *terms)


def _check_step_moves(points, h, largest_point):
    """Raise if ``x + h == x`` for every element (the difference would be 0)."""
    smallest_step = h.min()
    # A step of at least one ulp of the largest |x| moves every element
    # (numpy's spacing of the largest number overflows: then the ulp below it).
    with np.errstate(over="ignore"):
        ulp = np.spacing(largest_point)
    if not np.isfinite(ulp):
        ulp = largest_point - np.nextafter(largest_point, 0)
    if smallest_step >= ulp:
        return
    with np.errstate(over="ignore"):
        moved = np.any(points + h != points)
    if not moved:
        raise ValueError(
            f"eps={_show(h)} is below the spacing of floating-point numbers at "
            f"x (spacing {_show(ulp)} in {points.dtype}): "
            "x + eps == x for every element, the difference would be 0")


def _show(array):
    array = np.asarray(array)
    return f"{array.flat[0]:.3g}" if array.size == 1 else f"[{array.min():.3g} .. {array.max():.3g}]"
