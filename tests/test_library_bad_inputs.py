"""Bad input to the library: a clear TypeError or ValueError naming the argument, or a status.

Every public function, given an argument it cannot use, raises TypeError or
ValueError with a message that names that argument; given usable arguments at
which the numerics fail, returns finite values or says so (a status for the
functions that return one, a documented non-finite value for the bare arrays).
No other exception type, no warning leaks out of the library. The cases are
written out by hand (tables of bad values per argument and entry point, each
with its exception and message fragment) and drawn by hypothesis.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numdiff as nd
from numdiff import DerivativeStatus, Exp, Square, Variable


def _sum_exp(v):
    return np.sum(np.exp(v))


def _pair(v):
    return np.stack([np.sum(v), np.prod(v)])


X2 = np.array([1.0, 2.0])

#: Entry point -> a call with good defaults that the keywords override.
ENTRIES = {
    "numerical_diff": lambda f=np.exp, x=1.0, **k: nd.numerical_diff(f, x, **k),
    "derivative": lambda f=np.exp, x=1.0, **k: nd.derivative(f, x, **k),
    "gradient": lambda f=_sum_exp, x=X2, **k: nd.gradient(f, x, **k),
    "jacobian": lambda f=_pair, x=X2, **k: nd.jacobian(f, x, **k),
    "hessian": lambda f=_sum_exp, x=X2, **k: nd.hessian(f, x, **k),
    "directional": lambda f=_sum_exp, x=X2, v=np.array([1.0, 0.0]), **k:
        nd.directional(f, x, v, **k),
    "gradient_check": lambda f=_sum_exp, x=X2, grad=np.exp, **k:
        nd.gradient_check(f, x, grad, **k),
    "estimate_noise": lambda f=np.exp, x=1.0, **k: nd.estimate_noise(f, x, **k),
    "noise_aware_step": lambda f=np.exp, x=1.0, **k: nd.noise_aware_step(f, x, **k),
    "coordinate_steps": lambda x=X2, **k: nd.coordinate_steps(x, **k),
}
WITH_F = [name for name in ENTRIES if name != "coordinate_steps"]
SCALAR_F = {"gradient", "hessian", "directional", "gradient_check"}
WITH_SCHEME = [name for name in ENTRIES if name != "estimate_noise"]

READS_X = (TypeError, "x must hold real numbers")
#: x -> (exception, fragment), for every entry point.
BAD_X = {
    "None": (None, READS_X),
    "string": ("a", READS_X),
    "ragged": ([1.0, [2.0, 3.0]], (TypeError, "x must be a real number or array")),
    "empty": ([], (ValueError, "x must not be empty")),
    "empty_2d": (np.zeros((0, 3)), (ValueError, "x must not be empty")),
    "nan": (np.nan, (ValueError, "x must be finite, got NaN")),
    "inf": (np.inf, (ValueError, "x must be finite, got infinite")),
    "-inf": (-np.inf, (ValueError, "x must be finite, got infinite")),
    "nan_in_array": (np.array([1.0, np.nan]), (ValueError, "x must be finite, got NaN")),
    "bool": (True, READS_X),
    "bool_array": (np.array([True, False]), READS_X),
    "complex": (1 + 2j, READS_X),
    "object": (object(), READS_X),
    "dict": ({"a": 1}, READS_X),
    "str_array": (np.array(["a", "b"]), READS_X),
    "datetime": (np.datetime64("2020-01-01"), READS_X),
}
BAD_F = {"None": None, "int": 3, "string": "exp", "list": [np.exp]}
NOT_NUMBERS = (TypeError, "f must return numbers")
LESS_PRECISE = (TypeError, "less precise than the working dtype")
#: What f returns -> (element-wise f, scalar f, expected).
BAD_VALUES = {
    "strings": (lambda v: np.full(np.shape(v), "a"), lambda v: "a", NOT_NUMBERS),
    "None": (lambda v: None, lambda v: None, NOT_NUMBERS),
    "bools": (lambda v: np.asarray(v) > 0, lambda v: np.sum(v) > 0, NOT_NUMBERS),
    "objects": (lambda v: np.full(np.shape(v), object()), lambda v: object(), NOT_NUMBERS),
    "float32": (lambda v: np.asarray(np.exp(v), np.float32),
                lambda v: np.float32(np.sum(np.exp(v))), LESS_PRECISE),
    "float16": (lambda v: np.asarray(np.exp(v), np.float16),
                lambda v: np.float16(np.sum(v)), LESS_PRECISE),
    "complex64": (lambda v: np.asarray(np.exp(v), np.complex64),
                  lambda v: np.complex64(np.sum(v)), LESS_PRECISE),
}
BAD_SCHEME = {
    "unknown": ("centrall", (ValueError, "unknown scheme 'centrall'")),
    "empty": ("", (ValueError, "unknown scheme ''")),
    "None": (None, (TypeError, "scheme must be a string")),
    "int": (3, (TypeError, "scheme must be a string")),
    "list": (["central"], (TypeError, "scheme must be a string")),
}


def _deriv_cases(name, scheme_max):
    return {
        "zero": (0, (ValueError, f"deriv must be between 1 and {scheme_max}")),
        "negative": (-1, (ValueError, "deriv must be between 1")),
        "too_high": (99, (ValueError, "deriv must be between 1")),
        "float": (1.0, (TypeError, "deriv must be an integer")),
        "bool": (True, (TypeError, "deriv must be an integer")),
        "string": ("1", (TypeError, "deriv must be an integer")),
        "None": (None, (TypeError, "deriv must be an integer")),
    }


def _step_cases(name):
    return {
        "zero": (0.0, (ValueError, f"{name} must be positive")),
        "negative": (-1e-3, (ValueError, f"{name} must be positive")),
        "nan": (np.nan, (ValueError, f"{name} must not be NaN")),
        "inf": (np.inf, (ValueError, f"{name} must be finite")),
        "string": ("a", (TypeError, f"{name} must hold positive real numbers")),
        "complex": (1j, (TypeError, f"{name} must hold positive real numbers")),
        "bool": (True, (TypeError, f"{name} must hold positive real numbers")),
        "empty": ([], (ValueError, f"{name} must not be empty")),
        "object": (object(), (TypeError, f"{name} must hold positive real numbers")),
    }


def _integer_cases(name, low, high, *, low_message=None):
    return {
        "bool": (True, (TypeError, f"{name} must be an integer")),
        "float": (2.5, (TypeError, f"{name} must be an integer")),
        "string": ("3", (TypeError, f"{name} must be an integer")),
        "below": (low - 1, (ValueError, low_message or f"{name} must be between {low}")),
        "huge": (10**9, (ValueError, f"{name} must be ")),
    }


def _tolerance_cases(name, strict):
    negative = f"{name} must be non-negative"
    return {
        "negative": (-1.0, (ValueError, negative)),
        "nan": (np.nan, (ValueError, negative if strict else f"{name} must be finite")),
        "inf": (np.inf, (ValueError, negative if strict else f"{name} must be finite")),
        "string": ("a", (TypeError, f"{name} must be a real number")),
        "bool": (True, (TypeError, f"{name} must be a real number")),
        "complex": (1j, (TypeError, f"{name} must be a real number")),
    }


FLAG_CASES = {"int": 1, "string": "yes", "None": None}

#: Entry point -> option -> {label: (value, (exception, fragment))}.
OPTIONS = {
    "numerical_diff": {
        "eps": _step_cases("eps"), "deriv": _deriv_cases("deriv", 8),
        "exact_step": {k: (v, (TypeError, "exact_step must be True or False"))
                       for k, v in FLAG_CASES.items()},
    },
    "derivative": {
        "deriv": _deriv_cases("deriv", 8),
        "step": {"unknown": ("fixed", (ValueError, "unknown step rule 'fixed'")),
                 "negative": (-1.0, (ValueError, "step must be positive")),
                 "None": (None, (TypeError, "step must hold positive real numbers")),
                 "nan": (np.nan, (ValueError, "step must not be NaN"))},
        "levels": _integer_cases("levels", 2, 12),
        "refinements": _integer_cases("refinements", 0, 10),
        "ratio": {"one": (1.0, (ValueError, "ratio must be greater than 1")),
                  "negative": (-2.0, (ValueError, "ratio must be greater than 1")),
                  "nan": (np.nan, (ValueError, "ratio must be finite")),
                  "string": ("2", (TypeError, "ratio must be a real number")),
                  "huge": (1e300, (ValueError, "ratio must be at most 1000"))},
        "rtol": _tolerance_cases("rtol", strict=False),
        "atol": _tolerance_cases("atol", strict=False),
        "noise": {"negative": (-1e-3, (ValueError, "noise must be non-negative")),
                  "nan": (np.nan, (ValueError, "noise must be non-negative and finite")),
                  "inf": (np.inf, (ValueError, "noise must be non-negative and finite")),
                  "string": ("a", (TypeError, "noise must be a non-negative number")),
                  "complex": (1j, (TypeError, "noise must be a non-negative number")),
                  "bool": (True, (TypeError, "noise must be a non-negative number")),
                  "empty": ([], (ValueError, "noise must not be empty"))},
        "domain": {"reversed": ((1.0, 0.0), (ValueError, "inside domain")),
                   "string": ("a", (TypeError, "domain must be a pair")),
                   "single": ((0.0,), (TypeError, "domain must be a pair")),
                   "outside": ((2.0, 3.0), (ValueError, "inside domain")),
                   "nan": ((np.nan, 1.0), (ValueError, "domain must not contain NaN"))},
    },
    "gradient": {
        "step": {"unknown": ("fix", (ValueError, "step must be one of")),
                 "None": (None, (ValueError, "step must be one of")),
                 "int": (1, (ValueError, "step must be one of"))},
        "eps": _step_cases("eps"),
        "vectorized": {k: (v, (TypeError, "vectorized must be True or False"))
                       for k, v in FLAG_CASES.items()},
        "levels": _integer_cases("levels", 2, 12),
        "refinements": _integer_cases("refinements", 0, 10),
        "rtol": _tolerance_cases("rtol", strict=True),
        "atol": _tolerance_cases("atol", strict=True),
    },
    "jacobian": {"eps": _step_cases("eps"), "refinements": _integer_cases("refinements", 0, 10),
                 "atol": _tolerance_cases("atol", strict=True)},
    "hessian": {"eps": _step_cases("eps"), "levels": _integer_cases("levels", 2, 12),
                "step": {"unknown": ("auto ", (ValueError, "step must be one of"))}},
    "directional": {
        "v": {"zero": (np.zeros(2), (ValueError, "v must not be zero")),
              "nan": (np.array([np.nan, 1.0]), (ValueError, "v must be finite")),
              "shape": (np.ones(3), (ValueError, "v must have the shape of x")),
              "string": ("a", (TypeError, "v must hold real numbers")),
              "None": (None, (TypeError, "v must hold real numbers")),
              "bool": (np.array([True, False]), (TypeError, "v must hold real numbers")),
              "complex": (np.array([1j, 0]), (TypeError, "v must hold real numbers"))},
        "vectorized": {k: (v, (TypeError, "vectorized must be True or False"))
                       for k, v in FLAG_CASES.items()},
        "levels": _integer_cases("levels", 2, 12),
        "rtol": _tolerance_cases("rtol", strict=True),
    },
    "gradient_check": {
        "grad": {"None": (None, (TypeError, "grad must hold real numbers")),
                 "int": (3, (ValueError, "grad must have the shape of x")),
                 "shape": (lambda v: np.ones(3), (ValueError, "grad(x) must have the shape")),
                 "strings": (lambda v: "a", (TypeError, "grad(x) must hold real numbers"))},
        "rtol": _tolerance_cases("rtol", strict=True),
        "atol": _tolerance_cases("atol", strict=True),
        "eps": _step_cases("eps"),
        "directions": _integer_cases("directions", 1, 10**6),
        "vectorized": {k: (v, (TypeError, "vectorized must be True or False"))
                       for k, v in FLAG_CASES.items()},
    },
    "estimate_noise": {
        "h": _step_cases("h"),
        "n_points": _integer_cases("n_points", 4, 64,
                                   low_message="n_points must be at least 4"),
    },
    "noise_aware_step": {
        "noise": {"zero": (0.0, (ValueError, "noise must be positive and finite")),
                  "negative": (-1e-3, (ValueError, "noise must be positive and finite")),
                  "nan": (np.nan, (ValueError, "noise must be positive and finite")),
                  "inf": (np.inf, (ValueError, "noise must be positive and finite")),
                  "string": ("a", (TypeError, "noise must be a positive number")),
                  "complex": (1j, (TypeError, "noise must be a positive number")),
                  "bool": (True, (TypeError, "noise must be a positive number")),
                  "empty": ([], (ValueError, "noise must not be empty")),
                  "shape": (np.ones(3), (ValueError, "noise of shape (3,) does not broadcast"))},
        "deriv": _deriv_cases("deriv", 8),
        "noise_step": _step_cases("h"),
        "n_points": _integer_cases("n_points", 4, 64,
                                   low_message="n_points must be at least 4"),
        "max_retries": _integer_cases("max_retries", 0, 10),
        "scheme": {"complex_step": ("complex_step", (ValueError, "needs a real scheme"))},
    },
    "coordinate_steps": {"eps": _step_cases("eps"), "deriv": _deriv_cases("deriv", 8)},
}


def _numerical_cases():
    """Usable arguments at which the numerics fail: refused with the argument named."""
    log_domain = (ValueError, "not real at x = -1")
    return {
        "exact_step_below_spacing_float16": (
            lambda: nd.numerical_diff(np.exp, np.float16(1), 1e-4, exact_step=True),
            (ValueError, "eps=0.0001 is below the spacing")),
        "exact_step_below_spacing_array": (
            lambda: nd.numerical_diff(np.exp, np.full(3, 1e10), 1e-10, exact_step=True),
            (ValueError, "x + eps == x for every element")),
        "step_below_spacing": (lambda: nd.numerical_diff(np.exp, 1e308, 1e-4),
                               (ValueError, "below the spacing")),
        "complex_step_log_of_negative": (
            lambda: nd.numerical_diff(np.log, -1.0, 1e-20, scheme="complex_step"), log_domain),
        "complex_step_log_of_negative_default_step": (
            lambda: nd.numerical_diff(np.log, -1.0, scheme="complex_step"), log_domain),
        "complex_step_sqrt_of_negative_array": (
            lambda: nd.numerical_diff(np.sqrt, np.array([4.0, -4.0]), 1e-10,
                                      scheme="complex_step"),
            (ValueError, "not real at x = -4")),
        "complex_step_log_second_derivative": (
            lambda: nd.numerical_diff(np.log, -1.0, 1e-3, scheme="complex_step", deriv=2),
            (ValueError, "complex_step")),
        "derivative_complex_step_log_of_negative": (
            lambda: nd.derivative(np.log, -1.0, scheme="complex_step"), log_domain),
        "gradient_complex_step_log_of_negative": (
            lambda: nd.gradient(lambda v: np.sum(np.log(v)), np.array([-1.0, 2.0]),
                                scheme="complex_step"),
            (ValueError, "outside the real domain of f")),
        "gradient_fixed_complex_step_log_of_negative": (
            lambda: nd.gradient(lambda v: np.sum(np.log(v)), np.array([-1.0, 2.0]),
                                scheme="complex_step", step="fixed"),
            (ValueError, "outside the real domain of f")),
        "directional_complex_step_log_of_negative": (
            lambda: nd.directional(lambda v: np.sum(np.log(v)), np.array([-1.0, 2.0]),
                                   np.array([1.0, 1.0]), scheme="complex_step"),
            (ValueError, "outside the real domain of f")),
        "complex_step_subnormal": (
            lambda: nd.numerical_diff(np.exp, 1.0, 1e-320, scheme="complex_step"),
            (ValueError, "eps must be at least the smallest normal number")),
        "complex_step_subnormal_float32": (
            lambda: nd.numerical_diff(np.exp, np.float32(1), 1e-40, scheme="complex_step"),
            (ValueError, "eps must be at least the smallest normal number of float32")),
        "gradient_complex_step_subnormal": (
            lambda: nd.gradient(_sum_exp, X2, scheme="complex_step", eps=1e-320),
            (ValueError, "smallest normal number")),
        "complex_step_real_f": (
            lambda: nd.numerical_diff(lambda t: np.abs(t), 1.0, scheme="complex_step"),
            (ValueError, "complex_step needs f to return complex values")),
        "float32_values_scalar": (
            lambda: nd.numerical_diff(lambda t: np.float32(np.exp(t)), 1.0, 1e-8),
            (TypeError, "f returned float32 values for float64 arguments")),
        "float32_values_derivative_array": (
            lambda: nd.derivative(lambda t: np.exp(t).astype(np.float32), np.ones(3)),
            (TypeError, "f returned float32 values for float64 arguments")),
        "float64_values_longdouble_x": (
            lambda: nd.numerical_diff(lambda t: np.exp(t).astype(np.float64),
                                      np.longdouble(1), 1e-10),
            (TypeError, "less precise than the working dtype")),
        "float32_values_gradient": (
            lambda: nd.gradient(lambda v: np.float32(np.sum(np.exp(v))), X2),
            (TypeError, "f returned float32 values")),
        "float32_values_hessian_fixed": (
            lambda: nd.hessian(lambda v: np.float32(np.sum(v ** 2)), X2, step="fixed"),
            (TypeError, "f returned float32 values")),
        "shape_of_values": (lambda: nd.numerical_diff(lambda t: np.ones(3), np.ones(2)),
                            (ValueError, "f must return an array of the shape")),
        "x_eps_do_not_broadcast": (lambda: nd.numerical_diff(np.exp, np.ones(2), np.ones(3) * 1e-3),
                                   (ValueError, "x of shape (2,) and eps of shape (3,)")),
        "eps_overflows_float16": (lambda: nd.numerical_diff(np.exp, np.float16(1), 1e10),
                                  (ValueError, "eps must be positive and finite in float16")),
        "eps_underflows_float16": (lambda: nd.numerical_diff(np.exp, np.float16(1), 1e-20),
                                   (ValueError, "underflows to 0")),
        "noise_points_billion": (lambda: nd.estimate_noise(np.exp, 1.0, n_points=10**9),
                                 (ValueError, "n_points must be at most 64")),
        "noise_retries_million": (lambda: nd.noise_aware_step(np.exp, 1.0, max_retries=10**6),
                                  (ValueError, "max_retries must be between 0 and 10")),
        "hessian_complex_fixed": (lambda: nd.hessian(_sum_exp, X2, scheme="complex_step",
                                                     step="fixed"),
                                  (ValueError, "hessian needs a real scheme with fixed steps")),
        "gradient_vector_valued": (lambda: nd.gradient(_pair, X2),
                                   (ValueError, "f must return a scalar")),
        "gradient_eps_wrong_shape": (lambda: nd.gradient(_sum_exp, X2, eps=np.ones(3) * 1e-3),
                                     (ValueError, "eps must be a number or an array of shape")),
        "gradient_eps_overflows": (lambda: nd.gradient(_sum_exp, np.array([1e308, 1.0]),
                                                       eps=1e300),
                                   (ValueError, "eps * max(1, |x|) overflows")),
        "hessian_eps_overflows": (lambda: nd.hessian(_sum_exp, np.array([1e308, 1.0]),
                                                     eps=1e300),
                                  (ValueError, "eps * max(1, |x|) overflows")),
        "gradient_eps_does_not_move": (lambda: nd.gradient(_sum_exp, np.array([1e10, 1.0]),
                                                           eps=1e-30),
                                       (ValueError, "eps is too small")),
        "vectorized_wrong_length": (lambda: nd.gradient(lambda v: np.sum(v), X2,
                                                        vectorized=True),
                                    (ValueError, "with vectorized=True")),
        "largest_x_backward": (
            lambda: nd.numerical_diff(np.exp, np.finfo(float).max, scheme="backward"),
            (ValueError, "below the spacing")),
        "fixed_steps_beyond_the_largest_number": (
            lambda: nd.gradient_check(_sum_exp, np.finfo(float).max, np.exp),
            (ValueError, "eps is too large")),
        "gradient_fixed_central4_overflows": (
            lambda: nd.gradient(_sum_exp, np.array([1e308, 1.0]), scheme="central4", eps=0.5),
            (ValueError, "overflow float64")),
        "directional_v_subnormal": (lambda: nd.directional(_sum_exp, 1.0, 1e-311),
                                    (ValueError, "smallest normal number of float64")),
        "directional_v_overflows_float16": (
            lambda: nd.directional(_sum_exp, np.float16(1), 1e10),
            (ValueError, "v must be finite in the dtype of x, float16")),
        "noise_shape_bigger_than_x": (lambda: nd.noise_aware_step(np.exp, 1.0, noise=[1e-8, 1e-8]),
                                      (ValueError, "noise of shape (2,) does not broadcast")),
        "error_model_f_scale_string": (
            lambda: nd.error_model("central", f_scale="", derivative_scale=1.0),
            (TypeError, "f_scale must be a non-negative number")),
        "error_model_derivative_scale_none": (
            lambda: nd.error_model("central", f_scale=1.0, derivative_scale=None),
            (ValueError, "derivative_scale must be non-negative")),
        "gradient_check_seed_string": (
            lambda: nd.gradient_check(_sum_exp, X2, np.exp, directions=2, seed="a"),
            (TypeError, "seed must be what numpy.random.default_rng takes")),
        "gradient_check_seed_float": (
            lambda: nd.gradient_check(_sum_exp, X2, np.exp, directions=2, seed=1.5),
            (TypeError, "seed must be")),
        "gradient_check_seed_negative": (
            lambda: nd.gradient_check(_sum_exp, X2, np.exp, directions=2, seed=-1),
            (ValueError, "seed must be")),
        "variable_x_function_f": (lambda: nd.numerical_diff(Square(), Variable("a")),
                                  (TypeError, "x must hold real numbers")),
        "variable_x_nan": (lambda: nd.numerical_diff(Exp(), Variable(np.array(np.nan))),
                           (ValueError, "x must be finite")),
    }


def _cases():
    cases = []
    for entry in ENTRIES:
        for label, (value, expected) in BAD_X.items():
            cases.append(pytest.param(entry, {"x": value}, *expected, id=f"{entry}-x-{label}"))
    for entry in WITH_F:
        for label, value in BAD_F.items():
            cases.append(pytest.param(entry, {"f": value}, TypeError, "f must be callable",
                                      id=f"{entry}-f-{label}"))
        for label, (elementwise, scalar, expected) in BAD_VALUES.items():
            f = scalar if entry in SCALAR_F else elementwise
            if entry == "jacobian":
                f = (lambda g: lambda v: g(np.stack([v[0], v[1]])))(elementwise)
            cases.append(pytest.param(entry, {"f": f}, *expected, id=f"{entry}-returns-{label}"))
    for entry in WITH_SCHEME:
        for label, (value, expected) in BAD_SCHEME.items():
            cases.append(pytest.param(entry, {"scheme": value}, *expected,
                                      id=f"{entry}-scheme-{label}"))
    for entry, options in OPTIONS.items():
        for option, values in options.items():
            for label, (value, expected) in values.items():
                cases.append(pytest.param(entry, {option: value}, *expected,
                                          id=f"{entry}-{option}-{label}"))
    return cases


CASES = _cases()
NUMERICAL = _numerical_cases()


def test_there_are_at_least_200_hand_written_cases():
    assert len(CASES) + len(NUMERICAL) >= 200


def _quietly(call):
    """`call()` with every warning an error (none may leak from the library)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


