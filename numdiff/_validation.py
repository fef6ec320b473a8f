"""Input checks shared by the public functions; every message names the argument."""

import numpy as np

from .formats import format_info, is_real_floating
from .theory import machine_epsilon
from .variable import Function, Variable

#: Largest ``ratio`` between the steps of `numdiff.derivative`'s tableau: with up to
#: 12 levels, ratio**12 must stay far inside the range of every dtype
#: (1e3**12 = 1e36 fits float32).
MAX_RATIO = 1e3


def check_callable(f, name="f"):
    """Raise TypeError unless `f` can be called."""
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


def as_points(x, name="x"):
    """`x` (a Variable, number or array) as a finite floating-point array.

    Integer input becomes float64; float16/32/64 and longdouble are kept.
    """
    return points_and_extent(x, name)[0]


def points_and_extent(x, name="x"):
    """`as_points`, and the largest magnitude in `x` found while checking it."""
    # numpy cannot make an array of ragged sequences, for one.
    array = as_array(x, "iuf", f"{name} must be a real number or array",
                     f"{name} must hold real numbers")
    if not is_real_floating(array.dtype):
        array = array.astype(np.float64)
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    # max/min propagate NaN and show infinities without a temporary array.
    top, bottom = array.max(), array.min()
    if not (np.isfinite(top) and np.isfinite(bottom)):
        bad = "NaN" if np.isnan(top) or np.isnan(bottom) else "infinite values"
        raise ValueError(f"{name} must be finite, got {bad}")
    return array, max(abs(top), abs(bottom))


def as_array(value, kinds, what, holds):
    """`value` (or a `Variable`'s data) as an array of the dtype kinds `kinds`, or TypeError.

    The messages say "`what`: <reason>" where numpy cannot make an array,
    and "`holds`, got dtype ..." for another kind of dtype (booleans never pass).
    """
    if isinstance(value, Variable):
        value = value.data
    try:
        array = np.asarray(value)
    except Exception as error:
        raise TypeError(f"{what}: {error}") from None
    floating = "f" in kinds and is_real_floating(array.dtype)  # ml_dtypes' formats too
    if not floating and (array.dtype.kind not in kinds or array.dtype.kind == "b"):
        raise TypeError(f"{holds}, got dtype {array.dtype}")
    return array


def as_steps(eps, dtype, name="eps"):
    """`eps` as a positive finite array of the working dtype."""
    array = as_array(eps, "iuf", f"{name} must be a positive number or array",
                     f"{name} must hold positive real numbers")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    # min/max propagate NaN and show infinities and signs in two reductions.
    low, high = array.min(), array.max()
    if np.isnan(low) or np.isnan(high):
        raise ValueError(f"{name} must not be NaN")
    if not np.isfinite(high):
        raise ValueError(f"{name} must be finite")
    if low <= 0:
        hint = " (use a backward scheme for steps to the left)" if name == "eps" else ""
        raise ValueError(f"{name} must be positive, got {low:g}{hint}")
    with np.errstate(over="ignore", under="ignore"):
        converted = array.astype(dtype, copy=False)
        # Rounding is monotonic: the extremes of the converted steps are the
        # converted extremes.
        converted_low, converted_high = np.asarray([low, high]).astype(dtype)
    if not np.isfinite(converted_high):
        raise ValueError(f"{name} must be positive and finite in {np.dtype(dtype)}: "
                         f"{high:g} overflows it")
    if converted_low == 0:
        raise ValueError(f"{name} must be positive in {np.dtype(dtype)}: "
                         f"{low:g} underflows to 0")
    return converted


def check_normal_steps(h, name="eps"):
    """Raise ValueError if a step of `h` is subnormal (for the complex step, which divides by it).

    A real difference at a subnormal step fails visibly (``x + h == x``, or
    a difference of 0); ``Im f(x + ih) / h`` does not: ``h`` has lost
    significant bits and ``1/h`` overflows, so the quotient is silently off.
    """
    tiny = format_info(h.dtype).tiny
    if h.min() < tiny:
        raise ValueError(f"{name} must be at least the smallest normal number of "
                         f"{h.dtype}, {float(tiny):.3g}, for the complex step: "
                         f"{float(h.min()):g} is subnormal (it has lost precision, and "
                         f"1/{name} overflows)")
    return h


def check_deriv(deriv, max_deriv, scheme_name):
    """Raise unless `deriv` is an integer in 1..max_deriv."""
    if isinstance(deriv, bool) or not isinstance(deriv, (int, np.integer)):
        raise TypeError(f"deriv must be an integer, got {deriv!r}")
    if not 1 <= deriv <= max_deriv:
        raise ValueError(f"deriv must be between 1 and {max_deriv} for scheme "
                         f"{scheme_name!r}, got {deriv}")
    return int(deriv)


def check_integer(value, name, low, high):
    """`value` as an int in ``low..high``, or TypeError/ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return int(value)


def check_flag(value, name):
    """Raise TypeError unless `value` is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def uses_variables(f, x):
    """Whether `f` takes and returns `Variable` objects (the DeZero convention)."""
    return isinstance(f, Function) or isinstance(x, Variable)


def as_numbers(y, name="f"):
    """The output of `f` (an array or a `Variable`) as a numeric array, or TypeError."""
    return as_array(y, "iufc", f"{name} must return numbers", f"{name} must return numbers")


def check_precision(values, dtype, name="f"):
    """Raise TypeError if the floating-point `values` of `name` are less precise than `dtype`.

    A float32 value of ``f`` for a float64 argument rounds the differences a
    float64 step makes to 0, silently: no step of the working dtype can help.
    """
    if dtype is not None and values.dtype != dtype and (
            values.dtype.kind == "c" or is_real_floating(values.dtype)):
        if machine_epsilon(values.dtype) > machine_epsilon(dtype):
            raise TypeError(
                f"{name} returned {values.dtype} values for {np.dtype(dtype)} arguments: "
                f"its values are less precise than the working dtype, so differences "
                f"at {np.dtype(dtype)} steps would be lost; return {np.dtype(dtype)} "
                f"(or pass x in the dtype f computes in)")
    return values


def as_values(y, shape, name="f"):
    """The output of `f` as an array of the expected shape, or a clear error."""
    array = as_numbers(y, name)
    if array.shape != shape:
        raise ValueError(f"{name} must return an array of the shape of its input, "
                         f"{shape}, got {array.shape} (numerical_diff differentiates "
                         f"element-wise functions)")
    return array


def as_noise_levels(noise, *, zero_allowed):
    """`noise` (absolute noise levels in ``f``) as a float array, or TypeError/ValueError.

    A level must be finite and positive, or also zero where `zero_allowed`.
    """
    kind = "non-negative" if zero_allowed else "positive"
    if isinstance(noise, (bool, np.bool_)) or getattr(noise, "dtype", None) == bool:
        raise TypeError(f"noise must be a {kind} number or array, got {noise!r}")
    try:
        array = np.asarray(noise, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"noise must be a {kind} number or array, got {noise!r}") from None
    if array.size == 0:
        raise ValueError("noise must not be empty")
    below = np.any(array < 0) if zero_allowed else np.any(array <= 0)
    if not np.all(np.isfinite(array)) or below:
        detail = "" if zero_allowed else (" (a noise level of zero has no noise-aware step; "
                                          "use numdiff.optimal_step)")
        raise ValueError(f"noise must be {kind} and finite{detail}, got {noise!r}")
    return array
