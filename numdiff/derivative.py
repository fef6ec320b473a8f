"""`derivative`: the step chosen automatically, Richardson extrapolation and an error estimate.

Per element and all elements at once, in five steps:

1. Validate: every argument is checked up front (`_validate`), errors naming it.
2. Plan: the scheme, derivative order, levels, ratio and dtype fix the
   tableau's constants once (`numdiff._plan.make_plan`): the orders of its
   columns, the automatic initial step at the length scale
   ``L = max(1, |x|)``, the weights of the top entry and of its error
   estimate.
3. Evaluate the tableau: the initial step ``h0`` (automatic, from a step
   rule of `STEP_RULES`, or given), the scheme's estimates at
   ``h0 / r^k``, ``k < K``, each a whole-array call of ``f`` per stencil
   point, and the best entry of the Richardson tableau over them
   (`numdiff.richardson`) with its error estimate: the distance to the
   entry below plus a bound on the rounding it carries.
4. Refine: the elements whose tableau shows that its steps were too large
   for ``f`` get further tableaus at smaller steps, reusing the rows they
   share, and keep the one of smallest error estimate.
5. Pack: a `DerivativeResult` with a `DerivativeStatus` per element, no
   error estimate below one unit of the precision of the estimate.

The method, the reasoning behind its constants and its sources are in
``docs/method.md``.
"""

from dataclasses import dataclass, replace

import numpy as np

from ._domain_edges import capped_step, find_edges, reach
from ._plan import make_plan
from ._noisy_elements import (NOISE_MARGIN, LastRowReading, measure_noise, noise_bound,
                              read_last_row, rounding_level, settle_noisy, suspects)
from ._refinement import Kept, Problem, refine_steps, wants_smaller_steps
from ._scalar_derivative import on_a_scalar
from ._spot_check import spot_check
from ._tableau import (all_within_tolerance, evaluate_tableau, nominal_rows, read_tableau,
                       within_tolerance)
from .derivative_result import DerivativeResult, DerivativeStatus
from ._validation import (MAX_RATIO, as_noise_levels, as_steps, check_callable, check_deriv,
                          check_integer, points_and_extent, uses_variables)
from .evaluator import ComplexValues, Evaluator
from .step_rules import STEP_RULES
from .schemes import get_scheme
from .theory import machine_epsilon

__all__ = ["derivative", "DerivativeResult", "DerivativeStatus", "STEP_RULES"]


