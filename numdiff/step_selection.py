"""Choosing the step of a finite difference from the function itself.

Three algorithms, each usable on its own, vectorised over ``x`` (``f`` is
called with whole arrays), each returning a `StepResult` with the step, the
scheme's estimate at that step, the evaluations used and a status:

* `theory_step`: the error model's optimal step with the derivative scale
  estimated by a finite difference, as FiniteDifferences.jl does;
* `stepleman_winarsky_step`: shrink the step while successive estimates keep
  getting closer (Stepleman & Winarsky 1979);
* `gill_murray_step`: estimate ``f''`` with a second difference whose
  "condition error" lies in a target band (Gill, Murray, Saunders & Wright
  1983).

Rounding scale. Each evaluation ``f(x + g h)`` is off by about ``u |f|``, and
``x + g h`` itself is rounded to within ``u |x|``, which moves ``f`` by about
``u |x| |f'|`` (Numerical Recipes 3rd ed. §5.7). The algorithms therefore use the value scale
``F = max|f| + |x| |f'|``, with ``|f'|`` from the samples they take, as the
``|f|`` of the error model; the rounding error of ``f`` is ``u F``.

Length scale. Where an algorithm measures one derivative and the scheme needs
another, the derivatives are assumed to grow geometrically,
``|f^(k)| ~ F / L^k``; the step of any scheme at length scale ``L`` is then
``L * (q u sum|c_i| / (p |K|))^(1/(p+q))`` (`numdiff.theory`, from
``E'(h) = 0``), a constant of the scheme times ``L``.
"""

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .evaluator import Evaluator, stencil_estimate
from ._validation import as_points, as_steps, check_callable, uses_variables
from .schemes import get_scheme, rule_scheme
from .stencil import central_stencil
from . import theory
from .theory import error_model, length_scale, machine_epsilon, unit_scale_step

__all__ = ["StepResult", "StepStatus", "theory_step", "stepleman_winarsky_step",
           "gill_murray_step"]


@dataclass(frozen=True)
class StepResult:
    """A chosen step per element and what it cost: what every step rule returns.

    Attributes
    ----------
    step : ndarray or numpy scalar
        The step for the scheme asked for, in the dtype of ``x``.
    estimate : ndarray or numpy scalar or None
        The scheme's derivative estimate at that step (None for a rule that
        does not evaluate the scheme, as the noise rule).
    nfev : ndarray of int
        Evaluations of ``f`` the element needed (the estimate included).
    status : ndarray of int
        A `StepStatus` code per element; 0 (`StepStatus.FOUND`) is success.
    error : ndarray or None
        The rule's own estimate of the error at that step, where it has one
        (the noise rule's expected error).
    noise : ndarray or None
        The noise per evaluation of ``f`` the rule measured or was given,
        where it did.
    """

    step: object
    estimate: object
    nfev: object
    status: object
    error: object = None
    noise: object = None

    @property
    def success(self):
        """True where `status` is `StepStatus.FOUND`."""
        return np.asarray(self.status) == StepStatus.FOUND


class StepStatus(IntEnum):
    """Outcome of a step-selection algorithm for one element.

    FOUND (0)
        The algorithm's acceptance test passed.
    LIMIT_REACHED (1)
        The iteration limit was reached first; the last step is returned.
    SCALE_UNRESOLVED (2)
        The measured derivative was indistinguishable from rounding (or
        zero); the step comes from the rounding bound on it instead, an
        upper estimate of the scale, and is to be taken as a rough guess.
    NON_FINITE (3)
        ``f`` returned NaN or inf at the points needed.
    NOISE_UNRESOLVED (4)
        The noise of ``f`` could not be measured (`numdiff.estimate_noise`);
        the rounding level stands for it.
    """

    FOUND = 0
    LIMIT_REACHED = 1
    SCALE_UNRESOLVED = 2
    NON_FINITE = 3
    NOISE_UNRESOLVED = 4


def _prepare(f, x, scheme, deriv):
    check_callable(f)
    spec, deriv = rule_scheme(scheme, deriv, "step selection is for real schemes; the "
                              "complex step needs none (any step below sqrt(u) |x| works)")
    points = as_points(x)
    sample = Evaluator(f, dtype=points.dtype, wrap=uses_variables(f, x))
    return spec.stencil(deriv), points, sample


