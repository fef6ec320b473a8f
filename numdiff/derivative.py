"""`derivative`: the step chosen automatically, Richardson extrapolation and an error estimate.

The method, per element and all elements at once:

1. an initial step ``h0`` (from the error theory, from a step-selection
   algorithm, or given);
2. the scheme's estimate ``D(h)`` at ``h0, h0/r, ..., h0/r^(K-1)``
   (``r = ratio``, ``K = levels``), each a whole-array call of ``f`` per
   stencil point, so the number of calls is fixed (10 for the default
   central scheme);
3. a Richardson tableau over those estimates (`numdiff.richardson`). The top
   entry ``T[K-1, K-1]`` is returned with the error estimate
   ``|T[K-1,K-1] - T[K-1,K-2]| + ROUNDING_WEIGHT * R``, ``R`` the propagated
   rounding bound of the base estimates ``u |f| sum|c_i| / h^q``; where the
   distance exceeds the rounding part (truncation not resolved) or a value
   is not finite, the whole tableau is searched for the entry of smallest
   estimated error, as Ridders' method does.

The automatic step (``step="auto"``) comes from the error theory applied to
whole extrapolated stencils: a tableau entry is one stencil with the offsets
``g_i / r^k`` of its levels, with exact weights ``c_i``, order ``P`` and
leading coefficient ``K`` (`numdiff.stencil`). The model
``E(h) = u|f| sum|c_i| h^-q + |K| |f^(P+q)| h^P`` (THEORY.md, after
FiniteDifferences.jl) with Cauchy's estimate ``|f^(m)| <= m! |f| / L^m`` for a
function analytic within ``L`` of ``x`` is minimal at
``h* = L (q u sum|c_i| / (P |K| (P+q)!))^(1/(P+q))``. The error estimate of
the top entry is its distance to ``T[K-1, K-2]`` (steps ``h0/r .. h0/r^(K-1)``),
so ``h0 / r`` is set to that entry's optimum: its truncation error, and so the
estimate, is then down at the rounding level, and the top entry is more
accurate still. ``L = max(1, |x|)``, rounded down to a power of two: the
scale below which the spacing of floating-point numbers near ``x`` no longer
matters. The constant is rounded to the nearest power of two, so that every
step is a power of two and ``x +- h`` is exact for most ``x``. For the central
difference, ``K = 5``, ``r = 2`` in float64 this gives ``h0 = L / 8`` (the
unrounded constant is 0.097); ``u`` of float32 and float16 gives
larger steps, as it should.
"""

import math
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from . import step_selection
from .noise import noise_aware_step
from ._sampling import Sampler, complex_step, difference
from ._validation import as_points, as_steps, check_callable, check_deriv, uses_variables
from .richardson import ROUNDING_WEIGHT, RichardsonResult, _extrapolate, entry_weights
from .schemes import get_scheme
from .stencil import stencil
from .theory import unit_roundoff

__all__ = ["derivative", "DerivativeResult", "DerivativeStatus", "STEP_RULES"]


class DerivativeStatus(IntEnum):
    """Outcome of `derivative` for one element.

    CONVERGED (0)
        The error estimate is within the tolerance ``atol + rtol |df|``.
    NOT_CONVERGED (1)
        Above the tolerance, and the best entry used the smallest step: the
        estimates were still improving as the step shrank (truncation still
        dominates; more levels or a smaller step would help).
    ERROR_GREW (2)
        Above the tolerance, and the estimates at smaller steps were worse
        than the one returned: rounding, noise or a feature of ``f`` (a kink,
        a nearby singularity) stopped the convergence.
    NON_FINITE (3)
        Every tableau entry is NaN or infinite (``f`` returned NaN or inf,
        for example outside its domain); ``df`` is NaN and ``error`` inf.
    """

    CONVERGED = 0
    NOT_CONVERGED = 1
    ERROR_GREW = 2
    NON_FINITE = 3


