"""A settled lower column of the tableau: read where it is exact, not where it may hide truncation."""

import numpy as np

from numdiff import gradient, hessian
from numdiff._settled_columns import last_eligible_column


def test_only_the_columns_that_can_clearly_beat_the_top_entry_are_read():
    # Five central levels: T[0,0] and T[1,1] estimate 2.5 and 6.3 rho at best against
    # the top entry's rounding part 13.6 rho; one-sided six levels and second
    # differences: the first two columns (the cap); no rounding growth: none.
    assert last_eligible_column(5, 2.0, 2, 2, 1) == 1
    assert last_eligible_column(6, 2.0, 1, 1, 1) == 1
    assert last_eligible_column(5, 2.0, 2, 2, 2) == 1
    assert last_eligible_column(5, 2.0, 2, 2, 0) == -1
    assert last_eligible_column(2, 2.0, 2, 2, 1) == -1


def test_a_quadratic_and_a_cubic_read_the_largest_steps():
    x = np.random.default_rng(2).uniform(-2.0, 2.0, 9)  # (binary fractions are exact)
    for f, exact, order in ((lambda t: np.sum(t ** 2), 2 * x, 2),
                            (lambda t: np.sum(t ** 3), 3 * x ** 2, 4)):
        res = gradient(f, x)
        # (where all five base estimates are the same number, that number is returned as the
        # top entry, order 10)
        assert np.all(np.isin(res.order, (order, 10))) and np.sum(res.order == order) >= 5
        assert np.all(np.abs(res.df - exact) <= res.error)
        # within the first row's rounding bound, eps |f| / h0 with h0 = 1/8 (the top entry's
        # is 27 times it)
        assert np.abs(res.df - exact).max() <= np.finfo(float).eps * abs(f(x)) * 8


def test_truncation_hidden_below_rounding_keeps_the_top_entry():
    # log-sum-exp's Hessian entries are small against f: its order-6 column agrees within
    # the rounding of its larger rows while its truncation is still several times the
    # top entry's error; that column is not read.
    x = np.random.default_rng(10).uniform(-2, 2, 5)
    res = hessian(lambda t: np.log(np.sum(np.exp(t))), x)
    assert np.all(res.order == 10)
