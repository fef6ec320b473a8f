"""`derivative`: the step chosen automatically, Richardson extrapolation and an error estimate.

The method, per element and all elements at once:

1. an initial step ``h0`` (from the error theory, from a step-selection
   algorithm, or given);
2. the scheme's estimate ``D(h)`` at ``h0, h0/r, ..., h0/r^(K-1)``
   (``r = ratio``, ``K = levels``), each a whole-array call of ``f`` per
   stencil point (10 calls for the default central scheme);
3. a Richardson tableau over those estimates (`numdiff.richardson`). The top
   entry ``T[K-1, K-1]`` is returned with the error estimate
   ``|T[K-1,K-1] - T[K-1,K-2]| + ROUNDING_WEIGHT * R``, ``R`` the propagated
   rounding bound of the base estimates ``u F sum|c_i| / h^q``; where the
   distance exceeds the rounding part (truncation not resolved) or a value
   is not finite, the whole tableau is searched for the entry of smallest
   estimated error, as Ridders' method does;
4. refinement (at most ``refinements`` rounds) for the elements whose steps
   were too large for ``f``, described below. Where the first tableau
   resolved the truncation everywhere, as for any ``f`` that varies on the
   scale ``max(1, |x|)``, this step costs nothing.

Value scale. ``F = max(max|f|, |x| |f'| / 2)``: every value of ``f`` is off
by up to ``u |f|``, and an ``f`` whose first operation rounds a quantity of
the size of ``x`` (``x**2``, ``c * x``, the argument reduction of ``sin``)
is off as if ``x`` had been rounded, by up to ``u |x| |f'| / 2`` (half a unit
of ``x``, rounding to nearest; Numerical Recipes 3rd ed. §5.7, and
`numdiff.step_selection` uses the same term). Without the second term the estimate misses the true error
of ``exp(2 x^2)`` at ``|x| > 1`` by factors up to 4 once the step is small
enough for rounding to dominate. The larger of the two terms, rather than
their sum, keeps the bound for a correctly rounded ``f`` (exp, log, powers)
within a factor 2 of what it was; ``f'`` is the smallest step's estimate
(for higher derivatives, the slope of the stencil's values).

The automatic step (``step="auto"``) comes from the error theory applied to
whole extrapolated stencils: a tableau entry is one stencil with the offsets
``g_i / r^k`` of its levels, with exact weights ``c_i``, order ``P`` and
leading coefficient ``K`` (`numdiff.stencil`). The model
``E(h) = u|f| sum|c_i| h^-q + |K| |f^(P+q)| h^P`` (`numdiff.theory`, after
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

Refinement. ``L = max(1, |x|)`` is only an upper guess: ``exp(2 x^2)`` at
``x = 2.4`` varies on the scale ``1 / (4 x) = 0.1``, ``1/x`` at ``x = 0.3``
on ``0.3``, and there the first tableau's steps are too large. The tableau
says so: an element is refined where its error estimate is more than twice
its rounding part (so smaller steps have something to gain; where rounding
explains the estimate they would only add rounding) and either

* the truncation of the top entry is predicted above its rounding part while
  the best entry used the smallest step (the estimates were still improving
  as the step shrank). The prediction is ``d1 * (d1 / d2)`` from the
  distances ``d1 = |T[K-1,K-1] - T[K-1,K-2]|`` and
  ``d2 = |T[K-1,K-2] - T[K-1,K-3]|`` (the errors of the two entries below
  the top, so their ratio is the decay per column where the row converges
  geometrically), or ``d1`` itself where the row does not decay. Using the
  top entry's predicted error rather than ``d1`` matters: ``d1`` is the
  error of the lower entry and often far above the top entry's, and
  refining on it alone made some elements ten times less accurate, the
  smaller steps adding more rounding than they removed truncation; or
* the estimate is above the tolerance (the tableau did not converge at all:
  steps beyond the length scale of ``f``, across a pole or outside the
  domain for the larger steps).

A refined element gets a new tableau at ``h0' = h0 / r^m``, ``1 <= m <= K-1``:
the distance ``d1`` falls like ``h^P1`` (``P1`` the order of ``T[K-1,K-2]``)
while the rounding part grows like ``h^-q``, so they meet after the factor
``(rounding / estimate)^(1/(P1+q))``, rounded up to whole rows (all
``K - 1`` rows where the estimate is not finite). Far from the asymptotic
regime the effective order is lower and the shift falls short rather than
overshooting; the next round continues. The new tableau shares ``K - m``
rows with the old one, which are reused; ``f`` is called only for the ``m``
new rows, on the compacted sub-array of the elements that need each row.
Each element keeps the round of smallest error estimate. It takes part in
the next round if this one improved it, or its kept estimate is still above
the tolerance (a not-converged tableau at too large steps can look worse
before it converges, e.g. ``sin(1000 x)`` aliased at steps ``1/8 .. 1/128``),
and the tests above still ask for smaller steps. The default of 3 rounds
lets the steps shrink by up to ``r^(3 (K-1)) = 4096`` (central), enough for
a length scale down to about ``L / 4000``; on the catalogue's points one round
suffices.
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
from ._sampling import Sampler, complex_step, stencil_difference
from ._validation import (as_steps, check_callable, check_deriv, check_integer,
                          points_and_extent, uses_variables)
from .richardson import ROUNDING_WEIGHT, _extrapolate, entry_fractions, entry_weights
from .schemes import get_scheme
from .stencil import stencil
from .theory import unit_roundoff

__all__ = ["derivative", "DerivativeResult", "DerivativeStatus", "STEP_RULES"]


#: Weight of ``|x| |f'|`` in the value scale ``F`` (module docstring): the
#: rounding of ``x`` to nearest moves it by at most half a unit, ``u |x| / 2``.
CONDITION_WEIGHT = 0.5


class DerivativeStatus(IntEnum):
    """Outcome of `derivative` for one element.

    CONVERGED (0)
        The error estimate is within the tolerance ``atol + rtol |df|``.
    NOT_CONVERGED (1)
        Above the tolerance, and the returned entry used the smallest step
        tried (after the refinement rounds): the estimates were still
        improving as the step shrank (truncation still dominates; more
        ``refinements`` or levels would help).
    ERROR_GREW (2)
        Above the tolerance, and estimates at smaller steps (in the same
        tableau or a refinement round) were worse than the one returned:
        rounding, noise or a feature of ``f`` (a kink, a nearby singularity)
        stopped the convergence.
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
        Estimated absolute error of `df` (same dtype), never below one unit
        of its precision, ``u |df|``.
    step : ndarray or numpy scalar
        The smallest step used by the returned estimate (same dtype).
    nfev : ndarray of int
        Evaluations of ``f`` per element (step selection and refinement
        rounds included: each element counts the calls it took part in).
    status : ndarray of int
        A `DerivativeStatus` code per element.
    order : ndarray of int
        Order of accuracy of the returned tableau entry.

    Notes
    -----
    Where every element shares a value (``step``, ``nfev``, ``status`` and
    ``order`` when all converged on the first tableau), the field is a
    read-only broadcast view; ``np.array(field)`` gives a writable copy.
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
               ratio=2.0, refinements=3, rtol=None, atol=0.0):
    """Derivative of `f` at `x` with an automatic step, extrapolation and an error estimate.

    Parameters
    ----------
    f : callable
        An element-wise function; called with whole arrays of the shape of
        `x` (or `numdiff.Variable` objects, as in `numerical_diff`), a fixed
        number of times, then, if refinement is needed, with 1-d arrays of
        the elements that need it.
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
        ``2 <= K <= 12`` steps in the tableau. Default: 5 for central schemes, 6
        for one-sided ones, 2 for the complex step.
    ratio : float, optional
        ``r > 1`` between successive steps.
    refinements : int, optional
        At most this many further tableaus at smaller steps (0 to 10) for
        the elements whose first tableau shows its steps were too large for
        ``f`` (module docstring). 0 gives the single tableau. Not used with
        ``step="noise"``, whose step is a floor set by the noise.
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
        `step`, `levels`, `ratio`, `refinements`, `rtol` or `atol` out of
        range; `f`
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
    central scheme ``f`` is called 10 times with the whole array; that is
    all where ``f`` varies on the scale ``max(1, |x|)`` (exp, sin, tanh on
    ``[-3, 3]``).

    Where it varies faster, the first tableau shows it (truncation not
    resolved at the smallest step, or no convergence), and those elements
    alone get up to `refinements` further tableaus at steps smaller by
    ``r^m`` each, ``m`` from the measured excess of the error estimate over
    its rounding part; the rows the tableaus share are reused, so a round
    costs ``2 m`` evaluations per refined element for the central scheme
    (``m <= K - 1 = 4``). Each element keeps the round with the smallest
    error estimate. On the catalogue's functions (10 points each over
    ``[-3, 3]``) this takes ``exp(2 x^2)`` at ``x = 2.4`` from a relative
    error of 1e-9 to below 3e-14 at 16 evaluations, and ``1/x`` at ``0.3``
    from 2e-10 to 4e-15 at 14. Elements where ``f`` is NaN at every step tried
    cost the full ``10 + 8 refinements`` evaluations. The module docstring
    gives the tests and the constants.

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

    A function varying on a scale far below ``max(1, |x|)``: the elements
    that need it get smaller steps, and pay for them.

    >>> x = np.array([0.5, 2.4])
    >>> res = derivative(lambda t: np.exp(2 * t**2), x)
    >>> exact = 4 * x * np.exp(2 * x**2)
    >>> bool(np.all(np.abs(res.df - exact) <= 1e-13 * exact))
    True
    >>> bool(np.all(np.abs(res.df - exact) <= res.error)), res.nfev.tolist()
    (True, [10, 16])
    """
    check_callable(f)
    spec = get_scheme(scheme)
    deriv = check_deriv(deriv, spec.max_deriv, spec.name)
    wrap = uses_variables(f, x)
    points, extent = points_and_extent(x)
    dtype = points.dtype
    u = unit_roundoff(dtype)
    levels = _check_levels(levels, spec)
    ratio = _check_real(ratio, "ratio", above=1.0)
    rtol = np.sqrt(u) if rtol is None else _check_real(rtol, "rtol", above=None)
    atol = _check_real(atol, "atol", above=None)
    refinements = check_integer(refinements, "refinements", 0, 10)
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
    rounding_power = 0 if spec.is_complex else deriv
    nfev = 0
    noise = None
    placement = "scale"
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if rule is not None:
            function, placement = STEP_RULES[rule]
            chosen = function(f, x, scheme=spec.name, deriv=deriv)
            nfev = np.asarray(chosen.nfev)
            # A rule that measured the noise of f sets the error per evaluation.
            noise = getattr(chosen, "noise", None)
            if noise is not None:
                noise = np.broadcast_to(noise, shape).astype(dtype)
            h0 = np.asarray(chosen.step, dtype=dtype)
            h0 = h0 * dtype.type(design.scale_to_initial if placement == "scale"
                                 else ratio ** (levels - 1))
            h0 = np.where(np.isfinite(h0) & (h0 > 0), h0, _auto_step(points, design, extent))
        elif isinstance(step, str):
            h0 = _auto_step(points, design, extent)
        else:
            h0 = given
        h0 = np.asarray(h0, dtype=dtype)
        if h0.ndim and np.all(h0 == h0.flat[0]):
            h0 = h0.flat[0]  # one step for all: scalar arithmetic from here on
        elif h0.ndim:
            h0 = np.broadcast_to(h0, shape)
        sample = Sampler(f, dtype, wrap)
        # Nominal-step rows need one step for all elements (folded into the weights).
        nominal = None
        if design.nominal_rows and np.ndim(h0) == 0:
            nominal = _Nominal(design.nominal_rows, _level_steps(h0, levels, ratio, dtype),
                               points)
        table, scale = _base_estimates(sample, points, h0, spec, deriv, design, levels, ratio,
                                       0 if nominal is None else nominal.rows)
        rho = _rounding_bound(table, scale, h0, spec, deriv, design, noise)
        best = _best_entries(table, design, ratio, rho, rounding_power, nominal)
        nfev = nfev + sample.calls
        nfev = np.broadcast_to(np.int64(nfev) if np.ndim(nfev) == 0 else nfev.astype(np.int64),
                               shape)
        df, error = best.estimate, best.error
        size = None  # |df|, where computed
        extremes = df.min(), df.max()  # NaN if any element is
        if best.row is None and _all_converged(df, error, rtol, atol, extremes):
            # Fast path: every element kept the top entry, truncation resolved,
            # converged. The fields shared by all are read-only broadcast views.
            used_step = np.broadcast_to(h0 / dtype.type(ratio) ** (levels - 1), shape)
            order = np.broadcast_to(np.int64(design.order + (levels - 1) * design.order_step),
                                    shape)
            status = np.broadcast_to(np.int64(DerivativeStatus.CONVERGED), shape)
        else:
            size = np.abs(df)
            converged = _converged(df, error, rtol, atol, size=size)
            row = np.full(shape, levels - 1) if best.row is None else best.row
            column = np.full(shape, levels - 1) if best.column is None else best.column
            used_step = h0 / dtype.type(ratio) ** row.astype(dtype)
            order = design.order + column * design.order_step
            improving = row == levels - 1
            # Placement "smallest": the rule's step is a floor (noise), not to be undercut.
            refine = None
            if refinements and placement != "smallest":
                refine = _wants_smaller_steps(best, row, converged, levels)
            if refine is not None and refine.any():
                kept = _Kept(df.reshape(-1), error.reshape(-1),
                             np.array(np.broadcast_to(used_step, shape)).reshape(-1),
                             order.reshape(-1), improving.reshape(-1), nfev.reshape(-1).copy())
                _refine(_Problem(f, wrap, spec, deriv, levels, ratio, design, rtol, atol),
                        points.reshape(-1), np.broadcast_to(h0, shape).reshape(-1),
                        None if noise is None else noise.reshape(-1),
                        table.reshape(levels, -1), best, refine.reshape(-1), refinements, kept)
                df, error, used_step, order, improving, nfev = (
                    value.reshape(shape) for value in
                    (kept.df, kept.error, kept.step, kept.order, kept.improving, kept.nfev))
                size = np.abs(df)
                extremes = df.min(), df.max()
                converged = _converged(df, error, rtol, atol, size=size)
            status = np.where(converged, DerivativeStatus.CONVERGED,
                              np.where(improving, DerivativeStatus.NOT_CONVERGED,
                                       DerivativeStatus.ERROR_GREW))
            status[~(np.isfinite(error) & np.isfinite(df))] = DerivativeStatus.NON_FINITE
            status = status.astype(np.int64)

    # No estimate claims more than the precision df is stored in: one unit u |df|.
    # Two reductions show when no error is below it; NaN extremes (a NaN df) take
    # the element-wise path, where fmax leaves a NaN df's error as it is.
    if not error.min() >= u * max(-extremes[0], extremes[1]):
        floor = np.abs(df) if size is None else size
        floor *= dtype.type(u)
        np.fmax(error, floor, out=error)

    def out(values, kind=dtype):
        return np.asarray(values, dtype=kind).reshape(result_shape)[()]

    return DerivativeResult(out(df), out(error), out(used_step), out(nfev, np.int64),
                            out(status, np.int64), out(order, np.int64))


