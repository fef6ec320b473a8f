"""A settled lower column of the tableau: its entry of largest steps carries least rounding.

Column ``j`` of a Richardson tableau holds the entries of order ``P = p + j s``,
whose truncation falls by ``r^P`` from one row to the next. Where every two
successive entries of a column differ by no more than their rounding explains,
the column has settled: its truncation is below rounding. That happens where
``f`` is, to rounding, a polynomial the column's stencils differentiate
exactly (Rosenbrock's function is of degree 4 in each variable: the central
difference is exact after one extrapolation), or where ``f`` varies slowly on
the scale of the steps. Every entry of a settled column is then as good in
truncation as the top entry, and its first one, ``T[j, j]``, uses the largest
steps, where rounding is smallest: for five central levels the top entry's
rounding bound is ``27 rho``, ``T[1, 1]``'s ``3 rho`` (``rho`` the first row's).

`settled_columns` gives each element the first entry of its lowest settled
column where the error estimate of that entry is below the one already found
(`numdiff._tableau.Entries`) and below the top entry's rounding part (then it
is better than the top entry even if that had no truncation at all); only the
columns whose entry can clearly win are read (`last_eligible_column`). The
estimate bounds the truncation of ``T[j, j]`` by its distance ``d`` to
``T[j+1, j]``, which
truncation alone would make ``1 - r^-P`` times it, with both entries'
rounding parts added to ``d`` (they may cancel the truncation in ``d``):
``(d + R[j,j] + R[j+1,j]) r^P / (r^P - 1) + R[j,j]``, ``R`` the rounding parts
(`ROUNDING_WEIGHT` times the bounds). Used by the gradient's lines and the
Hessian (``docs/multivariate.md``).
"""

import dataclasses
from functools import lru_cache

import numpy as np

from ._tableau import combine
from .richardson import ROUNDING_WEIGHT, entry_weights
from .theory import machine_epsilon


def settled_columns(plan, table, entries):
    """`entries` with the first entry of a settled lower column where its estimate is smaller.

    `table` holds the base estimates ``(K,) + shape``; `entries` the
    `numdiff._tableau.Entries` read from it. Returns `entries` itself where
    no element changes, else a copy whose ``estimate``, ``error``, ``row``
    and ``column`` are arrays of the shape. Only the elements whose last
    eligible column settled at its last two rows are looked at further: one
    more combination of the rows for the others. The rounding bound of row ``k``
    is ``rho r^(q k)``, and at least ``eps |D_k|``: ``|D| h^q <= sum|c_i|
    max|f_i|``, so values large enough to give ``D_k`` round by that much
    even where the value scale, measured at the smallest step near a zero of
    ``f``, is smaller.
    """
    levels, dtype = table.shape[0], table.dtype
    key = (levels, float(plan.ratio), plan.order, plan.order_step, plan.rounding_power)
    last = last_eligible_column(*key)
    if last < 0:
        return entries
    weights = entry_weights(*key)
    rho = entries.top_rounding / dtype.type(plan.top_rounding_weight)
    (below, f_below), (above, f_above) = weights[(levels - 1, last)], weights[(levels - 2, last)]
    apart = np.abs(combine(table, np.array([below - above]))[0])
    index = np.flatnonzero(apart <= dtype.type(f_below + f_above) * rho)
    if index.size == 0:
        return entries
    rows = table.reshape(levels, -1)[:, index]
    growth = dtype.type(plan.ratio) ** (plan.rounding_power * np.arange(levels, dtype=dtype))
    bounds = np.maximum(np.reshape(rho, -1)[index] * growth[:, None],
                        dtype.type(machine_epsilon(dtype)) * np.abs(rows))
    value, column, error = first_settled_entries(plan, rows, bounds, weights, last)
    better = error < np.minimum(np.reshape(entries.error, -1)[index],
                                np.reshape(entries.top_rounding, -1)[index])
    if not better.any():
        return entries
    index = index[better]
    shape = table.shape[1:]
    top = np.full(shape, levels - 1, dtype=np.int64)
    fields = {name: np.array(np.broadcast_to(top if found is None else found, shape))
              for name, found in (("estimate", entries.estimate), ("error", entries.error),
                                  ("row", entries.row), ("column", entries.column))}
    for name, found in (("estimate", value), ("error", error), ("row", column),
                        ("column", column)):
        fields[name].reshape(-1)[index] = found[better]
    return dataclasses.replace(entries, **fields)


