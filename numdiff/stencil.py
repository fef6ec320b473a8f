"""Finite-difference stencils as data: offsets, exact weights and orders.

A stencil approximates the ``deriv``-th derivative of ``f`` at ``x`` by

    f^(q)(x) ~ sum_i c_i f(x + g_i h) / h^q

with offsets ``g_i`` and weights ``c_i``. The weights come from Fornberg's
recursion, run in exact rational arithmetic, so that the order of accuracy
and the leading error coefficient are exact too.
"""

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from math import factorial, lcm
from numbers import Rational

import numpy as np

__all__ = ["Stencil", "fornberg_weights", "stencil"]


def fornberg_weights(offsets, deriv):
    """Weights of every derivative order up to `deriv` on the given offsets.

    Fornberg's recursion adds one node at a time and updates the weights of
    all derivative orders at once; with `fractions.Fraction` input the result
    is exact.

    Parameters
    ----------
    offsets : sequence of Fraction
        Distinct nodes ``g_i`` (in units of the step), expansion point 0.
    deriv : int
        Highest derivative order wanted.

    Returns
    -------
    list of list of Fraction
        ``weights[k][i]`` is the weight of node ``i`` for the ``k``-th
        derivative, ``k = 0..deriv``.

    References
    ----------
    B. Fornberg, "Generation of finite difference formulas on arbitrarily
    spaced grids", Math. Comp. 51 (1988) 699-706.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> [str(w) for w in fornberg_weights([F(-1), F(0), F(1)], 2)[2]]
    ['1', '-2', '1']
    """
    n = len(offsets)
    # weights[k][i], built up as nodes are added one at a time.
    weights = [[Fraction(0)] * n for _ in range(deriv + 1)]
    weights[0][0] = Fraction(1)
    previous_product = Fraction(1)
    for i in range(1, n):
        product = Fraction(1)
        for j in range(i):
            gap = offsets[i] - offsets[j]
            product *= gap
            if j == i - 1:
                # The new node i, from the weights of node i-1 at the last step.
                for k in range(min(i, deriv), 0, -1):
                    weights[k][i] = previous_product * (
                        k * weights[k - 1][i - 1] - offsets[i - 1] * weights[k][i - 1]
                    ) / product
                weights[0][i] = -previous_product * offsets[i - 1] * weights[0][i - 1] / product
            # The old nodes j < i, rescaled for the new node.
            for k in range(min(i, deriv), 0, -1):
                weights[k][j] = (offsets[i] * weights[k][j] - k * weights[k - 1][j]) / gap
            weights[0][j] = offsets[i] * weights[0][j] / gap
        previous_product = product
    return weights


def _as_fraction(value, name):
    if isinstance(value, bool):
        raise TypeError(f"{name} must hold numbers, not booleans")
    if isinstance(value, Rational):
        return Fraction(value)
    if isinstance(value, (float, np.floating)) and np.isfinite(value):
        return Fraction(float(value))
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    raise TypeError(f"{name} must hold finite real numbers, got {value!r}")


