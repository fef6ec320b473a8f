"""`Evaluator`: the one way numdiff calls ``f``; `stencil_estimate`: the one way it applies a stencil.

Every method of the library calls ``f`` through an `Evaluator`: it passes
`numdiff.Variable` objects where ``f`` follows that convention, keeps numpy's
floating-point warnings from ``f`` inside (its NaN and inf values speak for
them), checks that ``f`` returns numbers of the shape it was given, refuses
values less precise than the working dtype, converts real values to it,
copies values that share memory with an argument buffer the caller will
overwrite, and counts the calls (`numdiff.CountedFunction`).

`stencil_estimate` evaluates ``sum_i n_i f(x + g_i h) / (D h^q)`` for a
`numdiff.Stencil`. The terms are summed in one of three orders (symmetric
offsets in pairs, or term by term in ascending or descending offsets) and
divided by the step as given, by the step actually taken, or not at all;
each caller names the numerics it uses, so that one function serves them all
with the same bits they had.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import as_numbers, as_values, check_precision
from .counting import CountedFunction
from .theory import machine_epsilon
from .variable import Variable

__all__ = ["Evaluator", "ComplexValues", "StencilEstimate", "stencil_estimate"]


class ComplexValues(TypeError):
    """``f`` returned complex values where real ones were asked for (`Evaluator` with ``real``).

    `calls` is the number of calls of ``f`` made until then.
    """

    def __init__(self, calls):
        super().__init__("f returned complex values for a real argument")
        self.calls = calls


class Evaluator(CountedFunction):
    """``f`` called on arrays, its values checked and converted, its calls counted.

    Parameters
    ----------
    f : callable
        The function.
    dtype : dtype_like, optional
        Real working dtype: real values of ``f`` are converted to it
        (complex values are kept). None keeps what ``f`` returns.
    wrap : bool, optional
        Whether ``f`` takes and returns `numdiff.Variable` objects.
    elementwise : bool, optional
        Whether ``f`` must return an array of the shape of its argument
        (True), or any numbers (False: the caller checks the shape).
    batch_axis : int, optional
        As for `numdiff.CountedFunction`.
    real : bool, optional
        Raise `ComplexValues` where ``f`` returns complex values (a caller
        that differentiates the real and imaginary parts apart).

    Examples
    --------
    >>> import numpy as np
    >>> evaluate = Evaluator(np.exp, dtype=np.float32)
    >>> evaluate(np.zeros(3)).dtype, evaluate.calls
    (dtype('float32'), 1)
    """

    def __init__(self, f, *, dtype=None, wrap=False, elementwise=True, batch_axis=None,
                 real=False):
        super().__init__(f, batch_axis=batch_axis)
        self.dtype = None if dtype is None else np.dtype(dtype)
        self.wrap = wrap
        self.elementwise = elementwise
        self.real = real

    def __call__(self, at, *, scratch=None):
        """``f(at)`` as an array; copied if it shares memory with `scratch`.

        Raises
        ------
        TypeError, ValueError
            If ``f`` returns something other than numbers, floating-point
            values less precise than `dtype` (TypeError), or (element-wise)
            another shape than that of `at`.
        """
        # What numpy says of f's own overflow or invalid operations shows in its
        # values (NaN, inf), which every caller reports; the warnings stay here.
        with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
            y = super().__call__(Variable(at) if self.wrap else at)
        values = as_values(y, np.shape(at)) if self.elementwise else as_numbers(y)
        if self.real and values.dtype.kind == "c":
            raise ComplexValues(self.calls)
        check_precision(values, self.dtype)
        if self.dtype is not None and values.dtype != self.dtype and values.dtype.kind != "c":
            values = values.astype(self.dtype)
        if scratch is not None and np.may_share_memory(values, scratch):
            values = values.copy()  # e.g. f returned its argument
        return values


@dataclass(frozen=True)
class StencilEstimate:
    """A stencil's estimate and what its values say about ``f`` near ``x``.

    Attributes
    ----------
    estimate : ndarray
        ``sum n_i f(x + g_i h)``, divided as asked (`stencil_estimate`).
    scale : ndarray or None
        ``max_i |f(x + g_i h)|`` (when measured).
    slope : ndarray or None
        ``(max_i f_i - min_i f_i) / ((max g - min g) h)``: the mean ``|f'|``
        over the stencil's span, up to rounding (when measured).
    centre : ndarray or None
        ``f(x)`` if it was evaluated or given.
    values : dict or None
        ``{g: f(x + g h)}`` (when measured).
    """

    estimate: np.ndarray
    scale: object = None
    slope: object = None
    centre: object = None
    values: object = None


#: The orders in which `stencil_estimate` can sum a stencil's terms.
SUMMATIONS = ("pairs", "ascending", "descending")
#: What `stencil_estimate` can divide the sum by.
DIVISORS = ("given", "taken", None)


def term_groups(st, summation="pairs"):
    """The terms of `st` as groups ``(g, n_g, n_-g or None)``, in the order they are summed.

    ``"pairs"``: symmetric offsets together (`numdiff.Stencil.numerator_pairs`):
    ``f(x + g h) - f(x - g h)`` of nearby values is exact (Sterbenz), so
    pairing the offsets of opposite weights loses nothing to rounding.
    ``"ascending"``, ``"descending"``: one term at a time, in that order of
    the offsets. Cached on the stencil itself (hashing its exact fractions
    for a cache would cost as much as building the groups).
    """
    cache = st.__dict__.setdefault("_term_groups", {})
    groups = cache.get(summation)
    if groups is None:
        if summation not in SUMMATIONS:
            raise ValueError(f"summation must be one of {SUMMATIONS}, got {summation!r}")
        if summation == "pairs":
            groups = tuple((float(g), n, partner) for g, n, partner in st.numerator_pairs)
        else:
            terms = tuple((float(g), n, None) for g, n in zip(st.offsets, st.numerators))
            groups = terms if summation == "ascending" else terms[::-1]
        cache[summation] = groups
    return groups


def shift(points, h, g, out=None):
    """``x + g h`` (in `out` if given): no multiplication for ``g = +-1``, none at all for 0."""
    if g == 0:
        return points
    if g == 1:
        return np.add(points, h, out=out)
    if g == -1:
        return np.subtract(points, h, out=out)
    return np.add(points, h.dtype.type(g) * h, out=out)


class _Measure:
    """The running ``max |f_i|``, ``max f_i`` and ``min f_i`` of a stencil's values."""

    def __init__(self):
        self.scale = self.highest = self.lowest = None
        self.values = {}

    def add(self, g, values):
        self.values[g] = values
        size = np.abs(values)
        self.scale = size if self.scale is None else np.maximum(self.scale, size)
        if values.dtype.kind != "c":
            self.highest = values if self.highest is None else np.maximum(self.highest, values)
            self.lowest = values if self.lowest is None else np.minimum(self.lowest, values)

    def slope(self, st, h):
        if self.highest is None:
            return None
        span = h.dtype.type(float(max(st.offsets) - min(st.offsets)))
        return (self.highest - self.lowest) / (span * h)


