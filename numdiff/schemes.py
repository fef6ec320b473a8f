"""Difference schemes: what each kind of scheme is, and what it does.

A scheme is a rule for estimating a derivative from values of ``f`` near
``x``. Two kinds, one class each:

* `StencilScheme`: a real stencil, ``sum c_i f(x + g_i h) / h^q``, with its
  offsets laid out one-sided (forward or backward), centred, or given
  (`Scheme.from_stencil`); the exact stencil comes from `numdiff.stencil`.
* `ComplexStep`: ``Im f(x + ih) / h``, one evaluation off the real axis and
  no subtraction.

Each says how it is evaluated at a step (`Scheme.evaluate`), how its rounding
error grows as the step shrinks (`Scheme.rounding_power`), the spacing of the
powers in its error expansion (`Scheme.order_step`), its leading truncation
coefficient, the highest derivative it supports, whether the step-selection
rules apply to it, and the defaults `numdiff.derivative` uses for it.
`SCHEMES` maps the named schemes to their objects.
"""

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ._validation import check_deriv
from .evaluator import (OFF_AXIS_SHARE, StencilEstimate, check_real_on_axis, require_complex,
                        complex_step_estimate, stencil_estimate)
from .stencil import Stencil, stencil
from .theory import machine_epsilon, unit_scale_step

__all__ = ["Scheme", "StencilScheme", "ComplexStep", "SCHEMES", "get_scheme", "MAX_DERIV",
           "scheme_of_order"]

#: Highest derivative order the real schemes support. The exact weights come
#: from Fornberg's recursion for any order; 8 keeps the stencils short enough
#: (at most ``8 + p`` points) for the float64 rounding they amplify, ``u / h^q``.
MAX_DERIV = 8

#: Highest order of accuracy `scheme_of_order` builds.
MAX_ORDER = 32

#: Largest distance from ``x``, in units of ``L = max(1, |x|)``, at which the
#: automatic step's first stencil samples ``f`` (`StencilScheme.initial_step`).
MAX_REACH = 0.5

#: Derivative orders up to which `numdiff.derivative`'s automatic step takes
#: Cauchy's estimate and its tableau the scheme's `default_levels`; above it,
#: where rounding (``u / h^q``) governs, the central schemes take derivatives
#: of unit size and levels down to the base stencil's own optimal step
#: (`StencilScheme.takes_cauchy`, `StencilScheme.automatic_levels`,
#: ``docs/method.md``).
CAUCHY_MAX_DERIV = 4


@dataclass(frozen=True)
class Scheme:
    """A difference scheme: a layout of evaluations and a target order.

    The common part of `StencilScheme` and `ComplexStep`; build a scheme of
    your own with `Scheme.from_stencil`.

    Attributes
    ----------
    name : str
        Key in `SCHEMES` (or a name of your choosing).
    layout : {"forward", "backward", "central", "custom", "complex"}
        Where the nodes lie: at ``0, 1, 2, ...``, at ``0, -1, -2, ...``,
        symmetric about 0, as given, or on the imaginary axis.
    order : int
        Target order of accuracy ``p``.
    description : str
        One line for tables and ``--help`` texts.

    Examples
    --------
    >>> from numdiff import SCHEMES
    >>> print(SCHEMES["forward2"].stencil(1))
    Stencil for f^(1), order of accuracy 2
      offsets: 0, 1, 2
      weights: -3/2, 2, -1/2
      truncation: -1/3 * f^(3) * h^2
    >>> SCHEMES["central4"].offsets(2)
    (-2, -1, 0, 1, 2)
    >>> SCHEMES["central"].default_levels, SCHEMES["complex_step"].rounding_power()
    (5, 0)
    """

    name: str
    layout: str
    order: int
    description: str

    @staticmethod
    def from_stencil(st, *, name=None):
        """A scheme of the offsets of a `numdiff.Stencil` (or of a sequence of offsets).

        Symmetric offsets behave as a central scheme (error expansion in
        every other power of the step), others as one-sided.

        Examples
        --------
        >>> from numdiff import stencil
        >>> s = Scheme.from_stencil(stencil([-2, -1, 1, 2]))
        >>> s.name, s.order, s.order_step, s.default_levels
        ('stencil(-2, -1, 1, 2)', 4, 2, 5)
        >>> Scheme.from_stencil([0, 1, 3]).layout
        'forward'
        """
        if isinstance(st, Stencil):
            nodes, deriv = st.offsets, st.deriv
        else:
            nodes, deriv = stencil(st, 1).offsets, 1
        nodes = tuple(sorted(nodes))
        if set(nodes) == {-g for g in nodes}:
            layout = "central"
        elif min(nodes) >= 0 or max(nodes) <= 0:
            layout = "forward" if min(nodes) >= 0 else "backward"
        else:
            layout = "custom"
        label = f"stencil({', '.join(str(g) for g in nodes)})"
        order = stencil(nodes, deriv).accuracy
        return StencilScheme(name or label, layout, order,
                             f"stencil on the offsets {', '.join(str(g) for g in nodes)}", nodes)

    #: True for the complex step, which evaluates ``f`` off the real axis.
    is_complex = False
    #: Whether the step-selection rules (`numdiff.step_selection`) are for this scheme.
    step_rules_apply = True
    #: Whether the estimate subtracts values of ``f`` (a step must move ``x``).
    subtracts = True
    #: Whether ``f`` must be analytic and accept complex input (the complex step).
    needs_analytic = False

    def real_offsets(self, deriv=1):
        """Offsets along the real axis at which ``f`` is evaluated (for domains)."""
        return self.offsets(deriv)

    def hessian_scheme(self):
        """The scheme `numdiff.hessian` uses with automatic steps: the central difference."""
        return SCHEMES["central"]


