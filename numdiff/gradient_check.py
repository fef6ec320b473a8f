"""`gradient_check`: compare an analytic gradient with a finite-difference one.

The reference for testing a backpropagation implementation: if the two agree
within the error the difference scheme is known to make, the analytic
gradient is trusted.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np

from .directional import directional
from .multivariate import _AlongCoordinates, _jacobian
from ._validation import as_array, check_integer
from .schemes import get_scheme
from .theory import machine_epsilon

__all__ = ["GradientCheck", "gradient_check", "default_tolerance"]

#: Safety factor over the central difference's optimal error ``u^(2/3)``:
#: covers ``|f'''|`` and the rounding of ``f`` itself (a sum of many terms
#: rounds at ``~u * sum |terms|``, not ``u |f|``) being a few hundred times
#: larger than the unit-scale model.
SAFETY = 100.0


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """Outcome of `gradient_check`; true when the gradients agree.

    Attributes
    ----------
    passed : bool
        ``|analytic_i - numerical_i| <= atol + rtol |numerical_i|`` for
        every ``i`` (and both are finite).
    index : int
        The worst component: the largest ratio of difference to tolerance.
    analytic_value, numerical_value : float
        The two gradients at `index`.
    tolerance : float
        The allowed difference at `index`, ``atol + rtol |numerical_value|``.
    rtol, atol : float
        The tolerances used.
    analytic, numerical : ndarray
        Both gradients in full; in the directional mode, both projections
        on each direction (shape ``(k,)``).
    directions : ndarray or None
        The ``k`` random directions of the directional mode, shape
        ``(k,) + x.shape``; None when every component was checked.

    Notes
    -----
    `index` is the flat index of the worst component (or direction) for a
    vector `x`, and a tuple of indices for an `x` of other shapes.
    """

    passed: bool
    index: int
    analytic_value: float
    numerical_value: float
    tolerance: float
    rtol: float
    atol: float
    analytic: np.ndarray
    numerical: np.ndarray
    directions: np.ndarray = None

    def __bool__(self):
        return self.passed

    @property
    def difference(self):
        """``|analytic_value - numerical_value|``."""
        return abs(self.analytic_value - self.numerical_value)

    def __str__(self):
        verdict = "passed" if self.passed else "FAILED"
        what = "component" if self.directions is None else "direction"
        return (f"gradient check {verdict}: worst {what} {self.index}, "
                f"analytic {self.analytic_value:.10g}, numerical {self.numerical_value:.10g}, "
                f"difference {self.difference:.3g} against tolerance {self.tolerance:.3g} "
                f"(rtol {self.rtol:.3g}, atol {self.atol:.3g})")


def default_tolerance(dtype=np.float64, f_scale=1.0):
    """Default ``(rtol, atol)`` of `gradient_check` for a dtype and ``|f(x)|``.

    ``rtol = 100 u^(2/3)`` and ``atol = 100 u^(2/3) max(1, |f(x)|)``, with
    ``u`` the unit roundoff of `dtype`.

    The central difference at its optimal step errs by
    ``E* ~ 1.04 (u |f|)^(2/3) |f'''|^(1/3)`` (Numerical Recipes 3rd ed.
    §5.7); for a function of natural scale (``|f'''| ~ |f|`` per unit of
    the variable) that is ``~ u^(2/3)`` relative to ``|f|``: 3.7e-11 in
    float64, 2.4e-5 in float32. The factor 100 (`SAFETY`) leaves room for
    larger third derivatives and for the rounding of ``f`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> rtol, atol = default_tolerance(np.float64)
    >>> print(f"{rtol:.2g} {atol:.2g}")
    3.7e-09 3.7e-09
    >>> print(f"{default_tolerance(np.float32, f_scale=10.0)[1]:.2g}")
    0.024
    """
    tol = SAFETY * machine_epsilon(dtype) ** (2.0 / 3.0)
    return tol, tol * max(1.0, float(f_scale))


def gradient_check(f, x, grad, *, rtol=None, atol=None, scheme="central", eps=None,
                   vectorized=False, directions=None, seed=None):
    """Check an analytic gradient against finite differences.

    Parameters
    ----------
    f : callable
        Scalar function of ``x``; see `numdiff.gradient`.
    x : array_like or Variable
        The point, of any shape.
    grad : callable or array_like
        The analytic gradient: an array of the shape of `x`, or a function
        returning one when called with the point as an array.
    rtol, atol : float, optional
        Component ``i`` agrees when
        ``|grad_i - numerical_i| <= atol + rtol |numerical_i|``. The defaults
        follow from the unit roundoff ``u`` of the dtype of `x` and the
        central-difference error; see `default_tolerance` (``atol`` scales
        with ``|f(x)|``, which costs one more evaluation of ``f`` unless
        the scheme evaluates ``f(x)`` anyway, as ``"forward"`` does).
    scheme, eps, vectorized
        Passed to `numdiff.gradient` (fixed steps: ``2n`` evaluations with
        central differences); `scheme` and `vectorized` also to
        `numdiff.directional`.
    directions : int, optional
        If given, check ``k = directions`` random projections instead of
        every component: ``grad . v`` against the directional derivative
        of ``f`` along ``v`` (`numdiff.directional`, about 10 evaluations
        each, whatever ``n``), with ``v`` of independent random signs
        (as PyTorch's ``gradcheck(fast_mode=True)`` checks random
        projections). A wrong component ``i`` moves every projection by its
        error ``|delta_i|``, so one direction catches any error above the
        tolerance of the projection.
    seed : int or numpy.random.Generator, optional
        The random directions' source (`numpy.random.default_rng`).

    Returns
    -------
    GradientCheck
        True in a boolean context when every component (or projection)
        agrees; it names the worst one, its two values and the tolerance
        used.

    Raises
    ------
    TypeError
        If `grad` is neither callable nor numbers, or rtol/atol are not
        real numbers; and as `numdiff.gradient`.
    ValueError
        If `grad` (or what it returns) does not have the shape of `x`,
        rtol/atol are negative or not finite, `directions` is not a
        positive integer; and as `numdiff.gradient`.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.sum(np.sin(x) * x)
    >>> def right(x):
    ...     return np.cos(x) * x + np.sin(x)
    >>> def wrong(x):
    ...     return np.cos(x) * x
    >>> x = np.array([0.5, 1.0, 2.0])
    >>> bool(gradient_check(f, x, right))
    True
    >>> result = gradient_check(f, x, wrong)
    >>> bool(result), result.index
    (False, 2)
    >>> print(f"{result.analytic_value:.4f} vs {result.numerical_value:.4f}")
    -0.8323 vs 0.0770
    >>> big = np.linspace(-1.0, 1.0, 10_000)
    >>> bool(gradient_check(f, big, wrong, directions=3, seed=0))
    False
    """
    # One evaluator validates f and x once and shares f(x) with the gradient.
    evaluate = _AlongCoordinates(f, x, vectorized, scalar=True)
    point = evaluate.x.reshape(evaluate.shape)
    dtype = point.dtype
    analytic = _analytic(grad, point)
    rtol = _tolerance(rtol, "rtol")
    atol = _tolerance(atol, "atol")
    if directions is not None:
        if eps is not None:
            raise ValueError("eps sets the fixed steps of the full check; the directional "
                             "check (directions=k) chooses its own steps")
        directions = _random_signs(check_integer(directions, "directions", 1, 10**6), seed,
                                   point)
    if rtol is None or atol is None:
        f_scale = float(np.abs(evaluate.centre())) if atol is None else 1.0
        default_rtol, default_atol = default_tolerance(dtype, f_scale if np.isfinite(f_scale) else 1.0)
        rtol = default_rtol if rtol is None else rtol
        atol = default_atol if atol is None else atol
    if directions is None:
        numerical = _jacobian(get_scheme(scheme), evaluate, eps)  # numdiff.gradient
    else:
        numerical = directional(f, x, directions, scheme=scheme, vectorized=vectorized).df
        with np.errstate(invalid="ignore", over="ignore"):  # inf in grad: the check fails
            analytic = np.tensordot(directions.astype(np.float64),
                                    analytic.astype(np.float64), axes=point.ndim)
    return _verdict(analytic, numerical, rtol, atol, directions, point.ndim)


def _random_signs(k, seed, point):
    """``k`` directions of independent random signs, shape ``(k,) + x.shape``."""
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise type(error)(f"seed must be what numpy.random.default_rng takes (None, a "
                          f"non-negative integer, a Generator), got {seed!r}: {error}") from None
    return rng.choice(np.array([-1.0, 1.0], dtype=point.dtype), size=(k,) + point.shape)


def _verdict(analytic, numerical, rtol, atol, directions, ndim):
    """The `GradientCheck` of two gradients (or projections) and the tolerances."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        difference = np.abs(analytic.astype(np.float64) - numerical.astype(np.float64))
        allowed = atol + rtol * np.abs(numerical.astype(np.float64))
        ratio = np.where(difference == 0, 0.0, difference / allowed)
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    flat = int(np.argmax(ratio))
    index = flat if ratio.ndim == 1 else tuple(int(i) for i in np.unravel_index(flat, ratio.shape))
    return GradientCheck(
        passed=bool(np.all(difference <= allowed)),
        index=index,
        analytic_value=float(analytic.reshape(-1)[flat]),
        numerical_value=float(numerical.reshape(-1)[flat]),
        tolerance=float(allowed.reshape(-1)[flat]),
        rtol=float(rtol),
        atol=float(atol),
        analytic=analytic,
        numerical=numerical,
        directions=directions,
    )


def _analytic(grad, point):
    """The analytic gradient as an array of the shape of `point`."""
    what = "grad"
    if callable(grad):
        # Its overflow shows in the values (and the check fails); numpy's warnings stay here.
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            grad = grad(point.copy())
        what = "grad(x)"
    values = as_array(grad, "iuf", f"{what} must be an array of numbers",
                      f"{what} must hold real numbers")
    if values.shape != point.shape:
        raise ValueError(f"{what} must have the shape of x, {point.shape}, got {values.shape}")
    return values


def _tolerance(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be non-negative and finite, got {value!r}")
    return float(value)
