"""--expr: whitelisted formulas only; numpy (real and complex) and mpmath agree."""

import numpy as np
import pytest

from analysis.expression import UnsafeExpressionError, parse_expression
from analysis.targets import expression_target


@pytest.mark.parametrize("text, match", [
    ("__import__('os').system('echo hacked')", "attribute access"),
    ("__import__('os')", "function '__import__' is not allowed"),
    ("x.real", "attribute access"),
    ("np.sin(x)", "attribute access"),
    ("x[0]", "subscripting"),
    ("(lambda y: y)(x)", "lambda"),
    ("lambda: 1", "lambda"),
    ("os", "name 'os' is not allowed"),
    ("y + 1", "name 'y' is not allowed"),
    ("open('f')", "function 'open' is not allowed"),
    ("eval('1')", "function 'eval' is not allowed"),
    ("sin(x, 2)", "exactly one argument"),
    ("sin(x=x)", "exactly one argument"),
    ("'text'", "not a real number"),
    ("1j * x", "not a real number"),
    ("[x for x in ()]", "comprehension"),
    ("x if x > 0 else -x", "conditional"),
    ("x < 1", "comparison"),
    ("x // 2", "operator FloorDiv"),
    ("x = 1", "not a formula"),
    ("", "empty"),
    ("x" * 1001, "longer than 1000"),
])
def test_unsafe_or_invalid_formulas_are_refused(text, match, capfd):
    with pytest.raises(UnsafeExpressionError, match=match):
        parse_expression(text)
    assert "hacked" not in capfd.readouterr().out  # nothing ran


def test_formula_matches_numpy_and_keeps_dtype():
    f = parse_expression("exp(x)/sqrt(sin(x)**3 + cos(x)**3) - 2*pi*e + x**-1")
    x = np.linspace(0.1, 1.2, 7)
    expected = np.exp(x) / np.sqrt(np.sin(x) ** 3 + np.cos(x) ** 3) - 2 * np.pi * np.e + 1 / x
    np.testing.assert_allclose(f(x), expected, rtol=1e-15)
    assert f(x.astype(np.float32)).dtype == np.float32


def test_complex_step_works_through_the_formula():
    f = parse_expression("exp(x)/sqrt(sin(x)**3 + cos(x)**3)")
    h = 1e-30
    estimate = f(1.5 + 1j * h).imag / h
    assert abs(estimate - float(f.reference(1.5))) < 1e-14 * abs(estimate)


def test_reference_is_a_50_digit_mpmath_derivative():
    target = expression_target("sin(x)*exp(x)")
    assert "mpmath" in target.reference and "50" in target.reference
    x = np.array([0.3, 1.0])
    exact = np.exp(x) * (np.sin(x) + np.cos(x))
    np.testing.assert_allclose(target.derivative(x, 1), exact, rtol=1e-15)
    np.testing.assert_allclose(target.derivative(x, 2), 2 * np.exp(x) * np.cos(x), rtol=1e-14)


def test_overflowing_constants_give_inf_not_an_exception():
    with np.errstate(over="ignore"):
        assert np.isinf(parse_expression("2**10**10 + x")(1.0))