#: Where a rule's first stencil meets values of ``f`` that are not finite while
#: ``f(x)`` is finite (a domain edge within reach), its step is divided by
#: `EDGE_SHRINK`, at most `EDGE_TRIES` times (16^12: about 3.6e-15 of the step).
EDGE_SHRINK = 16
EDGE_TRIES = 12


def _start_inside(sample, points, h, st, found, measure=False):
    """``found`` (a `StencilEstimate` at steps `h`) redone at smaller steps where not finite.

    Only the elements whose estimate is not finite while ``f(x)`` is are
    evaluated again, at ``h / 16^j`` until finite (the rule then starts
    inside the domain of ``f``). Returns the estimate, the steps, the
    measured ``(scale, value at +1, value at -1)`` when `measure`, and the
    calls of ``f`` each element took part in here.
    """
    shape = np.shape(found.estimate)
    estimate = np.array(found.estimate, dtype=points.dtype).reshape(-1)
    steps = np.array(np.broadcast_to(h, shape), dtype=points.dtype).reshape(-1)
    flat = np.broadcast_to(points, shape).reshape(-1)
    fields = None
    if measure:
        fields = [np.array(np.broadcast_to(v, shape), dtype=points.dtype).reshape(-1)
                  for v in (found.scale, found.values[1], found.values[-1])]
    bad = np.flatnonzero(~np.isfinite(estimate))
    calls = np.zeros(estimate.shape, dtype=np.int64)
    if bad.size:
        calls[bad] += 1
        bad = bad[np.isfinite(sample(flat[bad]))]
    for _ in range(EDGE_TRIES):
        if not bad.size:
            break
        steps[bad] /= points.dtype.type(EDGE_SHRINK)
        before = sample.calls
        again = stencil_estimate(sample, flat[bad], steps[bad], st, summation="ascending",
                                 measure=measure) if measure else \
            stencil_estimate(sample, flat[bad], steps[bad], st)
        estimate[bad] = again.estimate
        calls[bad] += sample.calls - before
        if measure:
            for field, value in zip(fields, (again.scale, again.values[1], again.values[-1])):
                field[bad] = value
        bad = bad[~np.isfinite(again.estimate)]
    back = (lambda value: value.reshape(shape))
    return (back(estimate), back(steps), None if fields is None else tuple(map(back, fields)),
            back(calls))


def _finish(sample, points, h, st, status, nfev_before):
    """Clamp the step, take the scheme's estimate there, pack the result."""
    dtype = points.dtype
    u = machine_epsilon(dtype)
    unit = length_scale(points)
    # Below u*max(1,|x|) the step is lost in the spacing of x; above
    # max(1,|x|) it no longer describes the neighbourhood of x.
    h = np.clip(np.where(np.isfinite(h), h, unit), unit * dtype.type(u), unit).astype(dtype)
    calls = sample.calls
    estimate = stencil_estimate(sample, points, h, st).estimate
    nfev = nfev_before + (sample.calls - calls)
    status = np.where(np.isfinite(estimate), status, StepStatus.NON_FINITE).astype(np.int64)
    nfev = np.broadcast_to(nfev, points.shape).astype(np.int64)
    return StepResult(h[()], np.asarray(estimate)[()], nfev[()], status[()])


