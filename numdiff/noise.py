"""The noise level of a computed function, and the step it calls for.

A simulation or iterative solver returns ``f(x) + e(x)`` with noise ``e``
far above the rounding level. `estimate_noise` measures the standard
deviation of ``e`` from a few values of ``f`` on equally spaced points
(Moré & Wild, "Estimating computational noise in numerical simulations",
SIAM J. Sci. Comput. 33 (2011) 1292, the ECnoise method); `noise_aware_step`
turns it into the difference step that minimises the expected error
(Moré & Wild, "Estimating derivatives of noisy simulations", ACM TOMS 38
(2012) 19).
"""

from dataclasses import dataclass
from enum import IntEnum
from math import factorial
from numbers import Integral

import numpy as np

from ._validation import (as_noise_levels, as_points, as_steps, check_callable, check_integer,
                          uses_variables)
from .evaluator import Evaluator, stencil_estimate
from .schemes import rule_scheme
from .step_selection import StepResult, StepStatus
from .stencil import central_stencil
from .theory import length_scale, machine_epsilon

__all__ = ["NoiseStatus", "NoiseEstimate", "estimate_noise", "NoiseAwareStep",
           "noise_aware_step", "noise_step"]

#: Most points `estimate_noise` takes: its table holds ``n_points`` values per
#: element of ``x``, and a ``k``-th difference amplifies the rounding of each
#: value by up to ``2^k``, so orders past ~50 in float64 see nothing but it.
MAX_POINTS = 64
#: Most repetitions of the noise estimate in `noise_aware_step`: each moves the
#: spacing by `RETRY_FACTOR`, so 10 already span 40 orders of magnitude.
MAX_RETRIES = 10
#: Three consecutive levels must agree within this factor (Moré & Wild 2011).
LEVEL_AGREEMENT = 4.0
#: Values spread by more than this fraction of their size mean the step is
#: too large for the difference table to see noise (Moré & Wild 2011).
RANGE_LIMIT = 0.1
#: A pilot difference must exceed its own noise by this factor before it is
#: trusted as a derivative estimate (``tau_1 = 100`` of Moré & Wild 2012).
PILOT_MARGIN = 100.0
#: A trend term is fitted where it explains more than this many times one
#: residual degree of freedom's share of the noise (`_trend_noise`): the 99%
#: point of the F distribution with 1 and 5 degrees of freedom (16.3; 13.7
#: with 6), so that pure noise rarely loses a degree of freedom to it.
TREND_SIGNIFICANCE = 16.0
#: Factor by which `noise_aware_step` changes the ECnoise step after an
#: outcome of "step too small" or "step too large" (Moré & Wild 2011).
RETRY_FACTOR = 100.0


class NoiseStatus(IntEnum):
    """Outcome of `estimate_noise` (the outcomes of Moré & Wild's ECnoise; 0 is success)."""

    #: Three consecutive noise levels agree and the differences change sign.
    FOUND = 0
    #: At least half the values are equal: the step does not reach the noise.
    STEP_TOO_SMALL = 1
    #: No agreement (the smooth part dominates the differences), or the values
    #: spread by more than `RANGE_LIMIT` of their size.
    STEP_TOO_LARGE = 2
    #: Values of ``f`` that are NaN or infinite, or differences of them that
    #: overflow: no noise level can be measured.
    NON_FINITE = 3


@dataclass(frozen=True, eq=False)
class NoiseEstimate:
    """Result of `estimate_noise`.

    Attributes
    ----------
    noise : float or ndarray
        Estimated standard deviation of the noise in ``f``; NaN where the
        status is not `NoiseStatus.FOUND`.
    status : NoiseStatus or ndarray of int
        The outcome; an array of the codes of `NoiseStatus` when `x` is an
        array (compare with ``== NoiseStatus.FOUND``).
    order : int or ndarray of int
        Order ``k`` of the difference whose level was accepted, 0 where none.
    levels : ndarray, shape x.shape + (n_points - 1,)
        The levels ``sqrt(gamma_k mean((Delta^k f)^2))``, ``k = 1..n_points-1``.
    step : float or ndarray
        The spacing ``h`` of the points.
    nfev : int
        Calls of ``f`` (each with all the points of one offset).
    """

    noise: object
    status: object
    order: object
    levels: np.ndarray
    step: object
    nfev: int

    @property
    def success(self):
        """True where `status` is `NoiseStatus.FOUND`."""
        return np.asarray(self.status) == NoiseStatus.FOUND