@dataclass(frozen=True)
class DerivativeResult:
    """The result of `derivative`; every field has the broadcast shape of the input.

    Attributes
    ----------
    df : ndarray or numpy scalar
        The derivative estimate, in the dtype of ``x``.
    error : ndarray or numpy scalar
        Estimated absolute error of `df` (same dtype).
    step : ndarray or numpy scalar
        The smallest step used by the returned estimate (same dtype).
    nfev : ndarray of int
        Evaluations of ``f`` per element (step selection included).
    status : ndarray of int
        A `DerivativeStatus` code per element.
    order : ndarray of int
        Order of accuracy of the returned tableau entry.
    """

    df: object
    error: object
    step: object
    nfev: object
    status: object
    order: object

    @property
    def success(self):
        """True where `status` is `DerivativeStatus.CONVERGED`."""
        return np.asarray(self.status) == DerivativeStatus.CONVERGED


#: Named step rules: name -> (function(f, x, *, scheme, deriv) returning a
#: result with ``.step`` and ``.nfev``, placement). Placement "scale": the
#: rule's step for the scheme gives the length scale ``L`` from which the
#: tableau's initial step is computed (assumes |f^(k)| ~ |f|/L^k). Placement
#: "smallest": the rule's step becomes the tableau's smallest step (right for
#: rules that account for noise, below which no estimate should go).
STEP_RULES = MappingProxyType({
    "theory": (step_selection.theory_step, "scale"),
    "stepleman_winarsky": (step_selection.stepleman_winarsky_step, "scale"),
    "gill_murray": (step_selection.gill_murray_step, "scale"),
    "noise": (noise_aware_step, "smallest"),
})


