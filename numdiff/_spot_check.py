"""A spot check of `numdiff.derivative`'s estimate: two values of ``f`` a tiny step from ``x``.

Ten values of ``f`` hold ten Taylor terms and nothing more. Where the first
tableau's last distance is neither plainly rounding nor plainly truncation
(`numdiff._noisy_elements.LastRowReading.unsure`), noise of a few thousand
``eps`` in the values can pass for the truncation of the last term: the
top entry then carries about two hundred times the noise its distance
shows. Two more values settle it: at a step ``d`` so small that the
truncation of ``(f(x + d) - f(x - d)) / 2d`` is far below its rounding,
the difference quotient differs from the estimate by the noise of the two
values over ``2 d``, and by at most about ``eps F / d`` if ``f`` is smooth
and rounded to within ``eps F`` (``F`` the tableau's value scale). The
check is a gate, not a measurement: an element it flags is measured by
ECnoise (`numdiff._noisy_elements.measure_noise`), which decides.
"""

import numpy as np

from .evaluator import Evaluator
from .theory import length_scale, machine_epsilon

__all__ = ["SPOT_STEP_POWER", "spot_check"]

#: The spot check's step is ``d = eps^SPOT_STEP_POWER max(1, |x|)`` (``3.7e-11``
#: at ``|x| <= 1`` in float64, ``2.5e-5`` in float32). For ``f`` of size ``F``
#: varying on a length scale ``L`` (``|f'''| ~ F / L^3``), the truncation of its
#: difference, ``|f'''| d^2 / 6``, stays below an eighth of its rounding
#: ``eps F / d`` while ``max(1, |x|) / L < eps^(-1/3)``: 1.6e5 in float64,
#: 500 in float32. Near a domain edge the distance to it stands for
#: ``max(1, |x|)`` where smaller.
SPOT_STEP_POWER = 2 / 3


def spot_check(f, wrap, points, estimate, level, margin, room=None):
    """Elements (1-d mask) whose values at ``x +- d`` contradict `estimate` beyond rounding; calls.

    The deviation per value that the disagreement implies,
    ``|(f(x + d) - f(x - d)) / (2 d) - estimate| sqrt(2) d``, exceeds
    `margin` times `level` (the rounding level ``eps F`` per element,
    `numdiff._noisy_elements.rounding_level`). Smooth values rounded within
    ``eps F`` give at most ``sqrt(2) eps F``; independent noise of deviation
    ``s`` gives ``s |z|`` for a standard normal ``z``, which exceeds
    ``margin eps F`` unless ``|z| < margin eps F / s`` (one chance in 700
    for noise of 4500 ``eps F`` and `margin` 8). `room` (or None): the
    distance to the nearer domain edge, which bounds the length scale of
    ``f`` as ``max(1, |x|)`` does (`SPOT_STEP_POWER`); an element without
    room is not checked (False).
    """
    dtype = points.dtype
    scale = length_scale(points)
    if room is not None:
        scale = np.minimum(scale, np.asarray(room, dtype=dtype))
    step = (machine_epsilon(dtype) ** SPOT_STEP_POWER * scale).astype(dtype)
    checked = step > 0
    if not checked.any():
        return checked, 0
    sample = Evaluator(f, dtype=dtype, wrap=wrap)
    above, below = points + step, points - step
    width = above - below  # the steps actually taken, exactly
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        slope = (sample(above) - sample(below)) / width
        implied = np.abs(slope - estimate) * width / np.sqrt(dtype.type(2))
        flagged = checked & (implied > margin * level)
    return flagged, sample.calls