def derivative(f, x, *, scheme="central", deriv=1, step="auto", levels=None,
               ratio=2.0, refinements=3, rtol=None, atol=0.0, noise=None, domain=None):
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
        Derivative order (1 to `numdiff.MAX_DERIV`, 8; 1 or 2 for ``"complex_step"``).
    step : str, float or array_like, optional
        ``"auto"``: the theory's step for the extrapolated stencil at the
        length scale ``max(1, |x|)`` (``docs/method.md``), no extra calls.
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
        for one-sided ones, 2 for the complex step; for the central schemes
        at derivative orders above 4, fewer: down to the base stencil's
        optimal step (`numdiff.StencilScheme.automatic_levels`).
    ratio : float, optional
        ``r`` between successive steps, ``1 < r <= 1000`` (`MAX_RATIO`).
    refinements : int, optional
        At most this many further tableaus at smaller steps (0 to 10) for
        the elements whose first tableau shows its steps were too large for
        ``f`` (``docs/method.md``). 0 gives the single tableau. Not used with
        ``step="noise"``, whose step is a floor set by the noise.
    rtol, atol : float, optional
        Tolerance for the status: converged where
        ``error <= atol + rtol * |df|`` and the tableau shows convergence
        (``docs/method.md``). ``rtol`` defaults to ``sqrt(u)`` of the dtype.
    noise : float or array_like, optional
        Standard deviation of the noise in each value of ``f`` (absolute,
        broadcast against `x`), if known. It enters the error estimate, and
        elements where it exceeds the rounding level get the status
        ``NOISY``. By default the noise is measured (`numdiff.estimate_noise`)
        only where the tableau gives cause, or where a spot check (two values
        a tiny step from ``x``) finds more than rounding in the values. 0
        says ``f`` is smooth: no probe and no spot check.
    domain : tuple of (float or array_like), optional
        ``(lower, upper)`` bounds of the domain of ``f`` (broadcast against
        `x`; ``-inf``, ``inf`` for none): every evaluation stays inside, the
        stencil's reach capped at half the distance to the nearer bound, and
        a one-sided stencil away from it computed where that cap binds. Not
        with a step rule. Without it, elements where ``f`` is NaN or inf at a
        stencil point while finite at ``x`` find the edge themselves.

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
        `step`, `levels`, `ratio` (1 to 1000), `refinements`, `rtol` or
        `atol` out of range; `noise` negative, boolean or empty; `domain`
        not a pair, or `x` outside it; a step rule with `noise` or `domain`;
        `f` returning the wrong shape or floating-point values less precise
        than the dtype of `x` (TypeError); for the complex step, `f`
        returning real values for complex input, or not real at `x`, outside
        its real domain, where ``Im f(x + ih) / h`` is no derivative). A
        complex-valued `f` is not an
        error: its real and imaginary parts are differentiated apart (two
        runs), ``df`` is complex and ``error`` real.
        Numerical trouble (NaN or inf from ``f``, no convergence) never
        raises: it sets `status`.

    See Also
    --------
    numdiff.richardson : the extrapolation and its error estimate.
    numdiff.step_selection : the step-selection algorithms.

    Notes
    -----
    Steps, rounding bounds and tolerances use the machine epsilon ``eps`` of
    the dtype of `x` (`numdiff.machine_epsilon`), and every array stays in
    that dtype. The rounding bound assumes
    that each value of ``f`` is within about a unit of its dtype; numpy's
    float32 and float16 functions, and compositions of them, are often off
    by several, and there the error estimate can fall short of the true
    error.

    With ``"auto"`` and the central scheme ``f`` is called 10 times with the
    whole array; that is all where ``f`` varies on the scale
    ``max(1, |x|)`` (exp, sin on ``[-3, 3]``). Where the top entry's distance
    lies between a quarter of its rounding part and a hundred times it (this
    scheme, first derivative, `noise` not given), ten values cannot tell the
    truncation of the last term from noise, which could then hide behind a
    rounding-level claim: two values at ``x +- eps^(2/3) max(1, |x|)`` check
    the estimate (2 evaluations, for example log and 1/x near 1).

    Where it varies faster, the first tableau shows it (truncation not
    resolved at the smallest step, or no convergence), and those elements
    alone get up to `refinements` further tableaus at steps smaller by
    ``r^m`` each, ``m`` from the measured excess of the error estimate over
    its rounding part; the rows the tableaus share are reused, so a round
    costs ``2 m`` evaluations per refined element for the central scheme
    (``m <= K - 1 = 4``). Each element keeps the round with the smallest
    error estimate. Elements where ``f`` is NaN at every step tried cost the
    full ``10 + 8 refinements`` evaluations. ``docs/method.md`` gives the
    tests and the constants.

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
    that need it get smaller steps, and pay for them (the first here pays
    only a spot check).

    >>> x = np.array([0.5, 2.4])
    >>> res = derivative(lambda t: np.exp(2 * t**2), x)
    >>> exact = 4 * x * np.exp(2 * x**2)
    >>> bool(np.all(np.abs(res.df - exact) <= 1e-13 * exact))
    True
    >>> bool(np.all(np.abs(res.df - exact) <= res.error)), res.nfev.tolist()
    (True, [12, 16])

    Beside the edge of the domain of ``f`` (here with it given, so that no
    evaluation leaves it), and with noise far above rounding:

    >>> res = derivative(np.sqrt, np.array([1e-10, 1.0]), domain=(0.0, np.inf))
    >>> bool(np.all(np.abs(res.df - 0.5 / np.sqrt([1e-10, 1.0])) <= res.error))
    True
    >>> rng = np.random.default_rng(0)
    >>> noisy = lambda t: np.exp(t) * (1 + 1e-8 * rng.standard_normal(t.shape))
    >>> res = derivative(noisy, np.array([1.0]))
    >>> DerivativeStatus(res.status[0]).name, bool(abs(res.df[0] - np.e) <= res.error[0])
    ('NOISY', True)
    """
    try:
        if noise is None and domain is None:
            found = on_a_scalar(f, x, scheme, deriv, step, levels, ratio, refinements, rtol,
                                atol)
            if isinstance(found, DerivativeResult):
                return found
        else:
            found = None
        return _derivative(f, x, (scheme, deriv, step, levels, ratio, refinements, rtol, atol,
                                  noise, domain), found)
    except ComplexValues as complex_values:
        return _complex_parts(f, x, (scheme, deriv, step, levels, ratio, refinements, rtol,
                                     atol, noise, domain), complex_values.calls)


def _complex_parts(f, x, options, wasted):
    """`derivative` of a complex-valued `f`: its real and imaginary parts apart.

    ``df`` is complex, ``error`` the modulus of the two errors (real), ``nfev``
    the calls of both and the `wasted` ones that found the complex values,
    ``status`` the real part's unless it converged, ``step`` and ``order``
    the smaller of the two.
    """
    parts = [_derivative(lambda t, part=part: part(f(t)), x, options)
             for part in (np.real, np.imag)]  # (no scalar rows: the array path)
    re, im = parts
    status = np.where(re.status == DerivativeStatus.CONVERGED, im.status, re.status)
    return DerivativeResult((re.df + 1j * im.df)[()], np.hypot(re.error, im.error)[()],
                            np.minimum(re.step, im.step)[()],
                            (re.nfev + im.nfev + wasted)[()], status.astype(np.int64)[()],
                            np.minimum(re.order, im.order)[()])


def _derivative(f, x, options, found=None):
    """`derivative` for a real-valued `f` (raises `ComplexValues` where it is not).

    `options` are derivative's, in the order of its signature; `found` the
    `numdiff._scalar_derivative.ScalarRows` of a scalar call, if any.
    """
    scheme, deriv, step, levels, ratio, refinements, rtol, atol, noise, domain = options
    request = _validate(f, x, scheme, deriv, step, levels, ratio, refinements, rtol, atol,
                        noise, domain)
    plan = make_plan(request.scheme, request.deriv, request.levels, request.ratio,
                     request.points.dtype)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        outcome, start, tableau = _compute(request, plan, found)
        outcome = at_edges(request, plan, start, tableau, outcome)
    return _pack(request, plan, outcome)


def _compute(request, plan, rows=None):
    """The `_Outcome` of a checked request, its `_Start` and first tableau."""
    start = _initial_step(request, plan)
    tableau, calls = _first_tableau(request, plan, start, rows)
    nfev = start.nfev + calls
    nfev = np.broadcast_to(np.int64(nfev) if np.ndim(nfev) == 0 else nfev.astype(np.int64),
                           request.shape)
    return _outcome(request, plan, start, tableau, nfev), start, tableau


def at_edges(request, plan, start, tableau, outcome):
    """The outcome with the elements at a domain edge computed inside it (`numdiff._domain_edges`).

    With `domain` given: the elements whose first step was capped get the
    one-sided alternative too. Without it: the elements whose tableau holds
    values that are not finite while ``f(x)`` is finite get the distance to
    the edge on each side (`find_edges`), then the capped central and the
    one-sided tableau. Each keeps the result of smallest error estimate.
    """
    if not request.edges or not request.scheme.step_rules_apply:
        return outcome
    points = request.points.reshape(-1)
    h0 = np.broadcast_to(start.h0, request.shape).reshape(-1)
    dtype = plan.dtype
    if request.domain is not None:
        index = np.flatnonzero(start.capped.reshape(-1))
        below, above = (room.reshape(-1)[index] for room in request.room)
        calls = np.zeros(index.size, dtype=np.int64)
        candidates = []
    else:
        if not request.refinements:
            return outcome  # one tableau, as asked
        table = tableau.table.reshape(plan.levels, -1)
        result = outcome.result
        failed = (np.asarray(result.status).reshape(-1) != DerivativeStatus.CONVERGED) & \
            ~np.isfinite(table).all(axis=0)
        index = np.flatnonzero(failed)
        if index.size == 0:
            return outcome
        sample = Evaluator(request.f, dtype=dtype, wrap=request.wrap)
        inside = np.isfinite(sample(points[index]))
        index = index[inside]
        if index.size == 0:
            return outcome
        below, above, found = find_edges(request.f, request.wrap, points[index], h0[index], dtype)
        calls = np.full(index.size, sample.calls + found, dtype=np.int64)
        candidates = [(index, _edge_run(request, index, capped_step(
            h0[index], np.minimum(below, above), reach(request.scheme, request.deriv))))]
    return _merge(request, outcome, index, calls,
                  candidates + _one_sided(request, index, below, above))


def _one_sided(request, index, below, above):
    """The one-sided tableau pointing away from the nearer edge, capped by the farther one.

    `index` are the flat elements concerned; `below`, `above` their distances
    to the edges. ``"forward2"`` where the lower edge is nearer, else
    ``"backward2"``: second order, as the central difference (for the higher
    central schemes too: the extrapolation raises the order). Returns a list
    of ``(target, result)`` for `_merge`, one per side used.
    """
    points = request.points.reshape(-1)[index]
    forward = below < above
    results = []
    for name, where, room in (("forward2", forward, above), ("backward2", ~forward, below)):
        if not where.any():
            continue
        spec = get_scheme(name)
        u = machine_epsilon(points.dtype)
        automatic = request.scheme.automatic_levels(request.deriv, request.ratio, u)
        levels = spec.automatic_levels(request.deriv, request.ratio, u) \
            if request.levels == automatic else request.levels
        plan = make_plan(spec, request.deriv, levels, request.ratio, points.dtype)
        h0 = np.broadcast_to(plan.auto_step(points[where], np.max(np.abs(points[where]))),
                             points[where].shape)
        h0 = capped_step(h0, room[where], reach(spec, request.deriv))
        results.append((index[where], _edge_run(request, index[where], h0, spec, levels)))
    return results


def _edge_run(request, index, h0, spec=None, levels=None):
    """`derivative`'s result (flat, before its floor) at the flat elements `index`, steps `h0`."""
    spec = request.scheme if spec is None else spec
    levels = request.levels if levels is None else levels
    points = request.points.reshape(-1)[index]
    n = points.size
    noise = None if request.noise is None else request.noise.reshape(-1)[index]
    sub = replace(request, x=points, points=points, scheme=spec, levels=levels, rule=None,
                  given=np.asarray(h0, dtype=points.dtype), shape=(n,), result_shape=(n,),
                  extent=float(np.max(np.abs(points))), noise=noise, domain=None, edges=False,
                  room=None)
    plan = make_plan(spec, request.deriv, levels, request.ratio, points.dtype)
    outcome, _, _ = _compute(sub, plan)
    return outcome.result


