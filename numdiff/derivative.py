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
`numdiff.step_selection` uses the same term). Without the second term the
estimate misses the true error of ``exp(2 x^2)`` at ``|x| > 1`` by factors up
to 4 once the step is small enough for rounding to dominate. The larger of
the two terms, rather than their sum, keeps the bound for a correctly rounded
``f`` (exp, log, powers) within a factor 2 of what it was; ``f'`` is the
smallest step's estimate (for higher derivatives, the slope of the stencil's
values). The central difference divides by the step actually taken, so its
own shifts ``x +- h`` add nothing; the other stencils form ``x + g h`` as
given, which is exact for the automatic steps (powers of two) at most ``x``
but rounds for other steps: there ``|x| |f'| / 2`` is added to ``F``
(without it, steps of 0.1 and 1/6 left 11% and 15% of the catalogue's test
points uncovered with ``central4``).

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
larger steps, as it should. Cauchy's bound holds only within ``L`` of ``x``:
the first stencil reaches at most ``L / 2`` (``MAX_REACH``), where the Taylor
terms of its values fall at least by half per order. This caps ``h0`` at
``L / 8`` for ``central6`` and ``central8`` in float64 (uncapped, their
stencils reached ``1.5 L`` and ``2 L``), and binds most schemes in float32
and float16, whose larger ``u`` asks for ``h0 = L`` and ``2 L``. On the
catalogue's test points the cap raised the coverage of the error estimate
from 97% to 99.4% for ``central8`` in float64, and from 93-97% to
98.8-99.8% in float16 across the schemes.

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

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from ._plan import make_plan
from ._refinement import Kept, Problem, refine_steps, wants_smaller_steps
from ._tableau import all_within_tolerance, evaluate_tableau, within_tolerance
from ._validation import (as_steps, check_callable, check_deriv, check_integer,
                          points_and_extent, uses_variables)
from .evaluator import Evaluator
from .step_rules import STEP_RULES
from .schemes import get_scheme
from .theory import machine_epsilon

__all__ = ["derivative", "DerivativeResult", "DerivativeStatus", "STEP_RULES"]


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
    of `x`, and every array stays in that dtype. The rounding bound assumes
    that each value of ``f`` is within about a unit of its dtype; numpy's
    float32 and float16 functions, and compositions of them, are often off
    by several. On the catalogue's test points (central scheme) the error
    estimate covers the true error at 100% of them in float64, but at 97.9%
    in float32 and 98.7% in float16, where it falls short by up to 2x and
    4.7x.

    With ``"auto"`` and the central scheme ``f`` is called 10 times with the
    whole array; that is all where ``f`` varies on the scale
    ``max(1, |x|)`` (exp, sin, tanh on ``[-3, 3]``).

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
    request = _validate(f, x, scheme, deriv, step, levels, ratio, refinements, rtol, atol)
    plan = make_plan(request.scheme, request.deriv, request.levels, request.ratio,
                     request.points.dtype)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        start = _initial_step(request, plan)
        sample = Evaluator(f, dtype=plan.dtype, wrap=request.wrap)
        tableau = evaluate_tableau(plan, sample, request.points, start.h0, start.noise)
        nfev = start.nfev + sample.calls
        nfev = np.broadcast_to(np.int64(nfev) if np.ndim(nfev) == 0 else nfev.astype(np.int64),
                               request.shape)
        outcome = _outcome(request, plan, start, tableau, nfev)
    return _pack(request, plan, outcome)


@dataclass(frozen=True)
class _Request:
    """`derivative`'s input, checked: the points broadcast to at least one element."""

    f: object
    x: object  # as given, for the step rules
    wrap: bool
    scheme: object
    deriv: int
    levels: int
    ratio: float
    points: np.ndarray
    extent: float  # max |x|
    rule: object  # the step rule's name, or None
    given: object  # the given step, or None
    refinements: int
    rtol: float
    atol: float
    shape: tuple
    result_shape: tuple


def _validate(f, x, scheme, deriv, step, levels, ratio, refinements, rtol, atol):
    """Every check of `derivative`'s input, in one place; a `_Request`."""
    check_callable(f)
    spec = get_scheme(scheme)
    deriv = check_deriv(deriv, spec.max_deriv, spec.name)
    wrap = uses_variables(f, x)
    points, extent = points_and_extent(x)
    dtype = points.dtype
    levels = spec.default_levels if levels is None else check_integer(levels, "levels", 2, 12)
    ratio = _check_real(ratio, "ratio", above=1.0)
    rtol = np.sqrt(machine_epsilon(dtype)) if rtol is None else \
        _check_real(rtol, "rtol", above=None)
    atol = _check_real(atol, "atol", above=None)
    refinements = check_integer(refinements, "refinements", 0, 10)
    rule = _check_step(step, spec)
    given = None
    shape = points.shape
    if rule is None and not isinstance(step, str):
        given = as_steps(step, dtype, name="step")
        try:
            shape = np.broadcast_shapes(points.shape, given.shape)
        except ValueError:
            raise ValueError(f"x of shape {points.shape} and step of shape {given.shape} "
                             "do not broadcast together") from None
    # 0-d input is computed as one element.
    return _Request(f, x, wrap, spec, deriv, levels, ratio, np.broadcast_to(points, shape or (1,)),
                    extent, rule, given, refinements, rtol, atol, shape or (1,), shape)


