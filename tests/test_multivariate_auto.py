"""gradient, jacobian, hessian and directional with automatic steps: accuracy, coverage, cost."""

import numpy as np
import pytest

from numdiff import (CountedFunction, DerivativeStatus, MultivariateResult, directional,
                     gradient, gradient_check, hessian, jacobian)
from numdiff.catalogue import rosenbrock as rosen
from numdiff.catalogue import rosenbrock_gradient as rosen_gradient
from numdiff.catalogue import rosenbrock_hessian as rosen_hessian


def relative_error(estimate, exact):
    """Largest entry error over the largest entry."""
    return np.abs(estimate - exact).max() / np.abs(exact).max()


def seeded_points(n, count=20, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-2.0, 2.0, n) for _ in range(count)]


#: What is computed, its exact value, the accuracy target and evaluations for n variables.
TARGETS = {"gradient": (gradient, rosen_gradient, 1e-12, lambda n: 10 * n),
           "hessian": (hessian, rosen_hessian, 1e-9, lambda n: 5 * (n * n + n) + 1)}


@pytest.mark.parametrize("n", [5, 100])
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_rosenbrock_meets_the_accuracy_and_coverage_targets(name, n):
    method, exact_of, target, evaluations = TARGETS[name]
    covered = []
    for x in seeded_points(n):
        res = method(rosen, x, vectorized=n > 5)
        exact = exact_of(x)
        assert relative_error(res.df, exact) <= target
        covered.append(np.abs(res.df - exact) <= res.error)
        assert res.nfev == evaluations(n)
        if name == "hessian":
            np.testing.assert_array_equal(res.df, res.df.T)
    assert np.mean(covered) >= 0.99


def sum_of_sines(x):
    """``sum sin(x_i x_(i+1))``: terms of both signs, a sum far below its terms' sizes."""
    return np.sum(np.sin(x[:-1] * x[1:]), axis=0)


def sum_of_sines_gradient(x):
    c = np.cos(x[:-1] * x[1:])
    g = np.zeros_like(x)
    g[:-1] += c * x[1:]
    g[1:] += c * x[:-1]
    return g


def coverage_and_ratio(method, f, exact_of, points, **options):
    """The share of entries whose error is within the estimate, and the median estimate/error."""
    covered, ratios = [], []
    for x in points:
        res = method(f, x, **options)
        error = np.abs(res.df - exact_of(x))
        covered.append(error <= res.error)
        ratios.append(res.error[error > 0] / error[error > 0])
    return np.mean(covered), np.median(np.concatenate(ratios))


def test_sums_whose_terms_cancel_are_covered():
    """A value of ``f`` errs by about ``eps sum_j |x_j df/dx_j| / 2``, not ``eps |f|``: the estimates
    that counted only ``|f|`` and the line's own coordinate covered 93% of the gradient's entries
    of ``sum sin(x_i x_(i+1))`` and 60% of the Hessian's of ``sin(w . x)`` (batched)."""
    points = seeded_points(20)
    covered, ratio = coverage_and_ratio(gradient, sum_of_sines, sum_of_sines_gradient, points)
    assert covered >= 0.99 and ratio <= 50
    w = np.random.default_rng(1).uniform(-1.0, 1.0, 20)
    covered, ratio = coverage_and_ratio(
        hessian, lambda x: np.sin(np.tensordot(w, x, axes=(0, 0))),
        lambda x: -np.sin(w @ x) * np.outer(w, w), points, vectorized=True)
    assert covered >= 0.99 and ratio <= 50
    # each value of a vector-valued f has its own scale (75% covered when it counted only |f|)
    covered, ratio = coverage_and_ratio(
        jacobian, lambda x: np.stack([sum_of_sines(x), np.sin(w @ x)]),
        lambda x: np.stack([sum_of_sines_gradient(x), np.cos(w @ x) * w]), points)
    assert covered >= 0.99 and ratio <= 50
    res = gradient(sum_of_sines, points[0])
    assert res.nfev == 10 * 20
    assert relative_error(res.df, sum_of_sines_gradient(points[0])) <= 1e-13


def scipy_evaluations(function, f, x):
    """What scipy.differentiate's `function` returns at x, and the points it evaluated f at."""
    points = []

    def counted(t):
        points.append(np.size(t[0]))
        return f(t)

    return function(counted, x), sum(points)


