"""The step grid: decimal-exact powers of ten, spacing, bad input."""

import numpy as np
import pytest

from analysis.grid import eps_grid


def test_default_grid_has_161_steps_from_1e_16_to_1():
    grid = eps_grid()
    assert grid.shape == (161,)
    assert grid[0] == 1e-16 and grid[-1] == 1.0
    assert np.all(np.diff(grid) > 0)


def test_powers_of_ten_are_the_decimal_literals():
    grid = eps_grid()
    assert 1e-4 in grid
    assert grid[120] == 1e-4
    for exponent in range(-16, 1):
        assert grid[10 * (exponent + 16)] == float(f"1e{exponent}")


def test_steps_are_evenly_spaced_in_log10():
    spacing = np.diff(np.log10(eps_grid(per_decade=7)))
    np.testing.assert_allclose(spacing, 1 / 7, rtol=1e-9)


def test_ends_off_the_grid_are_not_added():
    grid = eps_grid(2e-5, 3e-3, per_decade=1)
    assert list(grid) == [1e-4, 1e-3]


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(eps_min=1e-2, eps_max=1e-3), ValueError, "eps_min must be smaller than eps_max"),
    (dict(eps_min=1e-3, eps_max=1e-3), ValueError, "eps_min must be smaller"),
    (dict(eps_min=0.0), ValueError, "eps_min must be positive"),
    (dict(eps_min=-1e-8), ValueError, "eps_min must be positive"),
    (dict(eps_max=float("inf")), ValueError, "eps_max must be positive and finite"),
    (dict(eps_min="1e-8"), TypeError, "eps_min must be a real number"),
    (dict(per_decade=0), ValueError, "per_decade must be at least 1"),
    (dict(per_decade=2.5), TypeError, "per_decade must be an integer"),
    (dict(eps_min=1.1e-4, eps_max=1.2e-4, per_decade=1), ValueError, "no step"),
])
def test_bad_ranges_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        eps_grid(**kwargs)