def _all_converged(df, error, rtol, atol, extremes):
    """Whether ``error <= atol + rtol |df|`` everywhere.

    Decided from the extremes ``(min df, max df)`` and ``max(error)`` where
    ``max(error)`` is within the tolerance of the smallest ``|df|`` (no
    temporary arrays), else element by element.
    """
    low, high = extremes
    smallest = low if low > 0 else (-high if high < 0 else 0)
    if error.max() <= rtol * smallest + atol:
        return True
    return bool(_converged(df, error, rtol, atol).all())


def _converged(df, error, rtol, atol, *, size=None):
    """``error <= atol + rtol |df|`` (False where anything is NaN); `size` is ``|df|`` if known."""
    tolerance = (np.abs(df) if size is None else size) * df.dtype.type(rtol)
    if atol:
        tolerance += df.dtype.type(atol)
    return error <= tolerance


@dataclass(frozen=True)
class _Problem:
    """What every refinement round needs to know besides the points."""

    f: object
    wrap: bool
    spec: object
    deriv: int
    levels: int
    ratio: float
    design: object
    rtol: float
    atol: float


@dataclass
class _Kept:
    """Per element (flat): the best round so far, updated in place by `_refine`."""

    df: np.ndarray
    error: np.ndarray
    step: np.ndarray
    order: np.ndarray
    improving: np.ndarray  # the kept entry used the smallest step tried
    nfev: np.ndarray