def estimate_noise(f, x, h=None, *, n_points=9):
    """Noise level of ``f`` at ``x`` from a difference table (ECnoise).

    Parameters
    ----------
    f : callable
        Applied element-wise to arrays of the shape of `x`.
    x : float or array_like
        Point(s); each is treated independently.
    h : float or array_like, optional
        Spacing of the points ``x + j h``, ``j = -(n_points-1)//2 ..``. The
        default ``u^(3/8) max(1, |x|)`` (about 1.3e-6 relative in float64,
        ``u`` the unit roundoff) makes the third difference of a smooth
        function of natural scale, ``~ h^3 = u^(9/8)``, fall below the
        rounding level, so the table sees the noise by its third row.
    n_points : int, optional
        Number of points (and calls of `f`), 4 to `MAX_POINTS` (64);
        Moré & Wild recommend 7 to 9.

    Returns
    -------
    NoiseEstimate

    Raises
    ------
    TypeError
        If `f` is not callable, or `x`, `h`, `n_points` have the wrong type.
    ValueError
        If `x` is empty or not finite, `h` is not positive or does not
        broadcast with `x`, or `n_points` is below 4 or above `MAX_POINTS`.
        Values of `f` that are not finite give a NaN noise (no warning).

    Notes
    -----
    For ``m + 1 = n_points`` values the ``k``-th differences
    ``Delta^k f`` of independent noise of standard deviation ``s`` have
    ``E[(Delta^k f)^2] = C(2k, k) s^2``, so
    ``level_k = sqrt(gamma_k mean((Delta^k f)^2))`` with
    ``gamma_k = (k!)^2 / (2k)!`` estimates ``s`` once the smooth part of
    ``Delta^k f`` (about ``f^(k) h^k``) is negligible. The first ``k`` for
    which ``level_k, level_k+1, level_k+2`` agree within a factor
    `LEVEL_AGREEMENT` and ``Delta^k f`` changes sign is accepted
    (Moré & Wild 2011). That order fixes how much of the smooth part to
    remove; the noise is then measured on all the values at once, as the
    residual of a least-squares polynomial of degree ``k - 1`` (see
    `_trend_residual`), which uses every value's share of the noise and so
    misses the deviation less often than ``level_k`` alone; of degree ``k``
    where the ``k``-th order term is significant (`_trend_noise`): the
    levels agree while the smooth part of ``Delta^k f`` is as large as the
    noise, and over the whole span of the values that part's trend is
    several times larger than in one difference.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> def noisy_exp(x):
    ...     return np.exp(x) * (1 + 1e-8 * rng.standard_normal(np.shape(x)))
    >>> result = estimate_noise(noisy_exp, 1.0)
    >>> result.status, result.nfev
    (<NoiseStatus.FOUND: 0>, 9)
    >>> bool(0.5 < result.noise / (1e-8 * np.e) < 2)
    True
    """
    check_callable(f)
    n_points = _check_n_points(n_points)
    points = as_points(x)
    dtype = points.dtype
    if h is None:
        h = machine_epsilon(dtype) ** (3 / 8) * length_scale(points)
    step = as_steps(h, dtype, "h")
    try:
        shape = np.broadcast_shapes(points.shape, step.shape)
    except ValueError:
        raise ValueError(f"x of shape {points.shape} and h of shape {step.shape} "
                         "do not broadcast together") from None
    call = Evaluator(f, dtype=dtype, wrap=uses_variables(f, x))
    first = -((n_points - 1) // 2)
    # Values of f that overflow (or are not finite) give a NaN noise and no
    # warning: the differences of infinities are NaN, the levels too.
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        values = np.stack([call(points + dtype.type(first + j) * step)
                           for j in range(n_points)])
        noise, status, order, levels = _difference_table(values)
    scalar = shape == ()
    return NoiseEstimate(
        noise=noise[()] if scalar else noise,
        status=NoiseStatus(int(status)) if scalar else status,
        order=int(order) if scalar else order,
        levels=levels,
        step=np.broadcast_to(step, shape)[()] if scalar else np.broadcast_to(step, shape).copy(),
        nfev=n_points,
    )


def _check_n_points(n_points):
    if isinstance(n_points, bool) or not isinstance(n_points, Integral):
        raise TypeError(f"n_points must be an integer, got {n_points!r}")
    if n_points < 4:
        raise ValueError(f"n_points must be at least 4 (three levels to compare), got {n_points}")
    if n_points > MAX_POINTS:
        raise ValueError(f"n_points must be at most {MAX_POINTS}, got {n_points}: the table "
                         f"holds n_points values per element of x and its differences of "
                         f"order k amplify rounding by about 2^k (Moré & Wild use 7 to 9)")
    return int(n_points)


def _difference_table(values):
    """ECnoise on values of shape (m + 1,) + s: noise, status, order, levels."""
    count = values.shape[0]
    shape = values.shape[1:]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        top, bottom = values.max(axis=0), values.min(axis=0)
        spread = (top - bottom) > RANGE_LIMIT * np.maximum(np.abs(top), np.abs(bottom))
        levels, changes_sign = [], []
        table = values.astype(np.float64)
        for k in range(1, count):
            table = np.diff(table, axis=0)
            if k == 1:
                # Half the values equal to their neighbour: the step is below the noise.
                too_small = np.count_nonzero(table == 0, axis=0) >= count / 2
            gamma = factorial(k) ** 2 / factorial(2 * k)
            levels.append(np.sqrt(gamma * np.mean(table ** 2, axis=0)))
            changes_sign.append(table.min(axis=0) * table.max(axis=0) < 0)
        levels = np.stack(levels, axis=-1)
        changes_sign = np.stack(changes_sign, axis=-1)
        noise = np.full(shape, np.nan)
        order = np.zeros(shape, dtype=int)
        for k in range(1, count - 2):
            window = levels[..., k - 1:k + 2]
            agree = (window.max(axis=-1) <= LEVEL_AGREEMENT * window.min(axis=-1))
            accept = agree & changes_sign[..., k - 1] & (order == 0)
            noise = np.where(accept, levels[..., k - 1], noise)
            order = np.where(accept, k, order)
    status = np.where(spread, NoiseStatus.STEP_TOO_LARGE,
                      np.where(too_small, NoiseStatus.STEP_TOO_SMALL,
                               np.where(order > 0, NoiseStatus.FOUND,
                                        NoiseStatus.STEP_TOO_LARGE))).astype(int)
    found = status == NoiseStatus.FOUND
    order = np.where(found, order, 0)
    noise = np.where(found, _trend_noise(values, order), np.nan)
    with np.errstate(invalid="ignore"):
        overflowed = ~np.isfinite(values).all(axis=0) | (found & ~np.isfinite(noise))
    status = np.where(overflowed, NoiseStatus.NON_FINITE, status).astype(int)
    order = np.where(overflowed, 0, order)
    noise = np.where(overflowed, np.nan, noise)
    return noise, status, order, levels


def _trend_noise(values, order):
    """The noise of ECnoise's accepted `order` ``k``: `_trend_residual` with the trend it needs.

    The levels agree while the smooth part of ``Delta^k f`` is as large as
    the noise in one difference; over the whole span of the values a
    polynomial of degree ``k - 1`` then leaves that part's trend in the
    residual, several times larger than in one difference. So the fit of
    degree ``k`` is taken where its ``k``-th order term explains more than
    `TREND_SIGNIFICANCE` times a residual degree of freedom's share of the
    noise (the F statistic of the nested fits, with 1 and ``m - k``
    degrees of freedom); elsewhere the fit of degree ``k - 1``, whose
    residual keeps one degree of freedom more.
    """
    count = values.shape[0]
    lower = _trend_residual(values, order)
    higher = _trend_residual(values, np.where(order > 0, order + 1, 0))
    freedom = count - order - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        explained = lower ** 2 * (freedom + 1) - higher ** 2 * freedom
        significant = explained > TREND_SIGNIFICANCE * higher ** 2
    return np.where(significant, higher, lower)


def _trend_residual(values, order):
    """Noise from the residual of a least-squares polynomial of degree ``order - 1``.

    Where ``Delta^k f`` is noise, a polynomial of degree ``k - 1`` carries the
    smooth part of all ``m + 1`` values; the residual then has
    ``m + 1 - k`` degrees of freedom, and ``sqrt(sum r^2 / (m + 1 - k))`` is
    a lower-variance estimate of ``s`` than the single level ``level_k``,
    whose differences reuse each value up to ``k + 1`` times.
    """
    count = values.shape[0]
    positions = np.linspace(-1.0, 1.0, count)
    data = values.astype(np.float64).reshape(count, -1)
    # Values near one another differ exactly (Sterbenz): removing the middle
    # one keeps the projection's own rounding far below the noise.
    data = data - data[count // 2]
    noise = np.full(data.shape[1], np.nan)
    flat_order = np.broadcast_to(order, values.shape[1:]).ravel()
    for k in np.unique(flat_order[flat_order > 0]):
        basis = np.vander(positions, int(k))  # degree k - 1
        projection = np.eye(count) - basis @ np.linalg.pinv(basis)
        columns = data[:, flat_order == k]
        # Element-wise sums over the few values: the same bits for one point
        # or many (a matrix product's blocking would not guarantee that).
        residual = sum(projection[:, [j]] * columns[j] for j in range(count))
        squares = sum(residual[j] ** 2 for j in range(count))
        noise[flat_order == k] = np.sqrt(squares / (count - k))
    return noise.reshape(values.shape[1:])


@dataclass(frozen=True, eq=False)
class NoiseAwareStep:
    """Result of `noise_aware_step`.

    Attributes
    ----------
    step : float or ndarray
        The step that minimises the expected error of the scheme, in the
        dtype of ``x``: infinite where it exceeds the dtype's largest number
        (noise far above the values of ``f``), NaN where a scale was not
        finite.
    noise : float or ndarray
        The noise level used (given, estimated, or the rounding fallback).
    derivative_scale : float or ndarray
        The estimate of ``|f^(p+q)(x)|`` used.
    error : float or ndarray
        The expected root-mean-square error of the derivative at `step`.
    noise_status : NoiseStatus, ndarray of int or None
        Outcome of the last noise estimate (None when `noise` was given);
        where it is not FOUND the noise is the rounding level ``u max |f|`` near ``x``.
    scale_converged : bool or ndarray of bool
        Whether the two pilot estimates of the derivative scale agreed within
        a factor 2.
    nfev : int
        Calls of ``f`` in all (noise estimate and pilot differences).
    """

    step: object
    noise: object
    derivative_scale: object
    error: object
    noise_status: object
    scale_converged: object
    nfev: int


def noise_aware_step(f, x, *, noise=None, scheme="central", deriv=1, noise_step=None,
                     n_points=9, max_retries=2):
    """The difference step for a noisy function (after Moré & Wild 2012).

    Parameters
    ----------
    f : callable
        Applied element-wise to arrays of the shape of `x`.
    x : float or array_like
        Point(s).
    noise : float or array_like, optional
        Standard deviation of the noise in ``f`` (absolute, positive). By
        default it is estimated with `estimate_noise`.
    scheme : str, optional
        A real scheme from `numdiff.SCHEMES`.
    deriv : int, optional
        Derivative order ``q``.
    noise_step : float or array_like, optional
        Spacing ``h`` for `estimate_noise` (its default if None).
    n_points : int, optional
        Points for `estimate_noise`.
    max_retries : int, optional
        Times the noise estimate is repeated, where it failed, with the
        spacing multiplied (step too small) or divided (step too large) by
        `RETRY_FACTOR`; 0 to `MAX_RETRIES` (10).

    Returns
    -------
    NoiseAwareStep

    Raises
    ------
    TypeError
        If an argument has the wrong type (`max_retries` not an integer).
    ValueError
        If `noise` is not positive and finite (a noise level of zero has no
        noise-aware step: use `numdiff.optimal_step`), the scheme is the
        complex step, `max_retries` is not in 0..10, or as
        `estimate_noise`.

    Notes
    -----
    A stencil with weights ``c_i``, order of accuracy ``p`` and leading
    coefficient ``K`` for ``f^(q)`` errs by ``K f^(p+q) h^p`` plus the noise
    ``sum c_i e_i / h^q``, of variance ``S s^2 / h^(2q)`` with
    ``S = sum c_i^2`` for independent noise of deviation ``s``. The mean
    squared error ``K^2 mu^2 h^(2p) + S s^2 / h^(2q)``, ``mu = |f^(p+q)|``,
    is least at

        ``h = (q S s^2 / (p K^2 mu^2))^(1 / (2(p + q)))``.

    Forward difference (``p = q = 1, K = 1/2, S = 2``):
    ``h = 8^(1/4) sqrt(s / mu)`` with ``mu = |f''|``, the step of Moré &
    Wild (2012). Central difference (``p = 2, K = 1/6, S = 1/2``):
    ``h = (3 s / mu)^(1/3)`` with ``mu = |f'''|``.

    ``mu`` comes from a central difference of order ``p + q`` at a pilot
    step: first ``h_1 = max(1, |x|) (tau s_D)^(1/(p+q))``, then
    ``h_2 = (tau s_D / mu_1)^(1/(p+q))``, where the difference is ``tau =``
    `PILOT_MARGIN` times its own noise ``s_D = s sqrt(sum d_i^2)``
    (``d_i`` the pilot weights; Moré & Wild 2012 use ``tau = 100``).
    ``mu = mu_2``, floored at the noise of the pilot difference,
    ``s_D / h_2^(p+q)``, below which a derivative cannot be told from
    noise.

    Examples
    --------
    >>> import numpy as np
    >>> result = noise_aware_step(np.exp, 1.0, noise=1e-10 * np.e, scheme="forward")
    >>> print(f"{result.step:.3g}")  # 8**0.25 * sqrt(1e-10)
    1.68e-05
    >>> result = noise_aware_step(np.exp, 1.0, noise=1e-10 * np.e)
    >>> print(f"{result.step:.3g}")  # (3e-10)**(1/3)
    0.000669
    """
    check_callable(f)
    spec, deriv = rule_scheme(scheme, deriv, "noise_aware_step needs a real scheme: the "
                              "complex step has no difference of noisy values")
    max_retries = check_integer(max_retries, "max_retries", 0, MAX_RETRIES)
    points = as_points(x)
    dtype = points.dtype
    nfev = 0
    noise_status = None
    if noise is None:
        noise, noise_status, nfev = _noise_with_retries(f, x, points, noise_step, n_points,
                                                        max_retries)
    else:
        noise = _check_noise(noise, points.shape)
    st = spec.stencil(deriv)
    p, q = st.accuracy, st.deriv
    order = p + q
    pilot = central_stencil(order)
    pilot_noise_factor = pilot.weight_norm
    scale = length_scale(points)

    call = Evaluator(f, wrap=uses_variables(f, x))

    def difference(h):
        # Term by term in the order of the offsets (weights of a power-of-two denominator).
        return np.abs(stencil_estimate(call, points, h, pilot, summation="ascending").estimate)

    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        pilot_noise = noise * pilot_noise_factor
        h1 = scale * (PILOT_MARGIN * pilot_noise) ** (1 / order)
        mu1 = difference(h1)
        h2 = np.where(mu1 > 0, (PILOT_MARGIN * pilot_noise / mu1) ** (1 / order), h1)
        mu2 = difference(h2)
        nfev += 2 * len(pilot.offsets)
        converged = np.abs(mu1 - mu2) <= mu2 / 2
        mu = np.maximum(mu2, pilot_noise / h2 ** order)
        K = float(st.error_coefficient)
        S = sum(float(w) ** 2 for w in st.weights)
        step = (q * S * noise ** 2 / (p * K ** 2 * mu ** 2)) ** (1 / (2 * order))
        error = np.sqrt(K ** 2 * mu ** 2 * step ** (2 * p) + S * noise ** 2 / step ** (2 * q))
    scalar = points.ndim == 0

    def out(value):
        value = np.asarray(value)
        return value[()] if scalar else value

    with np.errstate(over="ignore"):  # a step beyond the dtype's range is inf (documented)
        step = step.astype(dtype)
    return NoiseAwareStep(
        step=out(step),
        noise=out(noise),
        derivative_scale=out(mu),
        error=out(error),
        noise_status=noise_status,
        scale_converged=bool(converged) if scalar else converged,
        nfev=nfev,
    )


def _check_noise(noise, shape):
    array = as_noise_levels(noise, zero_allowed=False)
    try:
        if np.broadcast_shapes(array.shape, shape) != shape:
            raise ValueError
        return np.broadcast_to(array, shape).copy()
    except ValueError:
        raise ValueError(f"noise of shape {array.shape} does not broadcast with x of "
                         f"shape {shape}") from None


def _noise_with_retries(f, x, points, h, n_points, max_retries):
    """ECnoise, repeated where it failed with the spacing moved by RETRY_FACTOR.

    Where it never succeeds the noise is the rounding level ``u max |f|`` over
    ``x`` and ``x +- h`` (the last spacing tried).
    Returns the noise, the last status and the number of calls of ``f``.
    """
    wrap = uses_variables(f, x)
    if wrap:
        f = Evaluator(f, wrap=True, elementwise=False)
    estimate = estimate_noise(f, points, h, n_points=n_points)
    noise = np.array(estimate.noise, dtype=float, ndmin=1).reshape(points.shape or (1,))
    status = np.array(estimate.status, dtype=int, ndmin=1).reshape(noise.shape)
    step = np.array(estimate.step, dtype=float, ndmin=1).reshape(noise.shape)
    flat_points = points.reshape(noise.shape)
    nfev = estimate.nfev
    for _ in range(max_retries):
        failed = status != NoiseStatus.FOUND
        if not failed.any():
            break
        step = np.where(status == NoiseStatus.STEP_TOO_SMALL, step * RETRY_FACTOR,
                        np.where(failed, step / RETRY_FACTOR, step))
        retry = estimate_noise(f, flat_points[failed], step[failed].astype(points.dtype),
                               n_points=n_points)
        nfev += retry.nfev
        noise[failed] = retry.noise
        status[failed] = retry.status
    failed = status != NoiseStatus.FOUND
    if failed.any():
        # The rounding level of the values near x: |f(x)| alone is 0 at a root.
        near = flat_points[failed]
        spacing = step[failed].astype(points.dtype)
        call = Evaluator(f, elementwise=False)
        with np.errstate(invalid="ignore", over="ignore"):
            size = np.max([np.abs(np.asarray(call(at), dtype=float))
                           for at in (near, near - spacing, near + spacing)], axis=0)
        noise[failed] = machine_epsilon(points.dtype) * np.maximum(size, np.finfo(float).tiny)
        nfev += 3
    if points.ndim == 0:
        return noise[0], NoiseStatus(int(status[0])), nfev
    return noise.reshape(points.shape), status.reshape(points.shape), nfev


def noise_step(f, x, *, scheme="central", deriv=1):
    """`noise_aware_step` with the estimated noise, as a `numdiff.StepResult` (a step rule).

    The status is `StepStatus.FOUND` where the noise was measured and
    `StepStatus.NOISE_UNRESOLVED` where the rounding level stands for it;
    ``error`` is the expected error at the step, ``estimate`` None.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> def noisy(x):
    ...     return np.exp(x) + 1e-9 * rng.standard_normal(np.shape(x))
    >>> result = noise_step(noisy, np.array([0.5, 1.0]))
    >>> result.status.tolist(), result.nfev.tolist()
    ([0, 0], [17, 17])
    """
    chosen = noise_aware_step(f, x, scheme=scheme, deriv=deriv)
    shape = np.shape(chosen.step)
    found = np.asarray(chosen.noise_status) == NoiseStatus.FOUND
    status = np.where(found, StepStatus.FOUND, StepStatus.NOISE_UNRESOLVED).astype(np.int64)
    nfev = np.broadcast_to(np.int64(chosen.nfev), shape)
    return StepResult(chosen.step, None, nfev[()], status[()], chosen.error, chosen.noise)
