"""derivative(): accuracy, error-estimate coverage, status codes, dtypes, vectorisation, bad input."""

import numpy as np
import pytest

from numdiff import Square, Variable, numerical_diff
from numdiff.catalogue import CATALOGUE
from numdiff.derivative import STEP_RULES, DerivativeStatus, derivative

U = np.finfo(np.float64).eps


def coverage_points(per_function=60):
    """Each catalogue function on a grid over its domain (clipped to [-3, 3]).

    The automatic step reaches ``max(1,|x|)/8`` (central, 5 levels) from
    ``x``; points closer than that to a singularity, kink or domain edge are
    left out: no method that samples only beyond the feature can see it.
    """
    for name, f in CATALOGUE.items():
        lo, hi = f.domain
        grid = np.linspace(max(lo, -3.0), min(hi, 3.0), per_function + 2)[1:-1]
        grid = np.append(grid, f.default_x)
        reach = np.maximum(1.0, np.abs(grid)) / 8
        keep = (grid - reach > lo) & (grid + reach < hi)
        yield name, f, grid[keep]


def test_exp_on_a_grid_meets_the_accuracy_target():
    x = np.linspace(0, 1, 10**4)
    res = derivative(np.exp, x)
    true = np.abs(res.df - np.exp(x))
    assert true.max() <= 5e-14
    assert np.all(res.error >= true)
    assert np.all(res.status == DerivativeStatus.CONVERGED)
    assert np.all(res.nfev == 10)


def test_error_estimate_covers_the_true_error_across_the_catalogue():
    covered, ratios = [], []
    for name, f, x in coverage_points():
        res = derivative(f, x)
        exact = f.derivative(x)
        true = np.abs(res.df - exact)
        covered.append(res.error >= true)
        # The true error is floored at u |f'| (and at the smallest normal).
        ratios.append(res.error / np.maximum(true, np.maximum(U * np.abs(exact), 1e-300)))
    covered, ratios = np.concatenate(covered), np.concatenate(ratios)
    assert covered.size >= 500
    assert covered.mean() >= 0.99
    assert np.median(ratios) <= 10


def test_squire_trapp_real_and_complex():
    f = CATALOGUE["squire_trapp"]
    exact = float(f.derivative(1.5))
    assert abs(derivative(f, 1.5).df - exact) <= 1e-13
    assert abs(derivative(f, 1.5, scheme="central4").df - exact) <= 1e-13
    res = derivative(f, 1.5, scheme="complex_step")
    assert abs(res.df - exact) <= 2 * U * abs(exact)
    assert res.nfev == 2 and res.status == 0


@pytest.mark.parametrize("scheme", ["forward", "backward", "forward2", "central4", "central6"])
def test_other_schemes_converge(scheme):
    res = derivative(np.sin, 0.6, scheme=scheme)
    assert abs(res.df - np.cos(0.6)) < 1e-9
    assert res.error >= abs(res.df - np.cos(0.6))


@pytest.mark.parametrize("deriv", [2, 3, 4])
def test_higher_derivatives(deriv):
    res = derivative(np.exp, 0.3, deriv=deriv)
    assert abs(res.df - np.exp(0.3)) <= res.error < 1e-6


def test_non_finite_values_set_the_status_of_those_elements_only():
    def f(x):
        return np.where(np.abs(x - 2.0) < 0.5, np.nan, np.sin(x))

    x = np.array([0.5, 2.0, 3.5, 2.1])
    res = derivative(f, x)
    assert res.status.tolist() == [0, 3, 0, 3]
    assert np.isnan(res.df[1]) and np.isinf(res.error[1])
    assert np.allclose(res.df[[0, 2]], np.cos(x[[0, 2]]), atol=1e-12)


def test_log_near_its_domain_edge_uses_only_the_steps_inside():
    res = derivative(np.log, np.array([0.05, -1.0]))
    assert res.status[1] == DerivativeStatus.NON_FINITE
    assert np.isfinite(res.df[0]) and abs(res.df[0] - 20.0) <= res.error[0]


def test_status_above_tolerance():
    # With a tolerance below the rounding level nothing can converge.
    res = derivative(np.exp, np.array([0.5, 1.0]), rtol=0.0, atol=0.0)
    assert np.all(res.status != DerivativeStatus.CONVERGED)
    assert set(res.status.tolist()) <= {DerivativeStatus.NOT_CONVERGED, DerivativeStatus.ERROR_GREW}
    assert not res.success.any()
    # A kink inside the steps: the estimates get worse as the step shrinks... or
    # do not settle; either way, not converged, and no exception.
    kink = derivative(lambda x: np.abs(x - 0.3), 0.3 + 1e-3)
    assert kink.status in (DerivativeStatus.NOT_CONVERGED, DerivativeStatus.ERROR_GREW,
                           DerivativeStatus.CONVERGED)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_kept_and_steps_from_its_unit_roundoff(dtype):
    x = np.linspace(0.1, 1.0, 7).astype(dtype)
    res = derivative(np.exp, x)
    for field in (res.df, res.error, res.step):
        assert field.dtype == dtype
    u = np.finfo(dtype).eps
    true = np.abs(res.df.astype(float) - np.exp(x.astype(float)))
    assert np.all(true <= 50 * u * np.exp(x.astype(float)))
    assert np.all(res.error.astype(float) >= true)
    assert np.all(res.status == 0)