def _wants_smaller_steps(entries, row, converged, levels):
    """Elements a tableau at smaller steps should help: a mask.

    Two signs that the steps are too large, both only where the error
    estimate is more than its rounding part explains (otherwise smaller steps
    only add rounding): the top entry's truncation is predicted above its
    rounding part while the best entry used the smallest step (the
    estimates were still improving), or the estimate is above the tolerance
    (the tableau did not converge at all: steps beyond the length scale of
    ``f``, or values not finite at the larger steps).
    """
    unexplained = ~(entries.error <= 2 * entries.top_rounding)
    wanted = ~converged
    if entries.unresolved is not None:
        wanted |= entries.unresolved & (row == levels - 1)
    wanted &= unexplained
    return wanted


def _refine(problem, points, h0, noise, table, best, refine, rounds, kept):
    """Further tableaus at smaller steps for the elements in `refine`, in place on `kept`.

    Each round takes the elements still refining, compacts them, shifts
    their steps down by ``r^m`` (`_shift`), reuses the ``K - m`` rows of the
    previous tableau that the new one shares, evaluates ``f`` only for the
    ``m`` new rows of the elements that need them, and keeps the new best
    entry where its error estimate is smaller. An element goes on to the
    next round only if this one improved it, or its kept estimate is still
    above the tolerance (or not finite), and `_wants_smaller_steps` still
    holds for the new tableau.
    """
    levels, ratio, design = problem.levels, problem.ratio, problem.design
    dtype = points.dtype
    rounding_power = 0 if problem.spec.is_complex else problem.deriv
    index = np.flatnonzero(refine)
    h_previous = h0[index]
    previous = table[:, index]
    shift = _shift(best.error.reshape(-1)[index], best.top_rounding.reshape(-1)[index],
                   design, rounding_power, levels, ratio)
    for _ in range(rounds):
        h_new = h_previous / dtype.type(ratio) ** shift.astype(dtype)
        at = points[index]
        new_table, scale, calls = _shifted_tableau(problem, at, h_new, previous, shift)
        kept.nfev[index] += calls
        rho = _rounding_bound(new_table, scale, h_new, problem.spec, problem.deriv, design,
                              None if noise is None else noise[index])
        entries = _best_entries(new_table, design, ratio, rho, rounding_power)
        row = np.full(index.size, levels - 1) if entries.row is None else entries.row
        column = np.full(index.size, levels - 1) if entries.column is None else entries.column
        # An element whose kept estimate is not finite or not converged goes on
        # whatever this round gave: the steps may still be beyond its length scale.
        failing = ~_converged(kept.df[index], kept.error[index], problem.rtol, problem.atol)
        better = entries.error < kept.error[index]
        # Tried a smaller step: the kept entry no longer uses the smallest one, unless replaced.
        kept.improving[index] = better & (row == levels - 1)
        chosen = index[better]
        kept.df[chosen] = entries.estimate[better]
        kept.error[chosen] = entries.error[better]
        kept.step[chosen] = h_new[better] / dtype.type(ratio) ** row[better].astype(dtype)
        kept.order[chosen] = design.order + column[better] * design.order_step
        converged = _converged(entries.estimate, entries.error, problem.rtol, problem.atol)
        go_on = (better | failing) & _wants_smaller_steps(entries, row, converged, levels)
        if not go_on.any():
            return
        shift = _shift(entries.error[go_on], entries.top_rounding[go_on], design,
                       rounding_power, levels, ratio)
        index = index[go_on]
        h_previous = h_new[go_on]
        previous = new_table[:, go_on]


