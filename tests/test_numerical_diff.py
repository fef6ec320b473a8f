"""numerical_diff: orders of accuracy, rounding, vectorisation, dtypes, bad input."""

import warnings

import numpy as np
import pytest

from numdiff import (SCHEMES, MAX_DERIV, Exp, Square, Variable, error_model, get_scheme,
                     numerical_diff, machine_epsilon)
from numdiff.evaluator import Evaluator, stencil_estimate
from numdiff.catalogue import CATALOGUE

REAL_SCHEMES = [name for name in SCHEMES if name != "complex_step"]
SMOOTH = ["exp", "sin", "exp_square_squared", "tanh", "squire_trapp", "log"]
EXTENDED = np.finfo(np.longdouble).eps < 1e-18


def fitted_slope(h, errors):
    return np.polyfit(np.log(np.asarray(h, float)), np.log(np.asarray(errors, float)), 1)[0]


def truncation_window(fn, scheme, deriv, x, dtype, ratio=100.0):
    """Four steps, doubling, where the model's truncation exceeds rounding `ratio`-fold."""
    accuracy = SCHEMES[scheme].accuracy(deriv)
    k = accuracy + deriv
    model = error_model(scheme, deriv=deriv, f_scale=abs(fn.derivative(x, 0)),
                        derivative_scale=abs(fn.derivative(x, k)), result_scale=1.0, dtype=dtype)
    start = model.optimal_step * (ratio * accuracy / deriv) ** (1 / k)
    return start * 2.0 ** np.arange(4), accuracy


#: Orders whose truncation windows these tests were built for; the orders up to
#: MAX_DERIV have their own tests in tests/test_higher_orders.py.
WINDOW_ORDERS = range(1, 5)


@pytest.mark.parametrize("name", ["exp", "sin", "exp_square_squared"])
@pytest.mark.parametrize("scheme", REAL_SCHEMES)
@pytest.mark.parametrize("deriv", WINDOW_ORDERS)
def test_measured_order_equals_order_of_accuracy(name, scheme, deriv):
    fn = CATALOGUE[name]
    x = fn.default_x
    dtype = np.longdouble if EXTENDED else np.float64
    h, accuracy = truncation_window(fn, scheme, deriv, x, dtype)
    if h[-1] > 0.25 and not EXTENDED:
        pytest.skip("no truncation-dominated asymptotic range in float64 for this order")
    estimate = numerical_diff(fn, np.asarray(x, dtype), h.astype(dtype), scheme=scheme, deriv=deriv)
    errors = np.abs(estimate.astype(float) - fn.derivative(x, deriv))
    assert fitted_slope(h, errors) == pytest.approx(accuracy, abs=0.2)


@pytest.mark.parametrize("scheme", ["forward", "central", "central4"])
@pytest.mark.parametrize("name", SMOOTH)
def test_measured_order_in_float64(name, scheme):
    fn = CATALOGUE[name]
    x = 1.25 * fn.default_x  # log vanishes at its default point 1
    h, accuracy = truncation_window(fn, scheme, 1, x, np.float64)
    errors = np.abs(numerical_diff(fn, x, h, scheme=scheme) - fn.derivative(x))
    assert fitted_slope(h, errors) == pytest.approx(accuracy, abs=0.2)


def test_complex_step_is_second_order_then_flat_at_the_unit_roundoff():
    fn = CATALOGUE["squire_trapp"]
    exact = fn.derivative(1.5)
    h = np.array([1e-2, 2e-2, 4e-2, 8e-2])
    errors = np.abs(numerical_diff(fn, 1.5, h, scheme="complex_step") - exact)
    assert fitted_slope(h, errors) == pytest.approx(2, abs=0.2)
    tiny = np.array([1e-10, 1e-20, 1e-100, 1e-300])
    errors = np.abs(numerical_diff(fn, 1.5, tiny, scheme="complex_step") - exact)
    assert np.all(errors <= 4 * np.finfo(float).eps * abs(exact))


