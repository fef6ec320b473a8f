"""The named difference schemes, as data.

A `Scheme` is a rule that lays out the offsets of a stencil for a derivative
order: one-sided (forward or backward) or centred, with a target order of
accuracy. `SCHEMES` maps each name to its rule; `Scheme.stencil` builds the
exact stencil through `numdiff.stencil`. The complex step is a scheme too,
though it has no real stencil: it evaluates ``Im f(x + ih) / h``.
"""

from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from ._validation import check_deriv
from .stencil import stencil

__all__ = ["Scheme", "SCHEMES", "get_scheme", "MAX_DERIV"]

#: Highest derivative order the real schemes support.
MAX_DERIV = 4


@dataclass(frozen=True)
class Scheme:
    """A named difference scheme: a layout of offsets and a target order.

    Attributes
    ----------
    name : str
        Key in `SCHEMES`.
    layout : {"forward", "backward", "central", "complex"}
        Where the nodes lie: at ``0, 1, 2, ...``, at ``0, -1, -2, ...``,
        symmetric about 0, or on the imaginary axis (complex step).
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
    """

    name: str
    layout: str
    order: int
    description: str

    @property
    def is_complex(self):
        """True for the complex step, which evaluates ``f`` off the real axis."""
        return self.layout == "complex"

    @property
    def max_deriv(self):
        """Highest derivative order this scheme supports."""
        return 1 if self.is_complex else MAX_DERIV

    def offsets(self, deriv=1):
        """Offsets of the stencil for derivative order `deriv`.

        One-sided schemes of order ``p`` use the ``deriv + p`` nodes
        ``0..deriv+p-1`` (or their negatives); central schemes use the
        smallest symmetric set ``-m..m`` with ``m = (deriv - 1) // 2 + p // 2``,
        which reaches order ``p`` because symmetry cancels every other error
        term. The complex step has the single offset ``i`` (returned as 1).
        """
        deriv = check_deriv(deriv, self.max_deriv, self.name)
        if self.is_complex:
            return (1,)
        if self.layout == "central":
            half = (deriv - 1) // 2 + self.order // 2
            return tuple(range(-half, half + 1))
        nodes = tuple(range(deriv + self.order))
        return nodes if self.layout == "forward" else tuple(-g for g in reversed(nodes))

    def stencil(self, deriv=1):
        """The exact `Stencil` of this scheme for derivative order `deriv`.

        Raises
        ------
        ValueError
            For the complex step, which has no real stencil.
        """
        if self.is_complex:
            raise ValueError("complex_step has no real stencil; it evaluates Im f(x + ih) / h")
        return stencil(self.offsets(deriv), deriv)

    def accuracy(self, deriv=1):
        """Order of accuracy reached for derivative order `deriv`."""
        return self.order if self.is_complex else self.stencil(deriv).accuracy

    def error_coefficient(self, deriv=1):
        """Leading truncation coefficient ``K`` (estimate - exact ~ K f^(p+q) h^p).

        For the complex step ``Im f(x + ih)/h = f'(x) - f'''(x) h^2/6 + ...``,
        so ``K = -1/6``.
        """
        if self.is_complex:
            check_deriv(deriv, self.max_deriv, self.name)
            return Fraction(-1, 6)
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
        if self.is_complex:
            check_deriv(deriv, self.max_deriv, self.name)
            return 3, 5
        st = self.stencil(deriv)
        return st.truncation_order, st.next_error_term[0] + deriv

    def evaluations(self, deriv=1):
        """Number of evaluations of ``f`` per point."""
        return 1 if self.is_complex else len(self.stencil(deriv).offsets)


def _build(*rows):
    return MappingProxyType({name: Scheme(name, layout, order, text) for name, layout, order, text in rows})


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
    ValueError: unknown scheme 'centre'; valid schemes: forward, backward, central, forward2, backward2, central4, central6, central8, complex_step
    """
    if isinstance(scheme, Scheme):
        return scheme
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a string, got {type(scheme).__name__}")
    try:
        return SCHEMES[scheme]
    except KeyError:
        raise ValueError(
            f"unknown scheme {scheme!r}; valid schemes: {', '.join(SCHEMES)}"
        ) from None
