"""The error theory of finite differences, as code.

A difference estimate of ``f^(q)(x)`` with step ``h`` carries two errors:

* truncation, the Taylor terms the stencil drops: ``C2 * h^p`` with
  ``C2 = |K| * |f^(p+q)(x)|``, where ``K`` is the stencil's exact leading
  coefficient and ``p`` its order of accuracy;
* rounding, each evaluation of ``f`` being off by up to ``u |f|``, amplified
  by the weights and divided by ``h^q``: ``C1 * h^-q`` with
  ``C1 = u * |f(x)| * sum_i |c_i|``.

Their sum ``E(h) = C1 h^-q + C2 h^p`` is the model. Setting ``E'(h) = 0``
gives the optimal step ``h* = (q C1 / (p C2))^(1/(p+q))`` and the error there
``E* = E(h*)``. This is the general form of FiniteDifferences.jl
(``src/methods.jl``), except that the truncation uses the exact leading
coefficient ``|sum c_i g_i^(p+q)| / (p+q)!`` instead of the bound
``sum |c_i g_i^(p+q)| / (p+q)!``; the two agree for the forward and central
differences, whose classic forms follow (Numerical Recipes 3rd ed. §5.7):

* forward:  ``E = (h/2)|f''| + 2u|f|/h``,  ``h* = 2 sqrt(u|f|/|f''|)``,
  ``E* = 2 sqrt(u |f| |f''|)``;
* central:  ``E = (h^2/6)|f'''| + u|f|/h``, ``h* = (3u|f|/|f'''|)^(1/3)``,
  ``E* = 1.04 (u|f|)^(2/3) |f'''|^(1/3)``.

The complex step has no subtraction: its rounding error is ``u |f'(x)|``
whatever the step, and its truncation ``|f'''| h^2 / 6``. Any step below the
crossover ``sqrt(6 u |f'| / |f'''|)`` reaches that floor; `ErrorModel`
reports the crossover as its optimal step.

``u`` in these formulas is the machine epsilon ``np.finfo(dtype).eps``
(`machine_epsilon`, 2.2e-16 in float64), the spacing of floating-point
numbers at 1, as in the sources above; the unit roundoff, the bound of
rounding to nearest, is half of it (`unit_roundoff`).

The scales every method of the library measures in are defined here once:
`machine_epsilon` for rounding, `length_scale` ``max(1, |x|)`` for steps,
`value_scale` ``F`` for the values of ``f`` whose rounding a difference
amplifies, and `unit_scale_step` for the optimal step of a stencil at length
scale 1.
"""

import math
from dataclasses import dataclass

import numpy as np

from .formats import format_info

__all__ = ["machine_epsilon", "unit_roundoff", "length_scale", "value_scale", "ErrorModel",
           "error_model", "optimal_step", "unit_scale_step"]

#: Weight of ``|x| |f'|`` in the value scale ``F`` (`value_scale`): the
#: rounding of ``x`` to nearest moves it by at most half a unit, ``u |x| / 2``.
CONDITION_WEIGHT = 0.5


def machine_epsilon(dtype=np.float64):
    """Machine epsilon of a floating-point dtype: the spacing of its numbers at 1.

    ``np.finfo(dtype).eps``: 2**-52 (2.2e-16) in float64. It is twice the
    unit roundoff (`unit_roundoff`). The error model's rounding terms are
    written with it, as in Numerical Recipes (3rd ed., §5.7), where it
    stands for the relative error of a computed value of ``f``.

    Parameters
    ----------
    dtype : dtype_like, optional
        A real or complex floating dtype. Complex dtypes give the epsilon of
        their real part.

    Returns
    -------
    float
        ``eps`` as a Python float, for any format (`numdiff.formats` too).

    Raises
    ------
    TypeError
        If `dtype` is not floating-point (an integer dtype, for instance).

    Examples
    --------
    >>> import numpy as np
    >>> machine_epsilon(np.float64) == 2.0 ** -52
    True
    >>> [float(machine_epsilon(t)) for t in (np.float16, np.float32)]
    [0.0009765625, 1.1920928955078125e-07]
    """
    return float(format_info(dtype).eps)