@pytest.mark.parametrize("deriv", WINDOW_ORDERS)
def test_rounding_branch_has_slope_minus_deriv(deriv):
    # Far below the optimum the error is rounding noise ~ u |f| / h^deriv; the
    # noise is erratic point to point, so fit over many points and decades.
    fn = CATALOGUE["exp"]
    x = np.linspace(0.9, 1.1, 400)
    model = error_model("central", deriv=deriv, f_scale=np.e, derivative_scale=np.e)
    h = model.optimal_step * np.logspace(-3, -1, 5)
    estimates = numerical_diff(fn, x, h[:, None], deriv=deriv)
    errors = np.sqrt(np.mean((estimates - fn.derivative(x, deriv)) ** 2, axis=1))
    assert fitted_slope(h, errors) == pytest.approx(-deriv, abs=0.2)
    # ... and its size is that of the model, within an order of magnitude.
    ratio = errors / model.rounding_error(h)
    assert np.all((ratio > 0.03) & (ratio < 3))


def test_observed_optimum_is_near_the_theory():
    fn = CATALOGUE["exp"]
    h = np.logspace(-10, -2, 161)
    x = np.linspace(0.5, 1.5, 101)
    for scheme in ("forward", "central"):
        errors = np.abs(numerical_diff(fn, x, h[:, None], scheme=scheme) - fn.derivative(x))
        best = h[np.argmin(np.median(errors, axis=1))]
        model = error_model(scheme, f_scale=np.e, derivative_scale=np.e)
        assert 0.2 < best / model.optimal_step < 5


def _loop(f, x, eps, scheme):
    return np.array([numerical_diff(f, xi, ei, scheme=scheme)
                     for xi, ei in zip(np.ravel(x), np.ravel(eps))]).reshape(np.shape(x))