@pytest.mark.parametrize("entry, arguments, exception, fragment", CASES)
def test_bad_argument_is_named(entry, arguments, exception, fragment):
    with pytest.raises(exception) as raised:
        _quietly(lambda: ENTRIES[entry](**arguments))
    assert type(raised.value) in (TypeError, ValueError)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("call, expected", list(NUMERICAL.values()), ids=list(NUMERICAL))
def test_failing_numerics_are_refused(call, expected):
    exception, fragment = expected
    with pytest.raises(exception) as raised:
        _quietly(call)
    assert fragment in str(raised.value)


# Usable arguments at which f overflows or is not finite: a value with a status,
# or (the bare arrays) the documented non-finite value; never a warning.

def _inf(v):
    return np.full(np.shape(v), np.inf)


def _nan(v):
    return np.full(np.shape(v), np.nan)


OVERFLOWING = {"exp_at_1000": (np.exp, 1000.0), "inf": (_inf, 1.0), "nan": (_nan, 1.0),
               "exp_near_limit": (np.exp, 709.7), "log_of_negative": (np.log, -1.0),
               "huge_x": (np.sin, 1e308)}


def _statuses_mark_non_finite(result):
    df = np.asarray(result.df)
    status = np.asarray(result.status)
    assert status.shape == df.shape
    assert np.all(np.isfinite(df) | (status == DerivativeStatus.NON_FINITE))