def _merge(request, outcome, index, calls, candidates):
    """`outcome` with each element of `index` replaced by the candidate of smallest error.

    `candidates` is a list of ``(target, result)``: ``result`` holds the flat
    elements ``target`` (a subset of `index`), in that order; earlier
    candidates win ties.
    """
    result = outcome.result
    fields = {name: np.array(np.broadcast_to(getattr(result, name), request.shape)).reshape(-1)
              for name in ("df", "error", "step", "nfev", "status", "order")}
    fields["nfev"][index] += calls
    best = np.where(np.isfinite(fields["error"]) & np.isfinite(fields["df"]),
                    fields["error"], np.inf)
    for target, found in candidates:
        fields["nfev"][target] += found.nfev
        error = np.where(np.isfinite(found.error) & np.isfinite(found.df), found.error, np.inf)
        current = best[target]
        better = error < current
        for name in ("df", "error", "step", "status", "order"):
            fields[name][target[better]] = np.asarray(getattr(found, name))[better]
        best[target] = np.minimum(current, error)
    df = fields["df"].reshape(request.shape)
    merged = DerivativeResult(*(fields[name].reshape(request.shape) for name in
                                ("df", "error", "step", "nfev", "status", "order")))
    return _Outcome(merged, np.abs(df), (df.min(), df.max()))


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
    noise: object = None  # the noise per value of f, broadcast to shape, or None
    domain: object = None  # (lower, upper), each broadcast to shape, or None
    edges: bool = True  # look for domain edges where f is not finite
    room: object = None  # (x - lower, upper - x), each of shape, where domain is given


