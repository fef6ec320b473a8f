"""Step-selection algorithms: near the brute-force best step, status, dtypes, vectorisation, bad input."""

import numpy as np
import pytest

from numdiff import numerical_diff
from numdiff.catalogue import CATALOGUE
from numdiff.step_selection import (StepStatus, gill_murray_step, stepleman_winarsky_step,
                                    theory_step)

ALGORITHMS = [theory_step, stepleman_winarsky_step, gill_murray_step]
CASES = [("exp", 1.0), ("sin", 1.0), ("log", 1.0), ("tanh", 0.5), ("sqrt", 2.0),
         ("exp_square_squared", 0.5), ("squire_trapp", 1.5), ("reciprocal", 1.5)]


def brute_force_best_step(f, x, scheme):
    """Best step of a dense sweep, from the upper envelope of the error (robust to rounding noise)."""
    steps = 10.0 ** np.arange(-12.0, -0.5, 0.05)
    errors = np.abs(numerical_diff(f, np.full(steps.shape, x), steps, scheme=scheme)
                    - float(f.derivative(x)))
    width = 5  # a quarter decade either side
    padded = np.pad(errors, width, mode="edge")
    envelope = np.array([padded[i:i + 2 * width + 1].max() for i in range(errors.size)])
    return steps[np.argmin(envelope)]


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.__name__)
@pytest.mark.parametrize("scheme", ["central", "forward"])
def test_lands_within_a_factor_10_of_the_best_step(algorithm, scheme):
    for name, x in CASES:
        f = CATALOGUE[name]
        best = brute_force_best_step(f, x, scheme)
        res = algorithm(f, x, scheme=scheme)
        assert best / 10 <= res.step <= best * 10, (name, float(res.step), best)
        assert res.status == StepStatus.FOUND, name
        exact = float(f.derivative(x))
        assert abs(res.estimate - exact) < 1e-4 * max(1.0, abs(exact))


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.__name__)
@pytest.mark.parametrize("shape", [(), (12,), (3, 4), (3, 2, 2)])
def test_vectorised_equals_scalar_loop(algorithm, shape):
    rng = np.random.default_rng(11)
    x = rng.uniform(0.2, 2.0, size=shape)
    res = algorithm(np.exp, x)
    assert np.shape(res.step) == shape and np.shape(res.nfev) == shape
    for index in np.ndindex(shape):
        one = algorithm(np.exp, x[index])
        assert np.isclose(one.step, res.step[index], rtol=1e-12)
        assert one.estimate == res.estimate[index] and one.status == res.status[index]


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.__name__)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_kept_and_step_grows_with_unit_roundoff(algorithm, dtype):
    x = np.array([0.5, 1.0], dtype=dtype)
    res = algorithm(np.exp, x)
    assert res.step.dtype == dtype and res.estimate.dtype == dtype
    u = np.finfo(dtype).eps
    # Central optimum ~ u^(1/3): within a factor 30 of it for every dtype.
    assert np.all((res.step > u ** (1 / 3) / 30) & (res.step < u ** (1 / 3) * 30))


def test_nfev_and_status_codes():
    assert int(theory_step(np.exp, 1.0).nfev) == 6  # 4 for f''' + 2 for the estimate
    nan_at_two = lambda x: np.where(np.abs(x - 2.0) < 0.6, np.nan, np.exp(x))
    for algorithm in ALGORITHMS:
        res = algorithm(nan_at_two, np.array([0.5, 2.0]))
        assert res.status[0] == StepStatus.FOUND
        assert res.status[1] == StepStatus.NON_FINITE
    # A straight line: no curvature to measure.
    line = theory_step(lambda x: 3.0 * x + 1.0, 1.0)
    assert line.status == StepStatus.SCALE_UNRESOLVED and abs(line.estimate - 3.0) < 1e-12
    flat = gill_murray_step(lambda x: 3.0 * x + 1.0, 1.0)
    assert flat.status in (StepStatus.SCALE_UNRESOLVED, StepStatus.FOUND)
    limited = stepleman_winarsky_step(np.exp, 1.0, max_iterations=3)
    assert limited.status == StepStatus.LIMIT_REACHED


@pytest.mark.parametrize("call, error, match", [
    (lambda: theory_step(1.0, 1.0), TypeError, "f must be callable"),
    (lambda: theory_step(np.exp, np.nan), ValueError, "x must be finite"),
    (lambda: theory_step(np.exp, 1.0, scheme="complex_step"), ValueError, "real schemes"),
    (lambda: gill_murray_step(np.exp, 1.0, scheme="nope"), ValueError, "unknown scheme"),
    (lambda: gill_murray_step(np.exp, 1.0, max_iterations=0), ValueError, "max_iterations"),
    (lambda: stepleman_winarsky_step(np.exp, 1.0, deriv=9), ValueError, "deriv must be"),
    (lambda: stepleman_winarsky_step(np.exp, 1.0, shrink=1.0), ValueError, "shrink must be"),
    (lambda: stepleman_winarsky_step(np.exp, 1.0, initial_step=-1.0), ValueError,
     "initial_step must be positive"),
    (lambda: stepleman_winarsky_step(np.exp, 1.0, max_iterations=2), ValueError,
     "max_iterations"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
