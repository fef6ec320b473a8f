"""Tests of the catalogue of test functions: exact derivatives against mpmath."""

import dataclasses
import math

import mpmath
import numpy as np
import pytest

from numdiff.catalogue import CATALOGUE, TestFunction, get_function

NAMES = list(CATALOGUE)
ANALYTIC = [name for name, f in CATALOGUE.items() if f.analytic]

# Points inside each domain besides the default, away from zeros of the
# derivatives so that a relative tolerance is meaningful.
OTHER_POINTS = {
    "square": (-1.3, 0.7),
    "cube": (-2.5, 0.3),
    "exp": (-3.0, 5.5),
    "exp_square_squared": (-0.8, 1.7),
    "sin": (-2.0, 4.0),
    "log": (0.2, 30.0),
    "sqrt": (0.05, 7.0),
    "reciprocal": (0.1, 3.0),
    "tanh": (-1.2, 3.0),
    "squire_trapp": (-0.4, 0.6),
    "abs": (0.5, 20.0),
}
CASES = [(name, x) for name, f in CATALOGUE.items()
         for x in (f.default_x, *OTHER_POINTS[name])]


def in_domain_points(f, shape, seed=0):
    """Points within a factor 1.5 of the default point (inside every domain)."""
    rng = np.random.default_rng(seed)
    return f.default_x * rng.uniform(0.5, 1.5, size=shape)


def test_other_points_cover_the_catalogue():
    assert set(OTHER_POINTS) == set(CATALOGUE)


@pytest.mark.parametrize("name", NAMES)
def test_entry_is_consistent(name):
    f = CATALOGUE[name]
    assert isinstance(f, TestFunction)
    assert f.name == name
    lo, hi = f.domain
    assert lo < hi
    assert f.contains(f.default_x)
    assert all(f.contains(x) for x in OTHER_POINTS[name])


def test_catalogue_is_read_only():
    with pytest.raises(TypeError):
        CATALOGUE["square"] = CATALOGUE["cube"]


@pytest.mark.parametrize("name, x", CASES)
@pytest.mark.parametrize("k", range(7))
def test_closed_forms_match_mpmath(name, x, k):
    f = CATALOGUE[name]
    expected = float(f.reference(x, k))
    assert f.derivative(x, k) == pytest.approx(expected, rel=1e-12, abs=1e-30)


@pytest.mark.parametrize("name, x", CASES)
@pytest.mark.parametrize("k", range(7, 13))
def test_high_orders_match_mpmath(name, x, k):
    f = CATALOGUE[name]
    expected = float(f.reference(x, k))
    assert f.derivative(x, k) == pytest.approx(expected, rel=1e-8, abs=1e-30)


@pytest.mark.parametrize("name", ["squire_trapp", "tanh", "exp_square_squared"])
def test_mpmath_fallback_above_the_closed_forms(name):
    closed = CATALOGUE[name]
    fallback = dataclasses.replace(closed, _max_closed_order=2)
    x = in_domain_points(closed, (2, 2)).astype(np.float32)
    for k in (3, 5):
        got = fallback.derivative(x, k)
        assert got.dtype == np.float64 and got.shape == x.shape
        expected = [float(closed.reference(xi, k)) for xi in x.ravel()]
        np.testing.assert_allclose(got.ravel(), expected, rtol=1e-15)
        np.testing.assert_allclose(got, closed.derivative(x.astype(np.float64), k),
                                   rtol=1e-12)
    # Orders up to the cap still use the closed form, in the input's dtype.
    assert fallback.derivative(x, 2).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_reference_has_the_requested_digits(name):
    f = CATALOGUE[name]
    x = f.default_x
    coarse = f.reference(x, 3, dps=30)
    fine = f.reference(x, 3, dps=60)
    assert isinstance(fine, mpmath.mpf)
    with mpmath.workdps(60):
        assert abs(coarse - fine) <= mpmath.mpf(10) ** -28 * max(1, abs(fine))


def test_reference_is_exact_for_exp():
    with mpmath.workdps(50):
        error = get_function("exp").reference(1.0, 5) - mpmath.e
        assert abs(error) < mpmath.mpf(10) ** -45


@pytest.mark.parametrize("name", ANALYTIC)
def test_complex_step_gives_the_derivative(name):
    f = CATALOGUE[name]
    h = 1e-20
    for x in (f.default_x, *OTHER_POINTS[name]):
        estimate = f(complex(x, h)).imag / h
        assert estimate == pytest.approx(f.derivative(x, 1), rel=1e-14)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128, np.clongdouble])
def test_complex_input_keeps_its_precision(name, dtype):
    f = CATALOGUE[name]
    x = in_domain_points(f, (5,))
    z = f(x.astype(dtype))
    assert z.dtype == dtype
    # On the real axis the complex evaluation agrees with the real one.
    real = f(x.astype(np.finfo(dtype).dtype))
    np.testing.assert_allclose(z.real, real, rtol=10 * np.finfo(dtype).eps)
    np.testing.assert_array_equal(z.imag, 0)


