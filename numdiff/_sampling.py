"""Evaluating a function on whole arrays for the difference methods.

`Sampler` calls ``f`` with arrays, checks that it returns the shape it was
given, converts real values to the working dtype, and counts the calls.
`difference` evaluates a real stencil at a step (an array, one step per
element), `stencil_difference` the same with the slope of the values, and
`complex_step` the complex-step estimate. They are shared by
`numdiff.numerical_diff`, `numdiff.derivative` and the step-selection
algorithms; they are not public.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import as_values
from .variable import Variable


class Sampler:
    """``f`` applied element-wise to arrays, calls counted.

    Parameters
    ----------
    f : callable
        The function; called with `Variable` objects when `wrap` is True.
    dtype : numpy dtype
        Real working dtype; real values of ``f`` are converted to it.
    wrap : bool
        Whether ``f`` takes and returns `Variable` objects.
    """

    def __init__(self, f, dtype, wrap):
        self.f = f
        self.dtype = dtype
        self.wrap = wrap
        self.calls = 0

    def __call__(self, at):
        """``f(at)`` as an array of the shape of `at` (real in the working dtype).

        Raises
        ------
        TypeError, ValueError
            If ``f`` returns something other than numbers, or another shape.
        """
        self.calls += 1
        y = self.f(Variable(at)) if self.wrap else self.f(at)
        values = as_values(y, np.shape(at))
        if values.dtype.kind == "c":
            return values
        return values if values.dtype == self.dtype else values.astype(self.dtype)


def shifted(points, h, g):
    """``x + g h`` for a stencil offset `g` (a Fraction or int)."""
    if g == 0:
        return points
    if g == 1:
        return points + h
    if g == -1:
        return points - h
    return points + h.dtype.type(float(g)) * h


def difference(sample, points, h, st, centre=None):
    """The stencil `st` at steps `h`: ``sum c_i f(x + g_i h) / h^q``.

    The step is used as given, like `numdiff.numerical_diff`: forming
    ``x + g h`` in floating point adds an error of about ``u |x| |f'|`` to
    each value, which the step-selection algorithms include in their value
    scale.

    Parameters
    ----------
    sample : Sampler
    points, h : ndarray
        Points and steps, in the sampler's dtype.
    st : numdiff.Stencil
    centre : ndarray, optional
        ``f(x)``, if already known; evaluated (once) when the stencil needs it.

    Returns
    -------
    estimate : ndarray
    scale : ndarray
        ``max_i |f(x + g_i h)|``, the size of the values whose rounding
        errors the difference amplifies.
    centre : ndarray or None
        ``f(x)`` if it was evaluated or given.
    """
    found = stencil_difference(sample, points, h, st, centre)
    return found.estimate, found.scale, found.centre


@dataclass(frozen=True)
class StencilDifference:
    """A stencil's estimate and what its values say about ``f`` near ``x``.

    Attributes
    ----------
    estimate : ndarray
        ``sum c_i f(x + g_i h) / h^q``.
    scale : ndarray
        ``max_i |f(x + g_i h)|``.
    slope : ndarray
        ``(max_i f_i - min_i f_i) / ((max g - min g) h)``: the mean ``|f'|``
        over the stencil's span, up to rounding (a scale, not an estimate).
    centre : ndarray or None
        ``f(x)`` if it was evaluated or given.
    """

    estimate: np.ndarray
    scale: np.ndarray
    slope: np.ndarray
    centre: object


def stencil_difference(sample, points, h, st, centre=None):
    """`difference` with the slope of the values as well (`StencilDifference`).

    Symmetric offsets are taken in pairs (`Stencil.numerator_pairs`), as
    `numdiff.numerical_diff` does: ``n (f(x + g h) - f(x - g h))`` rounds
    little, while a running sum of the single terms would carry rounding
    errors of the size of ``max |n_i f_i|``.
    """
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        total = scale = highest = lowest = None
        for g, n, partner in st.numerator_pairs:
            if g == 0:
                if centre is None:
                    centre = sample(points)
                first = centre
            else:
                first = sample(shifted(points, h, g))
            second = None if partner is None else sample(shifted(points, h, -g))
            for values in (first, second):
                if values is None:
                    continue
                size = np.abs(values)
                scale = size if scale is None else np.maximum(scale, size)
                if values.dtype.kind != "c":
                    highest = values if highest is None else np.maximum(highest, values)
                    lowest = values if lowest is None else np.minimum(lowest, values)
            dtype = first.dtype.type
            if second is None:
                term = first * dtype(n)
            elif partner == -n:
                term = (first - second) * dtype(n)
            elif partner == n:
                term = (first + second) * dtype(n)
            else:
                term = first * dtype(n) + second * second.dtype.type(partner)
            total = term if total is None else total + term
        estimate = total / (h.dtype.type(st.denominator) * h ** st.deriv)
        span = h.dtype.type(float(max(st.offsets) - min(st.offsets)))
        slope = None if highest is None else (highest - lowest) / (span * h)
    return StencilDifference(estimate, scale, slope, centre)


def complex_step(sample, points, h):
    """``Im f(x + ih) / h``: one complex evaluation, no subtraction.

    Raises
    ------
    ValueError
        If ``f`` returns real values for complex input.
    """
    # float16 has no complex counterpart; it is evaluated in complex64.
    complex_dtype = np.result_type(points.dtype, np.complex64)
    values = sample(points.astype(complex_dtype) + h.astype(complex_dtype) * 1j)
    if values.dtype.kind != "c":
        raise ValueError(
            "complex_step needs f to return complex values for complex input "
            "(got real values); a real result would give a derivative "
            "of 0. Use a function written with complex-safe operations, or a "
            "real scheme")
    with np.errstate(invalid="ignore", over="ignore"):
        return (values.imag / h).astype(points.dtype, copy=False)