#: Only the base estimates and their first extrapolation are read: ``f`` a
#: polynomial (along the line) that the base stencil or the first
#: extrapolation differentiates exactly.
FIRST_COLUMNS = 2
#: A column is worth reading only if its first entry's estimate, with a
#: distance of zero, is at most this share of the top entry's rounding part.
GAIN = 0.5


@lru_cache(maxsize=64)
def last_eligible_column(levels, ratio, order, order_step, rounding_power):
    """The last column ``j <= K - 3`` whose ``T[j, j]`` can clearly beat the top entry, or -1.

    With the distance ``d = 0`` the estimate of ``T[j, j]`` is
    ``(R[j,j] + R[j+1,j]) r^P / (r^P - 1) + R[j,j]`` (module docstring); the
    column is eligible where that is at most `GAIN` times the top entry's
    rounding part ``R[K-1,K-1]``. For five central levels the columns 0 and 1
    are (2.5 and 6.3 ``rho`` against 13.6), not column 2 (13.4): its
    truncation, where it hides below the rounding of its larger rows, can
    make it worse than the top entry while its estimate is smaller.
    Without rounding growth (the complex step) nothing is gained.
    """
    if not rounding_power or levels < 3:
        return -1
    weights = entry_weights(levels, ratio, order, order_step, rounding_power)
    top = ROUNDING_WEIGHT * weights[(levels - 1, levels - 1)][1]
    last = -1
    for j in range(min(levels - 2, FIRST_COLUMNS)):
        first, second = (ROUNDING_WEIGHT * weights[(i, j)][1] for i in (j, j + 1))
        power = ratio ** (order + j * order_step)
        if (first + second) * power / (power - 1) + first > GAIN * top:
            break
        last = j
    return last


def first_settled_entries(plan, rows, bounds, weights, last):
    """``T[j, j]`` of the lowest settled column ``j <= last``, ``j``, and its error estimate.

    `rows` are the base estimates ``(K, m)``, `bounds` the rounding bound of
    each, `weights` the tableau's `numdiff.richardson.entry_weights`. A
    column has settled where every two successive entries differ by at most
    the sum of their rounding bounds (the most two rounding errors can
    differ by). The error is inf where no column settled.
    """
    (levels, size), dtype = rows.shape, rows.dtype
    value = np.full(size, np.nan, dtype=dtype)
    error = np.full(size, np.inf, dtype=dtype)
    column = np.full(size, levels - 1, dtype=np.int64)
    open_ = np.ones(size, dtype=bool)
    for j in range(last + 1):
        w = np.array([weights[(i, j)][0] for i in range(j, levels)])
        found = combine(rows, w)
        parts = dtype.type(ROUNDING_WEIGHT) * combine(bounds, np.abs(w))
        settled = open_.copy()
        for k in range(1, len(w)):
            settled &= np.abs(found[k] - found[k - 1]) <= \
                dtype.type(1 / ROUNDING_WEIGHT) * (parts[k] + parts[k - 1])
        power = float(plan.ratio) ** (plan.order + j * plan.order_step)
        bound = (np.abs(found[1] - found[0]) + parts[0] + parts[1]) * \
            dtype.type(power / (power - 1)) + parts[0]
        value[settled], error[settled], column[settled] = found[0][settled], bound[settled], j
        open_ &= ~settled
    return value, column, error