SHAPES = [(), (12,), (3, 4), (3, 2, 2)]
SOME_SCHEMES = ["forward", "central", "backward2", "central6", "complex_step"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scheme", SOME_SCHEMES[:-1])
def test_vectorised_equals_a_loop_of_scalar_calls(shape, scheme):
    # Real arithmetic alone rounds identically in array and scalar code: equal
    # bits. (numpy's array loops for complex products may use fused
    # multiply-adds; the complex step is compared to a few ulps below.)
    rng = np.random.default_rng(42)
    x = rng.uniform(0.2, 2.0, shape)
    eps = rng.uniform(1e-6, 1e-3, shape)

    def polynomial(v):
        return ((0.5 * v - 1.0) * v - 3.0) * v + 1.0

    together = numerical_diff(polynomial, x, eps, scheme=scheme)
    assert np.shape(together) == shape
    np.testing.assert_array_equal(together, _loop(polynomial, x, eps, scheme))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scheme", SOME_SCHEMES)
def test_vectorised_equals_a_loop_up_to_libm_rounding(shape, scheme):
    # numpy's SIMD and scalar exp/sin/cos may differ by an ulp; the difference
    # quotient magnifies that to the size of the model's rounding term.
    rng = np.random.default_rng(43)
    x = rng.uniform(0.2, 2.0, shape)
    eps = rng.uniform(1e-6, 1e-3, shape)
    fn = CATALOGUE["squire_trapp"]
    together = numerical_diff(fn, x, eps, scheme=scheme)
    assert np.shape(together) == shape
    u = np.finfo(float).eps
    if scheme == "complex_step":  # no cancellation: a few ulps of the result
        rounding = 8 * u * np.abs(together)
    else:
        rounding = 8 * u * np.abs(fn(x)) * SCHEMES[scheme].evaluations() / eps
    assert np.all(np.abs(together - _loop(fn, x, eps, scheme)) <= rounding)


def test_steps_and_points_broadcast_into_a_table():
    x = np.linspace(0, 1, 10_000)
    eps = np.logspace(-16, 0, 161)
    table = numerical_diff(np.exp, x, eps[:, None])
    assert table.shape == (161, 10_000)
    np.testing.assert_array_equal(table[40], numerical_diff(np.exp, x, eps[40]))


def test_f_is_called_once_per_stencil_point_with_whole_arrays():
    calls = []

    def f(v):
        calls.append(np.shape(v))
        return np.sin(v)

    x = np.linspace(0, 1, 1000)
    for scheme in SCHEMES:
        calls.clear()
        numerical_diff(f, x, 1e-3, scheme=scheme)
        assert len(calls) == SCHEMES[scheme].evaluations()
        assert all(shape == (1000,) for shape in calls)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
@pytest.mark.parametrize("scheme", ["forward", "central", "central4", "complex_step"])
def test_dtype_is_kept(dtype, scheme):
    x = np.linspace(0.5, 1.5, 5).astype(dtype)
    h = error_model(scheme, f_scale=1, derivative_scale=1, result_scale=1,
                    dtype=dtype).optimal_step
    estimate = numerical_diff(np.exp, x, h, scheme=scheme)
    assert estimate.dtype == dtype
    scale = machine_epsilon(dtype) ** (1 / 3) if scheme != "complex_step" else machine_epsilon(dtype)
    tolerance = 100 * scale if scheme != "forward" else 100 * np.sqrt(machine_epsilon(dtype))
    assert np.max(np.abs(estimate.astype(float) - np.exp(x.astype(float)))) < tolerance
    assert numerical_diff(np.exp, dtype(1.0), h, scheme=scheme).dtype == dtype


def test_integer_input_is_computed_in_float64():
    assert numerical_diff(np.exp, 1).dtype == np.float64
    assert numerical_diff(np.exp, np.array([1, 2])).dtype == np.float64


def test_total_cancellation_in_part_of_a_sweep_is_computed():
    # 1e-17 is below the spacing at 1 (2.2e-16): x + eps == x, the difference is 0.
    estimates = numerical_diff(np.exp, 1.0, np.array([1e-17, 1e-5]))
    assert estimates[0] == 0.0
    assert estimates[1] == pytest.approx(np.e, rel=1e-9)
    # Points of different sizes: the step moves some of them only.
    partial = numerical_diff(np.sin, np.array([1e-3, 1e3]), 1e-15)
    assert partial[1] == 0.0 and partial[0] != 0.0


def test_exact_step_uses_the_representable_step():
    x, eps = 1.1, 1e-7
    taken = (x + eps) - x
    assert taken != eps
    expected = (np.exp(x + taken) - np.exp(x - taken)) / (2 * taken)
    assert numerical_diff(np.exp, x, eps, exact_step=True) == expected
    assert numerical_diff(np.exp, x, eps) == (np.exp(x + eps) - np.exp(x - eps)) / (2 * eps)


def test_seed_functions_work_with_every_scheme():
    def composite(v):
        return Square()(Exp()(Square()(v)))

    exact = CATALOGUE["exp_square_squared"].derivative(0.5)
    for scheme in SCHEMES:
        estimate = numerical_diff(composite, Variable(np.array(0.5)), 1e-3 if scheme != "complex_step"
                                  else 1e-20, scheme=scheme)
        assert estimate == pytest.approx(exact, rel=1e-2)


def test_non_finite_values_of_f_propagate_without_warnings():
    with np.errstate(all="raise"):
        estimate = numerical_diff(lambda v: np.where(v > 1, np.inf, v), np.array([0.5, 1.0]), 1e-3)
    assert estimate[0] == pytest.approx(1.0) and not np.isfinite(estimate[1])


def _real_only(v):
    return np.real(np.exp(v))


BAD_INPUT = [
    (dict(f=3.0), TypeError, "f must be callable"),
    (dict(x="a"), TypeError, "x must hold real numbers"),
    (dict(x=[1.0, "a"]), TypeError, "x must hold real numbers"),
    (dict(x=True), TypeError, "x must hold real numbers"),
    (dict(x=1 + 2j), TypeError, "x must hold real numbers"),
    (dict(x=np.nan), ValueError, "x must be finite, got NaN"),
    (dict(x=[1.0, np.inf]), ValueError, "x must be finite, got infinite"),
    (dict(x=[]), ValueError, "x must not be empty"),
    (dict(eps=0.0), ValueError, "eps must be positive"),
    (dict(eps=-1e-3), ValueError, "eps must be positive"),
    (dict(eps=np.nan), ValueError, "eps must not be NaN"),
    (dict(eps=np.inf), ValueError, "eps must be finite"),
    (dict(eps=[]), ValueError, "eps must not be empty"),
    (dict(eps="small"), TypeError, "eps must hold positive real numbers"),
    (dict(eps=1e-20), ValueError, "eps=1e-20 is below the spacing of floating-point numbers at x"),
    (dict(x=[1.0, 2.0, 3.0], eps=[1e-3, 1e-4]), ValueError, "do not broadcast"),
    (dict(scheme="centered"), ValueError, "unknown scheme 'centered'; valid schemes: forward, backward"),
    (dict(scheme=None), TypeError, "scheme must be a string"),
    (dict(deriv=0), ValueError, "deriv must be between 1 and 8"),
    (dict(deriv=9), ValueError, "deriv must be between 1 and 8"),
    (dict(deriv=2.0), TypeError, "deriv must be an integer"),
    (dict(deriv=3, scheme="complex_step"), ValueError, "deriv must be between 1 and 2 for scheme 'complex_step'"),
    (dict(exact_step="yes"), TypeError, "exact_step must be True or False"),
    (dict(f=lambda v: 1.0, x=[1.0, 2.0]), ValueError, r"f must return an array of the shape of its input, \(2,\)"),
    (dict(f=lambda v: np.sum(v), x=[1.0, 2.0]), ValueError, "f must return an array of the shape"),
    (dict(f=lambda v: "text"), TypeError, "f must return numbers"),
    (dict(f=lambda v: None), TypeError, "f must return numbers"),
    (dict(f=_real_only, scheme="complex_step", eps=1e-20), ValueError,
     "complex_step needs f to return complex values"),
    (dict(x=np.float16(1.0), eps=1e-20, scheme="complex_step"), ValueError,
     "eps must be positive in float16: 1e-20 underflows to 0"),
    (dict(x=np.float16(1.0), eps=1e6), ValueError, "eps must be positive and finite in float16"),
]


@pytest.mark.parametrize("kwargs, error, match", BAD_INPUT)
def test_bad_input_raises_naming_the_argument(kwargs, error, match):
    arguments = dict(f=np.exp, x=1.0, eps=1e-4)
    arguments.update(kwargs)
    with np.errstate(all="raise"), pytest.raises(error, match=match):
        numerical_diff(arguments.pop("f"), arguments.pop("x"), arguments.pop("eps"), **arguments)


def test_complex_step_accepts_tiny_steps():
    assert numerical_diff(np.exp, 1.0, 1e-300, scheme="complex_step") == pytest.approx(np.e, rel=1e-15)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        numerical_diff(np.exp, 1.0, 1e-4, "forward")


@pytest.mark.parametrize("scheme", ["forward", "central", "central4", "backward2"])
def test_values_of_f_are_never_written_to(scheme):
    """f may return read-only arrays, arrays it keeps, or its own argument."""
    x = np.linspace(0.5, 1.5, 7)
    constant = numerical_diff(lambda v: np.broadcast_to(-2.0, np.shape(v)), x, 1e-3,
                              scheme=scheme)
    assert np.all(constant == 0)
    kept = []

    def remembering(v):
        kept.append((v.copy(), np.sin(v) - 2.0))
        return kept[-1][1]

    numerical_diff(remembering, x, 1e-3, scheme=scheme)
    for argument, values in kept:
        np.testing.assert_array_equal(values, np.sin(argument) - 2.0)
    np.testing.assert_allclose(numerical_diff(lambda v: v, x, 1e-3, scheme=scheme), 1.0,
                               rtol=1e-12)


@pytest.mark.parametrize("deriv", [1, 2, 3])
@pytest.mark.parametrize("scheme", REAL_SCHEMES)
def test_derivative_and_the_step_rules_share_its_arithmetic(scheme, deriv):
    # Symmetric offsets taken in pairs, summed in the same order: the same bits.
    x = np.linspace(-2.0, 2.0, 23)
    h = np.full_like(x, 0.01)
    expected = numerical_diff(np.exp, x, h, scheme=scheme, deriv=deriv)
    found = stencil_estimate(Evaluator(np.exp, dtype=x.dtype), x, h,
                             get_scheme(scheme).stencil(deriv))
    assert np.array_equal(found.estimate, expected)


@pytest.mark.parametrize("f", [np.sin, CATALOGUE["squire_trapp"]])  # a ufunc, and t**3 in f
@pytest.mark.parametrize("dtype", [float, np.float64, np.float32, np.float16, np.longdouble])
@pytest.mark.parametrize("scheme", REAL_SCHEMES)
def test_a_scalar_call_gives_the_array_paths_bits(scheme, dtype, f):
    for deriv in range(1, MAX_DERIV + 1):
        for x, eps in ((1.0, 1e-2), (-0.5, 0.1), (0.3, 1e-3)):
            point = dtype(x)
            one = numerical_diff(f, point, eps, scheme=scheme, deriv=deriv)
            array = numerical_diff(f, np.array(point), eps, scheme=scheme, deriv=deriv)[()]
            assert type(one) is type(array) and np.array_equal(one, array, equal_nan=True)
            if f is not np.sin:
                continue  # t**3 may round differently on arrays of other shapes
            array = numerical_diff(f, np.array([point]), eps, scheme=scheme, deriv=deriv)
            assert type(one) is type(array[0]), (deriv, x)
            assert np.array_equal(one, array[0], equal_nan=True), (deriv, x)


def test_a_scalar_call_checks_what_f_returns_as_the_array_path_does():
    import math

    assert numerical_diff(math.exp, 1.0) == numerical_diff(math.exp, np.array(1.0))
    assert numerical_diff(lambda t: t, np.float32(2.0)).dtype == np.float32
    with pytest.raises(ValueError, match="shape of its input"):
        numerical_diff(lambda t: np.array([t, t]), 1.0)
    with pytest.raises(TypeError, match="must return numbers"):
        numerical_diff(lambda t: "a", 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(numerical_diff(np.exp, 1000.0))  # inf - inf, silently


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(x=np.nan), ValueError, "finite"), (dict(eps=-1.0), ValueError, "positive"),
    (dict(eps=1e-30), ValueError, "below the spacing"), (dict(deriv=9), ValueError, "deriv"),
    (dict(deriv=True), TypeError, "deriv"), (dict(scheme="centre"), ValueError, "unknown"),
    (dict(f=3), TypeError, "callable"), (dict(eps=np.nan), ValueError, "NaN")])