def derivative(f, x, *, scheme="central", deriv=1, step="auto", levels=None,
               ratio=2.0, rtol=None, atol=0.0):
    """Derivative of `f` at `x` with an automatic step, extrapolation and an error estimate.

    Parameters
    ----------
    f : callable
        An element-wise function; called with whole arrays of the shape of
        `x` (or `numdiff.Variable` objects, as in `numerical_diff`), a fixed
        number of times.
    x : Variable, float or array_like
        Point(s). float16, float32, float64 and longdouble are kept;
        integers become float64.
    scheme : str, optional
        Base scheme, a name from `numdiff.SCHEMES`.
    deriv : int, optional
        Derivative order (1 to 4; 1 for ``"complex_step"``).
    step : str, float or array_like, optional
        ``"auto"``: the theory's step for the extrapolated stencil at the
        length scale ``max(1, |x|)`` (module docstring), no extra calls.
        A name from `STEP_RULES` (``"theory"``, ``"stepleman_winarsky"``,
        ``"gill_murray"``): that algorithm's step (`numdiff.step_selection`),
        converted to the tableau's initial step, its calls added to `nfev`.
        ``"noise"``: the noise-aware step of `numdiff.noise_aware_step`
        (Moré & Wild 2012), for functions with noise far above rounding;
        it becomes the tableau's smallest step.
        A positive number or array (broadcast against `x`): the initial
        step ``h0`` as given.
    levels : int, optional
        ``K >= 2`` steps in the tableau. Default: 5 for central schemes, 6
        for one-sided ones, 2 for the complex step.
    ratio : float, optional
        ``r > 1`` between successive steps.
    rtol, atol : float, optional
        Tolerance for the status: converged where
        ``error <= atol + rtol * |df|``. ``rtol`` defaults to ``sqrt(u)``
        of the dtype.

    Returns
    -------
    DerivativeResult
        ``df``, ``error``, ``step``, ``nfev``, ``status`` (see
        `DerivativeStatus`) and ``order``, per element.

    Raises
    ------
    TypeError, ValueError
        For bad input, as `numerical_diff` (`f` not callable; `x` not real,
        empty, NaN or infinite; unknown scheme or step rule; bad `deriv`;
        `step`, `levels`, `ratio`, `rtol` or `atol` out of range; `f`
        returning the wrong shape, or real values for the complex step).
        Numerical trouble (NaN or inf from ``f``, no convergence) never
        raises: it sets `status`.

    See Also
    --------
    numdiff.richardson : the extrapolation and its error estimate.
    numdiff.step_selection : the step-selection algorithms.

    Notes
    -----
    Steps, rounding bounds and tolerances use the unit roundoff of the dtype
    of `x`, and every array stays in that dtype. With ``"auto"`` and the
    central scheme ``f`` is called 10 times.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0.0, 1.0, 5)
    >>> res = derivative(np.exp, x)
    >>> bool(np.all(np.abs(res.df - np.exp(x)) < 1e-13))
    True
    >>> bool(np.all(res.error >= np.abs(res.df - np.exp(x))))
    True
    >>> res.nfev, res.status
    (array([10, 10, 10, 10, 10]), array([0, 0, 0, 0, 0]))
    >>> r = derivative(np.log, np.array([-1.0, 1.0]))  # log is NaN at -1
    >>> r.status.tolist(), bool(np.isnan(r.df[0]))
    ([3, 0], True)
    """
    check_callable(f)
    spec = get_scheme(scheme)
    deriv = check_deriv(deriv, spec.max_deriv, spec.name)
    wrap = uses_variables(f, x)
    points = as_points(x)
    dtype = points.dtype
    u = unit_roundoff(dtype)
    levels = _check_levels(levels, spec)
    ratio = _check_real(ratio, "ratio", above=1.0)
    rtol = np.sqrt(u) if rtol is None else _check_real(rtol, "rtol", above=None)
    atol = _check_real(atol, "atol", above=None)
    rule = _check_step(step, spec)
    if rule is None and not isinstance(step, str):
        given = as_steps(step, dtype, name="step")
        try:
            shape = np.broadcast_shapes(points.shape, given.shape)
        except ValueError:
            raise ValueError(f"x of shape {points.shape} and step of shape {given.shape} "
                             "do not broadcast together") from None
    else:
        shape = points.shape
    design = _design(spec.name, deriv, levels, ratio, dtype)
    result_shape = shape
    shape = shape or (1,)  # 0-d input is computed as one element
    points = np.broadcast_to(points, shape)
    nfev = 0
    noise = None
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if rule is not None:
            function, placement = STEP_RULES[rule]
            chosen = function(f, x, scheme=spec.name, deriv=deriv)
            nfev = np.asarray(chosen.nfev)
            # A rule that measured the noise of f sets the error per evaluation.
            noise = getattr(chosen, "noise", None)
            h0 = np.asarray(chosen.step, dtype=dtype)
            h0 = h0 * dtype.type(design.scale_to_initial if placement == "scale"
                                 else ratio ** (levels - 1))
            h0 = np.where(np.isfinite(h0) & (h0 > 0), h0, _auto_step(points, design))
        elif isinstance(step, str):
            h0 = _auto_step(points, design)
        else:
            h0 = given
        h0 = np.asarray(h0, dtype=dtype)
        if h0.ndim and np.all(h0 == h0.flat[0]):
            h0 = h0.flat[0]  # one step for all: scalar arithmetic from here on
        elif h0.ndim:
            h0 = np.broadcast_to(h0, shape)
        sample = Sampler(f, shape, dtype, wrap)
        table, scale = _base_estimates(sample, points, h0, spec, deriv, levels, ratio)
        if spec.is_complex:
            rho = np.abs(table[-1])
            rho *= dtype.type(u)
        else:
            rho = scale
            rho *= dtype.type(u)
            if noise is not None:
                rho = np.maximum(rho, np.broadcast_to(noise, shape).astype(dtype))
            rho *= dtype.type(design.weight_sum)
            rho /= h0 ** deriv if deriv > 1 else h0
        best = _best_entries(table, design, ratio, rho, 0 if spec.is_complex else deriv)
        df, error = best.estimate, best.error
        tolerance = np.abs(df)
        tolerance *= dtype.type(rtol)
        tolerance += dtype.type(atol)
        converged = error <= tolerance
        if best.row is None and converged.all():
            status = np.zeros(shape, dtype=np.int64)
        else:
            row = np.full(shape, levels - 1) if best.row is None else best.row
            status = np.where(converged, DerivativeStatus.CONVERGED,
                              np.where(row == levels - 1, DerivativeStatus.NOT_CONVERGED,
                                       DerivativeStatus.ERROR_GREW))
            status[~(np.isfinite(error) & np.isfinite(df))] = DerivativeStatus.NON_FINITE
            status = status.astype(np.int64)
        if best.row is None:
            used_step = np.broadcast_to(h0 / dtype.type(ratio) ** (levels - 1), shape)
            order = np.full(shape, design.base_order + (levels - 1) * design.order_step)
        else:
            used_step = h0 / dtype.type(ratio) ** best.row.astype(dtype)
            order = design.base_order + best.column * design.order_step
    nfev = np.broadcast_to(nfev + sample.calls, shape).astype(np.int64)

    def out(values, kind=dtype):
        return np.asarray(values, dtype=kind).reshape(result_shape)[()]

    return DerivativeResult(out(df), out(error), out(used_step), out(nfev, np.int64),
                            out(status, np.int64), out(order, np.int64))