def stencil_estimate(evaluate, points, h, st, *, centre=None, summation="pairs",
                     divide="given", measure=False, out=None, work=None):
    """The stencil `st` at steps `h`: ``sum_i n_i f(x + g_i h) / (D h^q)``.

    Parameters
    ----------
    evaluate : Evaluator or mapping
        ``f``, called with ``x + g h`` for each offset ``g``; or the values
        ``{g: f(x + g h)}`` themselves (then `points` is not used).
    points, h : ndarray
        Points and steps (broadcast together).
    st : numdiff.Stencil
    centre : ndarray, optional
        ``f(x)``, if already known.
    summation : {"pairs", "ascending", "descending"}
        The order of the terms (`term_groups`).
    divide : {"given", "taken", None}
        ``"given"``: by ``D h^q`` with the step as given (forming ``x + g h``
        in floating point then adds an error of about ``u |x| |f'|`` to each
        value). ``"taken"``: by the step actually taken,
        ``(x + h) - (x - h)`` (Numerical Recipes 3rd ed. §5.7); for the
        two-point central difference only. None: the sum undivided.
    measure : bool
        Whether to return the scale, slope and values of ``f`` as well.
    out : ndarray, optional
        Where the estimate goes (the two-point central difference only).
    work : tuple of ndarray, optional
        Buffers for the arguments ``x + g h`` (two with ``divide="taken"``,
        which hold ``x + h`` and then the step taken); allocated if None.

    Returns
    -------
    StencilEstimate

    Notes
    -----
    The arguments are formed in one reused buffer, which then holds the
    group's term, so a two-point stencil allocates one array besides the
    values of ``f``.
    """
    if divide not in DIVISORS:
        raise ValueError(f"divide must be one of {DIVISORS}, got {divide!r}")
    if divide == "taken" or out is not None:
        if st.offsets != (-1, 1):
            raise ValueError("divide='taken' and out are for the two-point central difference")
        return _central(evaluate, points, h, divide, measure, out, work)
    given = not callable(evaluate)
    groups = term_groups(st, summation)
    shape = np.broadcast_shapes(np.shape(points), h.shape) if not given else None
    dtype = np.result_type(points, h) if not given else None
    buffer = None if given else (work[0] if work else np.empty(shape, dtype))
    measured = _Measure() if measure else None
    total = None
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for g, n, partner in groups:
            if given:
                first = evaluate[g]
                second = None if partner is None else evaluate[-g]
            else:
                if g == 0 and centre is None:
                    centre = evaluate(points)
                first = centre if g == 0 else evaluate(shift(points, h, g, buffer),
                                                       scratch=buffer)
                second = None if partner is None else evaluate(shift(points, h, -g, buffer),
                                                                scratch=buffer)
            if measured is not None:
                measured.add(g, first)
                if second is not None:
                    measured.add(-g, second)
            term, total_is_buffer = _term(first, second, n, partner, buffer, dtype)
            if shape is not None and term.shape != shape:
                term = np.broadcast_to(term, shape)
            if total is None:
                total = term if total_is_buffer else np.array(term)
                if total_is_buffer and len(groups) > 1:
                    buffer = np.empty(shape, dtype)
            else:
                total += term
        if divide == "given":
            total /= st.denominator * (h if st.deriv == 1 else h ** st.deriv)
    if measured is None:
        return StencilEstimate(total, centre=centre)
    return StencilEstimate(total, measured.scale, measured.slope(st, h), centre, measured.values)