@dataclass(frozen=True)
class StencilScheme(Scheme):
    """A real stencil scheme: ``sum_i c_i f(x + g_i h) / h^q``.

    `nodes` fixes the offsets for every derivative order; without them the
    layout and the order choose them (`offsets`).
    """

    nodes: tuple = None

    @property
    def max_deriv(self):
        """Highest derivative order this scheme supports."""
        return MAX_DERIV if self.nodes is None else min(MAX_DERIV, len(self.nodes) - 1)

    @property
    def order_step(self):
        """Spacing of the powers of ``h`` in the error: 2 for symmetric offsets, else 1."""
        return 2 if self.layout == "central" else 1

    @property
    def default_levels(self):
        """Steps in `numdiff.derivative`'s tableau by default: 5 central, 6 one-sided."""
        return 5 if self.order_step == 2 else 6

    def offsets(self, deriv=1):
        """Offsets of the stencil for derivative order `deriv`.

        One-sided schemes of order ``p`` use the ``deriv + p`` nodes
        ``0..deriv+p-1`` (or their negatives); central schemes use the
        smallest symmetric set ``-m..m`` with ``m = (deriv - 1) // 2 + p // 2``,
        which reaches order ``p`` because symmetry cancels every other error
        term. A scheme of given nodes uses them.
        """
        deriv = check_deriv(deriv, self.max_deriv, self.name)
        if self.nodes is not None:
            return self.nodes
        if self.layout == "central":
            half = (deriv - 1) // 2 + self.order // 2
            return tuple(range(-half, half + 1))
        nodes = tuple(range(deriv + self.order))
        return nodes if self.layout == "forward" else tuple(-g for g in reversed(nodes))

    def stencil(self, deriv=1):
        """The exact `Stencil` of this scheme for derivative order `deriv` (cached)."""
        return _stencil_of(self, deriv)

    def accuracy(self, deriv=1):
        """Order of accuracy reached for derivative order `deriv`."""
        return self.stencil(deriv).accuracy

    def error_coefficient(self, deriv=1):
        """Leading truncation coefficient ``K`` (estimate - exact ~ K f^(p+q) h^p)."""
        return self.stencil(deriv).error_coefficient

    def truncation_orders(self, deriv=1):
        """Orders of the derivatives in the leading and the next truncation terms.

        ``(p + q, p2 + q)``: the error model needs ``f`` differentiated that
        many times (`numdiff.error_model`). For the complex step (3, 5).

        Examples
        --------
        >>> SCHEMES["forward"].truncation_orders(), SCHEMES["central"].truncation_orders()
        ((2, 3), (3, 5))
        """
        st = self.stencil(deriv)
        return st.truncation_order, st.next_error_term[0] + deriv

    def next_error_term(self, deriv=1):
        """``(p2, K2)``: the power and exact coefficient of the next truncation term."""
        return self.stencil(deriv).next_error_term

    def evaluations(self, deriv=1):
        """Number of evaluations of ``f`` per point."""
        return len(self.stencil(deriv).offsets)

    def weight_sum(self, deriv=1):
        """``sum |c_i|``: how much the stencil amplifies the rounding of ``f``."""
        return float(self.stencil(deriv).weight_sum)

    def rounding_power(self, deriv=1):
        """``q``: the rounding error grows like ``h^-q`` as the step shrinks."""
        return deriv

    def rounding_coefficient(self, deriv, *, u, f_scale, result_scale=None, argument_error=0.0):
        """``C1`` of the error model: ``(u |f| + argument_error) sum|c_i|`` (`numdiff.error_model`).

        `u` is the relative error of one value of ``f``; `argument_error` the
        error a value inherits from the rounding of its argument ``x + g h``.
        """
        return (u * f_scale + argument_error) * self.stencil(deriv).weight_sum

    def result_rounding_weight(self, deriv=1):
        """``1 + sum_i |c_i g_i^q| / q!``: units of ``u |f^(q)|`` the result's rounding costs.

        After the values' leading parts cancel, each term ``c_i f(x + g_i h)``
        keeps about ``c_i g_i^q h^q f^(q) / q!``; rounding those terms, then
        the quotient, costs ``u |f^(q)|`` times this: 2 for the forward and
        central differences, one machine epsilon.
        """
        st = self.stencil(deriv)
        return 1 + float(sum(abs(c * g**deriv) for c, g in zip(st.weights, st.offsets))
                         / math.factorial(deriv))

    def evaluate(self, evaluate, points, h, deriv=1, **numerics):
        """The estimate at steps `h` (`numdiff.evaluator.stencil_estimate`, its options in `numerics`)."""
        return stencil_estimate(evaluate, points, h, self.stencil(deriv), **numerics)

    def along_coordinates(self, evaluate, h):
        """``df/dx_i`` at steps ``h_i`` along each coordinate of a function of many variables.

        `evaluate` gives ``{g: f(x + g h_i e_i)}`` (`numdiff.multivariate`);
        the terms are summed in the order of the offsets.
        """
        st = self.stencil(1)
        values = evaluate.along(st.offsets, h)
        ndim = values[st.offsets[0]].ndim
        return stencil_estimate({float(g): v for g, v in values.items()}, None,
                                h.reshape(h.shape + (1,) * (ndim - 1)), st,
                                summation="ascending").estimate

    def default_relative_step(self, deriv, dtype):
        """The error theory's optimal step for unit scales (`numdiff.theory.unit_scale_step`)."""
        return unit_scale_step(self.stencil(deriv), machine_epsilon(dtype))

    def uses_centre(self, deriv=1):
        """Whether the stencil needs ``f(x)`` (a node of nonzero weight at 0)."""
        return 0 in self.stencil(deriv).offsets

    def step_taken(self, deriv=1):
        """Whether `numdiff.derivative` divides by the step actually taken (two-point central)."""
        return self.stencil(deriv).offsets == (-1, 1)

    def initial_step(self, deriv, levels, ratio, u):
        """`numdiff.derivative`'s initial step at ``L = 1``, and its factor over this stencil's own.

        The error estimate of the top entry is its distance to
        ``T[K-1, K-2]``, the entry of offsets ``g_i / r^k``, ``k = 1..K-1``;
        the initial step puts that entry at its own optimum (Cauchy's bound,
        `numdiff.theory.unit_scale_step`), so that its truncation error, and
        so the estimate, is down at the rounding level. With two levels the
        whole tableau (one entry) stands in for that entry. The constant is
        rounded to the nearest power of two, so that every step ``h0 / r^k``
        is a power of two for ``r = 2`` and ``x +- h`` exact for most ``x``.
        The bound ``|f^(m)| <= m! |f| / L^m`` holds within ``L`` of ``x``:
        the first stencil, which reaches ``max|g| h0``, is kept within
        `MAX_REACH` ``L`` of ``x``, where the Taylor terms of its values fall
        at least by half per order. Where `takes_cauchy` is false the
        derivatives are taken of unit size (``"geometric"``): Cauchy's ``m!``
        would put the steps deep in the rounding, which grows like ``u / h^q``.
        """
        base = self.stencil(deriv)
        r = Fraction(ratio) if float(ratio).is_integer() else \
            Fraction(ratio).limit_denominator(10**6)
        first = 1 if levels > 2 else 0
        below = sorted({g / r**k for g in base.offsets for k in range(first, levels)})
        derivatives = "cauchy" if self.takes_cauchy(deriv) else "geometric"
        constant = unit_scale_step(stencil(below, deriv), u, derivatives=derivatives)
        constant = float(2.0 ** np.round(np.log2(constant)))
        reach = max(abs(g) for g in base.offsets)
        constant = min(constant, float(2.0 ** math.floor(math.log2(MAX_REACH / reach))))
        return constant, constant / unit_scale_step(base, u, derivatives="cauchy")

    def takes_cauchy(self, deriv):
        """Whether the automatic step takes Cauchy's estimate (and the default levels).

        Up to `CAUCHY_MAX_DERIV`, and for the one-sided schemes at every
        order: at the large steps that their rounding allows above it, the
        distance between their extrapolated entries fell short of the true
        error of tanh at 0.5 by up to 5 times (``docs/method-evidence.md``).

        Examples
        --------
        >>> SCHEMES["central"].takes_cauchy(4), SCHEMES["central"].takes_cauchy(5)
        (True, False)
        >>> SCHEMES["forward"].takes_cauchy(5)
        True
        """
        return deriv <= CAUCHY_MAX_DERIV or self.order_step != 2

    def automatic_levels(self, deriv, ratio, u):
        """`numdiff.derivative`'s number of levels when none is given.

        `default_levels` where `takes_cauchy`. Elsewhere the levels run
        from the initial step ``h0`` (at ``L = 1``) down to, and not below,
        the base stencil's optimal step ``h*`` for derivatives of unit size
        (`numdiff.theory.unit_scale_step`): ``1 + floor(log_r(h0 / h*))``,
        between 2 and `default_levels`. Every tableau entry weighs its
        smallest row most and carries at least that row's rounding,
        ``u sum|c| / h^q``; below ``h*`` that rounding alone exceeds the best
        fixed step's whole error, so further rows can only lose.

        Examples
        --------
        >>> from numdiff.theory import machine_epsilon
        >>> u = machine_epsilon()
        >>> [SCHEMES["central"].automatic_levels(q, 2, u) for q in range(1, 9)]
        [5, 5, 5, 5, 4, 3, 2, 2]
        """
        if self.takes_cauchy(deriv):
            return self.default_levels
        h0, _ = self.initial_step(deriv, self.default_levels, ratio, u)
        best = unit_scale_step(self.stencil(deriv), u)
        levels = 1 + math.floor(math.log(h0 / best) / math.log(float(ratio)))
        return int(min(max(levels, 2), self.default_levels))


