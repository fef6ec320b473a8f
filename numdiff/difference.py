"""`numerical_diff`: one vectorised finite difference with a given step."""

from functools import lru_cache

import numpy as np

from ._sampling import Sampler, complex_step
from ._validation import (as_steps, check_callable, check_deriv, check_flag, points_and_extent,
                          uses_variables)
from .schemes import get_scheme

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
        Converted to the dtype of `x`.
    scheme : str, optional
        A name from `numdiff.SCHEMES`: ``"forward"``, ``"backward"``,
        ``"central"``, ``"forward2"``, ``"backward2"``, ``"central4"``,
        ``"central6"``, ``"central8"`` or ``"complex_step"``.
    deriv : int, optional
        Derivative order: 1 to 4, 1 only for ``"complex_step"``.
    exact_step : bool, optional
        If True, use the representable step ``(x + eps) - x`` in place of
        `eps`, which removes the error of forming ``x + eps`` (Numerical
        Recipes 3rd ed. §5.7). Where ``x + eps == x`` that step is 0 and the
        estimate NaN.

    Returns
    -------
    numpy scalar or ndarray
        The estimate, of shape ``broadcast(x, eps)`` and the dtype of `x`.
        Non-finite values of `f` give non-finite estimates.

    Raises
    ------
    TypeError
        If `f` is not callable, `x` or `eps` are not real numbers, `deriv`
        is not an integer, or `f` returns something other than numbers.
    ValueError
        If `x` is empty, NaN or infinite; `eps` is empty, not positive, NaN,
        infinite, or so small that ``x + eps == x`` for every element (a real
        scheme would return 0); `x` and `eps` do not broadcast; the scheme
        or `deriv` is unknown; `f` returns the wrong shape; or, for the
        complex step, `f` returns real values for complex input.

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
    """
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

    sample = Sampler(f, dtype, wrap)
    if spec.is_complex:
        return complex_step(sample, points, h)[()]
    if exact_step:
        h = (points + h) - points
    else:
        _check_step_moves(points, h, largest_point)
    return _combine(sample, points, h, *_plan(spec, deriv), deriv, dtype)


def _check_step_moves(points, h, largest_point):
    """Raise if ``x + h == x`` for every element (the difference would be 0)."""
    smallest_step = h.min()
    # A step of at least one ulp of the largest |x| moves every element.
    if smallest_step >= np.spacing(largest_point):
        return
    if not np.any(points + h != points):
        raise ValueError(
            f"eps={_show(h)} is below the spacing of floating-point numbers at "
            f"x (spacing {_show(np.spacing(largest_point))} in {points.dtype}): "
            "x + eps == x for every element, the difference would be 0")


def _show(array):
    array = np.asarray(array)
    return f"{array.flat[0]:.3g}" if array.size == 1 else f"[{array.min():.3g} .. {array.max():.3g}]"


@lru_cache(maxsize=None)
def _plan(spec, deriv):
    """The stencil of a scheme as groups ``(g, n_g, n_-g or None)``, and its denominator.

    Symmetric offsets are grouped (`Stencil.numerator_pairs`): ``f(x + g h)
    - f(x - g h)`` of nearby values is exact (Sterbenz), so pairing the
    offsets of opposite weights loses nothing to rounding. Cached per
    (scheme, deriv): building it from the exact stencil is most of the cost
    of a call on a scalar.
    """
    st = spec.stencil(deriv)
    return tuple((float(g), n, partner) for g, n, partner in st.numerator_pairs), st.denominator


def _evaluate(sample, points, h, g, buffer):
    """``f(x + g h)`` with the argument formed in `buffer`; values never alias it."""
    if g == 0:
        at = points
    elif g == 1:
        at = np.add(points, h, out=buffer)
    elif g == -1:
        at = np.subtract(points, h, out=buffer)
    else:
        at = np.add(points, h.dtype.type(g) * h, out=buffer)
    values = sample(at)
    if g != 0 and np.may_share_memory(values, buffer):
        values = values.copy()  # e.g. f returned its argument
    return values


def _combine(sample, points, h, groups, denominator, deriv, dtype):
    """``sum n_i f(x + g_i h) / (D h^q)``, symmetric offsets taken in pairs.

    The arguments ``x + g h`` are formed in one reused buffer, which then
    holds the group's term, so a two-point stencil allocates one array
    besides the values of `f`.
    """
    shape = np.broadcast_shapes(points.shape, h.shape)
    buffer = np.empty(shape, dtype)
    total = None
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for g, n, partner in groups:
            first = _evaluate(sample, points, h, g, buffer)
            second = None if partner is None else _evaluate(sample, points, h, -g, buffer)
            # The buffer is free again; the term goes there unless f returned
            # complex values, which a real buffer cannot hold.
            real = first.dtype == dtype and (second is None or second.dtype == dtype)
            out = buffer if real else None
            if second is None:
                term = first if n == 1 else np.multiply(first, n, out=out)
            elif partner == n or partner == -n:
                term = (np.add if partner == n else np.subtract)(first, second, out=out)
                if n != 1:
                    term = np.multiply(term, n, out=term if real else None)
            else:
                term = np.add(np.multiply(first, n, out=out), partner * second, out=out)
            term = np.broadcast_to(term, shape) if term.shape != shape else term
            if total is None:
                total = term if term is buffer else np.array(term)
                if total is buffer and len(groups) > 1:
                    buffer = np.empty(shape, dtype)
            else:
                total += term
        total /= denominator * (h if deriv == 1 else h ** deriv)
    return total[()]
