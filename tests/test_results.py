"""The results share one contract: status 0 is success, every step rule returns a StepResult."""

import numpy as np
import pytest

from numdiff import (STEP_RULES, DerivativeStatus, NoiseStatus, StepResult, StepRule, StepStatus,
                     derivative, estimate_noise)


@pytest.mark.parametrize("status, success", [
    (DerivativeStatus, DerivativeStatus.CONVERGED), (StepStatus, StepStatus.FOUND),
    (NoiseStatus, NoiseStatus.FOUND)])
def test_success_is_zero_in_every_status(status, success):
    assert success == 0 and min(status) == success


@pytest.mark.parametrize("name", list(STEP_RULES))
def test_every_step_rule_is_an_object_returning_a_step_result(name):
    rule = STEP_RULES[name]
    assert isinstance(rule, StepRule) and rule.name == name
    assert rule.placement in ("scale", "smallest") and rule.is_floor == (name == "noise")
    x = np.array([0.5, 1.0, 2.0])
    result = rule(np.exp, x)
    assert isinstance(result, StepResult)
    assert result.step.shape == x.shape and result.nfev.shape == x.shape
    assert np.all(result.success) and np.all(result.status == 0)
    assert (result.error is not None) == (name == "noise")
    assert (result.noise is not None) == (name == "noise")


def test_the_noise_rule_says_when_the_noise_was_not_measured():
    result = STEP_RULES["noise"](lambda t: np.round(np.exp(t), 3), np.array([1.0]))  # steps
    assert np.all(result.status == StepStatus.NOISE_UNRESOLVED) and not np.any(result.success)


def test_a_rule_object_is_checked():
    with pytest.raises(ValueError, match="placement must be one of"):
        StepRule("mine", STEP_RULES["theory"].function, "middle")


def test_noise_success_and_derivative_success_read_status_zero():
    rng = np.random.default_rng(3)
    found = estimate_noise(lambda t: np.exp(t) + 1e-8 * rng.standard_normal(np.shape(t)),
                           np.array([1.0, 2.0]))
    assert np.array_equal(found.success, found.status == 0)
    assert np.all(derivative(np.exp, np.array([1.0, 2.0])).success)