def _shift(error, top_rounding, design, rounding_power, levels, ratio):
    """Rows ``m`` (1 to K-1) to shift the steps down by, from the measured truncation.

    The distance that estimates the error falls like ``h^P`` with ``P`` the
    order of ``T[K-1, K-2]``, while the rounding part of the top entry grows
    like ``h^-q``; the two meet after a step factor
    ``(rounding / error)^(1/(P+q))``, rounded up to whole rows of ratio
    ``r``. Far from the asymptotic regime the effective order is lower, so
    the shift falls short and the next round continues; it never overshoots
    the model. Where the error is not finite, all ``K - 1`` rows: the new
    tableau starts at the old smallest step.
    """
    order = design.order + max(levels - 2, 0) * design.order_step
    rows = np.ceil(np.log(error / top_rounding) / ((order + rounding_power) * np.log(ratio)))
    rows = np.where(np.isfinite(rows), rows, levels - 1)
    return np.clip(rows, 1, levels - 1).astype(np.int64)


def _shifted_tableau(problem, points, h0, previous, shift):
    """Tableau at steps ``h0 / r^k`` whose first ``K - m`` rows are the previous tableau's last.

    Row ``k`` of the new tableau is row ``k + m`` of the previous one where
    ``k + m < K``; the others are evaluated, ``f`` called on the compacted
    elements that need that row. Returns the tableau, ``max|f|`` at the
    smallest step (always new) and the calls per element.
    """
    spec, deriv, levels, ratio = problem.spec, problem.deriv, problem.levels, problem.ratio
    dtype = points.dtype
    n = points.size
    table = np.empty((levels, n), dtype=dtype)
    calls = np.zeros(n, dtype=np.int64)
    scale = None
    base = None if spec.is_complex else spec.stencil(deriv)
    centre = None
    if base is not None and 0 in base.offsets:
        # f(x) is shared by every row: one call for all the elements.
        sample = Sampler(problem.f, dtype, problem.wrap)
        centre = sample(points)
        calls += sample.calls
    columns = np.arange(n)
    for k, h in enumerate(_level_steps(h0, levels, ratio, dtype)):
        source = k + shift
        reuse = source < levels
        table[k, reuse] = previous[source[reuse], columns[reuse]]
        need = ~reuse
        if not need.any():
            continue
        sample = Sampler(problem.f, dtype, problem.wrap)
        if spec.is_complex:
            estimate, size = complex_step(sample, points[need], h[need]), None
        else:
            estimate, size = _difference_row(sample, points[need], h[need], base,
                                             None if centre is None else centre[need])
        table[k, need] = estimate
        calls[need] += sample.calls
        if k == levels - 1:
            scale = size
    return table, scale, calls


