"""derivative(): accuracy, error-estimate coverage, status codes, dtypes, vectorisation, bad input."""

import numpy as np
import pytest

from numdiff import Square, Variable, get_scheme, numerical_diff
from numdiff._plan import make_plan
from numdiff.catalogue import CATALOGUE
from numdiff.derivative import STEP_RULES, DerivativeStatus, derivative

U = np.finfo(np.float64).eps


def coverage_points(per_function=60):
    """Each catalogue function on a grid over its domain (clipped to [-3, 3]).

    The automatic step reaches ``max(1,|x|)/8`` (central, 5 levels) from
    ``x``; points closer than that to a singularity, kink or domain edge are
    left out: no method that samples only beyond the feature can see it.
    """
    for name, f in CATALOGUE.items():
        lo, hi = f.domain
        grid = np.linspace(max(lo, -3.0), min(hi, 3.0), per_function + 2)[1:-1]
        grid = np.append(grid, f.default_x)
        reach = np.maximum(1.0, np.abs(grid)) / 8
        keep = (grid - reach > lo) & (grid + reach < hi)
        yield name, f, grid[keep]


def reference(f, x):
    """``f'`` at 50 digits rounded to float64: the float64 closed forms may be an ulp off."""
    return np.array([float(f.reference(v)) for v in np.ravel(x)]).reshape(np.shape(x))


def test_exp_on_a_grid_meets_the_accuracy_target():
    x = np.linspace(0, 1, 10**4)
    res = derivative(np.exp, x)
    true = np.abs(res.df - np.exp(x))
    assert true.max() <= 5e-14
    assert np.all(res.error >= true)
    assert np.all(res.status == DerivativeStatus.CONVERGED)
    assert np.all(res.nfev == 10)


def test_error_estimate_covers_the_true_error_across_the_catalogue():
    covered, ratios = [], []
    for name, f, x in coverage_points():
        res = derivative(f, x)
        exact = reference(f, x)
        true = np.abs(res.df - exact)
        covered.append(res.error >= true)
        # The true error is floored at u |f'| (and at the smallest normal).
        ratios.append(res.error / np.maximum(true, np.maximum(U * np.abs(exact), 1e-300)))
    covered, ratios = np.concatenate(covered), np.concatenate(ratios)
    assert covered.size >= 500
    assert covered.mean() >= 0.995
    assert np.median(ratios) <= 10


def coverage(scheme, **options):
    """Fraction of `coverage_points` (20 per function) where the error estimate covers."""
    covered = []
    for _, f, x in coverage_points(20):
        res = derivative(f, x, scheme=scheme, **options)
        covered.append(res.error >= np.abs(res.df - reference(f, x)))
    return np.concatenate(covered).mean()


@pytest.mark.parametrize("scheme", ["forward", "backward", "forward2", "backward2", "central4",
                                    "central6", "central8"])
def test_error_estimate_of_every_real_scheme_covers_the_catalogue(scheme):
    # The stencils of central6 and central8 once reached 1.5 and 2 times
    # max(1, |x|) and covered 97% of these points.
    assert coverage(scheme) >= 0.99


@pytest.mark.parametrize("scheme", ["central4", "central8", "forward2"])
def test_error_estimate_covers_steps_that_are_not_powers_of_two(scheme):
    # x + g h then rounds, which the value scale must include.
    assert coverage(scheme, step=0.1) >= 0.99


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
@pytest.mark.parametrize("deriv", [1, 2, 3])
@pytest.mark.parametrize("scheme", ["forward", "central", "forward2", "central4", "central6",
                                    "central8"])
def test_first_stencil_reaches_at_most_half_the_length_scale(scheme, deriv, dtype):
    design = make_plan(scheme, deriv, 5, 2.0, np.dtype(dtype))
    reach = max(abs(g) for g in get_scheme(scheme).stencil(deriv).offsets)
    assert design.auto_constant * reach <= 0.5


@pytest.mark.parametrize("scheme, dtype, constant", [
    ("central", np.float64, 1 / 8),  # the theory's step, below the cap
    ("central8", np.float64, 1 / 8),  # the theory's 1/2 reached 2 L
    ("central", np.float16, 1 / 2),  # the theory's 2 reached 2 L
])
def test_initial_step_is_the_theorys_below_the_cap(scheme, dtype, constant):
    assert make_plan(scheme, 1, 5, 2.0, np.dtype(dtype)).auto_constant == constant


