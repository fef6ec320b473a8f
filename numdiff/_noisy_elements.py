"""Noise in `numdiff.derivative`: which elements are noisy, their level, their error estimate.

A tableau whose error estimate rounding does not explain, whose base
estimates stop converging at its smallest steps (`numdiff._tableau.converging`),
or whose last distances move together as noise in its last rows makes them
(`noise_like`), is suspect; so is one whose last distance could be noise or
truncation alike (`read_last_row`) where two more values say the estimate is
off by more than rounding (`numdiff._spot_check`). Only the suspects get a
probe: ECnoise
(`numdiff.estimate_noise`, Moré & Wild 2011) on a few values of ``f`` near
``x``. Where it measures a noise well above the rounding level of ``f``, the
element is noisy: every entry of its first tableau gets the standard
deviation of the noise it carries, and the entry of least distance plus
`NOISE_DEVIATIONS` deviations is the noise-aware choice among the tableau's
steps (the balance of Moré & Wild 2012), unless the entry the element kept
(refined to smaller steps) claims less with its own noise added
(`settle_noisy`). ``docs/method.md`` gives the method and the constants,
``docs/method-evidence.md`` the measurements behind them.
"""

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ._tableau import combine
from .richardson import ROUNDING_WEIGHT, _extrapolate, entry_fractions, entry_weights
from .evaluator import Evaluator
from .noise import estimate_noise
from .theory import length_scale, machine_epsilon, value_scale

__all__ = ["NOISE_MARGIN", "LastRowReading", "noise_bound", "noise_like", "read_last_row",
           "suspects", "measure_noise", "rounding_level", "noisy_search", "settle_noisy"]

#: An error estimate above this multiple of its rounding part is not explained
#: by rounding: the element is probed for noise.
SUSPICION = 100.0
#: Noise (standard deviation per value of ``f``) above this multiple of the
#: rounding level ``eps F`` makes an element noisy. A faithfully rounded
#: ``f`` is within ``eps |f|``; a composite one a few units: 8 leaves room.
NOISE_MARGIN = 8.0
#: Standard deviations of a given noise the error estimate covers: ``Z = 3``
#: covers a Gaussian sum 99.7% of the time, and leaves the estimate within a
#: factor of about 5 of the typical error (the median of ``|N(0, s)|`` is
#: ``0.67 s``).
NOISE_DEVIATIONS = 3.0
#: The same for a measured noise. ECnoise's deviation is itself estimated, from
#: the residual of 9 values with 5 to 7 degrees of freedom, so the error over
#: the estimated deviation follows Student's t: 99% of it lies within 4.0
#: (5 degrees) to 3.5 (7); the median of ``|t|`` is about 0.72.
MEASURED_DEVIATIONS = 4.0
#: The top entry's distance to the entry below, as a multiple of its rounding
#: part, above which `noise_like` looks at the last distances: rounding alone
#: moves it by about a hundredth of that part.
NOISE_LIKE_DISTANCE = 0.25


def noise_bound(plan, noise):
    """The noise per value that, in the rounding bound's form, gives `NOISE_DEVIATIONS` sigma.

    The rounding bound of a row with weights ``c_i`` is ``ROUNDING_WEIGHT
    sum|c_i| e / h^q`` for an error ``e`` per value, while independent noise of
    deviation ``s`` gives a row a deviation ``s sqrt(sum c_i^2) / h^q``. So
    ``e = Z s sqrt(sum c_i^2) / (ROUNDING_WEIGHT sum|c_i|)``; the entries'
    bounds then add the rows' at their largest, more than the rows' independent
    noise adds up to.
    """
    st = plan.scheme.stencil(plan.deriv)
    weights = np.array([float(w) for w in st.weights])
    factor = NOISE_DEVIATIONS * float(np.sqrt(np.sum(weights ** 2))) / \
        (ROUNDING_WEIGHT * float(np.sum(np.abs(weights))))
    return np.asarray(noise) * factor


