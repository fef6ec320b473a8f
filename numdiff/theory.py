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

    Raises
    ------
    TypeError
        If `dtype` is not a floating-point dtype.

    Examples
    --------
    >>> import numpy as np
    >>> machine_epsilon(np.float64) == 2.0 ** -52
    True
    >>> [float(machine_epsilon(t)) for t in (np.float16, np.float32)]
    [0.0009765625, 1.1920928955078125e-07]
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype!r}") from None
    if dtype.kind not in "fc":
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype}")
    return float(np.finfo(dtype).eps)


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


@dataclass(frozen=True)
class ErrorModel:
    """The model ``E(h) = rounding * h^-rounding_power + truncation * h^order``.

    Coefficients may be arrays (one model per point); every method
    broadcasts.

    Attributes
    ----------
    rounding : float or ndarray
        ``C1``: rounding error times ``h^rounding_power``.
    truncation : float or ndarray
        ``C2``: truncation error divided by ``h^order``.
    rounding_power : int
        ``q`` for a real stencil of derivative order ``q``; 0 for the complex
        step, whose rounding does not grow as the step shrinks.
    order : int
        Order of accuracy ``p``.

    Examples
    --------
    The central difference of exp at 1 in float64:

    >>> import numpy as np
    >>> m = error_model("central", f_scale=np.e, derivative_scale=np.e)
    >>> print(f"h* = {m.optimal_step:.3g}, E* = {m.minimum_error:.3g}")
    h* = 8.73e-06, E* = 1.04e-10
    """

    rounding: object
    truncation: object
    rounding_power: int
    order: int

    def rounding_error(self, h):
        """Rounding term ``C1 h^-q`` at step(s) `h`."""
        return self.rounding * np.asarray(h, dtype=float) ** (-self.rounding_power)

    def truncation_error(self, h):
        """Truncation term ``C2 h^p`` at step(s) `h`."""
        return self.truncation * np.asarray(h, dtype=float) ** self.order

    def __call__(self, h):
        """Total modelled error ``E(h)``."""
        return self.rounding_error(h) + self.truncation_error(h)

    @property
    def optimal_step(self):
        """Step minimising `E` (the crossover step for the complex step).

        ``(q C1 / (p C2))^(1/(p+q))`` from ``E'(h) = 0``; ``inf`` where the
        truncation coefficient vanishes (the stencil is exact for ``f``).
        """
        with np.errstate(divide="ignore"):
            if self.rounding_power == 0:
                ratio = self.rounding / np.asarray(self.truncation, dtype=float)
                return _scalar(ratio ** (1.0 / self.order))
            ratio = self.rounding_power * self.rounding / (
                self.order * np.asarray(self.truncation, dtype=float)
            )
            return _scalar(ratio ** (1.0 / (self.order + self.rounding_power)))

    @property
    def minimum_error(self):
        """Modelled error at `optimal_step`: ``E(h*)``.

        For the complex step, the floor ``C1`` reached below the crossover.
        Where the truncation vanishes this is 0 (the model has no minimum;
        the error falls with ``h -> inf``).
        """
        if self.rounding_power == 0:
            return _scalar(np.asarray(self.rounding, dtype=float))
        h = np.asarray(self.optimal_step, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            # q C1 h^-q = p C2 h^p at the optimum, so E* = C1 h*^-q (1 + q/p).
            return _scalar(self.rounding_error(h) * (1 + self.rounding_power / self.order))


def _scalar(value):
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


def error_model(scheme="central", *, deriv=1, f_scale, derivative_scale,
                result_scale=None, dtype=np.float64):
    """The error model of a scheme for a function of the given scales.

    Parameters
    ----------
    scheme : str or Scheme, optional
        A name from `numdiff.SCHEMES`.
    deriv : int, optional
        Derivative order ``q``.
    f_scale : float or array_like
        ``|f(x)|``, the size of the values whose rounding errors cancel.
    derivative_scale : float or array_like
        ``|f^(p+q)(x)|``, the derivative in the leading truncation term
        (``p`` = the scheme's order of accuracy; see
        ``get_scheme(scheme).stencil(deriv).truncation_order``). For the
        complex step, ``|f'''(x)|``.
    result_scale : float or array_like, optional
        ``|f'(x)|``; required for the complex step, whose rounding error is
        ``u |f'(x)|``, and ignored otherwise.
    dtype : dtype_like, optional
        The working precision; sets ``u``.

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
    The classic forward-difference optimum ``2 sqrt(u |f| / |f''|)``:

    >>> import numpy as np
    >>> u = np.finfo(float).eps
    >>> m = error_model("forward", f_scale=1.0, derivative_scale=1.0)
    >>> bool(np.isclose(m.optimal_step, 2 * np.sqrt(u)))
    True
    >>> bool(np.isclose(m.minimum_error, 2 * np.sqrt(u)))
    True
    """
    from .schemes import get_scheme  # the schemes build on this module

    spec = get_scheme(scheme)
    u = machine_epsilon(dtype)
    f_scale = _scale(f_scale, "f_scale")
    derivative_scale = _scale(derivative_scale, "derivative_scale")
    coefficient = abs(float(spec.error_coefficient(deriv)))
    rounding = spec.rounding_coefficient(
        deriv, u=u, f_scale=f_scale,
        result_scale=None if result_scale is None else _scale(result_scale, "result_scale"))
    return ErrorModel(rounding, coefficient * derivative_scale, spec.rounding_power(deriv),
                      spec.accuracy(deriv))


def _scale(value, name):
    array = np.asarray(value, dtype=float)
    if np.any(np.isnan(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be non-negative, got {value!r}")
    return float(array) if array.ndim == 0 else array


def optimal_step(scheme="central", *, deriv=1, f_scale, derivative_scale,
                 result_scale=None, dtype=np.float64):
    """The step that minimises the modelled error; see `error_model`.

    Examples
    --------
    The classic central optimum ``(3 u |f| / |f'''|)^(1/3)``:

    >>> import numpy as np
    >>> h = optimal_step("central", f_scale=2.0, derivative_scale=5.0)
    >>> bool(np.isclose(h, (3 * np.finfo(float).eps * 2.0 / 5.0) ** (1 / 3)))
    True
    """
    return error_model(scheme, deriv=deriv, f_scale=f_scale,
                       derivative_scale=derivative_scale,
                       result_scale=result_scale, dtype=dtype).optimal_step


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