def theory_step(f, x, *, scheme="central", deriv=1):
    """The error model's optimal step, with the derivative scale estimated from `f`.

    For a stencil of order ``p`` for ``f^(q)`` the model
    ``E(h) = u F sum|c_i| h^-q + |K| |f^(p+q)| h^p`` (`numdiff.error_model`)
    needs ``|f^(p+q)(x)|``. As FiniteDifferences.jl does (its
    ``estimate_step``), that derivative is itself estimated by a finite
    difference: the central stencil of order 2 for ``f^(p+q)``, at its own
    optimal step for length scale ``max(1, |x|)``, i.e.
    ``max(1, |x|) * (m u sum|c| / (2 |K|))^(1/(m+2))`` with ``m = p + q``.
    If that estimate is below its own rounding bound ``u F sum|c| / H^m``,
    the bound is used as the scale (status ``SCALE_UNRESOLVED``), which gives
    a step at least as small as needed.

    Parameters
    ----------
    f : callable
        Element-wise function, called with whole arrays.
    x : float or array_like
        Point(s); the dtype is kept and sets ``u``.
    scheme : str, optional
        A real scheme from `numdiff.SCHEMES`.
    deriv : int, optional
        Derivative order.

    Returns
    -------
    StepResult
        The model's step (status ``SCALE_UNRESOLVED`` where the scale was
        not measurable) and the scheme's estimate there.

    Raises
    ------
    TypeError, ValueError
        For bad input, as `numdiff.numerical_diff`, or the complex step.

    References
    ----------
    FiniteDifferences.jl, ``src/methods.jl`` (``estimate_step``); Numerical
    Recipes 3rd ed., §5.7.

    Examples
    --------
    >>> import numpy as np
    >>> r = theory_step(np.exp, 1.0)
    >>> bool(1e-6 < r.step < 1e-4), int(r.nfev), int(r.status)
    (True, 6, 0)
    >>> bool(abs(r.estimate - np.e) < 1e-9)
    True
    """
    st, points, sample = _prepare(f, x, scheme, deriv)
    dtype = points.dtype
    u = machine_epsilon(dtype)
    m = st.accuracy + st.deriv
    probe = central_stencil(m)
    unit = length_scale(points)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        wide = (unit * dtype.type(unit_scale_step(probe, u))).astype(dtype)
        probed = stencil_estimate(sample, points, wide, probe, summation="ascending",
                                  measure=True)
        first = sample.calls
        scale_m, wide, (largest, above, below), extra = _start_inside(
            sample, points, wide, probe, probed, measure=True)
        slope = np.abs(above - below) / (2 * wide)
        value_scale = theory.value_scale(largest, points, slope, weight=1, combine="sum")
        resolution = dtype.type(u * float(probe.weight_sum)) * value_scale / wide ** m
        unresolved = ~(np.abs(scale_m) > resolution)
        derivative_scale = np.where(unresolved, resolution, np.abs(scale_m))
        model = error_model(get_scheme(scheme), deriv=st.deriv, f_scale=_finite(value_scale),
                            derivative_scale=_finite(derivative_scale), value_error=u,
                            dtype=dtype)
        h = np.asarray(model.optimal_step, dtype=float)
    status = np.where(unresolved, StepStatus.SCALE_UNRESOLVED, StepStatus.FOUND)
    status = np.where(np.isfinite(scale_m) & np.isfinite(value_scale), status,
                      StepStatus.NON_FINITE)
    return _finish(sample, points, h.astype(dtype), st, status, first + extra)


def _finite(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, 0.0)