def _validate(f, x, scheme, deriv, step, levels, ratio, refinements, rtol, atol, noise=None,
              domain=None):
    """Every check of `derivative`'s input, in one place; a `_Request`."""
    check_callable(f)
    spec = get_scheme(scheme)
    deriv = check_deriv(deriv, spec.max_deriv, spec.name)
    wrap = uses_variables(f, x)
    points, extent = points_and_extent(x)
    dtype = points.dtype
    ratio = _check_real(ratio, "ratio", above=1.0)
    if ratio > MAX_RATIO:
        raise ValueError(f"ratio must be at most {MAX_RATIO:g}, got {ratio!r}: the tableau's "
                         f"steps h0 / ratio^k would leave the range of the dtype")
    levels = spec.automatic_levels(deriv, ratio, machine_epsilon(dtype)) if levels is None \
        else check_integer(levels, "levels", 2, 12)
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
    noise = _check_noise(noise, shape, dtype)
    domain = _check_domain(domain, points, shape, dtype)
    if domain is not None and rule is not None:
        raise ValueError(f"domain is given: step={step!r} would evaluate f outside it; use "
                         "step='auto' or a numeric step with domain")
    if noise is not None and rule is not None:
        raise ValueError(f"noise is given: step={step!r} would measure it again; use "
                         "step='auto' or a numeric step with noise")
    # 0-d input is computed as one element.
    full = shape or (1,)
    points = np.broadcast_to(points, full)
    room = None
    if domain is not None:
        domain = tuple(np.broadcast_to(d, full) for d in domain)
        room = (points - domain[0], domain[1] - points)
    return _Request(f, x, wrap, spec, deriv, levels, ratio, points, extent, rule, given,
                    refinements, rtol, atol, full, shape,
                    None if noise is None else np.broadcast_to(noise, full), domain, True, room)


