"""Richardson extrapolation in a Neville tableau, with an error estimate.

A difference estimate ``D(h)`` of a derivative has an error expansion in powers
of the step, ``D(h) = d + a_0 h^p + a_1 h^(p+s) + a_2 h^(p+2s) + ...``, with
``s = 2`` for the central schemes and the complex step (their odd terms
vanish by symmetry) and ``s = 1`` for one-sided schemes. Given estimates at
the steps ``h, h/r, h/r^2, ...``, each column of the tableau removes the next
power::

    T[i, 0] = D(h / r^i)
    T[i, j] = T[i, j-1] + (T[i, j-1] - T[i-1, j-1]) / (r^(p + (j-1) s) - 1)

so ``T[i, j]`` has order ``p + j s``. This is the scheme of Ridders (1982) as
``dfridr`` in Numerical Recipes (3rd ed., §5.7), generalised to any leading
order, order step and ratio.

Error estimate. Ridders (Numerical Recipes ``dfridr``) takes the larger of
the distances from ``T[i, j]`` to the two entries it was built from. Here
only the distance to the entry of the same steps and the next lower order is
kept, ``|T[i,j] - T[i,j-1]| = c_j |T[i,j-1] - T[i-1,j-1]|`` with
``c_j = 1 / (r^(p + (j-1) s) - 1)``: while truncation dominates it is the
error of ``T[i, j-1]`` (asymptotically exactly), so an upper estimate of the
error of ``T[i, j]``; the other distance adds the larger error of the
previous row and would overstate the error by ``r^(p + (j-1) s)``. Near the
rounding level that distance can be small by chance, so a bound on the
rounding error the entry carries is added: each entry is a fixed linear
combination of the base estimates, and a bound ``rho_i`` on the rounding of
``D(h/r^i)`` propagates as ``R[i, j] = (1 + c_j) R[i, j-1] + c_j R[i-1, j-1]``
(exactly ``sum |w_k| rho_k`` of the combination, whose weights alternate in
sign). The estimate is ``|T[i,j] - T[i,j-1]| + ROUNDING_WEIGHT * R[i, j]``.

Every element (the trailing axes) gets the entry of smallest estimated error,
independently; nothing loops over elements.

References
----------
C. J. F. Ridders, "Accurate computation of F'(x) and F'(x)F''(x)", Adv. Eng.
Software 4 (1982) 75-76. W. H. Press et al., Numerical Recipes, 3rd ed.,
§5.7. L. F. Richardson, Phil. Trans. R. Soc. A 210 (1911) 307-357.
"""

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

__all__ = ["RichardsonResult", "richardson"]


@dataclass(frozen=True)
class RichardsonResult:
    """The best tableau entry per element and its error estimate.

    Attributes
    ----------
    estimate : ndarray or numpy scalar
        The entry of smallest estimated error, per element. NaN where no
        entry is finite.
    error : ndarray or numpy scalar
        Its error estimate: the Ridders distance plus the propagated
        rounding bound. ``inf`` where no entry is finite.
    row : ndarray of int
        Row ``i`` of the chosen entry: its smallest step is ``h / r^i``.
    column : ndarray of int
        Column ``j`` of the chosen entry: its order is ``p + j s``.
    """

    estimate: object
    error: object
    row: object
    column: object