@pytest.mark.parametrize("n", [5, 100])
def test_fewer_evaluations_than_scipy_differentiate(n):
    differentiate = pytest.importorskip("scipy.differentiate")
    x = seeded_points(n, count=1)[0]
    ours = gradient(rosen, x, vectorized=True)
    theirs, evaluations = scipy_evaluations(differentiate.jacobian, rosen, x)
    assert ours.nfev < evaluations
    assert relative_error(ours.df, rosen_gradient(x)) <= 1e-12
    assert relative_error(theirs.df, rosen_gradient(x)) <= 1e-12
    if n == 5:  # scipy's Hessian costs thousands of evaluations at n = 100
        ours = hessian(rosen, x)
        theirs, evaluations = scipy_evaluations(differentiate.hessian, rosen, x)
        assert ours.nfev < evaluations / 10
        assert relative_error(ours.df, rosen_hessian(x)) <= \
            max(1e-9, relative_error(theirs.ddf, rosen_hessian(x)))


def relative_errors_and_evaluations(method, f, points, exact):
    """Per point: the relative error of `method(f, x)` (its ``df``) and the points it evaluated."""
    errors, evaluations = [], []
    for x in points:
        estimate, count = scipy_evaluations(method, f, x)
        errors.append(relative_error(estimate.df, exact(x)))
        evaluations.append(count)
    return np.array(errors), np.array(evaluations)


@pytest.mark.parametrize("n", [5, 100])
def test_rosenbrock_gradient_at_least_as_accurate_as_scipy_with_fewer_evaluations(n):
    differentiate = pytest.importorskip("scipy.differentiate")
    points = seeded_points(n)

    def ours(f, x):
        return gradient(f, x, vectorized=True)

    our_errors, our_evaluations = relative_errors_and_evaluations(ours, rosen, points,
                                                                  rosen_gradient)
    their_errors, their_evaluations = relative_errors_and_evaluations(
        differentiate.jacobian, rosen, points, rosen_gradient)
    assert np.all(our_evaluations == 10 * n) and np.all(our_evaluations < their_evaluations)
    for statistic in (np.mean, np.median, np.max):
        assert statistic(our_errors) <= statistic(their_errors)
    assert our_errors.max() <= 1e-12


def test_a_polynomial_line_takes_the_settled_column_of_largest_steps():
    """Rosenbrock is a quartic along each axis: one extrapolation of the central difference
    (order 4) is exact, and its entry of largest steps is read, not the top entry (order 10);
    a function that is no polynomial keeps the top entry."""
    x = seeded_points(5, count=1)[0]
    res = gradient(rosen, x)
    assert np.all(res.order[:-1] == 4) and res.order[-1] == 2  # x_n enters as a square
    np.testing.assert_array_equal(res.step, [1 / 16] * 4 + [1 / 8])  # rows 0-1, row 0
    assert np.all(np.abs(res.df - rosen_gradient(x)) <= res.error)
    assert relative_error(res.df, rosen_gradient(x)) <= 1e-14
    smooth = gradient(lambda t: np.sum(np.exp(np.sin(t))), x)
    assert np.all(smooth.order == 10)
    h = hessian(rosen, x)
    assert relative_error(h.df, rosen_hessian(x)) <= 1e-13
    assert np.all(np.abs(h.df - rosen_hessian(x)) <= h.error)


def mixed(x):
    """Indexing only: the batched and single-point evaluations do the same arithmetic."""
    return x[0] ** 2 * x[1] + np.sin(x[1] * x[2]) + np.exp(x[0]) * x[2]


X0 = np.array([0.3, -0.7, 1.2])


def test_vectorized_equals_loop():
    for function in (gradient, hessian):
        loop, batched = function(mixed, X0), function(mixed, X0, vectorized=True)
        for field in ("df", "error", "status", "step", "order"):
            np.testing.assert_array_equal(getattr(loop, field), getattr(batched, field))
        assert loop.nfev == batched.nfev