def _difference_row(sample, points, h, st, centre):
    """One real difference estimate at steps `h`, and its value scale (`_add_condition`).

    The central difference divides by ``(x + h) - (x - h)``, the step
    actually taken, as `_base_estimates` does, so that a refined element
    gets the same values as it would in a first round at that step.
    """
    if st.offsets == (-1, 1) and st.deriv == 1:
        above, below = points + h, points - h
        f_above, f_below = sample(above), sample(below)
        estimate = (f_above - f_below) / (above - below)
        size = np.maximum(np.abs(f_above), np.abs(f_below))
        return estimate, _add_condition(size, points, estimate)
    found = stencil_difference(sample, points, h, st, centre)
    slope = found.estimate if st.deriv == 1 else found.slope
    return found.estimate, _add_condition(found.scale, points, slope)


def _rounding_bound(table, scale, h0, spec, deriv, design, noise):
    """The rounding part of the top entry's error estimate, in place on `scale`.

    ``design.top_rounding_weight`` times a bound ``rho`` on the rounding error
    of the first row's estimates (step `h0`). Real stencils:
    ``rho = u F sum|c_i| / h0^q``, ``F`` the value scale at the smallest step
    (`_add_condition`), or the measured noise per evaluation where larger;
    the complex step: ``rho = u |D|`` (no cancellation).
    """
    dtype = table.dtype
    u = unit_roundoff(dtype)
    weight = design.top_rounding_weight
    if spec.is_complex:
        rho = np.abs(table[-1])
        rho *= dtype.type(u * weight)
        return rho
    rho = scale
    if noise is not None:
        rho *= dtype.type(u)
        rho = np.maximum(rho, noise)
        rho *= dtype.type(design.weight_sum * weight)
        rho /= h0 ** deriv if deriv > 1 else h0
    elif np.ndim(h0) == 0:
        rho *= dtype.type(u * design.weight_sum * weight) / h0 ** deriv
    else:
        rho *= dtype.type(u * design.weight_sum * weight)
        rho /= h0 ** deriv if deriv > 1 else h0
    return rho


@dataclass(frozen=True)
class _Design:
    """Constants of one (scheme, deriv, levels, ratio, dtype) combination."""

    order: int  # of the base estimates D(h), the tableau's first column
    order_step: int
    weight_sum: float
    auto_constant: float
    scale_to_initial: float
    # The top entry's weights and those of its distance to T[K-1, K-2] over
    # the rows (a read-only (2, K) array), and the weight of the first row's
    # rounding bound in its error estimate (ROUNDING_WEIGHT times the
    # propagated factor).
    combinations: np.ndarray
    top_rounding_weight: float
    # The base stencil is the two-point central difference (1st derivative).
    plain_central: bool
    # Its leading rows whose top-entry weights are so small that the nominal
    # step 2h can stand for the step actually taken (`_nominal_rows`).
    nominal_rows: int = 0


@lru_cache(maxsize=64)
def _design(name, deriv, levels, ratio, dtype):
    spec = get_scheme(name)
    u = unit_roundoff(dtype)
    if spec.is_complex:
        # Im f(x+ih)/h = f' - f''' h^2/6 + ...: powers 2, 4, ...; no rounding
        # growth as h shrinks (rounding power 0).
        # h0 = sqrt(u) L puts the truncation ~ (h/L)^2/6 ~ u/6 below the
        # rounding floor u |f'| even before extrapolation.
        return _Design(2, 2, 1.0, float(np.sqrt(u)), 1.0,
                       *_top_combinations(levels, ratio, 2, 2, 0, dtype), False)
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
    plain = base.offsets == (-1, 1)
    return _Design(base.accuracy, order_step, float(base.weight_sum),
                   auto_constant, scale_to_initial,
                   *_top_combinations(levels, ratio, base.accuracy, order_step, deriv, dtype),
                   plain, _nominal_rows(levels, float(ratio), base) if plain else 0)


