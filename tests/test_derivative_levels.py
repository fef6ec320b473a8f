"""derivative's automatic levels at every order: the central tableaus stop at the base stencil's
optimal step, the one-sided ones and the complex step keep their default levels."""

import numpy as np
import pytest

from numdiff import SCHEMES, derivative
from numdiff._plan import make_plan
from numdiff.catalogue import CATALOGUE
from numdiff.theory import machine_epsilon, unit_scale_step

DTYPES = [np.float64, np.float32, np.float16]
CENTRAL = [name for name in sorted(SCHEMES)
           if SCHEMES[name].order_step == 2 and not SCHEMES[name].is_complex]
OTHERS = [name for name in sorted(SCHEMES) if name not in CENTRAL]
SMOOTH = ["exp", "sin", "tanh", "exp_square_squared", "log", "sqrt", "reciprocal",
          "squire_trapp"]


def smallest_step(spec, q, levels, dtype):
    """The smallest step of the automatic tableau of `levels` levels, at ``L = 1``."""
    plan = make_plan(spec, q, levels, 2, np.dtype(dtype))
    return plan.auto_constant / 2 ** (levels - 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CENTRAL)
def test_central_levels_stop_at_the_base_stencils_optimal_step(name, dtype):
    spec = SCHEMES[name]
    u = machine_epsilon(dtype)
    for q in range(1, spec.max_deriv + 1):
        levels = spec.automatic_levels(q, 2, u)
        best = unit_scale_step(spec.stencil(q), u)
        assert 2 <= levels <= spec.default_levels
        assert smallest_step(spec, q, levels, dtype) >= best or levels == 2
        # the most levels that do: one more would go below the optimal step
        assert levels == spec.default_levels or smallest_step(spec, q, levels + 1, dtype) < best


def test_the_central_difference_in_double_precision_keeps_five_levels_up_to_order_four():
    # its optimal step lies below the fifth level's (the common case is unchanged)
    u = machine_epsilon()
    assert [SCHEMES["central"].automatic_levels(q, 2, u) for q in range(1, 5)] == [5, 5, 5, 5]
    assert int(derivative(np.exp, 1.0).nfev) == 10


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", OTHERS)
def test_one_sided_schemes_and_the_complex_step_keep_the_default_levels(name, dtype):
    spec = SCHEMES[name]
    u = machine_epsilon(dtype)
    for q in range(1, min(4, spec.max_deriv) + 1):
        assert spec.automatic_levels(q, 2, u) == spec.default_levels


def catalogue_sample(per_function=10, seed=0):
    """Each smooth function's default point and `per_function` seeded points, |x| <= 3, whose
    first stencils' reach (at most ``max(1, |x|) / 2``) stays inside the domain."""
    rng = np.random.default_rng(seed)
    for name in SMOOTH:
        tf = CATALOGUE[name]
        lo, hi = tf.domain
        x = rng.uniform(max(lo, -3.0), min(hi, 3.0), 4 * per_function)
        reach = np.maximum(1.0, np.abs(x)) / 2
        x = x[(x - reach > lo) & (x + reach < hi)][:per_function]
        yield tf, np.append(x, tf.default_x)


def accuracy(scheme, q, dtype, **options):
    """Median and largest relative error, coverage and evaluations over `catalogue_sample`."""
    relative, covered, nfev = [], [], 0
    for tf, x in catalogue_sample():
        x = x.astype(dtype)
        result = derivative(tf, x, deriv=q, scheme=scheme, **options)
        true = tf.derivative(x.astype(np.float64), q)
        error = np.abs(np.asarray(result.df, dtype=np.float64) - true)
        relative.append(error / np.abs(true))
        covered.append(np.asarray(result.error, dtype=np.float64) >= error)
        nfev += int(np.sum(result.nfev))
    relative = np.concatenate(relative)
    return np.median(relative), np.max(relative), np.mean(np.concatenate(covered)), nfev


@pytest.mark.parametrize("scheme, q, dtype, median, largest, gain", [
    # measured: median 3.7e-4 (5.6e-3 with five levels), largest 4.3e-3 (0.40)
    ("central", 3, np.float32, 1e-3, 2e-2, 4),
    # 3.9e-3 (1.3 with five levels), largest 0.73 (1.7e2)
    ("central", 4, np.float32, 2e-2, 3.0, 100),
    # 5.3e-10 (8.0e-7 with five levels), largest 3.5e-8 (7.1e-5)
    ("central8", 4, np.float64, 1e-8, 1e-6, 100),
])
def test_levels_above_the_optimal_step_are_more_accurate_and_covered(scheme, q, dtype, median,
                                                                     largest, gain):
    # Five levels take the smallest step below the base stencil's optimum, into the rounding.
    automatic = accuracy(scheme, q, dtype)
    five = accuracy(scheme, q, dtype, levels=5)
    assert automatic[0] <= median and automatic[1] <= largest
    assert gain * automatic[0] <= five[0]
    assert automatic[2] >= 0.95
    assert automatic[3] < five[3]