@pytest.mark.parametrize("shape", [(), (12,), (3, 4), (3, 2, 2)])
@pytest.mark.parametrize("scheme", ["central", "forward", "complex_step"])
def test_vectorised_equals_scalar_loop(shape, scheme):
    rng = np.random.default_rng(7)
    x = rng.uniform(-2, 2, size=shape)
    res = derivative(np.sin, x, scheme=scheme)
    for field in ("df", "error", "step", "nfev", "status", "order"):
        assert np.shape(getattr(res, field)) == shape
    for index in np.ndindex(shape):
        one = derivative(np.sin, x[index], scheme=scheme)
        assert one.df == res.df[index] or np.isclose(one.df, res.df[index], rtol=0, atol=1e-15)
        assert one.status == res.status[index] and one.nfev == res.nfev[index]


def test_given_step_and_step_rules():
    x = np.array([0.5, 1.0, 3.0])
    given = derivative(np.exp, x, step=0.1)
    assert np.all(np.abs(given.df - np.exp(x)) <= given.error)
    assert np.allclose(given.step, 0.1 / 2**4)
    per_element = derivative(np.exp, x, step=np.array([0.1, 0.2, 0.05]))
    assert np.allclose(per_element.step, np.array([0.1, 0.2, 0.05]) / 16)
    for rule in STEP_RULES:
        res = derivative(np.exp, x, step=rule)
        assert np.all(np.abs(res.df - np.exp(x)) <= res.error), rule
        assert np.all(res.nfev > 10), rule  # the rule's evaluations are counted


def test_seed_api_variable_and_function():
    res = derivative(Square(), Variable(np.array(2.0)))
    assert abs(res.df - 4.0) < 1e-13


def test_calls_f_a_fixed_number_of_times_with_whole_arrays():
    shapes = []

    def f(x):
        shapes.append(np.shape(x))
        return np.cos(x)

    derivative(f, np.zeros(1000))
    assert shapes == [(1000,)] * 10


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(f=1.0), TypeError, "f must be callable"),
    (dict(x="a"), TypeError, "x must hold real numbers"),
    (dict(x=np.nan), ValueError, "x must be finite"),
    (dict(x=[]), ValueError, "x must not be empty"),
    (dict(scheme="centre"), ValueError, "unknown scheme"),
    (dict(deriv=5), ValueError, "deriv must be between"),
    (dict(deriv=2, scheme="complex_step"), ValueError, "deriv must be between"),
    (dict(step="magic"), ValueError, "unknown step rule"),
    (dict(step=-1.0), ValueError, "step must be positive"),
    (dict(step=0.0), ValueError, "step must be positive"),
    (dict(step=[0.1, 0.2], x=[1.0, 2.0, 3.0]), ValueError, "do not broadcast"),
    (dict(step="theory", scheme="complex_step"), ValueError, "real schemes"),
    (dict(levels=1), ValueError, "levels must be between"),
    (dict(levels=2.5), TypeError, "levels must be an integer"),
    (dict(ratio=1.0), ValueError, "ratio must be greater"),
    (dict(rtol=-1.0), ValueError, "rtol must be non-negative"),
    (dict(atol=np.inf), ValueError, "atol must be finite"),
    (dict(f=lambda x: np.ones(3)), ValueError, "must return an array of the shape"),
    (dict(f=lambda x: np.abs(x), scheme="complex_step"), ValueError, "complex values"),
])
def test_bad_input(kwargs, error, match):
    f = kwargs.pop("f", np.sin)
    x = kwargs.pop("x", 1.0)
    with pytest.raises(error, match=match):
        derivative(f, x, **kwargs)


def test_noise_rule_measures_the_noise_and_reports_it_in_the_error():
    level = 1e-10
    exact = np.e
    sweep_steps = np.logspace(-8, -2, 61)
    for seed in range(5):
        rng = np.random.default_rng(seed)

        def noisy_exp(x):
            return np.exp(x) * (1 + level * rng.standard_normal(np.shape(x)))

        result = derivative(noisy_exp, 1.0, step="noise")
        errors = numerical_diff(noisy_exp, np.ones((30, 1)), sweep_steps) - exact
        best = np.sqrt(np.mean(errors**2, axis=0)).min()
        assert abs(result.df - exact) < 3 * best
        # The error estimate carries the noise, not just rounding at u |f|.
        assert result.error > 0.1 * best
        assert result.nfev > 10