@pytest.mark.parametrize("f, x", list(OVERFLOWING.values()), ids=list(OVERFLOWING))
def test_results_with_a_status_mark_what_is_not_finite(f, x):
    _statuses_mark_non_finite(_quietly(lambda: nd.derivative(f, x)))
    points = np.array([x, 1.0])

    def total(v):
        return np.sum(f(v))

    for method in (nd.gradient, nd.hessian):
        _statuses_mark_non_finite(_quietly(lambda: method(total, points)))
    _statuses_mark_non_finite(_quietly(lambda: nd.directional(total, points,
                                                              np.array([1.0, 0.0]))))


@pytest.mark.parametrize("f, x", list(OVERFLOWING.values()), ids=list(OVERFLOWING))
def test_bare_arrays_and_noise_never_warn(f, x):
    eps = 1e300 if x == 1e308 else 1e-4
    value = _quietly(lambda: nd.numerical_diff(f, x, eps))
    assert np.shape(value) == ()
    estimate = _quietly(lambda: nd.estimate_noise(f, x))
    assert np.isfinite(estimate.noise) or estimate.status != nd.NoiseStatus.FOUND
    _quietly(lambda: nd.gradient(lambda v: np.sum(f(v)), np.array([x, 1.0]), step="fixed"))


def test_noise_of_values_that_overflow_is_non_finite():
    for f, x in ((np.exp, 709.7), (_inf, 1.0), (_nan, np.ones(2))):
        estimate = _quietly(lambda: nd.estimate_noise(f, x))
        assert np.all(np.asarray(estimate.status) == nd.NoiseStatus.NON_FINITE)
        assert np.all(np.isnan(estimate.noise))