@dataclass(frozen=True)
class Stencil:
    """A finite-difference formula: offsets, exact weights and orders.

    Build one with `stencil`; named schemes are in `numdiff.SCHEMES`.

    Attributes
    ----------
    offsets : tuple of Fraction
        Nodes ``g_i`` in units of the step, sorted, nodes of weight zero
        removed.
    weights : tuple of Fraction
        Exact weights ``c_i``: ``f^(q)(x) ~ sum c_i f(x + g_i h) / h^q``.
    deriv : int
        The derivative order ``q`` approximated.
    accuracy : int
        Order of accuracy ``p``: the truncation error is ``O(h^p)``.
    error_coefficient : Fraction
        Leading truncation term ``K``: the estimate equals
        ``f^(q)(x) + K f^(p+q)(x) h^p + O(h^(p+1))``.

    Examples
    --------
    >>> s = stencil([-2, -1, 1, 2], deriv=1)
    >>> print(s)
    Stencil for f^(1), order of accuracy 4
      offsets: -2, -1, 1, 2
      weights: 1/12, -2/3, 2/3, -1/12
      truncation: -1/30 * f^(5) * h^4
    >>> s.accuracy, s.error_coefficient
    (4, Fraction(-1, 30))
    """

    offsets: tuple
    weights: tuple
    deriv: int
    accuracy: int
    error_coefficient: Fraction

    @cached_property
    def offsets_array(self):
        """Offsets as a read-only float64 array."""
        return _read_only(np.array([float(g) for g in self.offsets]))

    @cached_property
    def weights_array(self):
        """Weights as a read-only float64 array (rounded from the exact ones)."""
        return _read_only(np.array([float(c) for c in self.weights]))

    @cached_property
    def denominator(self):
        """Least common denominator ``D`` of the weights."""
        return lcm(*(c.denominator for c in self.weights))

    @cached_property
    def numerators(self):
        """Integer numerators ``n_i = D c_i``, so ``c_i = n_i / D`` exactly."""
        return tuple(int(c * self.denominator) for c in self.weights)

    @cached_property
    def numerator_pairs(self):
        """The numerators grouped by symmetric offsets: ``(g, n_g, n_-g or None)``, nearest first.

        ``f(x + g h)`` and ``f(x - g h)`` are close for small ``h``: their
        difference (or sum) is formed exactly or nearly, and scaled once, so
        that the sum of the stencil's terms adds no rounding of the size of
        ``f`` on top of the values' own. The centre, if any, comes first.

        Examples
        --------
        >>> stencil([-2, -1, 1, 2], deriv=1).numerator_pairs
        ((Fraction(1, 1), 8, -8), (Fraction(2, 1), -1, 1))
        >>> stencil([0, 1, 2], deriv=1).numerator_pairs
        ((Fraction(0, 1), -3, None), (Fraction(1, 1), 4, None), (Fraction(2, 1), -1, None))
        """
        numerators = dict(zip(self.offsets, self.numerators))
        groups = []
        for g in sorted(self.offsets, key=lambda g: (abs(g), -g)):
            if g in numerators:
                n = numerators.pop(g)
                groups.append((g, n, numerators.pop(-g, None) if g != 0 else None))
        return tuple(groups)

    @cached_property
    def next_error_term(self):
        """The truncation term after the leading one: ``(accuracy, coefficient)``.

        The estimate equals ``f^(q) + K f^(p+q) h^p + K2 f^(p2+q) h^p2 + ...``;
        this is ``(p2, K2)``, from the same moments as the leading term. It
        governs where ``f^(p+q)(x) = 0`` (an inflection point for one-sided
        schemes, a zero of the third derivative for central ones).

        Examples
        --------
        >>> stencil([0, 1], deriv=1).next_error_term  # (f(x+h) - f(x))/h
        (2, Fraction(1, 6))
        >>> stencil([-1, 1], deriv=1).next_error_term  # central: even powers only
        (4, Fraction(1, 120))
        """
        return _leading_error(self.offsets, self.weights, self.deriv,
                              after=self.truncation_order)

    @property
    def truncation_order(self):
        """Order ``p + q`` of the derivative in the leading truncation term."""
        return self.accuracy + self.deriv

    @cached_property
    def weight_sum(self):
        """``sum |c_i|``: how much the stencil amplifies rounding in ``f``."""
        return float(sum(abs(c) for c in self.weights))

    @cached_property
    def weight_norm(self):
        """``sqrt(sum c_i^2)``: how much the stencil amplifies independent noise in ``f``.

        Examples
        --------
        >>> stencil([-1, 1], deriv=1).weight_norm  # weights -1/2, 1/2
        0.7071067811865476
        """
        return float(np.sqrt(sum(float(w) ** 2 for w in self.weights)))

    def __str__(self):
        def join(values):
            return ", ".join(str(v) for v in values)

        return (
            f"Stencil for f^({self.deriv}), order of accuracy {self.accuracy}\n"
            f"  offsets: {join(self.offsets)}\n"
            f"  weights: {join(self.weights)}\n"
            f"  truncation: {self.error_coefficient} * f^({self.truncation_order})"
            f" * h^{self.accuracy}"
        )


