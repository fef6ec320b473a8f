"""Floating-point formats: numpy's, and the machine-learning formats of ml_dtypes."""

import numpy as np
import pytest

from numdiff import machine_epsilon, numerical_diff, unit_roundoff
from numdiff.formats import ML_FORMATS, format_dtype, format_info, is_real_floating

ml_dtypes = pytest.importorskip("ml_dtypes", reason="the 'formats' extra (ml_dtypes) is not installed")

#: Machine epsilon of each format: 2^-(mantissa bits).
EPSILON = {"bfloat16": 2.0 ** -7, "float8_e4m3fn": 2.0 ** -3, "float8_e5m2": 2.0 ** -2}


@pytest.mark.parametrize("name", ML_FORMATS)
def test_epsilon_and_unit_roundoff_of_the_ml_formats(name):
    dtype = format_dtype(name)
    assert is_real_floating(dtype)
    assert machine_epsilon(dtype) == EPSILON[name] == float(format_info(dtype).eps)
    assert unit_roundoff(dtype) == EPSILON[name] / 2


@pytest.mark.parametrize("name", ML_FORMATS)
@pytest.mark.parametrize("scheme", ["forward", "central", "central4"])
def test_numerical_diff_keeps_the_format_and_its_error_fits_the_format(name, scheme):
    dtype = format_dtype(name)
    x = np.array([0.5, 1.0], dtype=dtype)
    estimate = numerical_diff(np.exp, x, np.array(0.25, dtype=dtype), scheme=scheme)
    assert estimate.dtype == dtype
    # A coarse format, a coarse step: the error is a few units of the format, not nonsense.
    error = np.abs(estimate.astype(float) - np.exp(x.astype(float)))
    assert np.all(error < 40 * EPSILON[name] * np.exp(x.astype(float)))


def test_format_names_are_checked():
    assert format_dtype("longdouble") == np.dtype(np.longdouble)
    with pytest.raises(ValueError, match="unknown floating-point format 'float7'"):
        format_dtype("float7")
    with pytest.raises(ValueError, match="not a real floating-point format"):
        format_dtype("int32")
    with pytest.raises(TypeError, match="dtype must be a floating-point dtype"):
        format_info(np.int64)
    assert not is_real_floating(np.complex128) and not is_real_floating(np.int8)


def test_derivative_runs_in_bfloat16_and_its_estimate_covers_the_error():
    from numdiff import derivative

    x = np.linspace(0.25, 2.0, 8).astype(format_dtype("bfloat16"))
    res = derivative(np.exp, x)
    assert res.df.dtype == x.dtype and res.error.dtype == x.dtype
    true = np.exp(x.astype(np.float64))
    error = np.abs(res.df.astype(np.float64) - true)
    assert np.all(error <= res.error.astype(np.float64))
    assert np.all(error <= 0.25 * true)  # u = 2^-8; far from the best fixed step's 0.5 %