def test_directional_far_out_has_a_status():
    result = _quietly(lambda: nd.directional(_sum_exp, 0.5 * np.finfo(float).max, 0.5))
    assert result.status == DerivativeStatus.NON_FINITE and np.shape(result.status) == ()


def test_noise_aware_step_beyond_the_dtype_is_inf_without_a_warning():
    result = _quietly(lambda: nd.noise_aware_step(np.sin, np.float16(1), noise=8e4))
    assert result.step == np.inf and result.step.dtype == np.float16


def test_hessian_of_one_variable():
    for x in (0.0, np.array([0.0])):
        result = nd.hessian(lambda v: np.sum(np.exp(v)), x)
        assert result.df.shape == np.shape(x) * 2
        assert np.allclose(result.df, 1.0) and np.all(result.success)


def test_complex_step_overflow_inside_f_is_quiet():
    assert _quietly(lambda: nd.numerical_diff(np.exp, 1000.0, 1e-20,
                                              scheme="complex_step")) == np.inf


def test_hessian_fixed_with_huge_steps_is_quiet_and_not_finite():
    result = _quietly(lambda: nd.hessian(lambda v: np.sum(v ** 2), X2, eps=1e300))
    assert not np.isfinite(result).any()


def test_complex_step_keeps_one_evaluation_at_a_root():
    calls = []

    def f(t):
        calls.append(1)
        return np.sin(t)

    assert nd.numerical_diff(f, 0.0, 1e-20, scheme="complex_step") == 1.0
    assert len(calls) == 1


