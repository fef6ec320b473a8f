"""Noise in `numdiff.derivative`: which elements are noisy, their level, their error estimate.

A tableau whose error estimate rounding does not explain, or whose base
estimates stop converging at its smallest steps (`numdiff._tableau.converging`),
is suspect. Only the suspects get a probe: ECnoise (`numdiff.estimate_noise`,
Moré & Wild 2011) on a few values of ``f`` near ``x``. Where it measures a
noise well above the rounding level of ``f``, the element is noisy: its first
tableau is read again with the noise in place of the rounding bound, so that
the Ridders search weighs each entry's propagated noise against its
truncation (the entry of least estimated error is the noise-aware choice
among the tableau's steps, Moré & Wild 2012), and the error estimate covers
the noise. ``docs/method.md`` gives the reasoning and the constants.
"""

import numpy as np

from ._tableau import best_entries
from .richardson import ROUNDING_WEIGHT
from .evaluator import Evaluator
from .noise import estimate_noise
from .theory import machine_epsilon

__all__ = ["NOISE_MARGIN", "noise_bound", "suspects", "measure_noise", "read_with_noise"]

#: An error estimate above this multiple of its rounding part is not explained
#: by rounding: the element is probed for noise.
SUSPICION = 100.0
#: Noise (standard deviation per value of ``f``) above this multiple of the
#: rounding level ``eps |f|`` makes an element noisy. A faithfully rounded
#: ``f`` is within ``eps |f|``; a composite one a few units: 8 leaves room.
NOISE_MARGIN = 8.0
#: Standard deviations of the propagated noise the error estimate covers:
#: ``Z = 3`` covers a Gaussian sum 99.7% of the time, and leaves the estimate
#: within a factor of about 5 of the typical error (the median of ``|N(0, s)|``
#: is ``0.67 s``).
NOISE_DEVIATIONS = 3.0


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


def measure_noise(f, wrap, points, dtype, room=None):
    """ECnoise at `points` (1-d): the noise where it is well above rounding (else NaN), calls.

    The probe's values give the rounding level ``eps max|f|``; a noise level
    within `NOISE_MARGIN` of it is rounding, not noise. `room` (or None) is
    the distance to the nearer domain edge: the probe's spacing is capped so
    that its 9 points reach at most half of it.
    """
    sample = Evaluator(f, dtype=dtype, wrap=wrap)
    largest = np.zeros(points.shape, dtype=dtype)

    def recorded(at):
        values = sample(at)
        np.fmax(largest, np.abs(values), out=largest)
        return values

    spacing = machine_epsilon(dtype) ** (3 / 8) * np.maximum(1, np.abs(points))
    if room is not None:
        spacing = np.minimum(spacing, room / 8)
        if not np.all(spacing > 0):
            return np.full(points.shape, np.nan, dtype=dtype), 0
    found = estimate_noise(recorded, points, spacing.astype(dtype))
    noise = np.array(found.noise, dtype=dtype, ndmin=1)
    eps = machine_epsilon(dtype)
    noise[~(noise > NOISE_MARGIN * eps * largest)] = np.nan
    return noise, sample.calls


def read_with_noise(plan, table, rounding, h0, noise):
    """The best entries of `table` (rows restored) with `noise` in the rounding bound.

    `rounding` is the tableau's rounding part (`numdiff._tableau.rounding_bound`);
    the noise part, ``plan.top_rounding_weight sum|c| e / h0^q`` for the
    `noise_bound` ``e``, replaces it where larger.
    """
    dtype = table.dtype
    e = noise_bound(plan, noise).astype(dtype)
    part = e * dtype.type(plan.weight_sum * plan.top_rounding_weight)
    if plan.rounding_power:
        part /= np.asarray(h0, dtype=dtype) ** plan.rounding_power
    return best_entries(plan, table, np.maximum(rounding, part))