def test_abs_is_continued_from_each_half_plane():
    f = get_function("abs")
    z = np.array([2 + 1j, -2 + 1j, 1e-3 + 1e-20j])
    np.testing.assert_array_equal(f(z), [2 + 1j, 2 - 1j, 1e-3 + 1e-20j])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
def test_dtype_is_preserved(name, dtype):
    f = CATALOGUE[name]
    x = np.asarray(f.default_x, dtype=dtype)
    assert f(x).dtype == dtype
    for k in range(5):
        got = f.derivative(x, k)
        assert got.dtype == dtype
        expected = float(f.reference(f.default_x, k))
        # Closed forms evaluated in `dtype`: a few rounding errors of it.
        assert float(got) == pytest.approx(expected, rel=20 * float(np.finfo(dtype).eps),
                                           abs=1e-30)


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_becomes_float64(name):
    f = CATALOGUE[name]
    assert f.derivative(np.array([1, 2]), 1).dtype == np.float64
    assert f(2).dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (12,), (3, 4)])
def test_vectorised_matches_scalar_loop(name, shape):
    f = CATALOGUE[name]
    x = in_domain_points(f, shape)
    for k in (0, 1, 3, 6):
        got = f.derivative(x, k)
        assert np.shape(got) == shape
        loop = np.reshape([f.derivative(float(xi), k) for xi in x.ravel()], shape)
        np.testing.assert_allclose(got, loop, rtol=1e-15, atol=0)
    assert np.shape(f(x)) == shape
    np.testing.assert_allclose(f(x), np.reshape([f(float(xi)) for xi in x.ravel()],
                                                shape), rtol=1e-15, atol=0)


def test_scalar_input_gives_a_numpy_scalar():
    f = get_function("sin")
    assert isinstance(f(1.0), np.float64)
    assert isinstance(f.derivative(1.0, 2), np.float64)


def test_seed_derivative_is_the_specified_value():
    # d/dx exp(x**2)**2 = 4x exp(2x**2); at 0.5 this is 2 exp(0.5).
    f = get_function("exp_square_squared")
    assert f.derivative(0.5) == pytest.approx(3.2974425414002564, rel=1e-15)
    assert f(0.5) == pytest.approx(math.exp(0.5), rel=1e-15)


def test_contains_excludes_the_ends_of_the_domain():
    f = get_function("log")
    assert f.contains(0.0) is False
    assert f.contains(np.inf) is False
    np.testing.assert_array_equal(f.contains([[-1.0, 1e-300], [1.0, np.inf]]),
                                  [[False, True], [True, False]])


def test_squire_trapp_domain_ends_are_singular():
    f = get_function("squire_trapp")
    lo, hi = f.domain
    for end in (lo, hi):
        assert abs(math.sin(end) ** 3 + math.cos(end) ** 3) < 1e-15


@pytest.mark.parametrize("name, error, match", [
    ("cosh", ValueError, r"`name` must be one of 'square', 'cube', .*'abs'; got 'cosh'"),
    ("", ValueError, "`name` must be one of"),
    ("Sin", ValueError, "got 'Sin'"),
    (3, TypeError, "`name` must be a str, got int"),
    (None, TypeError, "`name` must be a str, got NoneType"),
])
def test_get_function_rejects_bad_names(name, error, match):
    with pytest.raises(error, match=match):
        get_function(name)


def test_get_function_returns_the_entry():
    assert get_function("tanh") is CATALOGUE["tanh"]


@pytest.mark.parametrize("call, error, match", [
    (lambda f: f.derivative(1.0, -1), ValueError, "`k` must be non-negative"),
    (lambda f: f.derivative(1.0, 1.0), TypeError, "`k` must be an integer"),
    (lambda f: f.derivative(1.0, True), TypeError, "`k` must be an integer"),
    (lambda f: f.derivative(1.0 + 0j), TypeError, "`x` must be real"),
    (lambda f: f.reference([1.0, 2.0]), ValueError, "`x` must be a scalar"),
    (lambda f: f.reference(1j), TypeError, "`x` must be real"),
    (lambda f: f.reference(1.0, -2), ValueError, "`k` must be non-negative"),
    (lambda f: f.reference(1.0, dps=0), ValueError, "`dps` must be positive"),
    (lambda f: f.reference(1.0, dps=5.0), TypeError, "`dps` must be an integer"),
])
def test_methods_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(get_function("exp"))


@pytest.mark.parametrize("name", NAMES)
def test_entries_pickle_as_their_name(name):
    import pickle

    assert pickle.loads(pickle.dumps(CATALOGUE[name])) is CATALOGUE[name]


def test_dask_can_hash_entries_without_breaking_mpmath():
    tokenize = pytest.importorskip("dask.base").tokenize
    assert tokenize(CATALOGUE["exp"]) == tokenize(CATALOGUE["exp"])
    assert tokenize(CATALOGUE["exp"]) != tokenize(CATALOGUE["sin"])
    assert mpmath.e.context is mpmath.mp
    assert abs(CATALOGUE["exp"].reference(1.0) - mpmath.e) < 1e-15