def test_complex_step_still_works_beside_a_branch_cut():
    assert nd.numerical_diff(np.log, 1e-3, 1e-20, scheme="complex_step") == \
        pytest.approx(1e3, rel=1e-12)
    assert nd.numerical_diff(np.sqrt, 4.0, 1e-20, scheme="complex_step") == \
        pytest.approx(0.25, rel=1e-15)


def test_exact_step_still_nan_where_only_some_elements_do_not_move():
    values = nd.numerical_diff(np.exp, np.array([1.0, 1e10]), 1e-10, exact_step=True)
    assert np.isfinite(values[0]) and np.isnan(values[1])


def test_values_more_precise_than_x_are_converted():
    value = nd.numerical_diff(lambda t: np.exp(t.astype(np.float64)), np.float32(1), 1e-2)
    assert value.dtype == np.float32


# Hypothesis: arguments drawn from good and bad values alike.

XS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(min_value=-1e3, max_value=1e3),
    st.sampled_from([0.0, -0.0, 5e-324, 1e-310, 1e308, -1e308, np.float16(1), np.float32(2),
                     np.longdouble(3)]),
    st.integers(min_value=-10**6, max_value=10**6),
    st.booleans(), st.none(), st.text(max_size=3), st.complex_numbers(max_magnitude=10),
    st.lists(st.floats(min_value=-10, max_value=10), max_size=4),
    st.just(np.zeros((2, 0))),
    hnp.arrays(st.sampled_from([np.float16, np.float32, np.float64]),
               hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)),
)
EPS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(),
                st.sampled_from([1e-320, 1e-300, 1e-8, 1e-4, 0.5, 1e300, -1e-4, 0, "a"]))