def test_a_matrix_of_weights_and_a_tensor_valued_function():
    rng = np.random.default_rng(3)
    W = rng.uniform(-1, 1, (3, 4))
    v = rng.uniform(-1, 1, 4)

    def layer(w):  # tensor-valued: shape (2, 3)
        y = np.tanh(w @ v)
        return np.stack([y, y ** 2])

    res = jacobian(layer, W)
    assert res.df.shape == (2, 3, 3, 4) and res.error.shape == res.df.shape
    y = np.tanh(W @ v)
    dy = (1 - y ** 2)[:, None] * v[None, :]  # d y_a / d W_ab
    exact = np.zeros((2, 3, 3, 4))
    for a in range(3):
        exact[0, a, a] = dy[a]
        exact[1, a, a] = 2 * y[a] * dy[a]
    # ``w @ v`` rounds more than ``u |f|``: its terms cancel; so no coverage asserted here.
    np.testing.assert_allclose(res.df, exact, rtol=0, atol=1e-13)
    assert np.all(res.error < 1e-13)
    g = gradient(lambda w: np.sum(layer(w)), W)
    np.testing.assert_allclose(g.df, exact.sum(axis=(0, 1)), rtol=0, atol=1e-13)
    assert hessian(lambda w: np.sum(w ** 3), W).df.shape == (3, 4, 3, 4)


def test_zero_dimensional_x_is_one_variable():
    res = gradient(np.exp, np.float64(0.5))
    assert res.df.shape == () and abs(res.df - np.exp(0.5)) <= res.error


def test_complex_valued_functions_keep_their_imaginary_part():
    x = np.array([0.4, 1.1])

    def f(t):
        return np.exp(1j * t[0]) * t[1]

    g = gradient(f, x)
    exact = np.array([1j * np.exp(1j * x[0]) * x[1], np.exp(1j * x[0])])
    assert g.df.dtype.kind == "c" and g.error.dtype == np.float64
    assert np.all(np.abs(g.df - exact) <= g.error)
    H = hessian(f, x)
    exact_h = np.array([[-np.exp(1j * x[0]) * x[1], 1j * np.exp(1j * x[0])],
                        [1j * np.exp(1j * x[0]), 0.0]])
    assert np.all(np.abs(H.df - exact_h) <= H.error)
    with pytest.raises(ValueError, match="complex_step needs f real for real x"):
        gradient(f, x, scheme="complex_step")
    fixed = hessian(f, x, step="fixed")
    assert fixed.dtype.kind == "c"
    np.testing.assert_allclose(fixed, exact_h, atol=1e-6)


def test_a_function_varying_faster_than_its_length_scale_is_refined():
    x = np.array([2.4, 0.5])

    def f(t):
        return np.exp(2 * t[0] ** 2) + t[1]

    res = gradient(f, x)
    exact = np.array([4 * x[0] * np.exp(2 * x[0] ** 2), 1.0])
    assert np.all(np.abs(res.df - exact) <= res.error)
    assert abs(res.df[0] - exact[0]) <= 1e-13 * exact[0]
    assert res.step[0] < gradient(f, x, refinements=0).step[0]


def test_statuses_and_nan():
    res = gradient(lambda t: np.log(t[0]) + t[1], np.array([1e-300, 1.0]))
    assert isinstance(res, MultivariateResult)
    assert res.status[0] == DerivativeStatus.NON_FINITE and res.status[1] == 0


def test_directional_is_the_gradients_projection_at_the_cost_of_one_derivative():
    for n in (3, 1000):
        x = np.linspace(-1.0, 1.0, n)
        v = np.cos(np.arange(n))
        counted = CountedFunction(rosen)
        res = directional(counted, x, v)
        exact = rosen_gradient(x) @ v
        scale = np.abs(rosen_gradient(x)) @ np.abs(v)
        assert abs(res.df - exact) <= res.error and res.error <= 1e-12 * scale
        assert res.nfev == counted.calls == 10


def test_directional_batched_equals_loop():
    V = np.array([[1.0, -0.5, 0.25], [0.0, 1.0, 0.0]])
    loop, batched = directional(mixed, X0, V), directional(mixed, X0, V, vectorized=True)
    np.testing.assert_array_equal(loop.df, batched.df)
    np.testing.assert_array_equal(loop.error, batched.error)
    assert loop.nfev == batched.nfev == 20


def test_directional_of_a_vector_function_is_a_jacobian_vector_product():
    def f(t):
        return np.array([t[0] * t[1], np.sin(t[2]), t[0] ** 3])

    x = np.array([1.0, 2.0, 3.0])
    V = np.array([[1.0, 0.5, -1.0], [0.0, 1.0, 0.0]])
    res = directional(f, x, V)
    J = np.array([[x[1], x[0], 0], [0, 0, np.cos(x[2])], [3 * x[0] ** 2, 0, 0]])
    assert res.df.shape == (2, 3)
    assert np.all(np.abs(res.df - V @ J.T) <= res.error)


