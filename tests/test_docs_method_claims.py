"""The claims of docs/method.md and docs/method-evidence.md that no other test asserts.

Each test is named in the documents next to the claim it checks; all go through the public API.
"""

import numpy as np
import pytest

from numdiff import derivative
from numdiff.catalogue import CATALOGUE


def catalogue_points(per_function=20):
    """Each catalogue function on a grid over its domain clipped to [-3, 3], and its default point.

    Points closer than ``max(1, |x|) / 2`` (the largest reach of an automatic
    first stencil) to a singularity, kink or domain edge are left out.
    """
    for name, f in CATALOGUE.items():
        lo, hi = f.domain
        grid = np.linspace(max(lo, -3.0), min(hi, 3.0), per_function + 2)[1:-1]
        grid = np.append(grid, f.default_x)
        reach = np.maximum(1.0, np.abs(grid)) / 2
        yield name, f, grid[(grid - reach > lo) & (grid + reach < hi)]


def reference(f, x):
    """``f'`` at 50 digits, rounded to float64."""
    return np.array([float(f.reference(float(v))) for v in np.ravel(x)]).reshape(np.shape(x))


def covered(result, f, x):
    """Where the error estimate is at least the true error (both in float64)."""
    true = np.abs(np.asarray(result.df, dtype=np.float64) - reference(f, x))
    return np.asarray(result.error, dtype=np.float64) >= true


def coverage(dtype=np.float64, **options):
    hits = [covered(derivative(f, x.astype(dtype), **options), f, x.astype(dtype))
            for _, f, x in catalogue_points()]
    return np.concatenate(hits).mean()


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_error_estimate_covers_in_single_and_half_precision(dtype):
    # The reach cap binds for most schemes here: the larger epsilon asks for steps of L and more.
    assert coverage(dtype) >= 0.95


@pytest.mark.parametrize("scheme", ["central4", "central8", "forward2"])
def test_error_estimate_covers_a_step_of_one_sixth(scheme):
    # x + g h rounds for a step that is not a power of two: F includes |x| |f'| / 2 there.
    assert coverage(scheme=scheme, step=1 / 6) >= 0.99


@pytest.mark.parametrize("step", [2.0**-10, 2.0**-14, 2.0**-17])
def test_value_scale_covers_rounding_of_the_argument(step):
    # exp(2 x^2) rounds x^2 first: at |x| > 1 and steps where rounding dominates, the error
    # of each value is about u |x| |f'|, far above u |f| once |x| |f'| / |f| = 4 x^2 > 1.
    f = CATALOGUE["exp_square_squared"]
    x = np.concatenate([np.linspace(-3.0, -1.01, 40), np.linspace(1.01, 3.0, 40)])
    result = derivative(f, x, step=step, refinements=0)
    assert covered(result, f, x).all()


def test_one_refinement_round_suffices_on_the_catalogue():
    for name, f, x in catalogue_points(60):
        one, default = derivative(f, x, refinements=1), derivative(f, x)
        assert np.array_equal(one.df, default.df, equal_nan=True), name
        assert np.array_equal(one.nfev, default.nfev), name


@pytest.mark.parametrize("f, fprime, x, most_evaluations", [
    (lambda t: np.exp(2 * t**2), lambda t: 4 * t * np.exp(2 * t**2), 2.4, 16),
    (lambda t: 1 / t, lambda t: -1 / t**2, 0.3, 14),
])
def test_refinement_reaches_the_rounding_level_at_a_small_cost(f, fprime, x, most_evaluations):
    exact = fprime(x)
    single = derivative(f, x, refinements=0)
    refined = derivative(f, x)
    assert abs(single.df - exact) > 1e-11 * abs(exact)  # the first tableau's steps are too large
    assert abs(refined.df - exact) < 3e-14 * abs(exact)
    assert refined.nfev <= most_evaluations
    assert abs(refined.df - exact) <= refined.error