def _check_noise(noise, shape, dtype):
    """`noise` as an array of `dtype` broadcasting with `shape`, or None."""
    if noise is None:
        return None
    array = as_noise_levels(noise, zero_allowed=True)
    try:
        np.broadcast_shapes(array.shape, shape)
    except ValueError:
        raise ValueError(f"noise of shape {array.shape} does not broadcast with x of shape "
                         f"{shape}") from None
    return array.astype(dtype)


def _check_domain(domain, points, shape, dtype):
    """`domain` as ``(lower, upper)`` arrays of `dtype`, with every point inside; or None."""
    if domain is None:
        return None
    if not isinstance(domain, (tuple, list)) or len(domain) != 2:
        raise TypeError(f"domain must be a pair (lower, upper), got {domain!r}")
    try:
        lower, upper = (np.asarray(d, dtype=float) for d in domain)
    except (TypeError, ValueError):
        raise TypeError(f"domain must hold real numbers or arrays, got {domain!r}") from None
    if np.any(np.isnan(lower)) or np.any(np.isnan(upper)):
        raise ValueError("domain must not contain NaN")
    try:
        np.broadcast_shapes(lower.shape, upper.shape, shape)
    except ValueError:
        raise ValueError(f"domain bounds of shapes {lower.shape} and {upper.shape} do not "
                         f"broadcast with x of shape {shape}") from None
    if np.any(points < lower) or np.any(points > upper):
        raise ValueError("every x must lie inside domain: lower <= x <= upper")
    return lower.astype(dtype), upper.astype(dtype)