def test_fixed_step_gradient_check_takes_exactly_2n_evaluations():
    n = 40
    x = np.linspace(-1.0, 1.0, n)
    counted = CountedFunction(rosen)
    assert gradient_check(counted, x, rosen_gradient, atol=1e-6)
    assert counted.calls == 2 * n


def test_directional_gradient_check_catches_a_wrong_gradient_of_ten_thousand_variables():
    n = 10_000
    x = np.random.default_rng(5).uniform(-1.5, 1.5, n)

    def wrong(t):
        g = rosen_gradient(t)
        g[1234] *= -1
        return g

    counted = CountedFunction(rosen)
    assert gradient_check(counted, x, rosen_gradient, directions=10, seed=1)
    assert counted.calls <= 10 * 10 + 1
    result = gradient_check(rosen, x, wrong, directions=10, seed=1)
    assert not result and result.directions.shape == (10, n)
    for k in range(1, 4):
        assert not gradient_check(rosen, x, wrong, directions=1, seed=k)


@pytest.mark.parametrize("call, error, match", [
    (lambda: gradient(rosen, X0, step="exact"), ValueError, "step must be one of"),
    (lambda: gradient(rosen, X0, levels=1), ValueError, "levels must be between 2 and 12"),
    (lambda: gradient(rosen, X0, rtol=-1.0), ValueError, "rtol must be non-negative"),
    (lambda: hessian(rosen, X0, refinements=-1), ValueError, "refinements must be between"),
    (lambda: directional(rosen, X0, np.ones(2)), ValueError, r"v must have the shape of x"),
    (lambda: directional(rosen, X0, np.zeros(3)), ValueError, "v must not be zero"),
    (lambda: directional(rosen, X0, np.array([1.0, np.inf, 0.0])), ValueError, "v must be finite"),
    (lambda: directional(rosen, X0, "abc"), TypeError, "v must hold real numbers"),
    (lambda: gradient_check(rosen, X0, rosen_gradient, directions=0), ValueError, "directions must be between"),
    (lambda: gradient_check(rosen, X0, rosen_gradient, directions=2, eps=1e-6), ValueError, "eps sets the fixed steps"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_hessian_varying_faster_than_its_length_scale_is_refined():
    x = np.array([2.4, 0.5])

    def f(t):
        return np.exp(2 * t[0] ** 2) * t[1]

    e = np.exp(2 * x[0] ** 2)
    exact = np.array([[(4 + 16 * x[0] ** 2) * e * x[1], 4 * x[0] * e], [4 * x[0] * e, 0.0]])
    once = hessian(f, x, refinements=0)
    res = hessian(f, x)
    assert np.all(np.abs(res.df - exact) <= res.error)
    assert relative_error(res.df, exact) <= 1e-12 < relative_error(once.df, exact)
    assert res.status[0, 0] == res.status[0, 1] == DerivativeStatus.CONVERGED
    assert res.step[0, 0] < once.step[0, 0] and res.nfev <= 2 * once.nfev
    np.testing.assert_array_equal(res.df, res.df.T)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_and_the_estimate_covers(dtype):
    x = X0.astype(dtype)
    exact = np.array([2 * X0[0] * X0[1] + np.exp(X0[0]) * X0[2],
                      X0[0] ** 2 + X0[2] * np.cos(X0[1] * X0[2]),
                      X0[1] * np.cos(X0[1] * X0[2]) + np.exp(X0[0])])
    res = gradient(mixed, x)
    assert res.df.dtype == res.error.dtype == res.step.dtype == dtype
    assert np.all(np.abs(res.df.astype(float) - exact) <= res.error)
    assert hessian(mixed, x).df.dtype == dtype


def test_a_matrix_point_batched_equals_loop():
    W = np.arange(6.0).reshape(2, 3) / 7

    def f(w):  # elementwise and indexing only: same arithmetic batched
        return np.sin(w[0, 0] * w[1, 2]) + w[0, 1] ** 3 * w[1, 0] + np.exp(w[0, 2] - w[1, 1])

    for function in (gradient, hessian):
        loop, batched = function(f, W), function(f, W, vectorized=True)
        np.testing.assert_array_equal(loop.df, batched.df)
        assert loop.df.shape == (2, 3) * (1 if function is gradient else 2)