def test_squire_trapp_real_and_complex():
    f = CATALOGUE["squire_trapp"]
    exact = float(f.reference(1.5))
    for scheme in ("central", "central4", "central6", "central8"):
        assert abs(derivative(f, 1.5, scheme=scheme).df - exact) <= 1e-13, scheme
    res = derivative(f, 1.5, scheme="complex_step")
    assert abs(res.df - exact) <= 2 * U * abs(exact)
    assert res.nfev == 2 and res.status == 0


@pytest.mark.parametrize("scheme", ["forward", "backward", "forward2", "central4", "central6"])
def test_other_schemes_converge(scheme):
    res = derivative(np.sin, 0.6, scheme=scheme)
    assert abs(res.df - np.cos(0.6)) < 1e-9
    assert res.error >= abs(res.df - np.cos(0.6))


@pytest.mark.parametrize("deriv", [2, 3, 4])
def test_higher_derivatives(deriv):
    res = derivative(np.exp, 0.3, deriv=deriv)
    assert abs(res.df - np.exp(0.3)) <= res.error < 1e-6


def test_non_finite_values_set_the_status_of_those_elements_only():
    def f(x):
        return np.where(np.abs(x - 2.0) < 0.5, np.nan, np.sin(x))

    x = np.array([0.5, 2.0, 3.5, 2.1])
    res = derivative(f, x)
    assert res.status.tolist() == [0, 3, 0, 3]
    assert np.isnan(res.df[1]) and np.isinf(res.error[1])
    assert np.allclose(res.df[[0, 2]], np.cos(x[[0, 2]]), atol=1e-12)


def test_log_near_its_domain_edge_uses_only_the_steps_inside():
    res = derivative(np.log, np.array([0.05, -1.0]))
    assert res.status[1] == DerivativeStatus.NON_FINITE
    assert np.isfinite(res.df[0]) and abs(res.df[0] - 20.0) <= res.error[0]


def test_status_above_tolerance():
    # With a tolerance below the rounding level nothing can converge.
    res = derivative(np.exp, np.array([0.5, 1.0]), rtol=0.0, atol=0.0)
    assert np.all(res.status != DerivativeStatus.CONVERGED)
    assert set(res.status.tolist()) <= {DerivativeStatus.NOT_CONVERGED, DerivativeStatus.ERROR_GREW}
    assert not res.success.any()
    # A kink inside the steps: the estimates get worse as the step shrinks... or
    # do not settle; either way, not converged, and no exception.
    kink = derivative(lambda x: np.abs(x - 0.3), 0.3 + 1e-3)
    assert kink.status in (DerivativeStatus.NOT_CONVERGED, DerivativeStatus.ERROR_GREW,
                           DerivativeStatus.CONVERGED)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.filterwarnings("error::RuntimeWarning")  # e.g. weights overflowing float16
def test_dtype_kept_and_steps_from_its_unit_roundoff(dtype):
    x = np.linspace(0.1, 1.0, 7).astype(dtype)
    res = derivative(np.exp, x)
    for field in (res.df, res.error, res.step):
        assert field.dtype == dtype
    u = np.finfo(dtype).eps
    true = np.abs(res.df.astype(float) - np.exp(x.astype(float)))
    assert np.all(true <= 50 * u * np.exp(x.astype(float)))
    assert np.all(res.error.astype(float) >= true)
    assert np.all(res.status == 0)


def test_longdouble_keeps_its_extra_digits():
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("longdouble is float64 on this platform")
    x = np.arange(1, 51, dtype=np.longdouble) / 37
    res = derivative(np.exp, x)
    true = np.abs(res.df - np.exp(x))  # longdouble's exp, good to about a unit of it
    assert res.df.dtype == np.longdouble
    assert np.all(true <= 0.25 * np.finfo(np.float64).eps * np.exp(x))
    assert np.all(res.error >= true)


@pytest.mark.parametrize("shape", [(), (12,), (3, 4), (3, 2, 2)])
@pytest.mark.parametrize("scheme", ["central", "forward", "complex_step"])
def test_vectorised_equals_scalar_loop(shape, scheme):
    rng = np.random.default_rng(7)
    x = rng.uniform(-2, 2, size=shape)
    res = derivative(np.sin, x, scheme=scheme)
    for field in ("df", "error", "step", "nfev", "status", "order"):
        assert np.shape(getattr(res, field)) == shape
    for index in np.ndindex(shape):
        one = derivative(np.sin, x[index], scheme=scheme)
        assert one.df == res.df[index] or np.isclose(one.df, res.df[index], rtol=0, atol=1e-15)
        assert one.status == res.status[index] and one.nfev == res.nfev[index]