@dataclass(frozen=True)
class _Design:
    """Constants of one (scheme, deriv, levels, ratio, dtype) combination."""

    base_order: int
    order: int
    order_step: int
    weight_sum: float
    auto_constant: float
    scale_to_initial: float


@lru_cache(maxsize=64)
def _design(name, deriv, levels, ratio, dtype):
    spec = get_scheme(name)
    u = unit_roundoff(dtype)
    if spec.is_complex:
        # Im f(x+ih)/h = f' - f''' h^2/6 + ...: powers 2, 4, ...; no rounding
        # growth as h shrinks (rounding power 0).
        # h0 = sqrt(u) L puts the truncation ~ (h/L)^2/6 ~ u/6 below the
        # rounding floor u |f'| even before extrapolation.
        return _Design(2, 2, 2, 1.0, float(np.sqrt(u)), 1.0)
    base = spec.stencil(deriv)
    order_step = 2 if spec.layout == "central" else 1
    r = Fraction(ratio) if float(ratio).is_integer() else Fraction(ratio).limit_denominator(10**6)
    offsets = sorted({g / r**k for g in base.offsets for k in range(levels)})
    combined = stencil(offsets, deriv)
    # The error estimate of the top entry is its distance to T[K-1, K-2], the
    # entry of offsets g_i / r^k, k = 1..K-1; h0 puts that entry at its own
    # optimum, h0 / r = h*(K-1 levels), so that its truncation error, and so
    # the estimate, is down at the rounding level.
    below = sorted({g / r**k for g in base.offsets for k in range(1, levels)})
    auto_constant = _theory_constant(stencil(below, deriv), u) if levels > 2 else \
        _theory_constant(combined, u)
    # Rounded to the nearest power of two: every step h0 / r^k is then a
    # power of two for r = 2, and x +- h exact for most x.
    auto_constant = float(2.0 ** np.round(np.log2(auto_constant)))
    scale_to_initial = auto_constant / _theory_constant(base, u)
    return _Design(base.accuracy, base.accuracy, order_step, float(base.weight_sum),
                   auto_constant, scale_to_initial)


def _theory_constant(st, u):
    """Optimal step at length scale 1 for an analytic function: Cauchy's estimate.

    With ``|f^(m)| <= m! |f| / L^m`` (Cauchy's estimate for ``f`` analytic in
    a disc of radius ``L`` about ``x``), ``E'(h) = 0`` of the model gives
    ``h* = L (q u sum|c| / (p |K| (p+q)!))^(1/(p+q))``.
    """
    p, q = st.accuracy, st.deriv
    denominator = p * abs(float(st.error_coefficient)) * math.factorial(p + q)
    return float((q * u * float(st.weight_sum) / denominator) ** (1.0 / (p + q)))


def _auto_step(points, design):
    """``constant * L``, ``L = max(1, |x|)`` rounded down to a power of two."""
    constant = points.dtype.type(design.auto_constant)
    if max(abs(points.max()), abs(points.min())) < 2:
        return constant  # L = 1 everywhere
    _, exponent = np.frexp(np.maximum(np.abs(points), 1))
    return np.ldexp(constant, exponent - 1).astype(points.dtype)


