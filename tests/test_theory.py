"""The error model: classic forms, and the optimum against brute force."""

import numpy as np
import pytest

from numdiff import (SCHEMES, MAX_DERIV, ErrorModel, error_model, length_scale, machine_epsilon,
                     optimal_step, unit_roundoff)

U = np.finfo(np.float64).eps


def test_machine_epsilon_per_dtype():
    assert machine_epsilon(np.float16) == 2.0 ** -10
    assert machine_epsilon(np.float32) == 2.0 ** -23
    assert machine_epsilon() == 2.0 ** -52
    assert machine_epsilon(np.complex64) == 2.0 ** -23
    assert machine_epsilon(np.longdouble) == float(np.finfo(np.longdouble).eps)
    with pytest.raises(TypeError, match="dtype must be a floating-point dtype"):
        machine_epsilon(np.int64)
    with pytest.raises(TypeError, match="dtype must be a floating-point dtype"):
        machine_epsilon("not a dtype")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
def test_unit_roundoff_is_half_the_machine_epsilon(dtype):
    # Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 2.1:
    # rounding to nearest errs by at most half a unit in the last place.
    assert unit_roundoff(dtype) == machine_epsilon(dtype) / 2
    one = np.array(1, dtype=dtype)
    assert one + dtype(unit_roundoff(dtype)) == one  # a tie rounds to even: 1
    assert one + dtype(machine_epsilon(dtype)) > one


def test_length_scale_is_one_below_one_and_abs_x_above():
    np.testing.assert_array_equal(length_scale(np.array([-4.0, -0.5, 0.0, 0.5, 3.0])),
                                  [4.0, 1.0, 1.0, 1.0, 3.0])


@pytest.mark.parametrize("f, d2", [(1.0, 1.0), (2.7, 0.3), (1e3, 5.0)])
def test_classic_forward_formulas_come_out_of_the_general_model(f, d2):
    m = error_model("forward", f_scale=f, derivative_scale=d2, value_error=U)
    h = np.logspace(-12, -2, 7)
    np.testing.assert_allclose(m(h), h / 2 * d2 + 2 * U * f / h, rtol=1e-13)
    assert np.isclose(m.optimal_step, 2 * np.sqrt(U * f / d2), rtol=1e-13)
    assert np.isclose(m.minimum_error, 2 * np.sqrt(U * f * d2), rtol=1e-13)


@pytest.mark.parametrize("f, d3", [(1.0, 1.0), (2.7, 0.3), (1e3, 5.0)])
def test_classic_central_formulas_come_out_of_the_general_model(f, d3):
    m = error_model("central", f_scale=f, derivative_scale=d3, value_error=U)
    h = np.logspace(-12, -2, 7)
    np.testing.assert_allclose(m(h), h**2 / 6 * d3 + U * f / h, rtol=1e-13)
    assert np.isclose(m.optimal_step, (3 * U * f / d3) ** (1 / 3), rtol=1e-13)
    coefficient = 3 ** (-1 / 3) + 3 ** (2 / 3) / 6  # = 1.040..., the classic 1.04
    assert np.isclose(m.minimum_error, coefficient * (U * f) ** (2 / 3) * d3 ** (1 / 3), rtol=1e-13)
    assert round(coefficient, 2) == 1.04


@pytest.mark.parametrize("name", [n for n in SCHEMES if n != "complex_step"])
@pytest.mark.parametrize("deriv", range(1, MAX_DERIV + 1))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimal_step_minimises_the_model_by_brute_force(name, deriv, dtype):
    m = error_model(name, deriv=deriv, f_scale=1.7, derivative_scale=0.6, dtype=dtype)
    h = np.logspace(-12, 1, 200_001)
    errors = m(h)
    best = h[np.argmin(errors)]
    assert best == pytest.approx(m.optimal_step, rel=1e-3)
    assert errors.min() == pytest.approx(m.minimum_error, rel=1e-6)


def test_complex_step_model_has_a_floor_and_a_crossover():
    m = error_model("complex_step", f_scale=1.0, derivative_scale=2.0, result_scale=3.0)
    assert m.rounding_power == 0 and m.order == 2
    assert m.minimum_error == pytest.approx(U * 3.0)
    crossover = m.optimal_step
    # No cancellation: the crossover is where truncation comes down to the floor.
    assert m.rounding_error(crossover) == 0
    assert m.truncation_error(crossover) == pytest.approx(m.floor, rel=1e-9)
    assert m(1e-20) == pytest.approx(U * 3.0)
    with pytest.raises(ValueError, match="result_scale"):
        error_model("complex_step", f_scale=1.0, derivative_scale=1.0)


def test_model_broadcasts_over_points():
    f = np.array([1.0, 2.0, 4.0])
    m = error_model("central", f_scale=f, derivative_scale=1.0)
    expected = [optimal_step("central", f_scale=v, derivative_scale=1.0) for v in f]
    np.testing.assert_allclose(m.optimal_step, expected, rtol=1e-15)
    assert m(np.array([[1e-5], [1e-6]])).shape == (2, 3)


def test_vanishing_truncation_means_no_finite_optimum():
    # x^2 has f''' = 0: the central difference is exact but for rounding.
    m = error_model("central", f_scale=4.0, derivative_scale=0.0)
    assert m.optimal_step == np.inf
    assert m.minimum_error == 0.0


