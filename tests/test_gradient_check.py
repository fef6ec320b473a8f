"""gradient_check: right gradients pass, wrong ones are caught, the result explains itself."""

import numpy as np
import pytest

from numdiff import GradientCheck, Variable, gradient_check, machine_epsilon
from numdiff.gradient_check import default_tolerance


def loss(x):
    """A small network-like loss: softplus of a chain, on (n,) or columns (n, m)."""
    z = np.tanh(x[:-1]) * x[1:]
    return np.sum(np.log1p(np.exp(z)), axis=0) + 0.5 * np.sum(x ** 2, axis=0)


def loss_gradient(x):
    z = np.tanh(x[:-1]) * x[1:]
    s = 1 / (1 + np.exp(-z))  # d softplus / dz
    g = x.copy()
    g[:-1] += s * x[1:] * (1 - np.tanh(x[:-1]) ** 2)
    g[1:] += s * np.tanh(x[:-1])
    return g


def sign_bug(x):
    g = loss_gradient(x)
    g[3] = -g[3]
    return g


def forgot_a_term(x):
    return loss_gradient(x) - x  # dropped the derivative of the quadratic


@pytest.fixture(params=[np.float64, np.float32])
def x(request):
    return np.random.default_rng(7).uniform(-1.5, 1.5, 12).astype(request.param)


def test_right_gradient_passes(x):
    result = gradient_check(loss, x, loss_gradient)
    assert result and result.passed
    assert result.numerical.dtype == x.dtype
    assert result.difference <= result.tolerance


@pytest.mark.parametrize("bug, index", [(sign_bug, 3), (forgot_a_term, None)])
def test_wrong_gradient_is_caught(x, bug, index):
    result = gradient_check(loss, x, bug)
    assert not result
    if index is not None:
        assert result.index == index
    assert result.analytic_value == pytest.approx(float(bug(x)[result.index]))
    assert result.numerical_value == pytest.approx(float(loss_gradient(x)[result.index]), rel=1e-3)
    assert result.difference > result.tolerance


def test_small_error_caught_in_float64():
    """A relative error of 1e-5 in one component is far above the float64 tolerance."""
    x = np.linspace(-1, 1, 12)
    g = loss_gradient(x)
    g[5] *= 1 + 1e-5
    result = gradient_check(loss, x, g)
    assert not result and result.index == 5


def test_tolerances_follow_the_dtype_and_are_reported():
    for dtype in (np.float64, np.float32):
        x = np.linspace(-1, 1, 6).astype(dtype)
        result = gradient_check(loss, x, loss_gradient(x))
        u = machine_epsilon(dtype)
        assert result.rtol == pytest.approx(100 * u ** (2 / 3))
        assert result.atol == pytest.approx(100 * u ** (2 / 3) * max(1, abs(float(loss(x)))))
        assert result.tolerance == pytest.approx(result.atol + result.rtol * abs(result.numerical_value))
    rtol, atol = default_tolerance(np.float32, f_scale=0.5)
    assert rtol == atol == pytest.approx(100 * machine_epsilon(np.float32) ** (2 / 3))


def test_given_tolerances_are_used():
    x = np.linspace(-1, 1, 6)
    g = loss_gradient(x)
    g[2] += 1e-4
    assert gradient_check(loss, x, g, rtol=0, atol=1e-3)
    result = gradient_check(loss, x, g, rtol=0, atol=1e-5)
    assert not result and result.index == 2 and result.tolerance == 1e-5


def test_nan_in_analytic_gradient_fails_and_is_named():
    x = np.linspace(-1, 1, 6)
    g = loss_gradient(x)
    g[4] = np.nan
    result = gradient_check(loss, x, g)
    assert not result and result.index == 4


def test_vectorized_path_and_variables():
    x = np.linspace(-1, 1, 6)
    assert gradient_check(loss, x, loss_gradient, vectorized=True)
    assert gradient_check(lambda v: Variable(loss(v.data)), Variable(x), loss_gradient)


def test_result_is_frozen_and_prints_the_verdict():
    x = np.linspace(-1, 1, 6)
    result = gradient_check(loss, x, sign_bug)
    assert isinstance(result, GradientCheck)
    with pytest.raises(AttributeError):
        result.passed = True
    text = str(result)
    assert "FAILED" in text and "worst component 3" in text


@pytest.mark.parametrize("call, error, match", [
    (lambda x: gradient_check(loss, x, np.ones(5)), ValueError, r"grad must have the shape of x, \(6,\), got \(5,\)"),
    (lambda x: gradient_check(loss, x, lambda v: np.ones((6, 1))), ValueError, r"grad\(x\) must have the shape of x"),
    (lambda x: gradient_check(loss, x, "abc"), TypeError, "grad must hold real numbers"),
    (lambda x: gradient_check(loss, x.reshape(2, 3), np.ones(6)), ValueError, r"grad must have the shape of x, \(2, 3\), got \(6,\)"),
    (lambda x: gradient_check(loss, x, np.ones(6), rtol=-1.0), ValueError, "rtol must be non-negative"),
    (lambda x: gradient_check(loss, x, np.ones(6), atol="1"), TypeError, "atol must be a real number"),
    (lambda x: gradient_check(lambda v: v, x, np.ones(6)), ValueError, "f must return a scalar"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(np.linspace(-1, 1, 6))