@dataclass(frozen=True)
class ComplexStep(Scheme):
    """The complex step (Squire & Trapp 1998), for first and second derivatives.

    First derivative: ``Im f(x + ih) / h = f'(x) - f^(3)(x) h^2 / 6 + ...``:
    order 2, powers 2, 4, ... in the error, and no subtraction, so its
    rounding does not grow as the step shrinks (rounding power 0).

    Second derivative: ``Im(f(x + h + ih) - f(x - h + ih)) / (2 h^2)``, the
    complex step applied to a first difference (in the family of Lai &
    Crassidis, "Extensions of the first and second complex-step derivative
    approximations", J. Comput. Appl. Math. 219 (2008) 276). With
    ``z = h (1 + i)``, ``x - h + ih = x - conj(z)``, and ``f`` real on the
    real axis, ``f(x - conj z)`` is the conjugate of
    ``sum_k f^(k) (-z)^k / k!``, so
    ``Im(f(x + z) - f(x - conj z)) = sum_k 2 f^(k) Im(z^k) / k!`` over even
    ``k``, with ``Im(z^k) = 2^(k/2) h^k sin(k pi / 4)``: the ``k = 2`` term
    is ``2 h^2 f''``, ``k = 4, 8, ...`` vanish, ``k = 6`` gives
    ``-16 h^6 f^(6) / 720``. Hence
    ``f'' - f^(6) h^4 / 90 + f^(10) h^8 / 113400 - ...``: order 4, only the
    powers ``4, 8, ...``. The two values share ``Im f ~ f' h``, which
    cancels: the rounding is about ``u |f'| / h`` (rounding power 1), far
    below the ``u |f| / h^2`` of a real second difference, so the best step
    is about ``u^(1/5)`` and the error about ``u^(4/5)``.
    """

    max_deriv = 2
    #: Powers of ``h`` in the error: every other even power for the first
    #: derivative; the second derivative's powers 4, 8, ... are a subset, so
    #: a tableau with spacing 2 removes them too (and finds the others 0).
    order_step = 2
    #: Two steps in `numdiff.derivative`'s tableau: the first is already at the floor.
    default_levels = 2

    def automatic_levels(self, deriv, ratio, u):
        """`default_levels`: the complex step's rounding does not grow as its step shrinks."""
        return self.default_levels

    is_complex = True
    #: The step rules balance the real schemes' rounding, ``u |f| / h^q``: not this one's.
    step_rules_apply = False
    #: ``x + ih`` never rounds to ``x``.
    subtracts = False
    #: ``f`` is evaluated at ``x + ih`` and must be analytic there.
    needs_analytic = True

    def offsets(self, deriv=1):
        """Real parts of the offsets: ``(1,)`` for ``x + ih``, ``(-1, 1)`` for ``x +- h + ih``."""
        check_deriv(deriv, self.max_deriv, self.name)
        return (1,) if deriv == 1 else (-1, 1)

    def real_offsets(self, deriv=1):
        """Real offsets where ``f`` is needed: ``(0,)``, or ``(-1, 1)`` for the second derivative."""
        check_deriv(deriv, self.max_deriv, self.name)
        return (0,) if deriv == 1 else (-1, 1)

    def hessian_scheme(self):
        """Itself: `numdiff.hessian` uses the complex step's second derivative."""
        return self

    def stencil(self, deriv=1):
        """No real stencil.

        Raises
        ------
        ValueError
            Always.
        """
        raise ValueError("complex_step has no real stencil; it evaluates Im f(x + ih) / h")

    def accuracy(self, deriv=1):
        """Order of accuracy: 2 (first derivative), 4 (second)."""
        check_deriv(deriv, self.max_deriv, self.name)
        return self.order if deriv == 1 else 4

    def error_coefficient(self, deriv=1):
        """``K``: ``-1/6`` (``- f^(3) h^2 / 6``), or ``-1/90`` (``- f^(6) h^4 / 90``)."""
        check_deriv(deriv, self.max_deriv, self.name)
        return Fraction(-1, 6) if deriv == 1 else Fraction(-1, 90)

    def evaluations(self, deriv=1):
        """Complex evaluations per point: 1, or 2 for the second derivative."""
        return 1 if deriv == 1 else 2

    def weight_sum(self, deriv=1):
        """1: the rounding is relative to ``|f'|`` (the estimate itself, or ``Im f / h``)."""
        return 1.0

    def rounding_power(self, deriv=1):
        """``q``: 0 (first derivative, no cancellation), 1 (second: ``u |f'| / h``)."""
        return deriv - 1

    def rounding_coefficient(self, deriv, *, u, f_scale, result_scale=None, argument_error=0.0):
        """``C1``: 0 for the first derivative; ``u |f| + argument_error`` for the second.

        The first derivative has no cancellation (the rounding is the floor,
        ``u |f'|``). The second's values ``Im f ~ f' h`` cancel, leaving
        ``u |f'| / h``; ``|f|`` stands for ``|f'|`` at unit length scale.

        Raises
        ------
        ValueError
            For the first derivative without `result_scale` (``|f'(x)|``),
            which sets the floor.
        """
        if deriv == 2:
            return u * f_scale + argument_error
        if result_scale is None:
            raise ValueError("result_scale (|f'(x)|) is required for the complex step (scheme "
                             "'complex_step'): it sets the rounding floor")
        return 0.0

    def truncation_orders(self, deriv=1):
        """``(3, 5)`` for the first derivative, ``(6, 10)`` for the second."""
        check_deriv(deriv, self.max_deriv, self.name)
        return (3, 5) if deriv == 1 else (6, 10)

    def next_error_term(self, deriv=1):
        """``(4, 1/120)`` (``f^(5) h^4 / 120``), or ``(8, 1/113400)`` (``f^(10) h^8 / 113400``)."""
        check_deriv(deriv, self.max_deriv, self.name)
        return (4, Fraction(1, 120)) if deriv == 1 else (8, Fraction(1, 113400))

    def result_rounding_weight(self, deriv=1):
        """2: rounding ``Im f`` and the quotient, ``u |f'|`` each."""
        return 2.0

    def evaluate(self, evaluate, points, h, deriv=1, *, measure=False, **numerics):
        """The estimate at steps `h`; measured, its scale (``|f'|``, which sets the rounding)."""
        if deriv == 1:
            estimate = complex_step_estimate(evaluate, points, h)
            return StencilEstimate(estimate, np.abs(estimate) if measure else None)
        check_deriv(deriv, self.max_deriv, self.name)
        estimate, slope = _complex_second(evaluate, points, h)
        return StencilEstimate(estimate, slope if measure else None)

    def along_coordinates(self, evaluate, h):
        """``Im f(x + i h_j e_j) / h_j`` for every coordinate ``j`` (axis 0)."""
        index = np.arange(h.size)[:, None]
        values = require_complex(
            evaluate.points(index, (h.astype(evaluate.complex_dtype) * 1j)[:, None]))
        steps = h.reshape(h.shape + (1,) * (values.ndim - 1))
        imag = np.abs(values.imag)
        if np.any((imag > OFF_AXIS_SHARE * np.abs(values)) & (imag > np.sqrt(steps))):
            # As `complex_step_estimate`: f must be real at x itself.
            centre = evaluate.points(np.zeros((1, 1), np.intp),
                                     np.zeros((1, 1), evaluate.complex_dtype))
            if np.any(np.abs(centre.imag) >
                      np.sqrt(machine_epsilon(centre.dtype)) * np.abs(centre)):
                raise ValueError("complex_step needs f real on the real axis at x, but "
                                 "f(x + 0i) is not real: x is outside the real domain of f "
                                 "(on a branch cut, say); use a real scheme there")
        return values.imag / steps

    def default_relative_step(self, deriv, dtype):
        """``u`` for the first derivative (any step below ``sqrt(6u)`` reaches the floor),
        ``(u / 32)^(1/5)`` for the second (`initial_step`)."""
        u = machine_epsilon(dtype)
        return u if deriv == 1 else float((u / 32) ** 0.2)

    def uses_centre(self, deriv=1):
        """False: only ``f(x + ih)`` (or ``f(x +- h + ih)``) is evaluated."""
        return False

    def step_taken(self, deriv=1):
        """False: there is no subtraction of shifted arguments."""
        return False

    def initial_step(self, deriv, levels, ratio, u):
        """The automatic step at ``L = 1`` and its factor over this scheme's own.

        First derivative: ``sqrt(u)``, where the truncation ``(h/L)^2/6 ~ u/6``
        is below the floor. Second: the error ``|f^(6)| h^4 / 90 + u |f'| / h``
        with Cauchy's estimates ``|f^(m)| <= m! |f| / L^m`` is
        ``8 h^4 + u / h`` at ``L = 1``, least at ``h = (u / 32)^(1/5)``; the
        tableau's second step is put there (``h0`` is `ratio` times it),
        rounded to a power of two.
        """
        if deriv == 1:
            return float(np.sqrt(u)), 1.0
        own = (u / 32) ** 0.2
        constant = float(2.0 ** np.round(np.log2(own * (ratio if levels > 1 else 1.0))))
        return constant, constant / own