def unit_roundoff(dtype=np.float64):
    """Unit roundoff of a floating-point dtype: half its machine epsilon.

    The largest relative error of rounding a real number to nearest in the
    dtype (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
    §2.1): 2**-53 (1.1e-16) in float64. `dtype` and the errors as for
    `machine_epsilon`.

    Examples
    --------
    >>> import numpy as np
    >>> unit_roundoff(np.float64) == 2.0 ** -53
    True
    >>> unit_roundoff(np.float32) == machine_epsilon(np.float32) / 2
    True
    """
    return machine_epsilon(dtype) / 2


def length_scale(x):
    """``max(1, |x|)``: the distance over which ``f`` is assumed to vary near `x`.

    Below it the spacing of floating-point numbers near ``x`` no longer
    matters; steps and reaches of the automatic rules are measured in it.

    A Python number gives a float; an array (or numpy scalar) keeps its dtype.

    Examples
    --------
    >>> length_scale(0.25), length_scale(-3.0)
    (1.0, 3.0)
    """
    scale = np.maximum(np.abs(x), 1)
    return float(scale) if isinstance(x, (int, float)) else scale


def value_scale(size, x, slope, *, weight=CONDITION_WEIGHT, combine="max", shifted_by=None,
                scratch=None):
    """The value scale ``F`` of ``f`` near `x`, whose rounding a difference amplifies; in place.

    Every value of ``f`` is off by up to ``u |f|``, and an ``f`` whose first
    operation rounds a quantity of the size of ``x`` (``x**2``, ``c * x``,
    the argument reduction of ``sin``) is off as if ``x`` had been rounded,
    by up to ``u |x| |f'| / 2`` (half a unit of ``x``, rounding to nearest;
    Numerical Recipes 3rd ed. §5.7; Gill, Murray & Wright 1981, §8.6). So
    ``F = max(max|f|, w |x| |f'|)`` with ``w =`` `CONDITION_WEIGHT`
    (``combine="max"``, `numdiff.derivative`), or the sum of the two terms
    (``combine="sum"``, the step rules of `numdiff.step_selection`, with
    ``w = 1``). The larger of the two terms rather than their sum keeps
    the bound for a correctly rounded ``f`` within a factor 2 of ``u |f|``.

    Parameters
    ----------
    size : ndarray
        ``max |f|`` over the values taken; overwritten with ``F``.
    x : ndarray
        The points.
    slope : ndarray
        Stands for ``f'`` (an estimate, or the slope of the values).
    weight : float, optional
        ``w``.
    combine : {"max", "sum"}, optional
    shifted_by : ndarray, optional
        The steps of a stencil whose arguments ``x + g h`` are formed as
        given: where a step is not a power of two those arguments are
        rounded too, by up to ``u |x| / 2``, and ``w |x| |f'|`` is added to
        ``F``. (A power of two times a small integer is exact, and so is its
        sum with ``x`` unless the sum leaves the binade of ``x``.)
    scratch : ndarray, optional
        A buffer for ``|x f'|``.

    Returns
    -------
    ndarray
        `size`, now ``F``.

    Examples
    --------
    >>> import numpy as np
    >>> value_scale(np.array([1.0, 1.0]), np.array([1.0, 8.0]), np.array([1.0, 1.0]))
    array([1., 4.])
    >>> value_scale(np.array([1.0]), np.array([8.0]), np.array([1.0]), weight=1, combine="sum")
    array([9.])
    """
    condition = np.multiply(x, slope, out=scratch)
    # In place on arrays; numpy scalars (0-d input) give new scalars.
    condition = np.abs(condition, out=_writable(condition))
    condition *= condition.dtype.type(weight)
    if combine == "sum":
        return np.add(size, condition, out=_writable(size))
    size = np.maximum(size, condition, out=_writable(size))
    if shifted_by is not None:
        inexact = np.frexp(shifted_by)[0] != 0.5
        if np.any(inexact):
            size += np.where(inexact, condition, 0)
    return size


