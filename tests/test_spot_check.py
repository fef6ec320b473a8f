"""The spot check of `derivative`'s estimate: two values a tiny step from x (`numdiff._spot_check`)."""

import numpy as np
import pytest

from numdiff import DerivativeStatus, derivative
from numdiff._noisy_elements import NOISE_MARGIN
from numdiff._spot_check import spot_check
from numdiff.catalogue import CATALOGUE
from numdiff.theory import machine_epsilon, value_scale


def smooth_points(f, dtype, n, seed=3):
    """`n` seeded points of the catalogue function `f` within [-10, 10] and its domain.

    None within 0.01 of 0, where ``x**3`` and ``1/x`` vary on the scale ``|x|``,
    beyond the check's reach in float32 (`numdiff._spot_check.SPOT_STEP_POWER`).
    """
    low, high = max(f.domain[0], -10.0) + 1e-3, min(f.domain[1], 10.0) - 1e-3
    x = np.random.default_rng(seed).uniform(low, high, n)
    return np.where(np.abs(x) < 0.01, 0.5, x).astype(dtype)


def rounding_level(f, x):
    """``eps F`` with the value scale ``F = max(|f|, |x f'| / 2)`` of the tableau."""
    with np.errstate(over="ignore", invalid="ignore"):
        size, slope = np.abs(f(x)), np.abs(f.derivative(x))
        return machine_epsilon(x.dtype) * value_scale(size, x, slope).astype(x.dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(set(CATALOGUE) - {"abs"}))
def test_smooth_functions_are_never_flagged(name, dtype):
    # Rounded values disagree with the exact slope by at most sqrt(2) eps F per value.
    f = CATALOGUE[name]
    x = smooth_points(f, dtype, 20000)
    with np.errstate(over="ignore", invalid="ignore"):
        exact = f.derivative(x).astype(dtype)
    flagged, calls = spot_check(f, False, x, exact, rounding_level(f, x), NOISE_MARGIN)
    finite = np.isfinite(exact)
    assert calls == 2 and not flagged[finite].any()


def test_noise_of_1e12_is_flagged():
    x = np.random.default_rng(0).uniform(0.5, 2.0, 2000)
    rng = np.random.default_rng(1)
    f = CATALOGUE["exp"]

    def noisy(t):
        return np.exp(t) * (1 + 1e-12 * rng.standard_normal(t.shape))

    flagged, _ = spot_check(noisy, False, x, np.exp(x), rounding_level(f, x), NOISE_MARGIN)
    assert np.mean(flagged) >= 0.99


def test_the_check_stays_within_its_room():
    seen = []

    def recorded(t):
        seen.append(t.copy())
        return np.log(t)

    # log at 1e-9 varies on the scale 1e-9: the room to 0 bounds the step.
    x = np.array([1e-9, 0.5, 3.0])
    room = np.array([1e-9, 0.0, 1.0])
    level = 1e-16 * np.maximum(np.abs(np.log(x)), 1.0)
    flagged, calls = spot_check(recorded, False, x, 1 / x, level, NOISE_MARGIN, room)
    assert calls == 2 and not flagged.any()
    offsets = np.abs(np.stack(seen) - x)
    assert np.all(offsets <= 1e-10 * room) and np.all(offsets[:, [0, 2]] > 0)
    assert spot_check(recorded, False, x[1:2], np.ones(1), np.ones(1), NOISE_MARGIN,
                      np.zeros(1)) == (np.zeros(1, dtype=bool), 0)


@pytest.mark.parametrize("name", ["exp", "sin", "log", "reciprocal", "squire_trapp", "tanh"])
def test_a_spot_check_changes_nothing_but_nfev_on_smooth_functions(name):
    # With noise given there is no probe: results identical, and the calls differ
    # by a spot check (2), an ECnoise probe of a suspect (9), or nothing; never by
    # a spot check that flagged a smooth function (2 + 9).
    f = CATALOGUE[name]
    x = smooth_points(f, np.float64, 3000)
    res, quiet = derivative(f, x), derivative(f, x, noise=0.0)
    for field in ("df", "error", "step", "status", "order"):
        assert np.array_equal(getattr(res, field), getattr(quiet, field)), field
    extra = res.nfev - quiet.nfev
    assert set(np.unique(extra).tolist()) <= {0, 2, 9}
    assert np.all(res.status != DerivativeStatus.NOISY)


def test_noise_zero_says_smooth_and_skips_the_check():
    # log at 1: the top distance is in the window, so the default checks it.
    checked, told = derivative(np.log, 1.0), derivative(np.log, 1.0, noise=0.0)
    assert (int(checked.nfev), int(told.nfev)) == (12, 10)
    assert (checked.df, checked.error) == (told.df, told.error)
