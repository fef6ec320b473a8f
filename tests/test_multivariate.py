"""gradient, jacobian and hessian: accuracy, evaluation count, batching, bad input."""

import numpy as np
import pytest

from numdiff import (SCHEMES, Exp, Variable, coordinate_steps, error_model, gradient,
                     hessian, jacobian, numerical_diff, machine_epsilon)


def sum_exp(x):
    """``sum_i exp(x_i)``, on one point (n,) or on columns (n, m)."""
    return np.sum(np.exp(x), axis=0)


def mixed(x):
    """A scalar function of three variables written with indexing only, so that
    the batched and the single-point evaluations do the same arithmetic."""
    return x[0] ** 2 * x[1] + np.sin(x[1] * x[2]) + np.exp(x[0]) * x[2]


def mixed_gradient(x):
    return np.array([2 * x[0] * x[1] + np.exp(x[0]) * x[2],
                     x[0] ** 2 + x[2] * np.cos(x[1] * x[2]),
                     x[1] * np.cos(x[1] * x[2]) + np.exp(x[0])])


def mixed_hessian(x):
    c, s = np.cos(x[1] * x[2]), np.sin(x[1] * x[2])
    return np.array([
        [2 * x[1] + np.exp(x[0]) * x[2], 2 * x[0], np.exp(x[0])],
        [2 * x[0], -x[2] ** 2 * s, c - x[1] * x[2] * s],
        [np.exp(x[0]), c - x[1] * x[2] * s, -x[1] ** 2 * s],
    ])


def polar(x):
    return np.array([x[0] * np.cos(x[1]), x[0] * np.sin(x[1]), x[0] * x[1]])


def polar_jacobian(x):
    return np.array([[np.cos(x[1]), -x[0] * np.sin(x[1])],
                     [np.sin(x[1]), x[0] * np.cos(x[1])],
                     [x[1], x[0]]])


class Counter:
    """Wraps ``f``, counting calls and the points evaluated."""

    def __init__(self, f, batched=False):
        self.f, self.batched, self.calls, self.points, self.shapes = f, batched, 0, 0, set()

    def __call__(self, x):
        self.calls += 1
        self.points += x.shape[1] if self.batched else 1
        self.shapes.add(x.shape[:1])
        return self.f(x)


X0 = np.array([0.3, -0.7, 1.2])

# Tolerances from each scheme's error at its default step (u = 2.2e-16):
# order-1 schemes ~ sqrt(u) ~ 1.5e-8, order 2 ~ u^(2/3) ~ 4e-11, higher orders
# better; the factor 100 covers the derivative scales of `mixed` (~3).
GRADIENT_TOL = {"forward": 2e-6, "backward": 2e-6, "central": 1e-8, "forward2": 1e-8,
                "backward2": 1e-8, "central4": 1e-10, "central6": 1e-10, "central8": 1e-10,
                "complex_step": 1e-14}


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_gradient_matches_analytic(scheme):
    error = np.abs(gradient(mixed, X0, scheme=scheme, step="fixed") - mixed_gradient(X0)).max()
    assert error < GRADIENT_TOL[scheme]


def test_gradient_error_falls_with_the_scheme_order():
    """Log-log slope of the error against eps equals the order (truncation regime)."""
    eps = np.array([1e-2, 5e-3, 2.5e-3])
    for scheme, order in [("forward", 1), ("central", 2), ("central4", 4)]:
        errors = [np.abs(gradient(mixed, X0, scheme=scheme, eps=e, step="fixed") - mixed_gradient(X0)).max()
                  for e in eps]
        slope = np.polyfit(np.log(eps), np.log(errors), 1)[0]
        assert slope == pytest.approx(order, abs=0.15)


def test_jacobian_matches_analytic():
    x = np.array([2.0, 0.4])
    J = jacobian(polar, x, step="fixed")
    assert J.shape == (3, 2)
    np.testing.assert_allclose(J, polar_jacobian(x), rtol=0, atol=1e-9)
    np.testing.assert_allclose(jacobian(polar, x, scheme="central4", step="fixed"), polar_jacobian(x),
                               rtol=0, atol=1e-11)


def test_jacobian_of_a_scalar_function_is_the_gradient():
    np.testing.assert_array_equal(jacobian(mixed, X0, step="fixed"), gradient(mixed, X0, step="fixed"))


@pytest.mark.parametrize("scheme, tol", [("central", 1e-6), ("forward", 1e-4),
                                         ("central4", 1e-8), ("forward2", 1e-6)])
def test_hessian_matches_analytic(scheme, tol):
    H = hessian(mixed, X0, scheme=scheme, step="fixed")
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(H, mixed_hessian(X0), rtol=0, atol=tol)