def _read_only(array):
    array.flags.writeable = False
    return array


def stencil(offsets, deriv=1):
    """The finite-difference stencil of derivative `deriv` on `offsets`.

    Weights are exact rationals from Fornberg's recursion; the order of
    accuracy and the leading error coefficient are read off the first
    moment ``sum c_i g_i^m / m!`` (``m > deriv``) that does not vanish.
    Results are cached.

    Parameters
    ----------
    offsets : sequence of int, Fraction or float
        Distinct nodes in units of the step; floats are taken at their exact
        binary value, so prefer ``Fraction(1, 2)`` to ``0.5`` only for
        values that are not dyadic.
    deriv : int, optional
        Derivative order, at least 1 and less than ``len(offsets)``.

    Returns
    -------
    Stencil

    Raises
    ------
    TypeError
        If `offsets` holds something other than real numbers, or `deriv` is
        not an integer.
    ValueError
        If the offsets repeat, or there are not more of them than `deriv`.

    Examples
    --------
    >>> s = stencil([0, 1, 2], deriv=1)
    >>> [str(c) for c in s.weights], s.accuracy
    (['-3/2', '2', '-1/2'], 2)
    >>> stencil([-1, 0, 1], deriv=2).weights_array
    array([ 1., -2.,  1.])
    """
    if isinstance(deriv, bool) or not isinstance(deriv, (int, np.integer)):
        raise TypeError(f"deriv must be an integer, got {deriv!r}")
    if deriv < 1:
        raise ValueError(f"deriv must be at least 1, got {deriv}")
    try:
        nodes = tuple(_as_fraction(g, "offsets") for g in offsets)
    except TypeError as error:
        if "offsets" in str(error):
            raise
        raise TypeError(f"offsets must be a sequence of numbers, got {offsets!r}") from None
    if len(set(nodes)) != len(nodes):
        raise ValueError(f"offsets must be distinct, got {[str(g) for g in nodes]}")
    if len(nodes) <= deriv:
        raise ValueError(
            f"offsets must have more than deriv={deriv} points, got {len(nodes)}"
        )
    return _stencil(tuple(sorted(nodes)), int(deriv))


def central_stencil(deriv):
    """The central stencil of order of accuracy 2 for derivative order `deriv`.

    The smallest symmetric set of offsets ``-m..m``, ``m = (deriv - 1) // 2 + 1``,
    for any `deriv` (the named schemes stop at `numdiff.MAX_DERIV`); the
    step-selection algorithms use it to estimate the derivative in a
    truncation term.

    Parameters
    ----------
    deriv : int
        Derivative order, at least 1.

    Returns
    -------
    Stencil

    Examples
    --------
    >>> print(central_stencil(3))
    Stencil for f^(3), order of accuracy 2
      offsets: -2, -1, 1, 2
      weights: -1/2, 1, -1, 1/2
      truncation: 1/4 * f^(5) * h^2
    """
    half = (deriv - 1) // 2 + 1
    return stencil(range(-half, half + 1), deriv)


@lru_cache(maxsize=None)
def _stencil(nodes, deriv):
    weights = fornberg_weights(nodes, deriv)[deriv]
    kept = [(g, c) for g, c in zip(nodes, weights) if c != 0]
    offsets = tuple(g for g, _ in kept)
    weights = tuple(c for _, c in kept)
    accuracy, coefficient = _leading_error(offsets, weights, deriv)
    return Stencil(offsets, weights, deriv, accuracy, coefficient)


def _leading_error(offsets, weights, deriv, after=None):
    """Order of accuracy and coefficient of the first non-zero moment of order above `after`.

    `after` defaults to `deriv`, which gives the leading truncation term.
    """
    # With n nodes the moments of order < n are fixed by construction; the
    # first non-zero one beyond `after` is at most a few orders further.
    start = deriv + 1 if after is None else after + 1
    for m in range(start, start + len(offsets) + 3):
        moment = sum(c * g**m for g, c in zip(offsets, weights)) / factorial(m)
        if moment != 0:
            return m - deriv, moment
    raise AssertionError("a stencil on finitely many nodes cannot be exact for all orders")