def _writable(array):
    return array if isinstance(array, np.ndarray) else None


def arguments_scale(x, slopes, *, weight=CONDITION_WEIGHT):
    """``w sum_j |x_j| |df/dx_j|``: the value scale of ``f`` with every argument rounded.

    A backward-stable ``f`` of many variables returns ``f(x_1 (1 + d_1),
    ..., x_n (1 + d_n))`` with each ``|d_j|`` up to about a unit roundoff
    ``eps / 2``, so its value errs by up to about
    ``eps / 2 sum_j |x_j| |df/dx_j|`` (to first order; `weight` 1/2 with the
    rounding bound's ``eps``), however small ``f`` itself is: where ``f`` is a sum of terms
    that cancel (``sin(w . x)`` near a zero, ``sum sin(x_i x_(i+1))``),
    this is far above ``u |f|`` (Higham, *Accuracy and Stability of
    Numerical Algorithms*, 2nd ed., §1.5 and §4.2, sums; Gill, Murray &
    Wright 1981, §8.6). It is the many-variable form of the argument's
    term of `value_scale`, ``w |x| |f'|``, which it bounds from above.

    Parameters
    ----------
    x : ndarray
        The coordinates, along axis 0 (broadcast against `slopes`).
    slopes : ndarray
        ``df/dx_j`` (estimates) along axis 0; values of ``f`` of any shape
        along the others. Terms that are not finite are left out.
    weight : float, optional
        ``w``, `CONDITION_WEIGHT` (half a unit of each argument).

    Returns
    -------
    ndarray
        The sum over axis 0, in the dtype of `slopes`.

    Examples
    --------
    >>> import numpy as np
    >>> arguments_scale(np.array([1.0, -2.0, 4.0]), np.array([3.0, 1.0, 0.5]))
    np.float64(3.5)
    >>> arguments_scale(np.array([[1.0], [2.0]]), np.array([[1.0, np.inf], [1.0, 2.0]]))
    array([1.5, 2. ])
    """
    terms = np.abs(x * slopes)
    terms[~np.isfinite(terms)] = 0
    return np.sum(terms, axis=0) * terms.dtype.type(weight)