#: Largest share of the top entry's rounding bound (of its part from rounding
#: ``x``, ``CONDITION_WEIGHT |x| |f'|``) that the nominal-step rows may add.
NOMINAL_SHARE = 1 / 32


def _nominal_rows(levels, ratio, base):
    """Leading rows of the central difference computed with the nominal step ``2h``.

    ``(f(x+h) - f(x-h)) / ((x+h) - (x-h))`` divides by the step actually
    taken; dividing by ``2h`` instead changes ``D(h)`` by at most about
    ``|f'| u |x| / h`` (each shift rounds by up to ``u |x|``), which has the
    form of the condition part of the rounding bound. Row ``k`` enters the top
    entry with the weight ``w_k`` and a step ``r^(K-1-k)`` times the
    smallest, so rows ``k < m`` add at most ``sum |w_k| r^-(K-1-k)`` times
    ``u |x| |f'| / h_(K-1)``, while the top entry's estimate holds
    ``ROUNDING_WEIGHT * factor * CONDITION_WEIGHT * sum|c| * r^-(K-1)`` times
    it. The leading rows whose cumulative share stays below `NOMINAL_SHARE`
    skip the step's subtraction and division (two of the five passes of a
    row): for ``K = 5``, ``r = 2`` the first three, adding 2% of that part.
    Other entries weigh those rows more: where the tableau is searched, the
    rows get the step actually taken first (`_Nominal.restore`).
    """
    if levels < 3:
        return 0
    weights, factor = entry_weights(levels, ratio, base.accuracy, 2, base.deriv)[
        (levels - 1, levels - 1)]
    allowed = NOMINAL_SHARE * ROUNDING_WEIGHT * factor * CONDITION_WEIGHT * \
        float(base.weight_sum) * ratio ** -(levels - 1)
    shares = np.cumsum(np.abs(weights) * ratio ** -np.arange(levels - 1, -1, -1.0))
    return int(min(np.searchsorted(shares, allowed, side="right"), levels - 2))


def _top_combinations(levels, ratio, order, order_step, rounding_power, dtype):
    """The top entry's and its distance's weights, and its rounding weight (`_Design`).

    The weights go from exact fractions to longdouble, then to `dtype` (a
    float64 detour would cost longdouble its extra digits; numerators and
    denominators can exceed float16's range).
    """
    fractions = entry_fractions(levels, float(ratio), order, order_step)
    top = fractions[(levels - 1, levels - 1)]
    lower = fractions[(levels - 1, levels - 2)]
    wide = np.longdouble
    combinations = np.array([[wide(w.numerator) / wide(w.denominator) for w in weights]
                             for weights in (top, [t - w for t, w in zip(top, lower)])],
                            dtype=wide).astype(dtype)
    combinations.setflags(write=False)
    _, factor = entry_weights(levels, float(ratio), order, order_step, rounding_power)[
        (levels - 1, levels - 1)]
    return combinations, ROUNDING_WEIGHT * factor


def _theory_constant(st, u):
    """Optimal step at length scale 1 for an analytic function: Cauchy's estimate.

    With ``|f^(m)| <= m! |f| / L^m`` (Cauchy's estimate for ``f`` analytic in
    a disc of radius ``L`` about ``x``), ``E'(h) = 0`` of the model gives
    ``h* = L (q u sum|c| / (p |K| (p+q)!))^(1/(p+q))``.
    """
    p, q = st.accuracy, st.deriv
    denominator = p * abs(float(st.error_coefficient)) * math.factorial(p + q)
    return float((q * u * float(st.weight_sum) / denominator) ** (1.0 / (p + q)))


def _auto_step(points, design, extent):
    """``constant * L``, ``L = max(1, |x|)`` rounded down to a power of two (`extent` = max|x|)."""
    constant = points.dtype.type(design.auto_constant)
    if extent < 2:
        return constant  # L = 1 everywhere
    _, exponent = np.frexp(np.maximum(np.abs(points), 1))
    return np.ldexp(constant, exponent - 1).astype(points.dtype)