@dataclass(frozen=True)
class _Start:
    """The tableau's initial step, what choosing it cost, the noise it measured.

    `floor`: the step rule's step is a floor (noise) that refinement must not undercut.
    """

    h0: object
    nfev: object
    noise: object
    floor: bool
    capped: object = None  # where the domain capped the step (a mask), or None


def _initial_step(request, plan):
    """The initial step ``h0``: automatic, from a step rule, or given (one value if all agree)."""
    points, dtype = request.points, plan.dtype
    nfev, noise, floor = 0, None, False
    if request.noise is not None:
        noise = noise_bound(plan, request.noise).astype(dtype)
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
    capped = None
    if request.domain is not None:
        near = np.minimum(*request.room)
        wide = np.broadcast_to(h0, request.shape)
        h0 = capped_step(wide, near, reach(plan.scheme, plan.deriv))
        capped = h0 < wide
    if h0.ndim and np.all(h0 == h0.flat[0]):
        h0 = h0.flat[0]  # one step for all: scalar arithmetic from here on
    elif h0.ndim:
        h0 = np.broadcast_to(h0, request.shape)
    return _Start(h0, nfev, noise, floor, capped)


def _first_tableau(request, plan, start, rows=None):
    """The first `numdiff._tableau.Tableau` and the calls of ``f`` it took.

    `rows` are the base estimates a scalar call computed (`ScalarRows`), if any.
    """
    if rows is None:
        sample = Evaluator(request.f, dtype=plan.dtype, wrap=request.wrap,
                           real=plan.scheme.subtracts)
        return evaluate_tableau(plan, sample, request.points, start.h0, start.noise), \
            sample.calls
    table = np.array(rows.rows, dtype=plan.dtype).reshape(-1, 1)
    scale = np.array([rows.scale], dtype=plan.dtype)
    nominal = nominal_rows(plan, request.points, start.h0)
    return read_tableau(plan, table, scale, start.h0, None, nominal), rows.calls


@dataclass(frozen=True)
class _Outcome:
    """The result per element, before its error floor and its shape.

    `size` is ``|df|`` where computed; `extremes` are ``(min df, max df)``.
    """

    result: DerivativeResult
    size: object
    extremes: tuple


def _outcome(request, plan, start, tableau, nfev):
    """The first tableau's best entries, refined where they ask for it, with a status each."""
    best, shape = tableau.best, request.shape
    df, error = best.estimate, best.error
    extremes = df.min(), df.max()  # NaN if any element is
    hint = _noise_hint(request, plan, tableau)
    if best.row is None and tableau.level is None and hint.looks is None and \
            hint.unsure is None and \
            all_within_tolerance(df, error, request.rtol, request.atol, extremes):
        # Every element kept the top entry, truncation resolved, converged. The
        # fields shared by all are read-only broadcast views.
        step = np.broadcast_to(start.h0 / plan.dtype.type(plan.ratio) ** (plan.levels - 1),
                               shape)
        order = np.broadcast_to(np.int64(plan.top_order), shape)
        status = np.broadcast_to(np.int64(DerivativeStatus.CONVERGED), shape)
        return _Outcome(DerivativeResult(df, error, step, nfev, status, order), None, extremes)
    kept = _kept(plan, start, best, shape, nfev, hint)
    refine = np.zeros(shape, dtype=bool)
    if request.refinements and not start.floor:
        # best.row is None only where best.unresolved is too: no row is read then.
        converged = within_tolerance(df, error, request.rtol, request.atol)
        refine = wants_smaller_steps(best, best.row, converged, plan.levels)
        if refine.any():
            refine_steps(Problem(plan, request.f, request.wrap, request.rtol, request.atol,
                                 _hints_wanted(request, plan, tableau)),
                         tableau, request.points, refine, request.refinements, kept)
    noisy = _noisy(request, plan, start, tableau, kept, refine)
    return _statuses(request, kept, noisy)