@dataclass(frozen=True)
class ErrorModel:
    """The model ``E(h) = C1 h^-q + C2 h^p + C3 h^p2 + floor``.

    Coefficients may be arrays (one model per point); every method
    broadcasts. Built by `error_model`, which documents each term.

    Attributes
    ----------
    rounding : float or ndarray
        ``C1``: the cancellation error times ``h^rounding_power``.
    truncation : float or ndarray
        ``C2``: the leading truncation error divided by ``h^order``.
    rounding_power : int
        ``q`` for a real stencil of derivative order ``q``; 0 for the complex
        step, which has no cancellation.
    order : int
        Order of accuracy ``p``.
    next_truncation : float or ndarray, optional
        ``C3``: the next truncation term divided by ``h^next_order``; it
        governs where ``C2`` vanishes. 0 if not modelled.
    next_order : int, optional
        ``p2 > p``, the power of the next truncation term.
    floor : float or ndarray, optional
        The error no step avoids: the rounding of the result itself.

    Examples
    --------
    The central difference of exp at 1 in float64:

    >>> import numpy as np
    >>> m = error_model("central", f_scale=np.e, x_scale=1.0, result_scale=np.e,
    ...                 derivative_scale=np.e)
    >>> print(f"h* = {m.optimal_step:.3g}, E* = {m.minimum_error:.3g}")
    h* = 8.73e-06, E* = 1.04e-10
    """

    rounding: object
    truncation: object
    rounding_power: int
    order: int
    next_truncation: object = 0.0
    next_order: int = None
    floor: object = 0.0

    def rounding_error(self, h):
        """Cancellation term ``C1 h^-q`` at step(s) `h` (the floor excluded)."""
        return self.rounding * np.asarray(h, dtype=float) ** (-self.rounding_power)

    def truncation_error(self, h):
        """Truncation terms ``C2 h^p + C3 h^p2`` at step(s) `h`."""
        h = np.asarray(h, dtype=float)
        with np.errstate(over="ignore"):
            error = self.truncation * h ** self.order
        if self.next_order is not None:
            with np.errstate(invalid="ignore", over="ignore"):
                error = error + np.where(np.asarray(self.next_truncation) > 0,
                                         self.next_truncation * h ** self.next_order, 0.0)
        return error

    def __call__(self, h):
        """Total modelled error ``E(h)``, the floor included."""
        return self.rounding_error(h) + self.truncation_error(h) + self.floor

    @property
    def optimal_step(self):
        """Step minimising `E`.

        With the leading terms alone, ``(q C1 / (p C2))^(1/(p+q))`` from
        ``E'(h) = 0``. With the next truncation term the minimum is found
        numerically: ``E`` is a sum of powers of ``h``, so it is convex in
        ``log h`` and has one minimum. Where there is no cancellation
        (``C1 = 0``: the complex step; ``f(x) = 0`` at ``x = 0``) the error
        falls to the floor as ``h -> 0``, and the step reported is the
        largest at which truncation is down to the floor. ``inf`` where the
        truncation vanishes (the stencil is exact for ``f``); NaN where the
        model has no error at all.
        """
        return _scalar(_optimal_step(self))

    @property
    def minimum_error(self):
        """Modelled error at `optimal_step`: ``E(h*)``, never below `floor`.

        Where there is no cancellation, the floor reached below the step
        reported; where the truncation vanishes, the limit ``h -> inf``.
        """
        h = np.asarray(_optimal_step(self), dtype=float)
        rounding = np.broadcast_to(np.asarray(self.rounding, dtype=float), h.shape)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if self.rounding_power > 0 and not np.any(self.floor) and not (
                    self.next_order and np.any(self.next_truncation)):
                # The textbook model: q C1 h^-q = p C2 h^p at the optimum, so
                # E* = C1 h*^-q (1 + q/p).
                return _scalar(self.rounding_error(h) * (1 + self.rounding_power / self.order))
            error = np.where(np.isinf(h), 0.0, self(np.where(np.isinf(h), 1.0, h)))
            no_cancellation = (rounding == 0) | (self.rounding_power == 0)
            error = np.where(no_cancellation & np.isfinite(h), self.floor, error)
            error = error + np.where(np.isinf(h), self.floor, 0.0)
        return _scalar(error)


    @property
    def crossover_step(self):
        """Step where truncation equals rounding (cancellation plus floor).

        Below it rounding dominates, above it truncation. NaN where either
        side is absent: no truncation (the stencil is exact for ``f``) or no
        rounding at all.
        """
        rounding = np.asarray(self.rounding, dtype=float)
        floor = np.asarray(self.floor, dtype=float)
        truncation = np.asarray(self.truncation, dtype=float)
        following = np.asarray(self.next_truncation if self.next_order else 0.0, dtype=float)
        shape = np.broadcast_shapes(rounding.shape, floor.shape, truncation.shape,
                                    following.shape)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            excess = lambda t: np.log(self.truncation_error(np.exp(t))) - np.log(  # noqa: E731
                self.rounding_error(np.exp(t)) + floor)
            step = np.exp(_bisect(excess, np.zeros(shape)))
        present = ((truncation > 0) | (following > 0)) & ((rounding > 0) | (floor > 0))
        return _scalar(np.where(present, step, np.nan))