def _base_estimates(sample, points, h0, spec, deriv, design, levels, ratio, nominal=0):
    """``D(h0 / r^k)`` for k < levels, stacked, and ``max |f|`` at the smallest step.

    The smallest step's values stand for ``|f|`` near ``x``: the rounding of
    the extrapolated entries is dominated by their largest weights, on the
    smallest steps. The first `nominal` rows of the central difference hold
    ``f(x+h) - f(x-h)`` alone, to be divided by ``2h`` (`_Nominal`).
    """
    dtype = points.dtype
    scale, centre = None, None
    central = design.plain_central
    if central:
        # One block for the tableau and the buffers of x + h and x - h: fewer,
        # larger allocations, which the C allocator (glibc's, at least) then
        # keeps for the next call instead of handing the pages back to the
        # system; fresh pages cost a fault each on first use, about as much
        # as the arithmetic on them.
        work = np.empty((levels + 2,) + points.shape, dtype=dtype)
        table, above, below = work[:levels], work[levels], work[levels + 1]
    else:
        table = np.empty((levels,) + points.shape, dtype=dtype)
    for k, h in enumerate(_level_steps(h0, levels, ratio, dtype)):
        if spec.is_complex:
            table[k] = complex_step(sample, points, h)
            continue
        if central:
            # (f(x+h) - f(x-h)) / ((x+h) - (x-h)) in place: the step actually
            # taken (Numerical Recipes 3rd ed., §5.7).
            np.add(points, h, out=above)
            f_above = _own_values(sample(above), above)
            np.subtract(points, h, out=below)
            f_below = _own_values(sample(below), below)
            row = table[k, ...]  # a view, also for 0-d points
            np.subtract(f_above, f_below, out=row)
            if k < nominal:
                continue
            np.subtract(above, below, out=above)
            if k == levels - 1:
                # The values of f may be read-only or kept by f: |f| goes to
                # new memory and to the buffer `below`, free once the step is known.
                scale = np.abs(f_above)
                np.maximum(scale, np.abs(f_below, out=below), out=scale)
            # Released before the next calls of f, whose results can then reuse
            # their memory rather than new pages.
            del f_above, f_below
            np.divide(row, above, out=row)
            if k == levels - 1:
                _add_condition(scale, points, row, scratch=above)
            continue
        found = stencil_difference(sample, points, h, spec.stencil(deriv), centre)
        table[k], centre = found.estimate, found.centre
        if k == levels - 1:
            scale = _add_condition(found.scale, points,
                                   found.estimate if deriv == 1 else found.slope)
    return table, scale


def _level_steps(h0, levels, ratio, dtype):
    """The steps ``h0 / r^k``, k < levels, each divided from the previous in the dtype."""
    steps = [h0]
    for _ in range(levels - 1):
        steps.append(steps[-1] / dtype.type(ratio))
    return steps


@dataclass(frozen=True)
class _Nominal:
    """The leading `rows` of a tableau that hold ``f(x+h) - f(x-h)`` (`_nominal_rows`).

    `steps` are the tableau's steps (one for all elements), `points` its
    points.
    """

    rows: int
    steps: list
    points: np.ndarray

    def weights(self, combinations):
        """`combinations` over the rows with ``1 / (2h)`` folded into the nominal rows."""
        combinations = np.array(combinations)
        for k in range(self.rows):
            combinations[..., k] /= 2 * self.steps[k]
        return combinations

    def restore(self, table, where):
        """Divide the nominal rows by the step actually taken, ``(x+h) - (x-h)``, at `where`."""
        where = where.reshape(-1)
        points = np.broadcast_to(self.points, table.shape[1:]).reshape(-1)[where]
        flat = table.reshape(table.shape[0], -1)
        for k in range(self.rows):
            h = self.steps[k]
            flat[k, where] /= (points + h) - (points - h)


def _own_values(values, buffer):
    """`values`, copied if they may share memory with `buffer` (f returning its argument)."""
    return values.copy() if np.may_share_memory(values, buffer) else values


def _add_condition(scale, points, slope, scratch=None):
    """The value scale ``F = max(max|f|, CONDITION_WEIGHT |x| |f'|)``, in place on `scale`.

    `slope` stands for ``f'``: the estimate itself for the first derivative,
    the slope of the stencil's values for higher ones.
    """
    condition = np.multiply(points, slope, out=scratch)
    np.abs(condition, out=condition)
    condition *= condition.dtype.type(CONDITION_WEIGHT)
    return np.maximum(scale, condition, out=scale)


@dataclass(frozen=True)
class _Entries:
    """The best tableau entry per element, and what the refinement needs to know.

    ``row`` and ``column`` are None when every element kept the top entry;
    ``unresolved`` marks where the top entry's truncation was not resolved
    (its distance above its rounding part, or not finite); ``top_rounding``
    is the rounding part of the top entry's error estimate.
    """

    estimate: object
    error: object
    row: object
    column: object
    unresolved: object
    top_rounding: object


def _best_entries(table, design, ratio, rounding, rounding_power, nominal=None):
    """The top tableau entry where it is trusted, else the full Ridders search.

    Returns an `_Entries` whose ``row`` and ``column`` are None when every
    element kept the top entry.

    The highest-order entry ``T[K-1, K-1]`` and its distance to
    ``T[K-1, K-2]`` are computed directly from their weights (a pass per
    term). Where that distance is below the rounding part of the estimate,
    truncation is resolved and the top entry is the best one; elsewhere, and
    where anything is not finite, the whole tableau is searched for the entry
    of smallest estimated error (`numdiff.richardson`). Both give the same
    estimate and error for the top entry. `rounding` is the rounding part of
    the top entry's estimate (`_rounding_bound`); `nominal`, a `_Nominal`,
    says which rows hold differences for the nominal step. Where every base
    estimate is the same nonzero number (`_exact_elements`), that number is
    the estimate and its error estimate the first row's rounding bound.
    """
    levels = table.shape[0]
    exact = _exact_elements(table, nominal)
    combinations = design.combinations if nominal is None else \
        nominal.weights(design.combinations)
    value, error = _combine(table, combinations)
    np.abs(error, out=error)
    resolved = error <= rounding
    # The sum is finite only if every value is (or it overflows: then the
    # search below decides); one pass, no temporary.
    if resolved.all() and np.isfinite(np.sum(value)):
        error += rounding
        _set_exact(exact, table, value, error, rounding, design)
        return _Entries(value, error, None, None, None, rounding)
    resolved &= np.isfinite(value)
    search = ~resolved
    if nominal is not None:
        nominal.restore(table, search)
    weights = entry_weights(levels, float(ratio), design.order, design.order_step,
                            rounding_power)
    truncation = _top_truncation(table[:, search], error[search], weights, levels)
    unresolved = np.zeros(value.shape, dtype=bool)
    unresolved[search] = ~(truncation <= rounding[search])
    error += rounding
    row = np.full(value.shape, levels - 1, dtype=np.int64)
    column = np.full(value.shape, levels - 1, dtype=np.int64)
    found = _extrapolate(table[:, search], float(ratio), design.order, design.order_step,
                         rounding[search] / table.dtype.type(design.top_rounding_weight),
                         rounding_power)
    value[search], error[search] = found.estimate, found.error
    row[search], column[search] = found.row, found.column
    _set_exact(exact, table, value, error, rounding, design)
    return _Entries(value, error, row, column, unresolved, rounding)