def _hints_wanted(request, plan, tableau):
    """Whether tableaus are read for noise (`_noise_hint`)."""
    return request.noise is None and tableau.level is None and bool(request.edges) and \
        plan.plain_central


def _noise_hint(request, plan, tableau):
    """What the first tableau's last row says of noise: a `LastRowReading` (`read_last_row`).

    Only where `_noisy` would probe (noise not given, not an edge run), and
    for the central difference of the first derivative: the test is
    designed and checked for its tableau (other stencils' last distances
    move together for smooth functions too, one-sided ones on Squire and
    Trapp's function).
    """
    if not _hints_wanted(request, plan, tableau):
        return LastRowReading()
    return read_last_row(plan, tableau.table, tableau.best, tableau.nominal)


def _kept(plan, start, best, shape, nfev, hint):
    """The first tableau's best entries as a `numdiff._refinement.Kept` (flat copies).

    `hint`: what the first tableau's last row says of noise (`_noise_hint`).
    """
    row, column = best.placed(plan.levels)
    flat = (lambda value: np.array(np.broadcast_to(value, shape)).reshape(-1))
    mask = (lambda value: np.zeros(int(np.prod(shape)), dtype=bool) if value is None
            else value.copy())  # each mask is updated in place
    evidence = np.ones(shape, dtype=bool) if best.evidence is None else best.evidence
    return Kept(flat(best.estimate), flat(best.error), flat(plan.step_of_row(start.h0, row)),
                flat(plan.order + column * plan.order_step), flat(row == plan.levels - 1),
                flat(nfev), flat(best.top_rounding), flat(evidence),
                mask(None), flat(False if best.searched is None else best.searched),
                mask(hint.looks), mask(hint.unsure))


def _noisy(request, plan, start, tableau, kept, refined):
    """Where ``f`` is noisy (a flat mask, or None); measured elements settled in place on `kept`.

    With ``noise`` given: where it exceeds `NOISE_MARGIN` times the rounding
    level ``eps F``. Otherwise the suspects of the first tableau
    (`numdiff._noisy_elements.suspects`, and those where some round's last
    distances looked like noise, ``kept.looks_noisy``, or that a spot check
    flags among the unsure, ``kept.unsure``) are probed with ECnoise, and
    those found noisy are settled with the noise in their error
    (`settle_noisy`), no refinement.
    """
    if request.noise is not None:
        return (request.noise > NOISE_MARGIN * tableau.level).reshape(-1)
    if tableau.level is not None or (tableau.best.searched is None and
                                     not (kept.looks_noisy.any() or kept.unsure.any())) or \
            not request.edges or not plan.scheme.subtracts:
        return None  # (the edge runs do not probe: their probe could leave the domain)
    best, refined = tableau.best, refined.reshape(-1)
    searched = np.zeros(refined.shape, dtype=bool) if best.searched is None else \
        best.searched.reshape(-1)
    unrefined = kept.unsettled & np.where(refined, kept.error > 2 * kept.rounding,
                                          kept.error <= 2 * kept.rounding)
    if request.refinements and best.unresolved is not None:
        unrefined |= best.unresolved.reshape(-1) & ~refined  # (without rounds, truncation)
    suspect = suspects(kept, searched, unrefined, request.refinements > 0) | kept.looks_noisy
    suspect |= _spot_checked(request, plan, start, tableau, kept, kept.unsure & ~suspect)
    if not suspect.any():
        return None
    index = np.flatnonzero(suspect)
    room, h0, level = _probe_setting(request, plan, start, tableau, index)
    noise, calls = measure_noise(request.f, request.wrap, request.points.reshape(-1)[index],
                                 plan.dtype, room, level)
    kept.nfev[index] += calls
    # A tableau with values that are not finite is at an edge or a pole, not noise.
    found = np.isfinite(noise) & \
        np.isfinite(tableau.table.reshape(plan.levels, -1)[:, index]).all(0)
    if not found.any():
        return None
    index, noise, h0 = index[found], noise[found], h0[found]
    nominal = tableau.nominal
    if nominal is not None:  # the rows of the elements not searched, divided now
        unsearched = np.zeros(searched.shape, dtype=bool)
        unsearched[index] = ~searched[index]
        nominal.restore(tableau.table, unsearched)
    settle_noisy(plan, tableau.table.reshape(plan.levels, -1)[:, index], h0, noise, kept, index)
    noisy = np.zeros(kept.df.shape, dtype=bool)
    noisy[index] = True
    return noisy


