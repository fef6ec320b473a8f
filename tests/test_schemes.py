"""Schemes as objects: the behaviour of each kind, and schemes built from any stencil."""

import numpy as np
import pytest

from numdiff import (SCHEMES, ComplexStep, Scheme, StencilScheme, derivative, gradient,
                     numerical_diff, stencil, theory_step)

X = np.linspace(-2.0, 2.0, 41)


@pytest.mark.parametrize("name, power, order_step, levels", [
    ("forward", 1, 1, 6), ("backward2", 1, 1, 6), ("central", 1, 2, 5), ("central8", 1, 2, 5),
    ("complex_step", 0, 2, 2)])
def test_each_kind_says_how_it_behaves(name, power, order_step, levels):
    scheme = SCHEMES[name]
    assert scheme.rounding_power(1) == power
    assert scheme.order_step == order_step
    assert scheme.default_levels == levels
    assert scheme.step_rules_apply == (name != "complex_step")
    assert isinstance(scheme, ComplexStep if name == "complex_step" else StencilScheme)


def test_a_scheme_from_the_stencil_of_a_named_one_gives_its_bits():
    custom = Scheme.from_stencil(stencil([-2, -1, 1, 2]))
    assert (custom.order, custom.order_step, custom.default_levels) == (4, 2, 5)
    mine, named = derivative(np.exp, X, scheme=custom), derivative(np.exp, X, scheme="central4")
    for field in ("df", "error", "step", "nfev", "status", "order"):
        assert np.array_equal(getattr(mine, field), getattr(named, field))
    assert np.array_equal(numerical_diff(np.sin, X, 1e-3, scheme=custom),
                          numerical_diff(np.sin, X, 1e-3, scheme="central4"))


@pytest.mark.parametrize("offsets", [[0, 1, 3], [-1, 0, 2], [-3, -1, 0], [-2, -1, 1, 2, 4]])
def test_derivative_takes_a_scheme_of_any_offsets(offsets):
    custom = Scheme.from_stencil(offsets)
    result = derivative(np.exp, X, scheme=custom)
    true_error = np.abs(result.df - np.exp(X))
    assert np.all(result.success)
    assert np.all(true_error <= result.error)
    assert np.all(true_error <= 1e-10 * np.exp(X))


def test_a_custom_scheme_serves_the_second_derivative_step_rules_and_gradients():
    custom = Scheme.from_stencil([-2, -1, 1, 2])
    result = derivative(np.sin, X, scheme=custom, deriv=2)
    assert np.all(np.abs(result.df + np.sin(X)) <= result.error)
    rule = derivative(np.sin, X, scheme=custom, step="theory")
    assert np.all(np.abs(rule.df - np.cos(X)) <= rule.error)
    assert np.all(theory_step(np.sin, X, scheme=custom).status == 0)
    point = np.array([1.0, -2.0, 0.5])
    assert np.allclose(gradient(lambda v: np.sum(v ** 3), point, scheme=custom,
                                step="fixed"), 3 * point ** 2,
                       rtol=1e-9)


def test_a_custom_scheme_supports_the_derivatives_its_offsets_allow():
    custom = Scheme.from_stencil([0, 1, 3])
    assert custom.max_deriv == 2
    with pytest.raises(ValueError, match="deriv must be between 1 and 2"):
        derivative(np.exp, 1.0, scheme=custom, deriv=3)