SCHEMES = st.one_of(st.sampled_from(sorted(nd.SCHEMES)),
                    st.sampled_from(["centrall", "", None, 3, "central3", "central10"]))
DERIVS = st.one_of(st.integers(min_value=-2, max_value=10), st.sampled_from([1.0, True, None]))
FUNCTIONS = st.sampled_from([np.exp, np.sin, np.log, np.sqrt, _inf, _nan, np.cosh,
                             lambda t: t * 0, lambda t: np.exp(t) * 1e300])
SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _check_outcome(call, *names):
    """The call returns, or raises TypeError/ValueError naming one of `names`; no warning."""
    try:
        return _quietly(call)
    except (TypeError, ValueError) as error:
        message = str(error)
        assert any(re.search(rf"\b{re.escape(name)}\b", message) for name in names), message
        return None


@SETTINGS
@given(f=FUNCTIONS, x=XS, eps=EPS, scheme=SCHEMES, deriv=DERIVS, exact=st.booleans())
def test_numerical_diff_answers_clearly(f, x, eps, scheme, deriv, exact):
    kwargs = {} if eps is None else {"eps": eps}
    _check_outcome(lambda: nd.numerical_diff(f, x, scheme=scheme, deriv=deriv,
                                             exact_step=exact, **kwargs),
                   "f", "x", "eps", "scheme", "deriv", "complex_step")