def _probe_setting(request, plan, start, tableau, index):
    """The room to the domain (or None), initial steps and rounding level ``eps F`` at `index`."""
    room = None if request.room is None else \
        np.minimum(*(side.reshape(-1)[index] for side in request.room))
    h0 = np.broadcast_to(start.h0, request.shape).reshape(-1)[index]
    rounding = np.broadcast_to(tableau.rounding, request.shape).reshape(-1)[index]
    return room, h0, rounding_level(plan, rounding, h0)


def _spot_checked(request, plan, start, tableau, kept, unsure):
    """The elements of `unsure` (a flat mask) a spot check flags (`spot_check`); calls counted."""
    flagged = np.zeros(unsure.shape, dtype=bool)
    if not unsure.any():
        return flagged
    index = np.flatnonzero(unsure)
    room, _, level = _probe_setting(request, plan, start, tableau, index)
    found, calls = spot_check(request.f, request.wrap, request.points.reshape(-1)[index],
                              kept.df[index], level, NOISE_MARGIN, room)
    kept.nfev[index] += calls
    flagged[index[found]] = True
    return flagged


def _statuses(request, kept, noisy):
    """The `_Outcome` of the kept entries: CONVERGED only within tolerance and with evidence."""
    shape = request.shape
    df, error, step, order, improving, nfev, evidence = (
        value.reshape(shape) for value in
        (kept.df, kept.error, kept.step, kept.order, kept.improving, kept.nfev, kept.evidence))
    size = np.abs(df)
    converged = within_tolerance(df, error, request.rtol, request.atol, size=size) & evidence
    status = np.where(converged, DerivativeStatus.CONVERGED,
                      np.where(improving, DerivativeStatus.NOT_CONVERGED,
                               DerivativeStatus.ERROR_GREW))
    if noisy is not None:
        status[noisy.reshape(shape)] = DerivativeStatus.NOISY
    status[~(np.isfinite(error) & np.isfinite(df))] = DerivativeStatus.NON_FINITE
    return _Outcome(DerivativeResult(df, error, step, nfev, status.astype(np.int64), order),
                    size, (df.min(), df.max()))


def _pack(request, plan, outcome):
    """The `DerivativeResult`, every error at least one unit ``eps |df|`` of df's precision."""
    result, dtype = outcome.result, plan.dtype
    df, error = result.df, result.error
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

    return DerivativeResult(out(df), out(error), out(result.step), out(result.nfev, np.int64),
                            out(result.status, np.int64), out(result.order, np.int64))


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