def _complex_second(evaluate, points, h):
    """``Im(f(x + h + ih) - f(x - h + ih)) / (2 h^2)``, and ``|Im(f_+ + f_-)| / (2h)`` (~ |f'|).

    ``f`` must be real at ``x +- h``; it is checked there as the first
    derivative's complex step checks it at ``x`` (`numdiff.evaluator.complex_step_estimate`).
    """
    complex_dtype = np.result_type(points.dtype, np.complex64)
    z = points.astype(complex_dtype)
    shift = h.astype(complex_dtype) * 1j
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        above = require_complex(evaluate(z + h + shift))
        below = evaluate(z - h + shift)
        for values, side in ((above, z + h), (below, z - h)):
            imag = np.abs(values.imag)
            if np.any((imag > OFF_AXIS_SHARE * np.abs(values)) & (imag > np.sqrt(h))):
                check_real_on_axis(evaluate, side)
        estimate = (above.imag - below.imag) / (2 * h * h)
        slope = np.abs(above.imag + below.imag) / (2 * h)
    return estimate.astype(points.dtype, copy=False), slope.astype(points.dtype, copy=False)


@lru_cache(maxsize=256)
def _stencil_of(scheme, deriv):
    return stencil(scheme.offsets(deriv), deriv)


def _build(*rows):
    return MappingProxyType({name: (ComplexStep if layout == "complex" else StencilScheme)(
        name, layout, order, text) for name, layout, order, text in rows})