def _optimal_step(model):
    """`ErrorModel.optimal_step` as an array (closed form where it applies)."""
    p, q = model.order, model.rounding_power
    rounding = np.asarray(model.rounding, dtype=float)
    truncation = np.asarray(model.truncation, dtype=float)
    following = np.asarray(model.next_truncation if model.next_order else 0.0, dtype=float)
    floor = np.asarray(model.floor, dtype=float)
    shape = np.broadcast_shapes(rounding.shape, truncation.shape, following.shape, floor.shape)
    rounding, truncation, following, floor = (np.broadcast_to(a, shape) for a in
                                              (rounding, truncation, following, floor))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if q > 0 and not np.any(following):
            closed = (q * rounding / (p * truncation)) ** (1.0 / (p + q))
        else:
            closed = None
    cancels = (rounding > 0) & (q > 0)
    if closed is not None and not np.any(floor):
        return np.where(truncation == 0, np.inf, closed)  # the textbook model
    powers = [-q, p, model.next_order or p]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_c = [np.log(rounding) if q > 0 else np.full(shape, -np.inf), np.log(truncation),
                 np.log(following)]
        # V-shaped models: dE/d(log h) = sum k C h^k, increasing in log h.
        slope = lambda t: sum(k * np.exp(c + k * t) for c, k in zip(log_c, powers) if k)  # noqa: E731
        step = np.exp(_bisect(slope, np.zeros(shape)))
        # No cancellation: truncation C2 h^p + C3 h^p2 equals the floor.
        excess = lambda t: (np.exp(log_c[1] + p * t) + np.exp(log_c[2] + powers[2] * t)  # noqa: E731
                            - floor)
        crossover = np.exp(_bisect(excess, np.zeros(shape)))
    truncates = (truncation > 0) | (following > 0)
    step = np.where(cancels, step, np.where(floor > 0, crossover, np.nan))
    return np.where(truncates, step, np.where(cancels | (floor > 0), np.inf, np.nan))


def _bisect(increasing, target, low=-745.0, high=710.0, iterations=64):
    """Where the increasing function of ``t = log h`` crosses `target` (vectorised)."""
    low = np.full(np.shape(target), low)
    high = np.full(np.shape(target), high)
    for _ in range(iterations):
        middle = (low + high) / 2
        above = increasing(middle) > target
        high = np.where(above, middle, high)
        low = np.where(above, low, middle)
    return (low + high) / 2


def _scalar(value):
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