@np.errstate(invalid="ignore", over="ignore", divide="ignore")
def scalar_estimate(f, x, h, groups, denominator, deriv):
    """`stencil_estimate` (pairs, step as given) at one point, on numpy scalars.

    The same operations in the same order as the array path, so the same
    bits, without its buffers. ``f`` is called with 0-d arrays, as there
    (numpy computes some functions of a numpy scalar differently, ``t**3``
    for one), unless it is a ufunc, which computes a scalar as a 0-d array;
    its values are checked as `Evaluator` does and taken as numpy scalars.
    `groups` are ``term_groups(st)``, `denominator` and `deriv` the stencil's.
    """
    scalar = type(x)
    wrap = np.array if type(f) is not np.ufunc else scalar
    total = None
    for g, n, partner in groups:
        first = f(wrap(x if g == 0 else x + h if g == 1 else x - h if g == -1 else
                       x + scalar(g) * h))
        if type(first) is not scalar:
            first = scalar_values(first, x)
        second = None
        if partner is not None:
            second = f(wrap(x - h if g == 1 else x + scalar(-g) * h))
            if type(second) is not scalar:
                second = scalar_values(second, x)
        if second is None:
            term = first if n == 1 else first * n
        elif partner == n or partner == -n:
            term = first + second if partner == n else first - second
            if n != 1:
                term = term * n
        else:
            term = first * n + partner * second
        total = term if total is None else total + term
    step = h if deriv == 1 else (np.asarray(h) ** deriv)[()]
    return total / (denominator * step)


def scalar_values(y, x, shape=()):
    """What ``f`` returned for an argument of `shape` at one point, as a numpy scalar like `x`.

    Checked and converted as `Evaluator` does; the common case (a value of
    the type of `x`, or an array of it) costs a type test.
    """
    if shape == () and type(y) is type(x):
        return y
    if type(y) is np.ndarray and y.shape == shape and y.dtype == x.dtype:
        return y[(0,) * len(shape)]
    values = check_precision(as_values(y, shape), x.dtype)
    if values.dtype != x.dtype and values.dtype.kind != "c":
        values = values.astype(x.dtype)
    return values[(0,) * len(shape)]


def _term(first, second, n, partner, buffer, dtype):
    """``n f_g + n_-g f_-g`` in `buffer` where the values are real (else new); and whether it is."""
    real = buffer is not None and first.dtype == dtype and (second is None or
                                                            second.dtype == dtype)
    out = buffer if real else None
    if second is None:
        term = first if n == 1 else np.multiply(first, n, out=out)
    elif partner == n or partner == -n:
        term = (np.add if partner == n else np.subtract)(first, second, out=out)
        if n != 1:
            term = np.multiply(term, n, out=term if real else None)
    else:
        term = np.add(np.multiply(first, n, out=out), partner * second, out=out)
    return term, term is buffer