def _exact_elements(table, nominal):
    """Where every base estimate ``D(h0 / r^k)`` is the same nonzero number: a mask, or None.

    Truncation then changes nothing at any of the steps: ``f`` is, to
    rounding, a polynomial of degree 2 or less (central) or 1 (one-sided),
    and extrapolation has nothing to remove. Rounding errors that behave
    like noise would make the estimates differ (``K`` equal values by chance
    are vanishingly rare); what remains is the first estimate's own
    rounding, which may be the same at every step: for ``t*t`` at
    ``t = -111/61`` the two squares' rounding errors differ by an amount
    proportional to ``h``, and every estimate is off by the same two units.
    So the first row's rounding bound is the error estimate (`_set_exact`),
    not the top entry's, which extrapolation amplifies. (At binary fractions
    ``t*t`` is exact, and this bound is what is left of the estimate.)
    Estimates that are all 0 are left out: ``f(x + h)`` and ``f(x - h)`` may
    then be equal only because ``f`` varies by less than its rounding. The
    nominal-step rows hold differences (`_Nominal`): they are compared with
    ``2h D``, exact where ``2h`` is a power of two (otherwise the test fails,
    which only keeps the usual estimate). One comparison settles it where the
    last two rows already differ, as they do for any ``f`` with truncation
    or noise.
    """
    levels = table.shape[0]
    last = table[-1]
    same = table[-2] == last
    if not same.any():
        return None
    same &= last != 0
    for k in range(levels - 2):
        if nominal is not None and k < nominal.rows:
            same &= table[k] == last * (2 * nominal.steps[k])
        else:
            same &= table[k] == last
    return same if same.any() else None


def _set_exact(exact, table, value, error, rounding, design):
    """The common value and the first row's rounding bound where `exact` (`_exact_elements`).

    `rounding` is the top entry's rounding part, ``design.top_rounding_weight``
    times the first row's bound (`_rounding_bound`).
    """
    if exact is not None:
        value[exact] = table[-1][exact]
        error[exact] = rounding[exact] / table.dtype.type(design.top_rounding_weight)


def _top_truncation(table, distance, weights, levels):
    """Predicted truncation error of the top entry, from the decay along the last row.

    ``d1 = |T[K-1,K-1] - T[K-1,K-2]|`` is the error of ``T[K-1,K-2]``, and
    ``d2 = |T[K-1,K-2] - T[K-1,K-3]|`` that of ``T[K-1,K-3]``; where the row
    converges geometrically the next error, the top entry's, is about
    ``d1 * (d1 / d2)``. Where it does not (``d1 >= d2``: the steps are too
    large for the expansion to hold) the prediction is ``d1`` itself.
    """
    if levels < 3:
        return distance
    lower, _ = weights[(levels - 1, levels - 2)]
    third, _ = weights[(levels - 1, levels - 3)]
    previous = np.abs(_combine(table, lower - third))
    return np.where(distance < previous, distance * (distance / previous), distance)


def _combine(table, weights):
    """The combinations ``sum_k w[k] table[k]`` for each row ``w`` of `weights`, stacked.

    One `numpy.einsum` reads the tableau once for all the combinations,
    about twice as fast as a pass per term and combination. Its inner loop
    runs over the elements, each summing its terms in the order of the rows,
    so an element's result does not depend on the others or on the array's
    size; a single element is computed as two (an einsum over one element
    would loop over the terms instead and may sum them in another order).
    A BLAS product (`numpy.matmul`) gives no such guarantee.
    """
    rows = table.shape[0]
    weights = np.asarray(weights, dtype=table.dtype)
    shape = weights.shape[:-1] + table.shape[1:]
    # Rows of zero weight in every combination are left out, so that a NaN
    # or inf there does not spread.
    flat = table.reshape(rows, -1)
    if not weights.all():
        used = np.flatnonzero(np.any(weights.reshape(-1, rows) != 0, axis=0))
        if used.size == 0:
            return np.zeros(shape, dtype=table.dtype)
        flat, weights = flat[used], weights[..., used]
    single = flat.shape[1] == 1
    if single:
        flat = np.repeat(flat, 2, axis=1)
    with np.errstate(invalid="ignore", over="ignore"):
        product = np.einsum("...k,kn->...n", weights, flat)
    if single:
        product = product[..., :1]
    return product.reshape(shape)


def _check_levels(levels, spec):
    if levels is None:
        if spec.is_complex:
            return 2
        return 5 if spec.layout == "central" else 6
    return check_integer(levels, "levels", 2, 12)


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