#: Every named scheme, by name.
SCHEMES = _build(
    ("forward", "forward", 1, "one-sided forward difference, order 1"),
    ("backward", "backward", 1, "one-sided backward difference, order 1"),
    ("central", "central", 2, "central difference, order 2"),
    ("forward2", "forward", 2, "one-sided forward difference, order 2"),
    ("backward2", "backward", 2, "one-sided backward difference, order 2"),
    ("central4", "central", 4, "central difference, order 4"),
    ("central6", "central", 6, "central difference, order 6"),
    ("central8", "central", 8, "central difference, order 8"),
    ("complex_step", "complex", 2, "complex step Im f(x+ih)/h, order 2, no subtraction"),
)


@lru_cache(maxsize=64)
def scheme_of_order(layout, order):
    """The real scheme of a layout and any order of accuracy (cached).

    Parameters
    ----------
    layout : {"central", "forward", "backward"}
        Where the nodes lie (`Scheme`).
    order : int
        Order of accuracy ``p``: even for ``"central"`` (its error has even
        powers only), 1 to `MAX_ORDER`.

    Returns
    -------
    StencilScheme
        Named ``f"{layout}{order}"`` (``"central"``, ``"forward"`` and
        ``"backward"`` for orders 2, 1 and 1, as in `SCHEMES`); its stencils
        come from the exact Fornberg weights. `get_scheme` accepts these
        names too.

    Raises
    ------
    ValueError
        For another layout, or an order out of range (or odd, central).

    Examples
    --------
    >>> s = scheme_of_order("central", 10)
    >>> s.name, s.offsets(1), s.accuracy(1)
    ('central10', (-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5), 10)
    >>> get_scheme("central12").accuracy(8)
    12
    >>> print(get_scheme("forward3").stencil(1))
    Stencil for f^(1), order of accuracy 3
      offsets: 0, 1, 2, 3
      weights: -11/6, 3, -3/2, 1/3
      truncation: 1/4 * f^(4) * h^3
    """
    if layout not in ("central", "forward", "backward"):
        raise ValueError(f"layout must be 'central', 'forward' or 'backward', got {layout!r}")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or \
            not 1 <= order <= MAX_ORDER or (layout == "central" and order % 2):
        kind = "an even integer" if layout == "central" else "an integer"
        raise ValueError(f"order must be {kind} from {2 if layout == 'central' else 1} to "
                         f"{MAX_ORDER} for {layout!r}, got {order!r}")
    default = 2 if layout == "central" else 1
    name = layout if order == default else f"{layout}{order}"
    if name in SCHEMES:
        return SCHEMES[name]
    side = "central difference" if layout == "central" else f"one-sided {layout} difference"
    return StencilScheme(name, layout, int(order), f"{side}, order {order}")