def error_model(scheme="central", *, deriv=1, f_scale, derivative_scale, x_scale=0.0,
                slope_scale=None, result_scale=None, next_derivative_scale=0.0,
                value_error=None, exact_step=False, dtype=np.float64):
    """The error model of a scheme at a point where ``f`` has the given scales.

    ``E(h) = C1 h^-q + C2 h^p + C3 h^p2 + floor`` (`ErrorModel`), with

    * cancellation ``C1 = sum_i |c_i| * delta``: each value ``f(x + g_i h)``
      is off by about ``delta = e_f |f| + u |x| |f'|``, its own rounding
      (``e_f``, the relative error of a computed value, `value_error`) plus
      the rounding of its argument: ``x + g h`` is rounded to the nearest
      number of the dtype, by up to ``u |x|``, which moves ``f`` by
      ``u |x| |f'|`` (Gill, Murray & Wright, *Practical Optimization*, 1981,
      §8.6: the error in computing ``f`` includes its conditioning). With
      the step made exact (``exact_step=True``, `numerical_diff`) the
      argument is exact and that term is absent. Where ``f(x) = 0`` and
      ``x = 0`` there is no cancellation at all and ``C1 = 0``;
    * truncation ``C2 = |K| |f^(p+q)|`` and ``C3 = |K2| |f^(p2+q)|``, the
      stencil's exact leading and next coefficients
      (`Stencil.error_coefficient`, `Stencil.next_error_term`); the next
      term keeps the optimum meaningful where ``f^(p+q)(x) = 0``;
    * a floor ``u |f^(q)| (1 + sum_i |c_i g_i^q| / q!)``: the stencil's terms
      and the quotient are rounded, so no estimate is better than about one
      unit in its last place (``eps |f'|`` for the forward and central
      differences, ``eps`` = `machine_epsilon` = ``2 u``).

    ``u`` is the unit roundoff of `dtype` (`unit_roundoff`, half the machine
    epsilon). The classic textbook forms (Numerical Recipes 3rd ed. §5.7)
    are the case ``x_scale = 0`` without the next term and the floor, with
    ``e_f`` = the machine epsilon.

    Parameters
    ----------
    scheme : str or Scheme, optional
        A name from `numdiff.SCHEMES`.
    deriv : int, optional
        Derivative order ``q``.
    f_scale : float or array_like
        ``|f(x)|``.
    derivative_scale : float or array_like
        ``|f^(p+q)(x)|``, the derivative in the leading truncation term
        (``get_scheme(scheme).stencil(deriv).truncation_order``); for the
        complex step ``|f'''(x)|``.
    x_scale : float or array_like, optional
        ``|x|``, for the rounding of the arguments (default 0: arguments
        taken as exact, the textbook model).
    slope_scale : float or array_like, optional
        ``|f'(x)|`` for that term; defaults to `result_scale` when
        ``deriv = 1``, else 0.
    result_scale : float or array_like, optional
        ``|f^(q)(x)|``, for the floor (no floor without it); required for the
        complex step.
    next_derivative_scale : float or array_like, optional
        ``|f^(p2+q)(x)|``, the derivative in the next truncation term
        (``Stencil.next_error_term``; ``f^(5)`` for the complex step).
    value_error : float, optional
        ``e_f``, the relative error of one computed value of ``f``; default
        the unit roundoff (a correctly rounded ``f``). Composite functions
        carry more: Numerical Recipes' forms take the machine epsilon.
    exact_step : bool, optional
        Whether the stencil is formed with exact steps (no argument rounding).
    dtype : dtype_like, optional
        The working precision; sets ``u`` and ``eps``.

    Returns
    -------
    ErrorModel

    Raises
    ------
    ValueError
        If a scale is negative or NaN, or `result_scale` is missing for the
        complex step.

    Examples
    --------
    The classic forward-difference optimum ``2 sqrt(e_f |f| / |f''|)``:

    >>> import numpy as np
    >>> eps = np.finfo(float).eps
    >>> m = error_model("forward", f_scale=1.0, derivative_scale=1.0, value_error=eps)
    >>> bool(np.isclose(m.optimal_step, 2 * np.sqrt(eps)))
    True
    >>> bool(np.isclose(m.minimum_error, 2 * np.sqrt(eps)))
    True

    Where ``f(x) = 0`` the rounding of the argument remains: log at 1.

    >>> m = error_model("central", f_scale=0.0, x_scale=1.0, result_scale=1.0,
    ...                 derivative_scale=2.0, next_derivative_scale=24.0)
    >>> print(f"h* = {m.optimal_step:.2g}, E* = {m.minimum_error:.2g}")
    h* = 5.5e-06, E* = 3e-11
    """
    from ._validation import check_deriv  # the checks build on this module too
    from .schemes import get_scheme  # the schemes build on this module

    spec = get_scheme(scheme)
    deriv = check_deriv(deriv, spec.max_deriv, spec.name)
    u = unit_roundoff(dtype)
    value_error = u if value_error is None else _scale(value_error, "value_error")
    f_scale = _scale(f_scale, "f_scale")
    derivative_scale = _scale(derivative_scale, "derivative_scale")
    x_scale = _scale(x_scale, "x_scale")
    next_derivative_scale = _scale(next_derivative_scale, "next_derivative_scale")
    result = 0.0 if result_scale is None else _scale(result_scale, "result_scale")
    slope = (result if deriv == 1 else 0.0) if slope_scale is None else \
        _scale(slope_scale, "slope_scale")
    floor = u * result * spec.result_rounding_weight(deriv)
    coefficient = abs(float(spec.error_coefficient(deriv)))
    argument = 0.0 if exact_step else u * x_scale * slope
    rounding = spec.rounding_coefficient(
        deriv, u=value_error, f_scale=f_scale, argument_error=argument,
        result_scale=None if result_scale is None else result)
    next_order, next_coefficient = spec.next_error_term(deriv)
    return ErrorModel(rounding, coefficient * derivative_scale, spec.rounding_power(deriv),
                      spec.accuracy(deriv), abs(float(next_coefficient)) * next_derivative_scale,
                      next_order, floor)