@pytest.mark.parametrize("scheme", ["central", "forward", "central4"])
def test_result_of_an_element_does_not_depend_on_its_neighbours(scheme):
    # Bit for bit, whatever the array's size and where the slice starts (SIMD
    # loops split arrays by size and alignment; the sums must not depend on it).
    x = np.random.default_rng(11).uniform(0.1, 2, size=41)
    whole = derivative(np.exp, x, scheme=scheme)
    for start, stop in [(0, 1), (3, 4), (0, 2), (1, 4), (5, 13), (7, 24), (2, 41)]:
        part = derivative(np.exp, x[start:stop], scheme=scheme)
        np.testing.assert_array_equal(part.df, whole.df[start:stop])
        np.testing.assert_array_equal(part.error, whole.error[start:stop])


def test_nominal_step_rows_change_the_result_far_less_than_its_error(monkeypatch):
    # The leading rows of the central tableau divide by 2h, not by the step actually
    # taken: against a tableau that divides every row by the step taken, the results
    # differ by a few units at most, far below the error estimate, and the estimate
    # still covers the true error. Points in [0.5, 2] with full mantissas, so that
    # x +- h rounds.
    import dataclasses
    import importlib

    module = importlib.import_module("numdiff.derivative")
    x = np.random.default_rng(5).uniform(0.5, 2.0, 4001)
    design = module.make_plan("central", 1, 5, 2.0, np.dtype(np.float64))
    assert design.nominal_rows == 3
    res = derivative(np.exp, x)
    exact_steps = dataclasses.replace(design, nominal_rows=0)
    monkeypatch.setattr(module, "make_plan", lambda *args: exact_steps)
    reference = derivative(np.exp, x)
    assert np.any(res.df != reference.df)
    assert np.all(np.abs(res.df - reference.df) <= 4 * np.spacing(np.abs(reference.df)))
    assert np.all(np.abs(res.df - reference.df) <= res.error / 20)
    assert np.all(np.abs(res.df - np.exp(x)) <= res.error)


@pytest.mark.parametrize("scheme", ["central", "forward", "central4", "complex_step"])
def test_equal_base_estimates_get_the_first_rows_rounding_bound(scheme, monkeypatch):
    # t*t (3t + 1 for the one-sided scheme, whose estimates of a quadratic change with
    # the step): every base estimate is the same number. At binary fractions it is
    # exact; at -111/61 the squares' rounding errors differ in proportion to h, and
    # every estimate is off by the same two units, which the estimate must cover.
    from numdiff import _tableau

    dyadic = np.array([-2.0, -1.0, 0.5, 1.0, 2.0, 0.75])
    x = np.append(dyadic, [-111 / 61, 0.3])
    if scheme == "forward":
        f, exact = (lambda t: 3 * t + 1), np.full(x.shape, 3.0)
    else:
        f, exact = (lambda t: t * t), 2 * x
    res = derivative(f, x, scheme=scheme)
    np.testing.assert_array_equal(res.df[:dyadic.size], exact[:dyadic.size])
    assert np.all(res.error >= np.abs(res.df - exact))
    monkeypatch.setattr(_tableau, "exact_elements", lambda table, nominal: None)
    usual = derivative(f, x, scheme=scheme)
    if scheme == "complex_step":  # no cancellation: about the same bound, one unit
        assert np.all(res.error <= usual.error)
    else:  # the top entry's bound, which extrapolation amplifies, several times larger
        assert np.all(res.error[:dyadic.size] * 4 < usual.error[:dyadic.size])


def test_a_function_flatter_than_its_rounding_keeps_its_rounding_estimate():
    # 1 + 1e-20 t rounds to 1 at every step: all estimates are 0, which is not taken as
    # exact, so the estimate still covers the true derivative 1e-20.
    res = derivative(lambda t: 1 + 1e-20 * t, np.array([0.5, 2.0]))
    assert np.all(res.error >= 1e-20)