def stepleman_winarsky_step(f, x, *, scheme="central", deriv=1, initial_step=None,
                            shrink=4.0, max_iterations=30):
    """Shrink the step while successive estimates keep getting closer (Stepleman & Winarsky 1979).

    From ``h_0``, the estimates ``D_k = D(h_0 / shrink^k)`` are computed;
    while truncation dominates, the differences ``|D_{k+1} - D_k|`` fall by
    about ``shrink^p`` per step, and once rounding takes over they stop
    falling. The first ``k >= 1`` with
    ``|D_{k+1} - D_k| >= |D_k - D_{k-1}|`` ends the search and ``h_k`` is
    returned (the paper's monotonicity test). Elements stop independently;
    ``f`` is called on the whole array until every element has stopped.

    Parameters
    ----------
    f, x, scheme, deriv
        As for `theory_step` (the paper treats the central difference).
    initial_step : float or array_like, optional
        ``h_0`` (broadcast against `x`); default ``max(1, |x|) / 10``, large enough to start in the
        truncation-dominated regime for functions that vary on the scale of
        ``max(1, |x|)`` and small enough (a tenth of it) to be inside the
        region where their Taylor series converges.
    shrink : float, optional
        Factor between successive steps, ``> 1``. The default 4 makes the
        truncation part of successive differences fall by 16 (central)
        per iteration, a clear signal, while locating the optimum within a
        factor 4.
    max_iterations : int, optional
        Most steps tried per element, at least 3.

    Returns
    -------
    StepResult
        The step before the differences stopped falling (status
        ``LIMIT_REACHED`` where they never did) and the estimate there.

    Raises
    ------
    TypeError, ValueError
        As `theory_step`; ValueError for `initial_step` not positive and
        finite, `shrink` not above 1, or `max_iterations` below 3.

    References
    ----------
    R. S. Stepleman and N. D. Winarsky, "Adaptive numerical differentiation",
    Math. Comp. 33 (1979) 1257-1264.

    Examples
    --------
    >>> import numpy as np
    >>> r = stepleman_winarsky_step(np.sin, np.array([0.5, 1.0]))
    >>> bool(np.all((r.step > 1e-7) & (r.step < 1e-3)))
    True
    >>> bool(np.all(np.abs(r.estimate - np.cos([0.5, 1.0])) < 1e-9))
    True
    """
    st, points, sample = _prepare(f, x, scheme, deriv)
    dtype = points.dtype
    shrink = float(shrink)
    if not (np.isfinite(shrink) and shrink > 1):
        raise ValueError(f"shrink must be a finite number above 1, got {shrink!r}")
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, (int, np.integer)) \
            or max_iterations < 3:
        raise ValueError(f"max_iterations must be an integer of at least 3, got {max_iterations!r}")
    unit = length_scale(points)
    if initial_step is None:
        h = (unit / dtype.type(10)).astype(dtype)
    else:
        h = np.broadcast_to(as_steps(initial_step, dtype, "initial_step"), points.shape).copy()
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        found = stencil_estimate(sample, points, h, st)
        first = sample.calls
        previous, h, _, extra = _start_inside(sample, points, h, st, found)
        centre = found.centre if np.all(np.isfinite(previous)) else None
        chosen_h = h.copy()
        last_gap = np.full(points.shape, np.inf, dtype=dtype)
        active = np.isfinite(previous)
        status = np.where(active, StepStatus.LIMIT_REACHED, StepStatus.NON_FINITE)
        used = first + extra
        for _ in range(max_iterations - 1):
            if not active.any():
                break
            h_next = h / dtype.type(shrink)
            current = stencil_estimate(sample, points, h_next, st, centre=centre).estimate
            gap = np.abs(current - previous)
            stop = active & ~(gap < last_gap)
            stop &= np.isfinite(last_gap)  # needs two differences to compare
            status = np.where(stop, StepStatus.FOUND, status)
            # On stopping keep h_k (the step before the gap grew).
            proceed = active & ~stop
            chosen_h = np.where(proceed, h_next, chosen_h)
            used = np.where(active, sample.calls, used)
            active = proceed & np.isfinite(current)
            last_gap = np.where(proceed, gap, last_gap)
            previous, h = current, h_next
    return _finish(sample, points, chosen_h, st, status, used)