def _scale(value, name):
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a non-negative number or array, got {value!r}") from None
    if np.any(np.isnan(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be non-negative, got {value!r}")
    return float(array) if array.ndim == 0 else array


def optimal_step(scheme="central", *, deriv=1, f_scale, derivative_scale, x_scale=0.0,
                 slope_scale=None, result_scale=None, next_derivative_scale=0.0,
                 value_error=None, exact_step=False, dtype=np.float64):
    """The step that minimises the modelled error; the parameters are `error_model`'s.

    Examples
    --------
    The classic central optimum ``(3 e_f |f| / |f'''|)^(1/3)``, with ``e_f`` the
    machine epsilon as in Numerical Recipes:

    >>> import numpy as np
    >>> eps = np.finfo(float).eps
    >>> h = optimal_step("central", f_scale=2.0, derivative_scale=5.0, value_error=eps)
    >>> bool(np.isclose(h, (3 * eps * 2.0 / 5.0) ** (1 / 3)))
    True
    """
    return error_model(scheme, deriv=deriv, f_scale=f_scale, derivative_scale=derivative_scale,
                       x_scale=x_scale, slope_scale=slope_scale, result_scale=result_scale,
                       next_derivative_scale=next_derivative_scale, value_error=value_error,
                       exact_step=exact_step, dtype=dtype).optimal_step


def unit_scale_step(st, u, *, derivatives="geometric"):
    """The optimal step of a stencil for a function of length scale 1.

    The model ``E(h) = u |f| sum|c| h^-q + |K| |f^(p+q)| h^p`` with ``|f| = 1``
    and the derivative given by one of two assumptions:

    * ``"geometric"``: ``|f^(m)| ~ |f| / L^m``, derivatives of unit size;
      then ``h* = (q u sum|c| / (p |K|))^(1/(p+q))`` (`ErrorModel`), the
      step of `error_model` at unit scales;
    * ``"cauchy"``: Cauchy's estimate ``|f^(m)| <= m! |f| / L^m`` for ``f``
      analytic in a disc of radius ``L`` about ``x``; then
      ``h* = (q u sum|c| / (p |K| (p+q)!))^(1/(p+q))``.

    Multiply by the length scale ``L`` (`length_scale`) for the step at ``x``.

    Parameters
    ----------
    st : numdiff.Stencil
    u : float
        The rounding unit of the model (`machine_epsilon`).
    derivatives : {"geometric", "cauchy"}

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from numdiff import SCHEMES
    >>> u = machine_epsilon()
    >>> h = unit_scale_step(SCHEMES["central"].stencil(1), u)
    >>> bool(np.isclose(h, (3 * u) ** (1 / 3)))
    True
    >>> bool(np.isclose(unit_scale_step(SCHEMES["central"].stencil(1), u, derivatives="cauchy"),
    ...                 (3 * u / 6) ** (1 / 3)))
    True
    """
    p, q = st.accuracy, st.deriv
    if derivatives == "cauchy":
        denominator = p * abs(float(st.error_coefficient)) * math.factorial(p + q)
        return float((q * u * float(st.weight_sum) / denominator) ** (1.0 / (p + q)))
    if derivatives != "geometric":
        raise ValueError(f"derivatives must be 'geometric' or 'cauchy', got {derivatives!r}")
    return ErrorModel(u * st.weight_sum, abs(float(st.error_coefficient)), q, p).optimal_step