def richardson(estimates, *, ratio=2.0, order=2, order_step=2, rounding=None,
               rounding_power=0):
    """Extrapolate estimates at geometric steps to zero step, with an error estimate.

    Parameters
    ----------
    estimates : array_like, shape (K, ...)
        ``estimates[i]`` is the difference estimate at step ``h / ratio**i``,
        ``K >= 2`` rows; the trailing axes are independent elements.
    ratio : float, optional
        ``r > 1``, the factor between successive steps.
    order : int, optional
        ``p``, the leading power of the step in the error of the estimates
        (the scheme's order of accuracy).
    order_step : int, optional
        ``s``, the spacing of the powers in the error expansion: 2 for
        central schemes and the complex step, 1 for one-sided schemes.
    rounding : array_like, optional
        Bound on the rounding error of the first row's estimates (step
        ``h``), broadcastable to one row, e.g. ``u |f| sum|c_i| / h^q`` for
        a real stencil. Default 0 (no rounding term).
    rounding_power : int, optional
        ``q``: row ``i``'s bound is ``rounding * ratio**(q i)``, since
        rounding grows like ``h^-q`` (0 for the complex step).

    Returns
    -------
    RichardsonResult

    Raises
    ------
    ValueError
        If `estimates` has fewer than two rows, `ratio` is not above 1,
        `order` or `order_step` is not a positive integer, `rounding_power`
        is not a non-negative integer, or `rounding` is negative or does not
        broadcast.

    Examples
    --------
    Central differences of exp at 0 with steps 0.4, 0.2, 0.1, 0.05:

    >>> import numpy as np
    >>> h = 0.4 / 2.0 ** np.arange(4)
    >>> d = (np.exp(h) - np.exp(-h)) / (2 * h)
    >>> r = richardson(d, ratio=2.0, order=2, order_step=2)
    >>> bool(abs(r.estimate - 1.0) < 1e-12), bool(r.error >= abs(r.estimate - 1.0))
    (True, True)
    >>> int(r.column) >= 2
    True
    """
    table = np.asarray(estimates)
    if table.ndim == 0 or table.shape[0] < 2:
        raise ValueError("estimates must have at least two rows (steps) along axis 0")
    if table.dtype.kind not in "fc":
        table = table.astype(np.float64)
    ratio = float(ratio)
    if not (np.isfinite(ratio) and ratio > 1):
        raise ValueError(f"ratio must be a finite number above 1, got {ratio!r}")
    for name, value in (("order", order), ("order_step", order_step)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if isinstance(rounding_power, bool) or not isinstance(rounding_power, (int, np.integer)) \
            or rounding_power < 0:
        raise ValueError(f"rounding_power must be a non-negative integer, got {rounding_power!r}")
    if rounding is not None:
        rounding = np.asarray(rounding, dtype=table.real.dtype)
        try:
            np.broadcast_to(rounding, table.shape[1:])
        except ValueError:
            raise ValueError(f"rounding of shape {rounding.shape} does not broadcast "
                             f"to one row of estimates, {table.shape[1:]}") from None
        if np.any(rounding < 0):
            raise ValueError("rounding must be non-negative")
    return _extrapolate(table, ratio, int(order), int(order_step), rounding, int(rounding_power))


#: Weight of the propagated rounding bound in the error estimate. The bound
#: adds the worst case of every rounding error, with the signs that add up;
#: their typical sum is far smaller, as independent errors partly cancel.
#: Half the bound still covers the true error of a correctly rounded ``f``
#: (the tests check it on exp and across the catalogue).
ROUNDING_WEIGHT = 0.5

def _extrapolate(table, ratio, order, order_step, rounding=None, rounding_power=0,
                 bound=None):
    """The tableau, its error estimates and the best entry per element (no checks).

    Works in place on preallocated arrays and keeps a running minimum, so the
    cost is a few passes over the elements per tableau entry. `bound`, if
    given, is called as ``bound(i, j)`` for the term added to
    ``|T[i,j] - T[i,j-1]|`` in place of the propagated rounding bound (real,
    broadcasting to one row); `rounding` is then not used, and an entry of
    finite error is kept even where its value overflowed.
    """
    rows = table.shape[0]
    shape = table.shape[1:]
    real = table.real.dtype
    # Rounding bound of every entry as a multiple of `rounding`: row factors
    # ratio^(q i), combined as the entries are (module docstring).
    factors = [float(ratio) ** (rounding_power * i) for i in range(rows)]
    column = [np.array(row, copy=True) for row in table]  # T[., j-1], overwritten in place
    best_value = np.empty(shape, dtype=table.dtype)
    best_error = np.full(shape, np.inf, dtype=real)
    best_row = np.zeros(shape, dtype=np.int8)
    best_column = np.zeros(shape, dtype=np.int8)
    delta = np.empty(shape, dtype=table.dtype)
    error = np.empty(shape, dtype=real)
    scratch = np.empty(shape, dtype=real)
    better = np.empty(shape, dtype=bool)
    rho = None if rounding is None else np.broadcast_to(rounding, shape)
    with np.errstate(invalid="ignore", over="ignore"):
        for j in range(1, rows):
            c = 1.0 / (ratio ** (order + (j - 1) * order_step) - 1.0)
            new_factors = list(factors)
            # Rows from the bottom up, so T[i-1, j-1] is still intact when T[i, j] is built.
            for i in range(rows - 1, j - 1, -1):
                low, high = column[i - 1], column[i]
                np.subtract(high, low, out=delta)
                delta *= c  # T[i, j] - T[i, j-1]
                # Error estimate: |T[i,j] - T[i,j-1]| + ROUNDING_WEIGHT * bound.
                np.abs(delta, out=error)
                if bound is not None:
                    error += bound(i, j)
                elif rho is not None:
                    new_factors[i] = (1.0 + c) * factors[i] + c * factors[i - 1]
                    np.multiply(rho, ROUNDING_WEIGHT * new_factors[i], out=scratch)
                    error += scratch
                high += delta  # now T[i, j]
                np.less(error, best_error, out=better)
                np.copyto(best_error, error, where=better)
                np.copyto(best_value, high, where=better)
                np.copyto(best_row, i, where=better)
                np.copyto(best_column, j, where=better)
            factors = new_factors
    found = np.isfinite(best_error)
    if bound is None:
        found &= np.isfinite(best_value)
    if not found.all():
        best_value[~found] = np.nan
        best_error[~found] = np.inf
    return RichardsonResult(best_value[()], best_error[()], best_row.astype(np.int64)[()],
                            best_column.astype(np.int64)[()])


@lru_cache(maxsize=64)
def entry_weights(rows, ratio, order, order_step, rounding_power=0):
    """Weights of tableau entries over the base estimates, and their rounding factors.

    Every entry is a fixed linear combination ``T[i, j] = sum_k w_k D_k``;
    computing the few entries needed this way costs one pass per term, where
    the recursion needs every entry of the tableau.

    Parameters
    ----------
    rows, ratio, order, order_step, rounding_power
        As for `richardson`; `ratio` is taken as an exact fraction.

    Returns
    -------
    dict
        ``(i, j) -> (weights, factor)``: ``weights`` a float64 array of length
        `rows`, ``factor = sum_k |w_k| ratio^(rounding_power k)``, so that
        ``factor * rounding`` is the propagated rounding bound of the entry.
        `entry_fractions` gives the weights exactly.

    Examples
    --------
    >>> w, factor = entry_weights(2, 2.0, 2, 2)[(1, 1)]
    >>> w.tolist(), float(factor)  # (4 D(h/2) - D(h)) / 3
    ([-0.3333333333333333, 1.3333333333333333], 1.6666666666666667)
    """
    r = Fraction(ratio).limit_denominator(10**9)
    growth = [r ** (rounding_power * k) for k in range(rows)]
    return {key: (np.array([float(w) for w in weights]),
                  float(sum(abs(w) * g for w, g in zip(weights, growth))))
            for key, weights in entry_fractions(rows, ratio, order, order_step).items()}


@lru_cache(maxsize=64)
def entry_fractions(rows, ratio, order, order_step):
    """The weights of `entry_weights` as exact fractions: ``(i, j) -> tuple of Fraction``.

    For working precisions beyond float64 (longdouble), whose weights must
    not be rounded to float64 first.

    Examples
    --------
    >>> [str(w) for w in entry_fractions(2, 2.0, 2, 2)[(1, 1)]]
    ['-1/3', '4/3']
    """
    r = Fraction(ratio).limit_denominator(10**9)
    unit = [[Fraction(int(k == i)) for k in range(rows)] for i in range(rows)]
    column = {i: unit[i] for i in range(rows)}
    out = {}
    for i in range(rows):
        out[(i, 0)] = tuple(column[i])
    for j in range(1, rows):
        c = 1 / (r ** (order + (j - 1) * order_step) - 1)
        column = {i: [h + c * (h - l) for h, l in zip(column[i], column[i - 1])]
                  for i in range(j, rows)}
        out.update({(i, j): tuple(column[i]) for i in range(j, rows)})
    return out