@SETTINGS
@given(f=FUNCTIONS, x=XS, scheme=SCHEMES, deriv=DERIVS,
       levels=st.one_of(st.none(), st.integers(0, 14)),
       refinements=st.integers(-1, 4))
def test_derivative_answers_clearly_with_a_status(f, x, scheme, deriv, levels, refinements):
    result = _check_outcome(lambda: nd.derivative(f, x, scheme=scheme, deriv=deriv,
                                                  levels=levels, refinements=refinements),
                            "f", "x", "scheme", "deriv", "levels", "refinements", "complex_step")
    if result is not None:
        _statuses_mark_non_finite(result)


@SETTINGS
@given(f=FUNCTIONS, x=st.one_of(XS, st.lists(st.floats(-5, 5), min_size=1, max_size=3)),
       scheme=SCHEMES, fixed=st.booleans(), which=st.sampled_from(["gradient", "hessian"]))
def test_multivariate_answers_clearly_with_a_status(f, x, scheme, fixed, which):
    method = getattr(nd, which)
    result = _check_outcome(lambda: method(lambda v: np.sum(f(v)), x, scheme=scheme,
                                           step="fixed" if fixed else "auto", levels=3,
                                           refinements=1),
                            "f", "x", "scheme", "eps", "complex_step", which)
    if result is not None and not fixed:
        _statuses_mark_non_finite(result)