def _base_estimates(sample, points, h0, spec, deriv, levels, ratio):
    """``D(h0 / r^k)`` for k < levels, stacked, and ``max |f|`` at the smallest step.

    The smallest step's values stand for ``|f|`` near ``x``: the rounding of
    the extrapolated entries is dominated by their largest weights, on the
    smallest steps.
    """
    dtype = points.dtype
    table = np.empty((levels,) + points.shape, dtype=dtype)
    scale, centre = None, None
    h = h0
    central = not spec.is_complex and spec.stencil(deriv).offsets == (-1, 1)
    if central:
        above, below = np.empty_like(table[0]), np.empty_like(table[0])
    for k in range(levels):
        if k:
            h = h / dtype.type(ratio)
        if spec.is_complex:
            table[k] = complex_step(sample, points, h)
            continue
        if central:
            # (f(x+h) - f(x-h)) / ((x+h) - (x-h)) in place: the step actually
            # taken (Numerical Recipes 3rd ed., §5.7).
            np.add(points, h, out=above)
            f_above = sample(above)
            np.subtract(points, h, out=below)
            f_below = sample(below)
            row = table[k, ...]  # a view, also for 0-d points
            np.subtract(f_above, f_below, out=row)
            np.subtract(above, below, out=above)
            np.divide(row, above, out=row)
            if k == levels - 1:
                scale = np.maximum(np.abs(f_above, out=f_above), np.abs(f_below, out=f_below),
                                   out=f_above)
            continue
        estimate, size, centre = difference(sample, points, h, spec.stencil(deriv), centre)
        table[k] = estimate
        if k == levels - 1:
            scale = size
    return table, scale


def _best_entries(table, design, ratio, rho, rounding_power):
    """The top tableau entry where it is trusted, else the full Ridders search.

    Returns a `RichardsonResult` whose ``row`` and ``column`` are None when
    every element kept the top entry.

    The highest-order entry ``T[K-1, K-1]`` and its distance to
    ``T[K-1, K-2]`` are computed directly from their weights (a pass per
    term). Where that distance is below the rounding part of the estimate,
    truncation is resolved and the top entry is the best one; elsewhere, and
    where anything is not finite, the whole tableau is searched for the entry
    of smallest estimated error (`numdiff.richardson`). Both give the same
    estimate and error for the top entry.
    """
    levels = table.shape[0]
    weights = entry_weights(levels, float(ratio), design.order, design.order_step,
                            rounding_power)
    top, factor = weights[(levels - 1, levels - 1)]
    lower, _ = weights[(levels - 1, levels - 2)]
    value = _combine(table, top)
    error = np.abs(_combine(table, top - lower))
    rounding = rho * table.dtype.type(ROUNDING_WEIGHT * factor)
    search = ~(error <= rounding) | ~np.isfinite(value)
    error += rounding
    row = column = None
    if search.any():
        row = np.full(value.shape, levels - 1, dtype=np.int64)
        column = np.full(value.shape, levels - 1, dtype=np.int64)
        found = _extrapolate(table[:, search], float(ratio), design.order, design.order_step,
                             rho[search], rounding_power)
        value[search], error[search] = found.estimate, found.error
        row[search], column[search] = found.row, found.column
    return RichardsonResult(value, error, row, column)


def _combine(table, weights):
    """``sum_k weights[k] * table[k]``, skipping zero weights, one pass per term."""
    total, scratch = None, None
    for row, weight in zip(table, weights):
        if weight == 0:
            continue
        weight = table.dtype.type(weight)
        if total is None:
            total = row * weight
            scratch = np.empty_like(total)
        else:
            np.multiply(row, weight, out=scratch)
            total += scratch
    return total


def _check_levels(levels, spec):
    if levels is None:
        if spec.is_complex:
            return 2
        return 5 if spec.layout == "central" else 6
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)):
        raise TypeError(f"levels must be an integer, got {levels!r}")
    if not 2 <= levels <= 12:
        raise ValueError(f"levels must be between 2 and 12, got {levels}")
    return int(levels)


def _check_real(value, name, *, above):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if above is None and value < 0:
        raise ValueError(f"{name} must be non-negative, got {value!r}")
    if above is not None and value <= above:
        raise ValueError(f"{name} must be greater than {above:g}, got {value!r}")
    return value


def _check_step(step, spec):
    """The step rule's name, None for "auto" or a numeric step."""
    if not isinstance(step, str):
        return None
    if step == "auto":
        return None
    if step not in STEP_RULES:
        raise ValueError(f"unknown step rule {step!r}; valid: 'auto', "
                         f"{', '.join(repr(name) for name in STEP_RULES)}, or a positive step")
    if spec.is_complex:
        raise ValueError(f"step={step!r} selects a step for real schemes; the complex step "
                         "uses step='auto' or a given step")
    return step