def test_hessian_evaluation_counts():
    n = 5
    x = np.linspace(0.1, 0.5, n)
    for scheme, expected in [("central", 2 * n * n + 1), ("forward", (n + 1) * (n + 2) // 2)]:
        counter = Counter(sum_exp)
        hessian(counter, x, scheme=scheme, step="fixed")
        assert counter.calls == expected


@pytest.mark.parametrize("scheme", ["central", "forward", "central4", "complex_step"])
def test_vectorized_equals_loop(scheme):
    np.testing.assert_array_equal(gradient(mixed, X0, scheme=scheme, vectorized=True, step="fixed"),
                                  gradient(mixed, X0, scheme=scheme, step="fixed"))
    x = np.array([2.0, 0.4])
    np.testing.assert_array_equal(jacobian(polar, x, scheme=scheme, vectorized=True, step="fixed"),
                                  jacobian(polar, x, scheme=scheme, step="fixed"))
    if scheme != "complex_step":
        np.testing.assert_array_equal(hessian(mixed, X0, scheme=scheme, vectorized=True, step="fixed"),
                                      hessian(mixed, X0, scheme=scheme, step="fixed"))


def test_batches_are_split_and_give_the_same_result(monkeypatch):
    import numdiff.multivariate as multivariate

    monkeypatch.setattr(multivariate, "BATCH_ELEMENTS", 7)  # 2 points of 3 per call
    counter = Counter(mixed, batched=True)
    split = gradient(counter, X0, vectorized=True, step="fixed")
    assert counter.calls == 3 and counter.points == 6
    np.testing.assert_array_equal(split, gradient(mixed, X0, step="fixed"))


def test_thousand_variables_cost_and_accuracy():
    """2n calls of f with the whole vector; error as small as one variable's."""
    n = 1000
    x = np.linspace(0.0, 1.0, n)
    counter = Counter(sum_exp)
    g = gradient(counter, x, step="fixed")
    assert counter.calls == 2 * n and counter.shapes == {(n,)}
    batched = Counter(sum_exp, batched=True)
    gradient(batched, x, vectorized=True, step="fixed")
    assert batched.points == 2 * n and batched.calls == 1

    error = np.abs(g - np.exp(x))
    # The one-variable central difference of the same partial function
    # t -> f(x) - exp(x_i) + exp(t) (its value is |f(x)| ~ 1700, which sets
    # the rounding error), at the same steps.
    h = coordinate_steps(x)
    rest = sum_exp(x) - np.exp(x)
    one_variable = np.abs(numerical_diff(lambda t: rest + np.exp(t), x, h) - np.exp(x))
    assert error.max() <= 10 * one_variable.max()
    # and the error theory of that one-variable difference
    model = error_model("central", f_scale=sum_exp(x), derivative_scale=np.exp(x))(h)
    assert error.max() <= 10 * model.max()


def test_forward_and_complex_step_counts():
    n = 50
    x = np.linspace(0.0, 1.0, n)
    for scheme, expected in [("forward", n + 1), ("complex_step", n), ("central4", 4 * n)]:
        counter = Counter(sum_exp)
        gradient(counter, x, scheme=scheme, step="fixed")
        assert counter.calls == expected


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_and_default_step_follows_it(dtype):
    x = X0.astype(dtype)
    g = gradient(mixed, x, step="fixed")
    assert g.dtype == dtype and hessian(mixed, x, step="fixed").dtype == dtype
    u = machine_epsilon(dtype)
    np.testing.assert_allclose(coordinate_steps(x), (3 * u) ** (1 / 3) * np.maximum(1, np.abs(x)),
                               rtol=1e-6)
    assert np.abs(g - mixed_gradient(X0)).max() < 100 * u ** (2 / 3)


def test_steps_scale_with_x():
    h = coordinate_steps(np.array([0.0, -1e3]), 1e-4)
    np.testing.assert_allclose(h, [1e-4, 1e-1])
    np.testing.assert_allclose(coordinate_steps(np.array([1.0, 2.0]), np.array([1e-3, 1e-2])),
                               [1e-3, 2e-2])


def test_variables_and_functions():
    x = Variable(np.array([0.5, 1.0]))
    np.testing.assert_allclose(jacobian(Exp(), x, step="fixed"), np.diag(np.exp([0.5, 1.0])), atol=1e-9)


def vector_valued(x):
    return np.array([x[0], x[1]])


@pytest.mark.parametrize("call, error, match", [
    (lambda: gradient(sum_exp, np.array([]), step="fixed"), ValueError, "x must not be empty"),
    (lambda: gradient(sum_exp, np.array([1.0, np.nan]), step="fixed"), ValueError, "x must be finite"),
    (lambda: gradient(vector_valued, X0, step="fixed"), ValueError, r"f must return a scalar.*jacobian"),
    (lambda: gradient(lambda x: "a", X0, step="fixed"), TypeError, "f must return numbers"),
    (lambda: gradient(lambda X: X, X0, vectorized=True, step="fixed"), ValueError, "vectorized=True"),
    (lambda: gradient(3, X0, step="fixed"), TypeError, "f must be callable"),
    (lambda: gradient(sum_exp, X0, eps=[1e-3, 1e-3], step="fixed"), ValueError, r"eps must be a number or an array of shape \(3,\)"),
    (lambda: gradient(sum_exp, X0, eps=-1.0, step="fixed"), ValueError, "eps must be positive"),
    (lambda: gradient(sum_exp, np.array([1e20, 1.0]), eps=1e-20, step="fixed"), ValueError, r"eps is too small.*x\[0\]"),
    (lambda: gradient(sum_exp, X0, vectorized="yes", step="fixed"), TypeError, "vectorized must be True or False"),
    (lambda: gradient(sum_exp, X0, scheme="centre", step="fixed"), ValueError, "unknown scheme"),
    (lambda: gradient(lambda x: np.sum(x.real), X0, scheme="complex_step", step="fixed"), ValueError, "complex_step needs f to return complex"),
    (lambda: hessian(sum_exp, X0, scheme="complex_step", step="fixed"), ValueError, "hessian needs a real scheme"),
    (lambda: jacobian(lambda x: x[: 1 + int(x[0] > 0.3)], X0, step="fixed"), ValueError, "the same shape at every point"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