def test_smooth_functions_never_look_exact(monkeypatch):
    from numdiff import _tableau

    marked = []
    original = _tableau.exact_elements

    def recording(table, nominal):
        found = original(table, nominal)
        marked.append(0 if found is None else int(found.sum()))
        return found

    monkeypatch.setattr(_tableau, "exact_elements", recording)
    x = np.random.default_rng(3).uniform(-2, 2, 2000)
    for f in (np.exp, np.sin, np.tanh, np.log1p, np.cbrt):
        for scheme in ("central", "forward", "central4"):
            derivative(f, np.abs(x) if f is np.log1p else x, scheme=scheme)
    assert marked and sum(marked) == 0
    derivative(lambda t: t * t, np.array([0.5, 0.3]))
    assert marked[-1] == 1


def test_given_step_and_step_rules():
    x = np.array([0.5, 1.0, 3.0])
    given = derivative(np.exp, x, step=0.1)
    assert np.all(np.abs(given.df - np.exp(x)) <= given.error)
    assert np.allclose(given.step, 0.1 / 2**4)
    per_element = derivative(np.exp, x, step=np.array([0.1, 0.2, 0.05]))
    assert np.allclose(per_element.step, np.array([0.1, 0.2, 0.05]) / 16)
    for rule in STEP_RULES:
        res = derivative(np.exp, x, step=rule)
        assert np.all(np.abs(res.df - np.exp(x)) <= res.error), rule
        assert np.all(res.nfev > 10), rule  # the rule's evaluations are counted


def test_seed_api_variable_and_function():
    res = derivative(Square(), Variable(np.array(2.0)))
    assert abs(res.df - 4.0) < 1e-13


def test_calls_f_a_fixed_number_of_times_with_whole_arrays():
    shapes = []

    def f(x):
        shapes.append(np.shape(x))
        return np.cos(x)

    derivative(f, np.zeros(1000))
    assert shapes == [(1000,)] * 10


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(f=1.0), TypeError, "f must be callable"),
    (dict(x="a"), TypeError, "x must hold real numbers"),
    (dict(x=np.nan), ValueError, "x must be finite"),
    (dict(x=[]), ValueError, "x must not be empty"),
    (dict(scheme="centre"), ValueError, "unknown scheme"),
    (dict(deriv=9), ValueError, "deriv must be between"),
    (dict(deriv=3, scheme="complex_step"), ValueError, "deriv must be between"),
    (dict(step="magic"), ValueError, "unknown step rule"),
    (dict(step=-1.0), ValueError, "step must be positive"),
    (dict(step=0.0), ValueError, "step must be positive"),
    (dict(step=[0.1, 0.2], x=[1.0, 2.0, 3.0]), ValueError, "do not broadcast"),
    (dict(step="theory", scheme="complex_step"), ValueError, "real schemes"),
    (dict(levels=1), ValueError, "levels must be between"),
    (dict(levels=2.5), TypeError, "levels must be an integer"),
    (dict(ratio=1.0), ValueError, "ratio must be greater"),
    (dict(refinements=-1), ValueError, "refinements must be between"),
    (dict(refinements=11), ValueError, "refinements must be between"),
    (dict(refinements=1.5), TypeError, "refinements must be an integer"),
    (dict(refinements=True), TypeError, "refinements must be an integer"),
    (dict(rtol=-1.0), ValueError, "rtol must be non-negative"),
    (dict(atol=np.inf), ValueError, "atol must be finite"),
    (dict(f=lambda x: np.ones(3)), ValueError, "must return an array of the shape"),
    (dict(f=lambda x: np.abs(x), scheme="complex_step"), ValueError, "complex values"),
])
def test_bad_input(kwargs, error, match):
    f = kwargs.pop("f", np.sin)
    x = kwargs.pop("x", 1.0)
    with pytest.raises(error, match=match):
        derivative(f, x, **kwargs)


def test_noise_rule_measures_the_noise_and_reports_it_in_the_error():
    level = 1e-10
    exact = np.e
    sweep_steps = np.logspace(-8, -2, 61)
    for seed in range(5):
        rng = np.random.default_rng(seed)

        def noisy_exp(x):
            return np.exp(x) * (1 + level * rng.standard_normal(np.shape(x)))

        result = derivative(noisy_exp, 1.0, step="noise")
        errors = numerical_diff(noisy_exp, np.ones((30, 1)), sweep_steps) - exact
        best = np.sqrt(np.mean(errors**2, axis=0)).min()
        assert abs(result.df - exact) < 3 * best
        # The error estimate carries the noise, not just rounding at u |f|.
        assert result.error > 0.1 * best
        assert result.nfev > 10