@dataclass(frozen=True)
class _Start:
    """The tableau's initial step, what choosing it cost, the noise it measured.

    `floor`: the step rule's step is a floor (noise) that refinement must not undercut.
    """

    h0: object
    nfev: object
    noise: object
    floor: bool


def _initial_step(request, plan):
    """The initial step ``h0``: automatic, from a step rule, or given (one value if all agree)."""
    points, dtype = request.points, plan.dtype
    nfev, noise, floor = 0, None, False
    if request.rule is not None:
        rule = STEP_RULES[request.rule]
        chosen = rule(request.f, request.x, scheme=plan.scheme, deriv=plan.deriv)
        nfev = np.asarray(chosen.nfev)
        # A rule that measured the noise of f sets the error per evaluation.
        if chosen.noise is not None:
            noise = np.broadcast_to(chosen.noise, request.shape).astype(dtype)
        floor = rule.is_floor
        h0 = np.asarray(chosen.step, dtype=dtype)
        h0 = h0 * dtype.type(rule.initial_step_factor(plan))
        h0 = np.where(np.isfinite(h0) & (h0 > 0), h0, plan.auto_step(points, request.extent))
    elif request.given is None:
        h0 = plan.auto_step(points, request.extent)
    else:
        h0 = request.given
    h0 = np.asarray(h0, dtype=dtype)
    if h0.ndim and np.all(h0 == h0.flat[0]):
        h0 = h0.flat[0]  # one step for all: scalar arithmetic from here on
    elif h0.ndim:
        h0 = np.broadcast_to(h0, request.shape)
    return _Start(h0, nfev, noise, floor)


@dataclass(frozen=True)
class _Outcome:
    """Per element: the estimate and its error, step, cost, status and order.

    `size` is ``|df|`` where computed; `extremes` are ``(min df, max df)``.
    """

    df: object
    error: object
    step: object
    nfev: object
    status: object
    order: object
    size: object
    extremes: tuple


def _outcome(request, plan, start, tableau, nfev):
    """The first tableau's best entries, refined where they ask for it, with a status each."""
    best, shape = tableau.best, request.shape
    df, error = best.estimate, best.error
    extremes = df.min(), df.max()  # NaN if any element is
    if best.row is None and all_within_tolerance(df, error, request.rtol, request.atol,
                                                 extremes):
        # Every element kept the top entry, truncation resolved, converged. The
        # fields shared by all are read-only broadcast views.
        step = np.broadcast_to(start.h0 / plan.dtype.type(plan.ratio) ** (plan.levels - 1),
                               shape)
        order = np.broadcast_to(np.int64(plan.top_order), shape)
        status = np.broadcast_to(np.int64(DerivativeStatus.CONVERGED), shape)
        return _Outcome(df, error, step, nfev, status, order, None, extremes)
    top = np.full(shape, plan.levels - 1)
    row = top if best.row is None else best.row
    column = top if best.column is None else best.column
    kept = Kept(df.reshape(-1), error.reshape(-1),
                np.array(np.broadcast_to(plan.step_of_row(start.h0, row), shape)).reshape(-1),
                (plan.order + column * plan.order_step).reshape(-1),
                (row == plan.levels - 1).reshape(-1), nfev.reshape(-1).copy())
    converged = within_tolerance(df, error, request.rtol, request.atol)
    if request.refinements and not start.floor:
        refine = wants_smaller_steps(best, row, converged, plan.levels)
        if refine.any():
            refine_steps(Problem(plan, request.f, request.wrap, request.rtol, request.atol),
                         tableau, request.points, refine, request.refinements, kept)
    df, error, step, order, improving, nfev = (
        value.reshape(shape) for value in
        (kept.df, kept.error, kept.step, kept.order, kept.improving, kept.nfev))
    size = np.abs(df)
    converged = within_tolerance(df, error, request.rtol, request.atol, size=size)
    status = np.where(converged, DerivativeStatus.CONVERGED,
                      np.where(improving, DerivativeStatus.NOT_CONVERGED,
                               DerivativeStatus.ERROR_GREW))
    status[~(np.isfinite(error) & np.isfinite(df))] = DerivativeStatus.NON_FINITE
    return _Outcome(df, error, step, nfev, status.astype(np.int64), order, size,
                    (df.min(), df.max()))


def _pack(request, plan, outcome):
    """The `DerivativeResult`, every error at least one unit ``u |df|`` of df's precision."""
    dtype, df, error = plan.dtype, outcome.df, outcome.error
    u = machine_epsilon(dtype)
    low, high = outcome.extremes
    # Two reductions show when no error is below the floor; NaN extremes (a NaN
    # df) take the element-wise path, where fmax leaves a NaN df's error as it is.
    if not error.min() >= u * max(-low, high):
        floor = np.abs(df) if outcome.size is None else outcome.size
        floor *= dtype.type(u)
        np.fmax(error, floor, out=error)

    def out(values, kind=dtype):
        return np.asarray(values, dtype=kind).reshape(request.result_shape)[()]

    return DerivativeResult(out(df), out(error), out(outcome.step), out(outcome.nfev, np.int64),
                            out(outcome.status, np.int64), out(outcome.order, np.int64))


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
    if not spec.step_rules_apply:
        raise ValueError(f"step={step!r} selects a step for real schemes; the complex step "
                         "uses step='auto' or a given step")
    return step