def suspects(kept, searched, unrefined, refining):
    """Elements (flat mask) whose tableaus give cause to suspect noise.

    `searched` marks the elements the first tableau searched; the others kept
    its resolved top entry and are not suspect. Among them: the error estimate
    is more than `SUSPICION` times what rounding explains; the base estimates
    of the kept tableau, or of any refinement round, stop converging
    (`numdiff._tableau.converging`); or `unrefined`: the first tableau's top
    entry was not resolved, yet its search found an entry that rounding
    explains (noise makes some distance small by chance) and no refinement
    followed. The first test needs `refining` (refinement rounds allowed):
    without them the excess may be truncation that smaller steps would remove.
    """
    unexplained = ~(kept.error <= SUSPICION * kept.rounding) & refining
    return searched & (unexplained | ~kept.evidence | kept.doubt | unrefined)


def measure_noise(f, wrap, points, dtype, room=None, level=None):
    """ECnoise at `points` (1-d): the noise where it is well above rounding (else NaN), calls.

    The rounding level is ``eps F`` with the probe's own value scale
    (`numdiff.theory.value_scale`: ``max|f|`` over its values, or the
    rounding of its arguments, ``|x| |f'| / 2`` with ``|f'|`` the largest
    slope between neighbouring values), or `level` where larger: the
    tableau's ``eps F`` (`rounding_level`). The arguments' part matters where
    ``f'`` varies over the probe: ``sin`` at 5000 errs by ``eps |x| |cos| / 2``
    at each point, and where ``cos x`` is near 0 that is far more at the
    probe's outer points than at ``x``. A noise level within `NOISE_MARGIN`
    of it is rounding, not noise. `room` (or None) is
    the distance to the nearer domain edge: the probe's spacing is capped so
    that its 9 points reach at most half of it.
    """
    sample = Evaluator(f, dtype=dtype, wrap=wrap)
    taken = []

    def recorded(at):
        taken.append(sample(at))
        return taken[-1]

    spacing = machine_epsilon(dtype) ** (3 / 8) * length_scale(points)
    if room is not None:
        spacing = np.minimum(spacing, room / 8)
        if not np.all(spacing > 0):
            return np.full(points.shape, np.nan, dtype=dtype), 0
    spacing = spacing.astype(dtype)
    found = estimate_noise(recorded, points, spacing)
    noise = np.array(found.noise, dtype=dtype, ndmin=1)
    with np.errstate(invalid="ignore", over="ignore"):
        values = np.stack(taken)
        slope = np.max(np.abs(np.diff(values, axis=0)), axis=0) / spacing
        farthest = np.abs(points) + (len(taken) // 2) * spacing  # the probe's outer points
        scale = value_scale(np.max(np.abs(values), axis=0), farthest, slope,
                            shifted_by=spacing)
    floor = machine_epsilon(dtype) * scale
    if level is not None:
        floor = np.maximum(floor, level)
    noise[~(noise > NOISE_MARGIN * floor)] = np.nan
    return noise, sample.calls


def rounding_level(plan, rounding, h0):
    """``eps F`` per element from the top entry's rounding part (`rounding_bound`).

    `rounding_bound` is `numdiff._tableau.rounding_bound`; `h0` the initial steps.
    """
    level = rounding / rounding.dtype.type(plan.weight_sum * plan.top_rounding_weight)
    if plan.rounding_power:
        level = level * np.asarray(h0, dtype=rounding.dtype) ** plan.rounding_power
    return level


@dataclass(frozen=True)
class NoiseDesign:
    """How noise in the values of ``f`` shows in a tableau of `levels` rows (`noise_design`).

    `deviation[j]`: the standard deviation of an entry of column ``j``, in
    units of that of one base estimate at the entry's smallest step (the
    rows' noise grows like ``h^-q``, and independent rows add in squares).
    `distances`: the weights over the rows of the last row's distances
    ``T[K-1, j] - T[K-1, j-1]`` for the last four columns ``j``, oldest first.
    `together`: the ratio of the last of them to the one before that noise
    gives (their least-squares slope over noise in the rows). `growth`: what
    truncation gives instead, ``e_j ~ growth * e_(j-1)^2 / e_(j-2)`` for the
    distances ``e`` of a series whose coefficients grow geometrically.
    `decay`: ``|e_j / e_(j-1)|`` of the first two for a series whose
    coefficients are all alike at unit step, that is for steps within the
    length scale of ``f``; the ratio grows with the step over that scale.
    """

    deviation: np.ndarray
    distances: np.ndarray
    together: float
    growth: float
    decay: float


@lru_cache(maxsize=64)
def noise_design(levels, ratio, order, order_step, power):
    """The `NoiseDesign` of a tableau (exact fractions, then floats)."""
    weights = entry_weights(levels, ratio, order, order_step)
    growth_per_row = float(ratio) ** (2 * power)
    deviation = np.array([np.sqrt(sum(w * w * growth_per_row ** (k - j) for k, w in
                                      enumerate(weights[(j, j)][0][:j + 1])))
                          for j in range(levels)])
    if levels < 5:
        return NoiseDesign(deviation, np.zeros((0, levels)), 0.0, 0.0, 0.0)
    fractions = entry_fractions(levels, ratio, order, order_step)
    last = levels - 1
    columns = range(levels - 4, levels)
    exact = [[a - b for a, b in zip(fractions[(last, j)], fractions[(last, j - 1)])]
             for j in columns]
    r = Fraction(ratio).limit_denominator(10**9)
    # The leading truncation of each distance: its weights on the power of the
    # step that the lower entry leaves (rows at steps r^-k).
    leading = [sum(w * r ** (-k * (order + (j - 1) * order_step)) for k, w in enumerate(row))
               for j, row in zip(columns, exact)]
    growth = float(leading[2] * leading[0] / leading[1] ** 2)
    decay = float(abs(leading[1] / leading[0]))
    distances = np.array([[float(w) for w in row] for row in exact])
    variance = growth_per_row ** np.arange(levels)
    before, after = distances[2], distances[3]
    together = float(np.sum(before * after * variance) / np.sum(before * before * variance))
    return NoiseDesign(deviation, distances, together, growth, decay)


def noise_like(plan, table, best, nominal):
    """Elements (a flat mask, or None) whose last distances move as noise makes them.

    With ``e`` the last row's distances ``T[K-1, j] - T[K-1, j-1]`` of the
    last four columns (``e[3]`` that of the top entry): noise in the last
    rows moves ``e[3]`` and ``e[2]`` together, ``e[3] ~ together * e[2]``,
    while truncation shrinks each distance by a factor of about ``h^s`` over
    the scale of ``f`` (``e[3] / e[2]`` small, of either sign). An element
    looks noisy where ``|e[3]|`` is in the window of `read_last_row`,
    ``e[3] / e[2]`` lies within a factor 2 of ``together``, and ``|e[2]|``
    exceeds the truncation the two distances before it predict,
    ``growth e[1]^2 / e[0]``: a function whose distance ``e[2]`` merely
    crosses zero (the ratio then takes any value) falls short of that.
    `table` holds the first tableau's base estimates, its nominal rows
    (`nominal`, a `numdiff._tableau.NominalRows` or None) divided only where
    `best` searched them.
    """
    return read_last_row(plan, table, best, nominal).looks


@dataclass(frozen=True)
class LastRowReading:
    """What a tableau's last row says of noise (`read_last_row`): flat masks, or None.

    `looks`: the last distances move as noise makes them (`noise_like`).
    `unsure`: the top entry's distance is in the window where noise could
    make it, and nothing tells whether noise or truncation does; a spot check
    (`numdiff._spot_check.spot_check`) decides.
    """

    looks: object = None
    unsure: object = None


def read_last_row(plan, table, best, nominal):
    """The `LastRowReading` of a tableau (arguments as for `noise_like`).

    The window: ``|e[3]|`` exceeds `NOISE_LIKE_DISTANCE` times the top
    entry's rounding part but not `SUSPICION` times (larger distances are
    the other tests' to judge), and the steps are within the length scale
    of ``f`` (``|e[1] / e[0]|`` at most `NoiseDesign.decay`): beyond it the
    distances need not decay as a series. Elements in the window either look
    noisy (`noise_like`) or are unsure.
    """
    design = noise_design(plan.levels, float(plan.ratio), plan.order, plan.order_step,
                          plan.rounding_power)
    if not design.distances.size:
        return LastRowReading()
    flat = table.reshape(plan.levels, -1)
    n = flat.shape[1]
    rounding = np.broadcast_to(best.top_rounding, best.error.shape).reshape(-1)
    error = np.asarray(best.error).reshape(-1)
    searched = np.zeros(n, dtype=bool) if best.searched is None else best.searched.reshape(-1)
    # The top entry's error estimate is its distance plus its rounding part.
    candidate = searched | (error > (1 + NOISE_LIKE_DISTANCE) * rounding)
    if not candidate.any():
        return LastRowReading()
    index = np.flatnonzero(candidate)
    e = np.empty((4, index.size), dtype=flat.dtype)
    for rows, weights in ((searched[index], design.distances),
                          (~searched[index], design.distances if nominal is None
                           else nominal.weights(design.distances))):
        if rows.any():
            e[:, rows] = combine(flat[:, index[rows]], weights)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        together = e[3] / e[2]
        truncation = np.abs(design.growth * e[1] * (e[1] / e[0]))
        window = (np.abs(e[1]) <= design.decay * np.abs(e[0])) & \
            (np.abs(e[3]) > NOISE_LIKE_DISTANCE * rounding[index]) & \
            (np.abs(e[3]) <= SUSPICION * rounding[index])
        found = window & (together >= design.together / 2) & \
            (together <= 2 * design.together) & (np.abs(e[2]) > truncation)
    return LastRowReading(_scatter(n, index, found), _scatter(n, index, window & ~found))


def _scatter(n, index, chosen):
    """A flat mask of `n` elements, True at ``index[chosen]``; None if none is."""
    if not chosen.any():
        return None
    mask = np.zeros(n, dtype=bool)
    mask[index[chosen]] = True
    return mask


def noisy_search(plan, table, h0, noise):
    """The entry of least ``|T[i,j] - T[i,j-1]| + Z sigma[i,j]`` per element, with `noise`.

    ``Z`` is `MEASURED_DEVIATIONS`; ``sigma[i, j]`` is the standard deviation
    of entry ``T[i, j]`` for independent noise of deviation `noise` in each value of ``f``: a base
    estimate at step ``h`` carries ``noise sqrt(sum c_i^2) / h^q``, and an
    entry ``NoiseDesign.deviation[j]`` times that of its smallest step.
    Returns a `numdiff.richardson.RichardsonResult` (row and column arrays).
    """
    design = noise_design(plan.levels, float(plan.ratio), plan.order, plan.order_step,
                          plan.rounding_power)
    dtype = table.dtype
    norm = plan.scheme.stencil(plan.deriv).weight_norm
    base = noise * dtype.type(MEASURED_DEVIATIONS * norm)
    if plan.rounding_power:
        base = base / np.asarray(h0, dtype=dtype) ** plan.rounding_power
    growth = dtype.type(float(plan.ratio) ** plan.rounding_power)

    def bound(i, j):  # computed in the table's dtype, as the deviations always were
        return np.real(base * dtype.type(design.deviation[j]) * growth ** i)

    return _extrapolate(table, float(plan.ratio), plan.order, plan.order_step, bound=bound)


def settle_noisy(plan, table, h0, noise, kept, index):
    """The noisy elements `index` of `kept` (a `numdiff._refinement.Kept`) settled, in place.

    Each gets the better of two: the first tableau's entry of least error
    with the noise in it (`noisy_search`; `table` holds the first tableau's
    base estimates at those elements, `h0` their initial steps), or the
    entry it kept, with its error estimate plus `MEASURED_DEVIATIONS`
    standard deviations of the noise that entry carries. The kept entry can
    win only where it comes from a refinement round (the first tableau's own
    entries claim no more in the search than they did, noise aside): where
    the first tableau's steps were too large for ``f``, its distances carry
    truncation. No further refinement: smaller steps only add noise.
    """
    found = noisy_search(plan, table, h0, noise)
    design = noise_design(plan.levels, float(plan.ratio), plan.order, plan.order_step,
                          plan.rounding_power)
    dtype = table.dtype
    column = ((kept.order[index] - plan.order) // plan.order_step).astype(np.int64)
    norm = plan.scheme.stencil(plan.deriv).weight_norm
    sigma = noise * dtype.type(MEASURED_DEVIATIONS * norm) * \
        design.deviation[np.clip(column, 0, plan.levels - 1)].astype(dtype)
    if plan.rounding_power:
        sigma = sigma / kept.step[index] ** plan.rounding_power
    own = kept.error[index] + sigma
    take = ~(own < found.error)
    kept.error[index] = np.where(take, found.error, own)
    chosen = index[take]
    kept.df[chosen] = found.estimate[take]
    kept.step[chosen] = plan.step_of_row(np.broadcast_to(h0, index.shape)[take],
                                         found.row[take])
    kept.order[chosen] = plan.order + found.column[take] * plan.order_step