def test_a_scalar_call_raises_as_the_array_path(kwargs, error, match):
    arguments = dict(f=np.exp, x=1.0, eps=1e-4)
    arguments.update(kwargs)
    f, x = arguments.pop("f"), arguments.pop("x")
    with pytest.raises(error, match=match):
        numerical_diff(f, x, **arguments)


def test_default_step_is_for_low_orders_and_unit_scale_step_serves_high_ones():
    """The claims of the `eps` parameter: 1e-4 loses a fourth derivative, the scaled step keeps it."""
    from numdiff import unit_scale_step

    bound = machine_epsilon() * SCHEMES["central"].stencil(4).weight_sum / 1e-4 ** 4
    assert 30 < bound < 40  # "about 35 |f|"
    assert abs(numerical_diff(np.exp, 1.0, deriv=4) - np.e) > 0.1 * np.e
    for q in range(2, 9):
        h = unit_scale_step(SCHEMES["central"].stencil(q), machine_epsilon())
        assert abs(numerical_diff(np.exp, 1.0, h, deriv=q) / np.e - 1) < 1e-2


@pytest.mark.parametrize("exact_step", [False, True])
@pytest.mark.parametrize("x", [8.98846567431158e307, np.float64(8.98846567431158e307)])
def test_a_step_past_the_largest_number_gives_nan_without_a_warning(x, exact_step):
    # x + eps overflows: the scalar path leaves it to the array path, which
    # evaluates f at inf as at any point where f is not finite.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = numerical_diff(np.exp, x, eps=8.988465674311579e307, scheme="backward",
                               exact_step=exact_step)
    assert np.isnan(value)