# --- refinement: smaller steps where f varies faster than max(1, |x|) -------------------

#: Max abs error of the better of scipy.differentiate.derivative (1.17, defaults) and
#: numdifftools.Derivative (defaults) on `peer_points`, measured once: the specification the
#: refinement meets. square and cube get four times numdifftools' figure: their tableau is
#: free of truncation, so the error is the rounding of f at the smallest step; numdifftools'
#: maximum at these ten points is lower, on 601 points over [-3, 3] it is 5 (square) and 17
#: (cube) times higher than derivative's.
PEER_BEST = {"square": 4 * 1.2e-14, "cube": 4 * 1.1e-14, "exp": 1.3e-13,
             "exp_square_squared": 3.5e-7,
             "sin": 1.2e-14, "log": 7.6e-14, "sqrt": 5.3e-14, "reciprocal": 3.0e-13,
             "tanh": 4.2e-14, "squire_trapp": 2.5e-12, "abs": 2.4e-15}


def peer_points(per_function=9):
    """The points of the peer comparison: coverage_points on a coarser grid, deduplicated."""
    for name, f, x in coverage_points(per_function):
        yield name, f, np.unique(x)


def test_at_least_as_accurate_as_the_better_peer_on_each_catalogue_function():
    assert set(PEER_BEST) == set(CATALOGUE)
    for name, f, x in peer_points():
        res = derivative(f, x)
        assert x.size >= 9
        assert np.max(np.abs(res.df - f.derivative(x))) <= PEER_BEST[name], name


class Recorder:
    """f, recording the points of every call."""

    def __init__(self, f):
        self.f = f
        self.calls = []

    def __call__(self, x):
        self.calls.append(np.array(x, copy=True))
        return self.f(x)


def test_refinement_evaluates_only_the_elements_that_need_it():
    # exp(2 x^2) varies on the scale 1/(4|x|): at |x| >= 1.8 the steps from max(1, |x|) are
    # too large, at |x| <= 0.3 they are right.
    x = np.array([0.1, 2.4, 0.3, -1.8, -0.2, 3.0])
    f = Recorder(lambda t: np.exp(2 * t**2))
    res = derivative(f, x)
    exact = 4 * x * np.exp(2 * x**2)
    assert np.all(np.abs(res.df - exact) <= 1e-13 * np.abs(exact))
    first, later = f.calls[:10], f.calls[10:]
    assert all(call.shape == x.shape for call in first)
    assert later and all(call.ndim == 1 and call.size < x.size for call in later)
    # The refinement rounds' calls are at the refined elements only; the
    # others are spot checks, within 1e-7 of their points.
    distance = [np.abs(call[:, None] - x[None, :]).min(axis=1) for call in later]
    rounds = [call for call, d in zip(later, distance) if np.all(d > 1e-4)]
    assert all(np.all(d > 1e-4) or np.all(d < 1e-7) for d in distance)
    near = np.abs(np.concatenate(rounds)[:, None] - x[None, :]).argmin(axis=1)
    refined = np.isin(np.arange(x.size), near)
    assert refined.tolist() == [False, True, False, True, False, True]
    assert np.all(res.nfev[~refined] <= 12)


def test_nfev_counts_each_elements_evaluations():
    # Points far apart, so that every evaluation belongs to the nearest point.
    x = np.array([0.2, 2.0, 4.0, 6.5, 9.0])

    def g(t):
        return 1.0 / t + np.sin(3 * t)

    f = Recorder(g)
    res = derivative(f, x)
    counts = np.zeros(x.size, dtype=int)
    for call in f.calls:
        np.add.at(counts, np.abs(call.reshape(-1)[:, None] - x[None, :]).argmin(axis=1), 1)
    assert counts.tolist() == res.nfev.tolist()
    assert res.nfev.max() > 12
    # Central: each round adds 2 m <= 2 (K - 1) = 8 evaluations to an element,
    # a spot check 2.
    assert np.all((res.nfev - 10) % 2 == 0) and res.nfev.max() <= 10 + 3 * 8 + 2