def gill_murray_step(f, x, *, scheme="central", deriv=1, max_iterations=6):
    """Step from a second difference with a well-conditioned error (Gill, Murray, Saunders & Wright 1983).

    The forward-difference interval ``h_F = 2 sqrt(u F / |f''|)`` needs
    ``f''``. It is estimated by ``Phi(h) = (f(x+h) - 2 f(x) + f(x-h)) / h^2``,
    whose relative rounding error, the paper's "condition error", is
    ``C(h) = 4 u F / (h^2 |Phi|)``. From ``h = 10 h_bar`` with
    ``h_bar = 2 sqrt(u) max(1, |x|)`` (the forward interval if ``|f''|`` were
    ``F / max(1,|x|)^2``), ``h`` is multiplied by 10 while ``C > 0.1`` and
    divided by 10 while ``C < 0.001``; ``Phi`` is accepted when
    ``0.001 <= C <= 0.1``: rounding spoils it by at most 10%, and the step
    is not so large (``C`` not below 0.1%) that truncation dominates. If the
    search reverses direction, the step with ``C <= 0.1`` is accepted. These
    are the paper's factors and band (its Algorithm FD).

    For a scheme other than forward, ``h_F`` gives the length scale
    ``L = h_F / (2 sqrt(u))``, and the scheme's step at that scale is
    returned (module docstring).

    Parameters
    ----------
    f, x, scheme, deriv
        As for `theory_step`.
    max_iterations : int, optional
        Most second differences per element (the paper's 6), at least 1.

    Returns
    -------
    StepResult
        The scheme's step at the length scale found, and the estimate there.

    Raises
    ------
    TypeError, ValueError
        As `theory_step`; ValueError for `max_iterations` not a positive integer.

    References
    ----------
    P. E. Gill, W. Murray, M. A. Saunders and M. H. Wright, "Computing
    forward-difference intervals for numerical optimization", SIAM J. Sci.
    Stat. Comput. 4 (1983) 310-321.

    Examples
    --------
    >>> import numpy as np
    >>> r = gill_murray_step(np.exp, 1.0, scheme="forward")
    >>> bool(np.isclose(r.step, 2 * np.sqrt(np.finfo(float).eps * 2 * np.e / np.e), rtol=0.1))
    True
    >>> int(r.status)
    0
    """
    st, points, sample = _prepare(f, x, scheme, deriv)
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, (int, np.integer)) \
            or max_iterations < 1:
        raise ValueError(f"max_iterations must be a positive integer, got {max_iterations!r}")
    dtype = points.dtype
    u = dtype.type(machine_epsilon(dtype))
    unit = length_scale(points)
    ten = dtype.type(10)
    curvature_stencil = central_stencil(2)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        centre = sample(points)
        h = unit * dtype.type(20) * np.sqrt(u)  # 10 * h_bar
        phi = np.full(points.shape, np.nan, dtype=dtype)
        value_scale = np.abs(centre)
        accepted = np.zeros(points.shape, dtype=bool)
        direction = np.zeros(points.shape, dtype=np.int8)  # +1 growing, -1 shrinking
        status = np.full(points.shape, StepStatus.LIMIT_REACHED)
        used = np.full(points.shape, sample.calls)
        for _ in range(max_iterations):
            active = ~accepted
            if not active.any():
                break
            # (f(x+h) - 2 f(x) + f(x-h)) / h^2, summed in that order.
            second = stencil_estimate(sample, points, h, curvature_stencil, centre=centre,
                                      summation="descending", measure=True)
            used = np.where(active, sample.calls, used)
            slope = np.abs(second.values[1] - second.values[-1]) / (2 * h)
            scale_now = theory.value_scale(second.scale, points, slope, weight=1, combine="sum")
            phi_now = second.estimate
            condition = 4 * u * scale_now / (h * h * np.abs(phi_now))
            good = condition <= dtype.type(0.1)
            in_band = good & (condition >= dtype.type(0.001))
            want = np.where(condition > dtype.type(0.1), 1, -1).astype(np.int8)
            reversed_ = (direction != 0) & (want != direction)
            # Take this iteration's phi where it is in the band, or where the
            # search reverses and this one is the well-conditioned one.
            take = active & (in_band | (reversed_ & good))
            # Reversal from a well-conditioned previous phi: keep the previous.
            keep_old = active & reversed_ & ~good
            phi = np.where(active & ~keep_old, phi_now, phi)
            value_scale = np.where(active & ~keep_old, scale_now, value_scale)
            bad = active & ~np.isfinite(phi_now)
            status = np.where(take | keep_old, StepStatus.FOUND, status)
            status = np.where(bad, StepStatus.NON_FINITE, status)
            accepted |= take | keep_old | bad
            direction = np.where(active, want, direction)
            h = np.where(accepted, h, np.where(want > 0, h * ten, h / ten))
        unresolved = ~(np.abs(phi) > 0)
        curvature = np.where(unresolved, value_scale / unit ** 2, np.abs(phi))
        status = np.where(unresolved & (status != StepStatus.NON_FINITE),
                          StepStatus.SCALE_UNRESOLVED, status)
        h_forward = 2 * np.sqrt(u * value_scale / curvature)
        length = h_forward / (2 * np.sqrt(u))
        step = length * dtype.type(unit_scale_step(st, float(u)))
    return _finish(sample, points, step, st, status, used)