@SETTINGS
@given(f=FUNCTIONS, x=XS, h=EPS, n_points=st.one_of(st.integers(-1, 80), st.none()),
       noise=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
def test_noise_functions_answer_clearly(f, x, h, n_points, noise):
    n = 9 if n_points is None else n_points
    _check_outcome(lambda: nd.estimate_noise(f, x, None if h is None else h, n_points=n),
                   "f", "x", "h", "n_points")
    _check_outcome(lambda: nd.noise_aware_step(f, x, noise=noise, n_points=n, max_retries=1),
                   "f", "x", "noise", "n_points", "h")


@SETTINGS
@given(scheme=SCHEMES, deriv=DERIVS,
       scales=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                 st.none(), st.text(max_size=1)), min_size=2, max_size=2),
       dtype=st.sampled_from([np.float64, np.float32, np.float16, np.int64, "f8", None, "x"]))
def test_error_model_answers_clearly(scheme, deriv, scales, dtype):
    f_scale, derivative_scale = scales
    names = ("scheme", "deriv", "f_scale", "derivative_scale", "dtype")
    _check_outcome(lambda: nd.error_model(scheme, deriv=deriv, f_scale=f_scale,
                                          derivative_scale=derivative_scale, dtype=dtype), *names)
    _check_outcome(lambda: nd.optimal_step(scheme, deriv=deriv, f_scale=f_scale,
                                           derivative_scale=derivative_scale, dtype=dtype), *names)


@SETTINGS
@given(x=st.one_of(XS, st.lists(st.floats(-5, 5), min_size=1, max_size=3)),
       v=st.one_of(XS, st.lists(st.floats(-5, 5), min_size=1, max_size=3)),
       grad=st.sampled_from([np.exp, None, lambda t: np.ones(7), lambda t: np.exp(t) + 1]),
       directions=st.one_of(st.none(), st.integers(-1, 3)))
def test_directional_and_gradient_check_answer_clearly(x, v, grad, directions):
    result = _check_outcome(lambda: nd.directional(_sum_exp, x, v, levels=3), "f", "x", "v")
    if result is not None:
        _statuses_mark_non_finite(result)
    _check_outcome(lambda: nd.gradient_check(_sum_exp, x, grad, directions=directions),
                   "f", "x", "grad", "directions", "eps")
