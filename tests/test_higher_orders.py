"""Derivative orders up to 8, schemes of any order of accuracy, the complex step's second derivative."""

import numpy as np
import pytest

from numdiff import (MAX_DERIV, SCHEMES, derivative, get_scheme, hessian, numerical_diff,
                     scheme_of_order, stencil)
from numdiff.catalogue import CATALOGUE

X = 0.7


def nth_derivative(name, q, x):
    return np.exp(x) if name == "exp" else np.sin(x + q * np.pi / 2)


def slope(steps, errors):
    return np.polyfit(np.log(steps), np.log(errors), 1)[0]


WIDE = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps


@pytest.mark.parametrize("q", [6, 8])
@pytest.mark.parametrize("name", ["exp", "sin"])
@pytest.mark.parametrize("scheme, largest, dtype", [
    ("central", 0.4, np.float64), ("central4", 0.8, np.float64),
    # Their truncation regimes lie where float64 rounding (~ u |f| sum|c| / h^q) still
    # dominates: longdouble moves it out of the way.
    ("central6", 0.4, np.longdouble), ("forward2", 0.1, np.longdouble)])
def test_orders_six_and_eight_reach_the_order_of_their_stencils(q, name, scheme, largest, dtype):
    """Log-log slope of the error against h, where truncation dominates, is the order p."""
    if dtype is np.longdouble and not WIDE:
        pytest.skip("longdouble is float64 on this platform")
    f = getattr(np, name)
    x = dtype(X)
    steps = dtype(largest) / 2 ** np.arange(3)
    exact = np.exp(x) if name == "exp" else np.sin(x + q * np.pi / dtype(2))
    errors = [float(abs(numerical_diff(f, x, h, scheme=scheme, deriv=q) - exact)) for h in steps]
    assert slope(steps.astype(float), errors) == pytest.approx(SCHEMES[scheme].accuracy(q),
                                                               abs=0.2)


def test_max_deriv_is_eight_and_stencils_are_fornbergs():
    assert MAX_DERIV >= 8
    st = SCHEMES["central"].stencil(8)
    assert st.offsets == tuple(range(-4, 5)) and st.accuracy == 2
    # the eighth difference: binomial weights with alternating signs
    assert [int(c) for c in st.weights] == [1, -8, 28, -56, 70, -56, 28, -8, 1]
    assert stencil(range(-4, 5), 8) == st
    with pytest.raises(ValueError, match="deriv must be between 1 and 8"):
        numerical_diff(np.exp, X, 0.1, deriv=9)


@pytest.mark.parametrize("p", [2, 4, 10, 16])
def test_central_scheme_of_any_even_order(p):
    scheme = scheme_of_order("central", p)
    assert get_scheme(f"central{p}" if p != 2 else "central") is scheme or \
        get_scheme(f"central{p}").accuracy(1) == p
    for q in (1, 2, 5):
        st = scheme.stencil(q)
        assert st.accuracy == p and list(st.offsets) == [-g for g in reversed(st.offsets)]


def test_central_ten_reaches_order_ten():
    steps = 0.8 / 2.0 ** np.arange(3)
    errors = [abs(numerical_diff(np.exp, X, h, scheme="central10") - np.exp(X)) for h in steps]
    assert slope(steps, errors) == pytest.approx(10, abs=0.2)


@pytest.mark.parametrize("name", ["central3", "central0", "forward0", "sideways4", "central02"])
def test_bad_scheme_names(name):
    with pytest.raises(ValueError, match="unknown scheme"):
        get_scheme(name)


def test_scheme_of_order_checks_its_arguments():
    with pytest.raises(ValueError, match="order must be an even integer"):
        scheme_of_order("central", 3)
    with pytest.raises(ValueError, match="layout must be"):
        scheme_of_order("complex", 2)


def test_derivative_accepts_orders_up_to_eight_and_its_estimate_covers():
    x = np.linspace(-1.0, 1.0, 5)
    for q in range(5, 9):
        res = derivative(np.exp, x, deriv=q)
        assert np.all(np.abs(res.df - np.exp(x)) <= res.error)


def test_complex_step_second_derivative_of_squire_trapp():
    f = CATALOGUE["squire_trapp"]
    exact = f.derivative(1.5, 2)
    res = derivative(f, 1.5, scheme="complex_step", deriv=2)
    assert abs(res.df - exact) <= 1e-10 * abs(exact)
    assert abs(res.df - exact) <= res.error and res.status == 0
    assert abs(numerical_diff(f, 1.5, 1e-3, scheme="complex_step", deriv=2) - exact) \
        <= 1e-10 * abs(exact)


@pytest.mark.parametrize("name", ["exp", "sin"])
def test_complex_step_second_derivative_has_order_four(name):
    """Error ``f^(6) h^4 / 90``: slope 4, and the leading coefficient -1/90."""
    f = getattr(np, name)
    steps = 0.2 / 2.0 ** np.arange(3)
    errors = np.array([numerical_diff(f, X, h, scheme="complex_step", deriv=2)
                       - nth_derivative(name, 2, X) for h in steps])
    assert slope(steps, np.abs(errors)) == pytest.approx(4, abs=0.2)
    assert SCHEMES["complex_step"].accuracy(2) == 4
    leading = float(SCHEMES["complex_step"].error_coefficient(2))
    np.testing.assert_allclose(errors / (leading * nth_derivative(name, 6, X) * steps ** 4), 1,
                               rtol=0.01)


def test_complex_step_second_derivative_rounds_like_one_over_h():
    """No cancellation of f itself: at h = 1e-6 the error is ~ u |f'| / h, not u |f| / h^2."""
    error = abs(numerical_diff(np.exp, X, 1e-6, scheme="complex_step", deriv=2) - np.exp(X))
    assert error < 1e3 * np.finfo(float).eps * np.exp(X) / 1e-6
    assert error < 1e-6  # a real second difference rounds at ~ u / h^2 = 2e-4 here


def test_complex_step_hessian():
    x = np.array([0.3, -0.7, 1.2])

    def f(t):
        return t[0] ** 2 * t[1] + np.sin(t[1] * t[2]) + np.exp(t[0]) * t[2]

    c, s = np.cos(x[1] * x[2]), np.sin(x[1] * x[2])
    exact = np.array([[2 * x[1] + np.exp(x[0]) * x[2], 2 * x[0], np.exp(x[0])],
                      [2 * x[0], -x[2] ** 2 * s, c - x[1] * x[2] * s],
                      [np.exp(x[0]), c - x[1] * x[2] * s, -x[1] ** 2 * s]])
    res = hessian(f, x, scheme="complex_step")
    np.testing.assert_array_equal(res.df, res.df.T)
    assert np.all(np.abs(res.df - exact) <= res.error)
    assert np.abs(res.df - exact).max() < 1e-12
    # two levels of n^2 + n complex points, and f(x), checked to be real
    assert res.nfev == 2 * (3 * 3 + 3) + 1
    with pytest.raises(ValueError, match="complex_step needs f real for real x"):
        hessian(lambda t: np.exp(1j * t[0]) * t[1], x, scheme="complex_step")