def _central(evaluate, points, h, divide, measure, out, work):
    """``(f(x + h) - f(x - h)) / ((x + h) - (x - h))``, in place on `out` and `work`.

    With ``divide=None`` the difference alone, for a caller that divides by
    the nominal step.
    Released before the division, the values of ``f`` let the next calls of
    ``f`` reuse their memory rather than new pages.
    """
    if work is None:
        shape = np.broadcast_shapes(points.shape, h.shape)
        work = (np.empty(shape, points.dtype), np.empty(shape, points.dtype))
    above, below = work
    f_above = evaluate(np.add(points, h, out=above), scratch=above)
    f_below = evaluate(np.subtract(points, h, out=below), scratch=below)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        row = np.subtract(f_above, f_below, out=out)
        if divide is None:
            return StencilEstimate(row)
        np.subtract(above, below, out=above)
        scale = None
        if measure:
            # The values of f may be read-only or kept by f: |f| goes to new
            # memory and to the buffer `below`, free once the step is known.
            scale = np.abs(f_above)
            np.maximum(scale, np.abs(f_below, out=below), out=scale)
        del f_above, f_below
        np.divide(row, above, out=row)
    return StencilEstimate(row, scale, row if measure else None)


def complex_step_estimate(evaluate, points, h):
    """``Im f(x + ih) / h``: one complex evaluation, no subtraction.

    Where ``f`` overflows the estimate is not finite (the warnings of numpy
    stay inside). Where ``|Im f(x + ih)|`` exceeds both `OFF_AXIS_SHARE` of
    ``|f(x + ih)|`` and ``sqrt(h)`` (an estimate above ``h^(-1/2)`` from a
    value of ``f`` that is not a small move off the real axis: ``x`` outside
    the real domain of ``f``, or a large step), ``f`` is also evaluated at
    ``x + 0i`` (`check_real_on_axis`). This trigger only decides whether to
    look; it misses a branch cut of an ``f`` whose values are all below
    ``sqrt(h)``.

    Raises
    ------
    ValueError
        If ``f`` returns real values for complex input, or is not real at
        ``x`` (`check_real_on_axis`).
    """
    # float16 has no complex counterpart; it is evaluated in complex64.
    complex_dtype = np.result_type(points.dtype, np.complex64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        values = require_complex(evaluate(points.astype(complex_dtype)
                                          + h.astype(complex_dtype) * 1j))
        imag = np.abs(values.imag)
        if np.any((imag > OFF_AXIS_SHARE * np.abs(values)) & (imag > np.sqrt(h))):
            check_real_on_axis(evaluate, points.astype(complex_dtype))
        return (values.imag / h).astype(points.dtype, copy=False)


def require_complex(values):
    """`values` (of ``f`` at complex points), or ValueError if they are not complex.

    A real result for complex input would give the complex step a derivative of 0.
    """
    if values.dtype.kind != "c":
        raise ValueError("complex_step needs f to return complex values for complex input "
                         f"(got dtype {values.dtype}): a real result would give a derivative "
                         "of 0; use a function written with complex-safe operations, or a "
                         "real scheme")
    return values


#: `complex_step_estimate` checks that ``f`` is real at ``x`` where ``Im f(x + ih)``
#: is above this share of ``|f(x + ih)|``: for ``f`` real near ``x``,
#: ``Im f(x + ih) ~ h f'(x)`` is small beside ``|f|`` unless ``h`` is not small
#: against the length scale ``|f / f'|``.
OFF_AXIS_SHARE = 1e-3


def check_real_on_axis(evaluate, points):
    """Raise ValueError where ``f(x + 0i)`` is not real: the complex step needs ``f`` real at ``x``.

    For ``f`` analytic and real on the real axis near ``x`` (what the complex
    step assumes), ``Im f(x + 0i)`` is 0 up to rounding. Outside the real
    domain of ``f`` (``log`` or ``sqrt`` of a negative number) it is not
    (``log(-1 + 0i) = i pi``), and ``Im f(x + ih) / h`` is that value over
    ``h``, not a derivative. The criterion is
    ``|Im f(x + 0i)| > sqrt(u) |f(x + 0i)|``, ``u`` the machine epsilon of the
    values: far above the rounding of a real ``f``, far below the imaginary
    part of a value off its real domain.
    """
    values = evaluate(points)
    size = np.abs(values)
    off = np.abs(values.imag) > np.sqrt(machine_epsilon(values.dtype)) * size
    if np.any(off):
        at = points.real[np.nonzero(off)] if points.ndim else points.real
        first = np.asarray(at).reshape(-1)[0]
        raise ValueError(
            f"complex_step needs f real on the real axis at x, but f(x + 0i) is not real at "
            f"x = {first:.6g} ({np.count_nonzero(off)} element(s)): x is outside the real "
            "domain of f (on a branch cut, say); use a real scheme there")