def test_rounding_branch_grows_like_h_to_minus_deriv():
    for deriv in range(1, MAX_DERIV + 1):
        m = error_model("central", deriv=deriv, f_scale=1.0, derivative_scale=1.0)
        small = np.array([1e-12, 1e-11]) * m.optimal_step
        slope = np.diff(np.log10(m(small)))[0]
        assert slope == pytest.approx(-deriv, abs=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"f_scale": -1.0, "derivative_scale": 1.0}, ValueError, "f_scale must be non-negative"),
        ({"f_scale": 1.0, "derivative_scale": np.nan}, ValueError, "derivative_scale must be non-negative"),
        ({"f_scale": 1.0, "derivative_scale": 1.0, "dtype": int}, TypeError, "dtype"),
        ({"f_scale": 1.0, "derivative_scale": 1.0, "deriv": 9}, ValueError, "deriv must be between"),
    ],
)
def test_bad_model_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        error_model("central", **kwargs)


def test_error_model_is_a_frozen_record():
    m = ErrorModel(1.0, 1.0, 1, 2)
    with pytest.raises(AttributeError):
        m.order = 3


# The complete model: argument rounding, the next truncation term, the floor.

def test_argument_rounding_keeps_the_cancellation_branch_where_f_is_zero():
    # log at 1: f = 0, f' = 1, f''' = 2, f^(5) = 24.
    m = error_model("central", f_scale=0.0, x_scale=1.0, result_scale=1.0,
                    derivative_scale=2.0, next_derivative_scale=24.0)
    u = unit_roundoff()
    assert m.rounding == pytest.approx(u * 1.0 * 1.0)  # u |x| |f'| sum|c|, sum|c| = 1
    assert 1e-7 < m.optimal_step < 1e-4
    assert m.minimum_error > m.floor > 0


def test_exact_steps_remove_the_argument_term():
    m = error_model("central", f_scale=0.0, x_scale=1.0, result_scale=1.0,
                    derivative_scale=2.0, exact_step=True)
    assert m.rounding == 0
    assert m.minimum_error == m.floor == U * 1.0
    # No cancellation: the step given is the largest at which truncation is down to the floor.
    assert m.truncation_error(m.optimal_step) == pytest.approx(m.floor, rel=1e-9)


def test_no_cancellation_where_f_and_x_are_zero():
    # sin at 0: f = 0 and x = 0; only the floor and truncation remain.
    m = error_model("central", f_scale=0.0, x_scale=0.0, result_scale=1.0,
                    derivative_scale=1.0, next_derivative_scale=1.0)
    assert m.rounding == 0
    assert m.optimal_step == pytest.approx(np.sqrt(6 * U), rel=1e-6)


@pytest.mark.parametrize("scheme", ["forward", "backward", "central", "forward2", "central4"])
def test_vanishing_leading_derivative_hands_over_to_the_next_term(scheme):
    st = SCHEMES[scheme].stencil(1)
    m = error_model(scheme, f_scale=1.0, x_scale=1.0, result_scale=1.0,
                    derivative_scale=0.0, next_derivative_scale=1.0)
    h = np.logspace(-14, 0, 141)
    np.testing.assert_allclose(m.truncation_error(h),
                               abs(float(st.next_error_term[1])) * h ** st.next_error_term[0],
                               rtol=1e-12)
    # The optimum balances rounding (h^-1) against the next term (h^p2).
    p2 = st.next_error_term[0]
    expected = (m.rounding / (p2 * m.next_truncation)) ** (1 / (p2 + 1))
    assert m.optimal_step == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_complete_model_optimum_is_the_brute_force_minimum(seed):
    rng = np.random.default_rng(seed)
    scheme = ["forward", "central", "central4", "backward2"][seed % 4]
    scales = 10.0 ** rng.uniform(-3, 3, size=5)
    scales[rng.integers(0, 5)] *= rng.integers(0, 2)  # one scale sometimes 0
    m = error_model(scheme, f_scale=scales[0], x_scale=scales[1], result_scale=scales[2],
                    derivative_scale=scales[3], next_derivative_scale=scales[4])
    h = np.logspace(-16, 4, 400_001)
    errors = m(h)
    assert np.all(errors >= m.floor)
    if m.rounding > 0:
        assert m.optimal_step == pytest.approx(h[np.argmin(errors)], rel=1e-3)
        assert m.minimum_error == pytest.approx(errors.min(), rel=1e-6)
    assert m.minimum_error >= m.floor


def test_the_floor_is_one_unit_of_the_result():
    for dtype in (np.float16, np.float32, np.float64):
        m = error_model("central", f_scale=1.0, result_scale=3.0, derivative_scale=1.0,
                        dtype=dtype)
        assert m.floor == machine_epsilon(dtype) * 3.0
        assert m(1e300) >= m.floor


@pytest.mark.parametrize("name", ["x_scale", "slope_scale", "next_derivative_scale",
                                  "value_error", "result_scale"])
def test_bad_scales_are_named(name):
    with pytest.raises(ValueError, match=f"{name} must be non-negative"):
        error_model("central", f_scale=1.0, derivative_scale=1.0, **{name: -1.0})