@pytest.mark.parametrize("scheme", ["central", "forward", "central4", "complex_step"])
def test_vectorised_equals_scalar_loop_with_refinement(scheme):
    x = np.array([[0.15, 0.3, 1.0], [2.4, -2.9, 0.6]])
    f = CATALOGUE["exp_square_squared"] if scheme != "forward" else CATALOGUE["reciprocal"]
    x = np.abs(x) if scheme == "forward" else x
    res = derivative(f, x, scheme=scheme)
    assert res.nfev.max() > res.nfev.min() or scheme == "complex_step"
    for index in np.ndindex(x.shape):
        one = derivative(f, x[index], scheme=scheme)
        for field in ("df", "error", "step", "nfev", "status", "order"):
            assert getattr(one, field) == getattr(res, field)[index], (field, index)


def test_refinement_recovers_steps_far_beyond_the_length_scale():
    # sin(1000 x): the first tableau (steps 1/8 .. 1/128) aliases; 1/x and log near 0: the
    # larger steps cross the pole or leave the domain. A few rounds find the scale.
    cases = [(lambda t: np.sin(1000 * t), lambda t: 1000 * np.cos(1000 * t),
              np.linspace(0.0, 1.0, 9)),
             (lambda t: 1 / t, lambda t: -1 / t**2, np.geomspace(1e-3, 0.1, 9)),
             (np.log, lambda t: 1 / t, np.geomspace(1e-3, 0.1, 9))]
    for f, fprime, x in cases:
        exact = fprime(x)
        single = derivative(f, x, refinements=0)
        assert np.all(single.status != DerivativeStatus.CONVERGED)
        res = derivative(f, x)
        true = np.abs(res.df - exact)
        assert np.all(res.status == DerivativeStatus.CONVERGED)
        assert np.all(true <= 1e-12 * np.abs(exact))
        assert np.all(res.error >= true)


def test_error_estimate_covers_the_true_error_near_singularities_and_edges():
    near = np.geomspace(1e-3, 0.1, 8)
    cases = {"log": near, "sqrt": near, "reciprocal": near, "abs": near / 10,
             "squire_trapp": np.concatenate([3 * np.pi / 4 - near, -np.pi / 4 + near])}
    covered = []
    for name, x in cases.items():
        f = CATALOGUE[name]
        res = derivative(f, x)
        exact = reference(f, x)
        true = np.abs(res.df - exact)
        covered.append(res.error >= true)
        assert np.all(true <= 1e-11 * np.abs(exact)), name
        assert np.all(res.status == DerivativeStatus.CONVERGED), name
    assert np.concatenate(covered).mean() >= 0.99


def test_no_refinement_where_the_first_tableau_resolved_everything():
    # Well-scaled f: 10 whole-array calls, nothing more; the same with refinements=0.
    # (tanh within 0.12 of 0 gets a spot check: 2 more.)
    x = np.linspace(-3, 3, 101)
    for f in (np.exp, np.sin, np.tanh):
        res = derivative(f, x)
        assert np.all(res.nfev[np.abs(x) > 0.15] == 10)
        single = derivative(f, x, refinements=0)
        assert np.array_equal(res.df, single.df) and np.array_equal(res.error, single.error)
        assert np.array_equal(res.nfev, single.nfev) and np.all(res.nfev <= 12)


def test_refinement_keeps_the_round_of_smallest_error_estimate():
    f = CATALOGUE["exp_square_squared"]
    x = np.array([1.8, 2.4, 2.9])
    rounds = [derivative(f, x, refinements=k) for k in range(4)]
    errors = np.array([r.error for r in rounds])
    assert np.all(np.diff(errors, axis=0) <= 0)  # more rounds never raise the estimate
    assert np.all(rounds[-1].error < rounds[0].error / 100)
    assert np.all(np.diff([r.nfev for r in rounds], axis=0) >= 0)


def test_noise_rule_is_not_refined():
    # The noise-aware step is a floor: no tableau goes below it.
    rng = np.random.default_rng(3)

    def noisy_exp(x):
        return np.exp(x) * (1 + 1e-9 * rng.standard_normal(np.shape(x)))

    x = np.array([0.5, 1.0])
    with_rounds = derivative(noisy_exp, x, step="noise")
    rng = np.random.default_rng(3)
    without = derivative(noisy_exp, x, step="noise", refinements=0)
    assert with_rounds.nfev.tolist() == without.nfev.tolist()
    assert np.array_equal(with_rounds.df, without.df)