def _parametric(name):
    """The scheme of a name ``<layout><order>`` beyond `SCHEMES` (`scheme_of_order`), or None."""
    for layout in ("central", "forward", "backward"):
        digits = name[len(layout):]
        if name.startswith(layout) and digits.isdigit() and not digits.startswith("0"):
            try:
                return scheme_of_order(layout, int(digits))
            except ValueError:
                return None
    return None


def rule_scheme(scheme, deriv, why):
    """The scheme of a step rule and `deriv`, checked; ValueError with `why` where rules do not apply."""
    spec = get_scheme(scheme)
    if not spec.step_rules_apply:
        raise ValueError(why)
    return spec, check_deriv(deriv, spec.max_deriv, spec.name)


def get_scheme(scheme):
    """Look up a scheme by name (a `Scheme` passes through).

    Raises
    ------
    TypeError
        If `scheme` is neither a string nor a `Scheme`.
    ValueError
        If no scheme has that name; the message lists the valid names.

    Examples
    --------
    >>> get_scheme("central").order
    2
    >>> get_scheme("centre")
    Traceback (most recent call last):
    ...
    ValueError: unknown scheme 'centre'; valid schemes: forward, backward, central, forward2, backward2, central4, central6, central8, complex_step, or central<p> (p even), forward<p>, backward<p> for any order p
    """
    if isinstance(scheme, Scheme):
        return scheme
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a string, got {type(scheme).__name__}")
    try:
        return SCHEMES[scheme]
    except KeyError:
        found = _parametric(scheme)
        if found is not None:
            return found
        raise ValueError(
            f"unknown scheme {scheme!r}; valid schemes: {', '.join(SCHEMES)}, "
            "or central<p> (p even), forward<p>, backward<p> for any order p"
        ) from None
