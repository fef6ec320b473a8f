"""Domain edges in `numdiff.derivative`: stencils that stay where ``f`` is defined.

An element whose stencil would reach past an edge of the domain of ``f``
(given as ``domain=(lower, upper)``, or found where ``f`` is NaN or infinite
at a stencil point while finite at ``x``) gets its reach capped at half the
distance to the nearer edge, as the automatic step caps it at half the
length scale (``docs/method.md``: the edge is the nearest point where ``f``
may stop being analytic, and within half that distance the Taylor terms of
the sampled values fall at least by half per order). Where the cap shrinks
the central stencil, the one-sided stencil of the same order pointing away
from the nearer edge, capped by the farther one, is computed too, and the
element keeps the estimate of smaller error estimate.
"""

import numpy as np

from .evaluator import Evaluator

__all__ = ["EDGE_RATIO", "EDGE_RUNGS", "reach", "capped_step", "find_edges"]

#: Ratio between the distances at which `find_edges` probes ``f``.
EDGE_RATIO = 16.0
#: Distances probed on each side, from the initial step down: ``16^-12`` is
#: about ``4e-15``, the spacing of floats relative to the step.
EDGE_RUNGS = 13
#: Share of the distance to an edge a stencil may reach (the reach cap's 1/2).
EDGE_REACH = 0.5


def reach(spec, deriv):
    """Largest ``|g_i|`` of the scheme's offsets: the stencil reaches ``reach * h`` from ``x``."""
    return max(abs(float(g)) for g in spec.real_offsets(deriv))


def capped_step(h0, distance, extent):
    """``h0``, or the largest power of two with ``extent * step <= EDGE_REACH * distance``.

    `extent` is the reach of the tableau's first row per unit step. A
    distance of 0 gives a step of 0 (the stencil collapses onto ``x``).
    """
    h0 = np.asarray(h0)
    limit = np.asarray(EDGE_REACH * distance / extent, dtype=h0.dtype)
    with np.errstate(divide="ignore"):
        power = np.where(limit > 0, np.ldexp(np.ones_like(limit), np.frexp(limit)[1] - 1), 0)
    return np.minimum(h0, power.astype(h0.dtype))


def find_edges(f, wrap, points, h0, dtype):
    """Distances from `points` (1-d) to where ``f`` stops being finite, on each side; calls.

    ``f`` is evaluated at ``x -+ h0 r^-j``, ``j < EDGE_RUNGS``, ``r =
    EDGE_RATIO`` (one call per rung and side, all points at once). The
    distance on a side is the largest rung from which every smaller one is
    finite, then moved up by factors 4 and 2 where ``f`` is finite there
    (two more calls per side), so within a factor 2 of the edge; inf where
    every rung is finite, 0 where none is.
    """
    sample = Evaluator(f, dtype=dtype, wrap=wrap)
    h0 = np.broadcast_to(np.asarray(h0, dtype=dtype), points.shape)
    distances = []
    for sign in (-1, 1):
        finite = []
        for j in range(EDGE_RUNGS):
            s = h0 * dtype.type(EDGE_RATIO ** -j)
            finite.append(np.isfinite(sample(points + dtype.type(sign) * s)))
        finite = np.array(finite)
        # Rungs from the smallest up: the first failure bounds the distance.
        ok_from_bottom = np.cumprod(finite[::-1], axis=0)[::-1].astype(bool)
        count = ok_from_bottom.sum(axis=0)  # finite rungs counted from the smallest
        first = EDGE_RUNGS - count  # index of the largest rung with all smaller finite
        distance = np.where(count == 0, 0.0,
                            h0 * EDGE_RATIO ** -np.minimum(first, EDGE_RUNGS - 1).astype(float))
        distance = np.where(count == EDGE_RUNGS, np.inf, distance).astype(dtype)
        # Within [distance, r distance): halve the gap twice (factors 4, then 2).
        for factor in (4, 2):
            probe = distance * dtype.type(factor)
            finite = np.isfinite(probe) & (probe > 0)
            if finite.any():
                at = np.where(finite, points + dtype.type(sign) * probe, points)
                grow = finite & np.isfinite(sample(at))
                distance = np.where(grow, probe, distance)
        distances.append(distance)
    return distances[0], distances[1], sample.calls
