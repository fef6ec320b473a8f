"""Stencil weights, orders and error coefficients against known tables."""

from fractions import Fraction as F
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numdiff import SCHEMES, MAX_DERIV, fornberg_weights, get_scheme, stencil

# (offsets, deriv) -> (weights, accuracy, leading coefficient), from standard tables
# (Fornberg 1988, Table 1; Abramowitz & Stegun 25.3).
KNOWN = [
    ((-1, 1), 1, (F(-1, 2), F(1, 2)), 2, F(1, 6)),
    ((0, 1), 1, (F(-1), F(1)), 1, F(1, 2)),
    ((-1, 0), 1, (F(-1), F(1)), 1, F(-1, 2)),
    ((0, 1, 2), 1, (F(-3, 2), F(2), F(-1, 2)), 2, F(-1, 3)),
    ((-2, -1, 1, 2), 1, (F(1, 12), F(-8, 12), F(8, 12), F(-1, 12)), 4, F(-1, 30)),
    ((-3, -2, -1, 1, 2, 3), 1, (F(-1, 60), F(9, 60), F(-45, 60), F(45, 60), F(-9, 60), F(1, 60)),
     6, F(1, 140)),
    ((-1, 0, 1), 2, (F(1), F(-2), F(1)), 2, F(1, 12)),
    ((-2, -1, 0, 1, 2), 2, (F(-1, 12), F(16, 12), F(-30, 12), F(16, 12), F(-1, 12)), 4, F(-1, 90)),
    ((-2, -1, 1, 2), 3, (F(-1, 2), F(1), F(-1), F(1, 2)), 2, F(1, 4)),
    ((-2, -1, 0, 1, 2), 4, (F(1), F(-4), F(6), F(-4), F(1)), 2, F(1, 6)),
    ((0, 1, 2), 2, (F(1), F(-2), F(1)), 1, F(1)),
]


@pytest.mark.parametrize("offsets, deriv, weights, accuracy, coefficient", KNOWN)
def test_weights_match_tables(offsets, deriv, weights, accuracy, coefficient):
    s = stencil(offsets, deriv)
    assert s.offsets == tuple(F(g) for g in offsets)
    assert s.weights == weights
    assert s.accuracy == accuracy
    assert s.error_coefficient == coefficient


def test_central4_is_one_minus_eight_eight_minus_one_over_twelve():
    s = SCHEMES["central4"].stencil(1)
    assert s.numerators == (1, -8, 8, -1)
    assert s.denominator == 12
    np.testing.assert_allclose(s.weights_array, np.array([1, -8, 8, -1]) / 12, rtol=0, atol=1e-16)


@settings(max_examples=60, deadline=None)
@given(
    nodes=st.lists(st.integers(-6, 6), min_size=2, max_size=7, unique=True),
    deriv=st.integers(1, 4),
)
def test_weights_satisfy_the_moment_conditions(nodes, deriv):
    """sum c_i g_i^m / m! = [m == q] for every m below the number of nodes."""
    if len(nodes) <= deriv:
        return
    weights = fornberg_weights([F(g) for g in nodes], deriv)[deriv]
    for m in range(len(nodes)):
        moment = sum(c * F(g) ** m for g, c in zip(nodes, weights)) / factorial(m)
        assert moment == (1 if m == deriv else 0)
    s = stencil(nodes, deriv)
    assert s.accuracy >= len(nodes) - deriv


def test_fractional_offsets_are_exact():
    s = stencil([F(-1, 2), F(1, 2)], 1)
    assert s.weights == (F(-1), F(1))
    assert s.accuracy == 2 and s.error_coefficient == F(1, 24)


def test_stencils_are_cached_and_immutable():
    assert stencil((-1, 1), 1) is stencil([1, -1], 1)
    s = stencil((-1, 1), 1)
    with pytest.raises(AttributeError):
        s.accuracy = 3
    with pytest.raises(ValueError):
        s.weights_array[0] = 1.0


def test_stencil_prints_offsets_weights_and_orders():
    text = str(SCHEMES["central"].stencil(2))
    assert "f^(2)" in text and "order of accuracy 2" in text
    assert "offsets: -1, 0, 1" in text and "weights: 1, -2, 1" in text
    assert "1/12 * f^(4) * h^2" in text


@pytest.mark.parametrize("name", [n for n in SCHEMES if n != "complex_step"])
@pytest.mark.parametrize("deriv", range(1, MAX_DERIV + 1))
def test_every_scheme_reaches_its_order(name, deriv):
    scheme = SCHEMES[name]
    s = scheme.stencil(deriv)
    assert s.deriv == deriv
    assert s.accuracy == scheme.order
    assert scheme.evaluations(deriv) == len(s.offsets)
    if scheme.layout == "forward":
        assert min(s.offsets) == 0
    elif scheme.layout == "backward":
        assert max(s.offsets) == 0
    else:
        assert s.offsets == tuple(-g for g in reversed(s.offsets))


def test_complex_step_scheme():
    scheme = SCHEMES["complex_step"]
    assert scheme.is_complex and scheme.max_deriv == 2
    assert scheme.evaluations() == 1 and scheme.accuracy() == 2
    assert scheme.error_coefficient() == F(-1, 6)
    with pytest.raises(ValueError, match="no real stencil"):
        scheme.stencil()
    with pytest.raises(ValueError, match="deriv must be between 1 and 2"):
        scheme.offsets(3)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: stencil([0, 0, 1], 1), ValueError, "offsets must be distinct"),
        (lambda: stencil([0, 1], 2), ValueError, "more than deriv=2 points"),
        (lambda: stencil([0, 1], 0), ValueError, "deriv must be at least 1"),
        (lambda: stencil([0, 1], 1.0), TypeError, "deriv must be an integer"),
        (lambda: stencil([0, "a"], 1), TypeError, "offsets must hold finite real numbers"),
        (lambda: stencil([0, float("nan")], 1), TypeError, "offsets must hold finite real numbers"),
        (lambda: stencil([0, True], 1), TypeError, "offsets must hold numbers, not booleans"),
        (lambda: stencil(5, 1), TypeError, "offsets must be a sequence"),
        (lambda: get_scheme("centre"), ValueError, "unknown scheme 'centre'; valid schemes: forward"),
        (lambda: get_scheme(3), TypeError, "scheme must be a string"),
        (lambda: SCHEMES["central"].stencil(9), ValueError, "deriv must be between 1 and 8"),
    ],
)
def test_bad_stencil_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