def test_values_of_f_are_never_written_to():
    """f may return read-only arrays, arrays it keeps, or its own argument."""
    x = np.linspace(0.5, 1.5, 7)
    constant = derivative(lambda v: np.broadcast_to(2.0, np.shape(v)), x)
    assert np.all(constant.df == 0)
    kept = {}

    def remembering_sin(v):  # negative values: taking |f| in place would show
        kept["values"], kept["argument"] = np.sin(v) - 2.0, v.copy()
        return kept["values"]

    derivative(remembering_sin, x, refinements=0)
    np.testing.assert_array_equal(kept["values"], np.sin(kept["argument"]) - 2.0)
    identity = derivative(lambda v: v, x)
    np.testing.assert_allclose(identity.df, 1.0, rtol=1e-14)
    assert np.all(identity.error >= np.finfo(float).eps * np.abs(x) / 2)


def test_error_estimate_is_never_below_one_unit_of_the_result():
    # At 0 the result is within a unit of sin'(0) = 1, or exact: the estimate is still one unit.
    for dtype in (np.float32, np.float64):
        result = derivative(np.sin, np.zeros(3, dtype=dtype))
        assert np.all(np.abs(result.df - 1) <= np.finfo(dtype).eps)
        assert np.all(result.error >= np.finfo(dtype).eps * np.abs(result.df))


@pytest.mark.parametrize("dtype, least, shortfall", [(np.float32, 0.975, 2.5),
                                                     (np.float16, 0.97, 5.0)])
def test_error_estimate_coverage_in_low_precision(dtype, least, shortfall):
    # numpy's float32 and float16 functions are often off by several units,
    # which the rounding bound (about a unit per value) does not include.
    covered, short = [], []
    for _, f, x in coverage_points():
        points = x.astype(dtype)
        with np.errstate(all="ignore"):
            res = derivative(f, points)
        true = np.abs(res.df.astype(float) - reference(f, points.astype(float)))
        estimate = res.error.astype(float)
        covered.append(estimate >= true)
        finite = np.isfinite(true) & (estimate > 0)
        short.append(true[finite] / estimate[finite])
    assert np.concatenate(covered).mean() >= least
    assert np.concatenate(short).max() <= shortfall


@pytest.mark.parametrize("name, x, single, refined, nfev", [
    ("exp_square_squared", 2.4, 5e-10, 1e-14, 16),  # varies on the scale 1/(4x) = 0.1
    ("reciprocal", 0.3, 1e-10, 1e-14, 14)])
def test_refinement_reaches_the_rounding_level_where_f_varies_fast(name, x, single, refined,
                                                                   nfev):
    f = CATALOGUE[name]
    exact = float(f.reference(x))
    first = derivative(f, x, refinements=0)
    res = derivative(f, x)
    assert abs(first.df - exact) >= single * abs(exact) and first.nfev == 10
    assert abs(res.df - exact) <= refined * abs(exact) and res.nfev == nfev


FIELDS = ("df", "error", "step", "nfev", "status", "order")


def assert_same_result(one, array):
    for field in FIELDS:
        mine, theirs = getattr(one, field), getattr(array, field)[0]
        assert type(mine) is type(theirs), field
        assert np.array_equal(mine, theirs, equal_nan=True), field


@pytest.mark.parametrize("dtype", [float, np.float64, np.float32, np.float16, np.longdouble])
def test_a_scalar_call_gives_the_array_paths_result(dtype):
    # The scalar path on numpy scalars, the array path on one element: the same bits,
    # converged or not, exact or refined, with any tolerance.
    for name, f, grid in coverage_points(6):
        for x in grid:
            point = dtype(x)
            with np.errstate(all="ignore"):
                for options in ({}, {"rtol": 1e-14, "atol": 0.0}, {"refinements": 0},
                                {"levels": 4, "ratio": 3.0}):
                    one = derivative(f, point, **options)
                    array = derivative(f, np.array([point]), **options)
                    assert_same_result(one, array)


@pytest.mark.parametrize("f, x", [(lambda t: t * t, 0.75), (lambda t: 3.0 * t, 2.0),
                                  (np.log, -1.0), (lambda t: 1 / t, 0.3), (np.sqrt, 1e-3),
                                  (lambda t: np.exp(2 * t**2), 2.4), (np.exp, 700.0)])
def test_a_scalar_call_hands_uncommon_cases_to_the_array_path(f, x):
    with np.errstate(all="ignore"):
        assert_same_result(derivative(f, x), derivative(f, np.array([x])))
