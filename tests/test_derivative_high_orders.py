"""derivative at orders 5 to 8: levels down to the base stencil's optimal step, not below."""

import numpy as np
import pytest

from numdiff import SCHEMES, derivative
from numdiff._plan import make_plan
from numdiff.catalogue import CATALOGUE
from numdiff.schemes import CAUCHY_MAX_DERIV
from numdiff.theory import machine_epsilon, unit_scale_step

SMOOTH = ["exp", "sin", "tanh", "exp_square_squared", "log", "sqrt", "reciprocal",
          "squire_trapp"]


def best_fixed_step_error(tf, x, q):
    """The error model's minimum for the central stencil of order q (steps 2^-30 .. 2^-2).

    ``eps sum|c| max|f| / h^q + |K| |f^(q+2)(x)| h^2``, ``max|f|`` over the
    stencil's values (it stands for ``|f|`` where ``f(x) = 0``).
    """
    st = SCHEMES["central"].stencil(q)
    eps, far = machine_epsilon(), max(st.offsets)
    steps = [h for h in 2.0 ** np.arange(-30, -1.75, 0.25) if tf.contains(x - far * h) and tf.contains(x + far * h)]
    truncation = abs(float(st.error_coefficient) * float(tf.derivative(x, q + 2)))
    return min(eps * float(st.weight_sum) * max(abs(float(tf(x + g * h))) for g in st.offsets)
               / h**q + truncation * h**2 for h in steps)


@pytest.mark.parametrize("q", [5, 6, 7, 8])
@pytest.mark.parametrize("name", SMOOTH)
def test_high_orders_reach_the_best_fixed_step_and_are_covered(name, q):
    tf = CATALOGUE[name]
    x = tf.default_x
    result = derivative(tf, x, deriv=q)
    error = abs(float(result.df) - float(tf.reference(x, q)))
    assert error <= 10 * best_fixed_step_error(tf, x, q)
    assert error <= float(result.error)


@pytest.mark.parametrize("q", [5, 6, 7, 8])
@pytest.mark.parametrize("name", ["exp", "sin", "tanh"])
def test_high_orders_converge_to_a_tolerance_they_can_reach(name, q):
    tf = CATALOGUE[name]
    result = derivative(tf, tf.default_x, deriv=q, rtol=1e-2)
    assert int(result.status) == 0
    assert abs(float(result.df) - float(tf.reference(tf.default_x, q))) <= float(result.error)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_orders_up_to_four_keep_the_default_levels(name, dtype):
    spec = SCHEMES[name]
    u = machine_epsilon(dtype)
    for q in range(1, min(CAUCHY_MAX_DERIV, spec.max_deriv) + 1):
        assert spec.automatic_levels(q, 2, u) == spec.default_levels


def test_orders_up_to_four_keep_five_levels_for_the_refinements_reach():
    # The levels' rule of the orders above 4 would give central8 two levels here; two levels
    # let three refinement rounds shrink the step only 8 times, too little for 1/x at 0.05 or
    # for abs at 1e-3 (docs/method-evidence.md,
    # "Why orders 1 to 4 keep five levels").
    tf = CATALOGUE["reciprocal"]
    true = tf.derivative(0.05, 3)
    five, two = (derivative(tf, 0.05, deriv=3, scheme="central8", levels=k) for k in (None, 2))
    assert abs(float(five.df) - true) <= min(float(five.error), 1e-9 * abs(true))
    assert abs(float(two.df) - true) > 1e-6 * abs(true) and int(two.status) != 0
    five, two = (derivative(np.abs, 1e-3, scheme="central8", levels=k) for k in (None, 2))
    assert float(five.df) == 1.0
    assert abs(float(two.df) - 1.0) > 100 * float(two.error)


@pytest.mark.parametrize("name", ["central", "central4", "central6"])
def test_levels_stop_at_the_base_stencils_optimal_step(name):
    spec = SCHEMES[name]
    u = machine_epsilon()
    for q in range(CAUCHY_MAX_DERIV + 1, spec.max_deriv + 1):
        levels = spec.automatic_levels(q, 2, u)
        plan = make_plan(spec, q, levels, 2, np.dtype(np.float64))
        best = unit_scale_step(spec.stencil(q), u)
        smallest = plan.auto_constant / 2 ** (levels - 1)
        assert 2 <= levels <= spec.default_levels
        assert smallest >= best or levels == 2
        assert smallest / 2 < best or levels == spec.default_levels


@pytest.mark.parametrize("name", ["forward", "backward", "forward2", "backward2"])
def test_one_sided_schemes_keep_cauchys_step_and_the_default_levels(name):
    spec = SCHEMES[name]
    u = machine_epsilon()
    for q in range(1, spec.max_deriv + 1):
        assert spec.takes_cauchy(q)
        assert spec.automatic_levels(q, 2, u) == spec.default_levels


def test_high_orders_use_the_reach_cap_step():
    # derivatives of unit size put every tableau's optimum beyond the cap: h0 = L / 8
    u = machine_epsilon()
    for q in range(5, 9):
        assert SCHEMES["central"].initial_step(q, 5, 2, u)[0] == 0.125
    assert [SCHEMES["central"].automatic_levels(q, 2, u) for q in range(5, 9)] == [4, 3, 2, 2]


def test_given_levels_are_kept():
    tf = CATALOGUE["exp"]
    with_five = derivative(tf, 1.0, deriv=8, levels=5, refinements=0)
    automatic = derivative(tf, 1.0, deriv=8, refinements=0)
    with_two = derivative(tf, 1.0, deriv=8, levels=2, refinements=0)
    # eight points per level and the centre once
    assert int(with_five.nfev) == 5 * 8 + 1 and int(automatic.nfev) == 2 * 8 + 1
    assert float(automatic.df) == float(with_two.df)


def one_sided_model_minimum(points, q, reach=0.5):
    """The error model's minimum for the forward stencil of `points` offsets (0, 1, ...) and
    derivative order q, at derivatives of unit size, over steps whose stencil stays within
    `reach`: ``eps sum|c| / h^q + |K| h^p``."""
    from numdiff.stencil import stencil

    st = stencil(tuple(range(points)), q)
    eps = machine_epsilon()
    steps = 2.0 ** np.arange(-12, 4, 0.125)
    steps = steps[steps * (points - 1) <= reach]
    return min(eps * float(st.weight_sum) / h**q +
               abs(float(st.error_coefficient)) * h**st.accuracy for h in steps)


def test_one_sided_high_orders_are_limited_by_the_reach_of_their_stencil():
    # Within L/2 of x (the reach cap), the forward stencil of the eighth derivative cannot do
    # better than about 0.16 at its best step (0.037), nor any forward stencil of up to 20
    # points better than about 0.035; at a reach of 4 L the best is still 5.5e-4 (rounding as
    # the worst case, derivatives of unit size). The central stencil with the same reach on
    # either side: 1.5e-3, a hundred times better than the forward one.
    assert one_sided_model_minimum(9, 8) > 0.1
    assert min(one_sided_model_minimum(n, 8) for n in range(9, 21)) > 1e-2
    assert 1e-4 < min(one_sided_model_minimum(n, 8, reach=4.0) for n in range(9, 21)) < 1e-3
    central = SCHEMES["central"].stencil(8)
    assert one_sided_model_minimum(9, 8) > 100 * min(
        machine_epsilon() * float(central.weight_sum) / h**8 +
        abs(float(central.error_coefficient)) * h**2 for h in 2.0 ** np.arange(-8, -2.9, 0.125))
