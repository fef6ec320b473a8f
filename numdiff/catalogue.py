"""Test functions with exact derivatives, for checking numerical differentiation.

Each entry of `CATALOGUE` is a `TestFunction`: a numpy callable that accepts
real and complex input in any float precision, exact derivatives of every
order as vectorised closed forms, and an mpmath reference at any number of
digits that serves as an independent check of those closed forms.

The closed forms are general n-th derivative formulas: power rules for the
polynomials, `sqrt`, `log` and `reciprocal`; the four-cycle of `sin`;
``exp(2 x**2) * P_k(x)`` and ``sech(x)**2 * Q_k(tanh(x))`` with integer
polynomials built by recursion for `exp_square_squared` and `tanh`; and truncated Taylor
series arithmetic (products and real powers of series) for `squire_trapp`.

Notes
-----
- `reciprocal` (``1/x``) is singular at 0; ``|f^(k)(x)| = k!/x**(k+1)``.
- `abs` has a kink at 0. For complex input it is the analytic continuation
  of Martins et al. (2003), ``x`` if ``Re x >= 0`` else ``-x``, so the
  complex step is valid at every ``x > 0``; real steps larger than ``x``
  straddle the kink. Its default point is 1e-3.
- `squire_trapp` is singular where ``sin(x)**3 + cos(x)**3 = 0``; its domain
  is the interval ``(-pi/4, 3pi/4)`` that contains its default point 1.5.

References
----------
W. Squire and G. Trapp, "Using complex variables to estimate derivatives of
real functions", SIAM Rev. 40 (1998) 110-112.
J. R. R. A. Martins, P. Sturdza and J. J. Alonso, "The complex-step
derivative approximation", ACM TOMS 29 (2003) 245-262.

Examples
--------
>>> from numdiff.catalogue import CATALOGUE
>>> list(CATALOGUE)  # doctest: +NORMALIZE_WHITESPACE
['square', 'cube', 'exp', 'exp_square_squared', 'sin', 'log', 'sqrt', 'reciprocal',
 'tanh', 'squire_trapp', 'abs']
>>> f = CATALOGUE["squire_trapp"]
>>> print(f.formula)
exp(x)/sqrt(sin(x)**3 + cos(x)**3)
>>> x = f.default_x
>>> bool(abs(float(f.reference(x)) - f.derivative(x)) < 1e-14 * f.derivative(x))
True
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import mpmath
import numpy as np

__all__ = ["CATALOGUE", "TestFunction", "get_function", "rosenbrock", "rosenbrock_gradient",
           "rosenbrock_hessian"]


def _as_inexact(x):
    """`x` as an array, integers promoted to float64, float/complex kept."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)


def _check_order(k):
    """Validate a derivative order and return it as a Python int."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"`k` must be an integer, got {type(k).__name__}.")
    if k < 0:
        raise ValueError(f"`k` must be non-negative, got {k}.")
    return int(k)


# --- integer polynomials, coefficients in increasing powers ------------------

def _poly_add(a, b):
    n = max(len(a), len(b))
    a, b = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return tuple(p + q for p, q in zip(a, b))


def _poly_mul(a, b):
    out = [0] * (len(a) + len(b) - 1)
    for i, p in enumerate(a):
        for j, q in enumerate(b):
            out[i + j] += p * q
    return tuple(out)


def _poly_diff(a):
    return tuple(j * a[j] for j in range(1, len(a))) or (0,)


def _horner(coefficients, x):
    """Evaluate a polynomial at `x`; Python-int coefficients keep x's dtype."""
    out = np.zeros_like(x)
    for c in reversed(coefficients):
        out = out * x + c
    return out


@lru_cache(maxsize=None)
def _exp_square_squared_poly(k):
    """P_k with d^k/dx^k exp(2x^2) = P_k(x) exp(2x^2); P_{k+1} = P_k' + 4x P_k."""
    if k == 0:
        return (1,)
    p = _exp_square_squared_poly(k - 1)
    return _poly_add(_poly_diff(p), _poly_mul((0, 4), p))


@lru_cache(maxsize=None)
def _tanh_poly(k):
    """Q_k (k >= 1) with d^k/dx^k tanh(x) = sech(x)^2 Q_k(tanh(x)).

    From d/dx [s Q(t)] = s [Q'(t) s - 2t Q(t)] with t = tanh(x), s = 1 - t^2.
    Keeping the factor s = sech(x)^2 out of the polynomial avoids evaluating
    1 - t^2 by cancellation when |x| is large.
    """
    if k == 1:
        return (1,)
    q = _tanh_poly(k - 1)
    return _poly_add(_poly_mul(_poly_diff(q), (1, 0, -1)), _poly_mul((0, -2), q))


# --- truncated Taylor series: lists of arrays, coefficient j at index j ------

def _series_mul(a, b):
    """Cauchy product of two truncated Taylor series."""
    return [sum(a[j] * b[i - j] for j in range(i + 1)) for i in range(len(a))]


def _series_pow(u, p):
    """Series of u**p for real p, from u w' = p u' w (needs u[0] != 0)."""
    w = [u[0] ** p]
    for i in range(1, len(u)):
        total = sum(((p + 1) * j - i) * u[j] * w[i - j] for j in range(1, i + 1))
        w.append(total / (i * u[0]))
    return w


# --- closed-form derivatives, order k >= 1 -----------------------------------

def _monomial_dk(m):
    def dk(x, k):
        return math.perm(m, k) * x ** (m - k) if k <= m else np.zeros_like(x)
    return dk


def _sin_dk(x, k):
    return (np.sin, np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t))[k % 4](x)


def _log_dk(x, k):
    return (-1) ** (k - 1) * math.factorial(k - 1) / x**k


def _sqrt_dk(x, k):
    # (d/dx)^k x^(1/2) = (1/2)(1/2 - 1)...(1/2 - k + 1) x^(1/2 - k); exact in binary.
    return math.prod(0.5 - j for j in range(k)) * np.sqrt(x) / x**k


def _reciprocal_dk(x, k):
    return (-1) ** k * math.factorial(k) / x ** (k + 1)


def _exp_square_squared_dk(x, k):
    return _horner(_exp_square_squared_poly(k), x) * np.exp(2 * x**2)


def _tanh_dk(x, k):
    return _horner(_tanh_poly(k), np.tanh(x)) / np.cosh(x) ** 2


def _abs_dk(x, k):
    return np.sign(x) if k == 1 else np.zeros_like(x)


def _squire_trapp_dk(x, k):
    # Taylor coefficients of sin, cos and exp at x are f^(j)(x)/j!; the rest
    # is series arithmetic, and f^(k)(x) = k! times the k-th coefficient.
    factorials = [math.factorial(j) for j in range(k + 1)]
    sin = [_sin_dk(x, j) / factorials[j] for j in range(k + 1)]
    cos = [_sin_dk(x, j + 1) / factorials[j] for j in range(k + 1)]
    exp = [np.exp(x) / factorials[j] for j in range(k + 1)]
    cubes = [s + c for s, c in zip(_series_mul(_series_mul(sin, sin), sin),
                                   _series_mul(_series_mul(cos, cos), cos))]
    return _series_mul(exp, _series_pow(cubes, -0.5))[k] * factorials[k]


def _squire_trapp(x):
    return np.exp(x) / np.sqrt(np.sin(x) ** 3 + np.cos(x) ** 3)


def _abs(x):
    # Analytic continuation of |x| from either half line (Martins et al. 2003).
    return np.where(x.real >= 0, x, -x)


@dataclass(frozen=True)
class TestFunction:
    """A test function with exact derivatives and an mpmath reference.

    Attributes
    ----------
    name : str
        Key in `CATALOGUE`.
    formula : str
        Human-readable formula in ``x``.
    default_x : float
        Default evaluation point, inside `domain`.
    domain : tuple of float
        Open interval ``(lo, hi)`` on which the function is smooth and
        defined; infinite ends are ``-inf``/``inf``.
    analytic : bool
        True when the function is analytic and real on the real points of
        `domain`, so that the complex step ``Im f(x + ih)/h`` is valid there.

    Notes
    -----
    `derivative` uses vectorised closed forms, evaluated in the dtype of
    ``x``, up to the private order ``_max_closed_order``; above it, it falls
    back to `reference` at 50 digits, element by element, returned as
    float64. Every catalogue entry has closed forms for all orders.

    Examples
    --------
    >>> from numdiff.catalogue import get_function
    >>> f = get_function("log")
    >>> f.domain, f.analytic
    ((0.0, inf), True)
    >>> print(f.derivative(2.0, 3))  # 2/x**3
    0.25
    """

    __test__ = False  # not a pytest test class despite its name

    name: str
    formula: str
    default_x: float
    domain: tuple[float, float]
    analytic: bool
    _numpy: Callable = field(repr=False, compare=False)
    _closed_form: Callable = field(repr=False, compare=False)
    _mpmath: Callable = field(repr=False, compare=False)
    _max_closed_order: float = field(default=math.inf, repr=False)

    def __call__(self, x):
        """Evaluate the function with numpy, keeping the dtype of `x`.

        Parameters
        ----------
        x : array_like
            Real or complex points; integers are promoted to float64.

        Returns
        -------
        numpy.ndarray or numpy scalar
            ``f(x)`` with the dtype and shape of `x` (float16/32/64,
            longdouble, complex64/128).

        Examples
        --------
        >>> import numpy as np
        >>> from numdiff.catalogue import get_function
        >>> f = get_function("exp")
        >>> f(np.array([0.0, 1.0], dtype=np.float32)).dtype
        dtype('float32')
        >>> h = 1e-20
        >>> print(f(1.0 + 1j * h).imag / h)  # complex step: exp'(1) = e
        2.718281828459045
        """
        return np.asarray(self._numpy(_as_inexact(x)))[()]

    def derivative(self, x, k=1):
        """Exact `k`-th derivative at real points `x`.

        Parameters
        ----------
        x : array_like
            Real points; integers are promoted to float64.
        k : int, default 1
            Derivative order, ``k >= 0``; ``k = 0`` evaluates the function.

        Returns
        -------
        numpy.ndarray or numpy scalar
            ``f^(k)(x)`` with the shape of `x`; in the dtype of `x` for the
            closed forms, float64 for the mpmath fallback (see Notes of
            `TestFunction`).

        Raises
        ------
        TypeError
            If `k` is not an integer or `x` is complex.
        ValueError
            If `k` is negative.

        Examples
        --------
        >>> from numdiff.catalogue import get_function
        >>> f = get_function("exp_square_squared")  # exp(x**2)**2
        >>> print(f.derivative(0.5))  # 4*0.5*exp(2*0.5**2)
        3.2974425414002564
        >>> get_function("sin").derivative([0.0, 1.0], k=12)
        array([0.        , 0.84147098])
        """
        k = _check_order(k)
        x = _as_inexact(x)
        if np.iscomplexobj(x):
            raise TypeError("`x` must be real; use __call__ for complex input.")
        if k == 0:
            out = self._numpy(x)
        elif k <= self._max_closed_order:
            out = self._closed_form(x, k)
        else:
            out = np.vectorize(lambda xi: float(self.reference(xi, k)),
                               otypes=[np.float64])(x)
        return np.asarray(out)[()]

    def reference(self, x, k=1, *, dps=50):
        """The `k`-th derivative at a scalar `x` by mpmath at `dps` digits.

        ``mpmath.diff`` differentiates the mpmath version of the formula with
        a step far below the working precision, independently of the closed
        forms used by `derivative`.

        Parameters
        ----------
        x : real scalar
            Point; converted to mpmath exactly (all binary floats are).
        k : int, default 1
            Derivative order, ``k >= 0``.
        dps : int, default 50
            Decimal digits of working precision.

        Returns
        -------
        mpmath.mpf
            ``f^(k)(x)``.

        Raises
        ------
        TypeError
            If `k` or `dps` is not an integer, or `x` is complex.
        ValueError
            If `x` is not a scalar, or `k` or `dps` is out of range.

        Examples
        --------
        >>> import mpmath
        >>> from numdiff.catalogue import get_function
        >>> d2 = get_function("tanh").reference(0.5, 2, dps=30)
        >>> print(mpmath.nstr(d2, 25))  # -2 tanh(0.5) / cosh(0.5)**2
        -0.7268619813835872755398369
        """
        k = _check_order(k)
        if isinstance(dps, bool) or not isinstance(dps, int | np.integer):
            raise TypeError(f"`dps` must be an integer, got {type(dps).__name__}.")
        if dps < 1:
            raise ValueError(f"`dps` must be positive, got {dps}.")
        x = _as_inexact(x)
        if x.ndim != 0:
            raise ValueError(f"`x` must be a scalar, got shape {x.shape}.")
        if np.iscomplexobj(x):
            raise TypeError("`x` must be real.")
        numerator, denominator = x[()].as_integer_ratio()
        with mpmath.workdps(dps):
            # The denominator is a power of two: the division is exact.
            return mpmath.diff(self._mpmath, mpmath.mpf(numerator) / denominator, k)

    def __reduce__(self):
        # A catalogue entry pickles as its name: its closures hold mpmath
        # context methods, which do not survive pickling by value.
        if CATALOGUE.get(self.name) is self:
            return (get_function, (self.name,))
        return super().__reduce__()

    def __dask_tokenize__(self):
        # Dask hashes task arguments field by field and pickles closures by
        # value to do so; for these closures that rebinds mpmath's shared
        # classes to a copy of its context and breaks mpmath for the whole
        # process. The formula and the point identify the function.
        return (type(self).__qualname__, self.name, self.formula, self.default_x)

    def contains(self, x):
        """Whether `x` lies inside the open interval `domain`.

        Parameters
        ----------
        x : array_like
            Real points.

        Returns
        -------
        bool or numpy.ndarray of bool
            A bool for scalar `x`, otherwise an array of the shape of `x`.

        Examples
        --------
        >>> from numdiff.catalogue import get_function
        >>> get_function("sqrt").contains([-1.0, 0.0, 2.0])
        array([False, False,  True])
        >>> get_function("sin").contains(1e300)
        True
        """
        lo, hi = self.domain
        x = np.asarray(x)
        inside = (lo < x) & (x < hi)
        return bool(inside) if inside.ndim == 0 else inside


_INF = math.inf
_FUNCTIONS = (
    TestFunction("square", "x**2", 2.0, (-_INF, _INF), True,
                 lambda x: x**2, _monomial_dk(2), lambda x: x**2),
    TestFunction("cube", "x**3", 1.0, (-_INF, _INF), True,
                 lambda x: x**3, _monomial_dk(3), lambda x: x**3),
    TestFunction("exp", "exp(x)", 1.0, (-_INF, _INF), True,
                 np.exp, lambda x, k: np.exp(x), mpmath.exp),
    # The composite function of the DeZero book: exp(x**2)**2 = exp(2 x**2).
    TestFunction("exp_square_squared", "exp(x**2)**2", 0.5, (-_INF, _INF), True,
                 lambda x: np.exp(x**2) ** 2, _exp_square_squared_dk,
                 lambda x: mpmath.exp(x**2) ** 2),
    TestFunction("sin", "sin(x)", 1.0, (-_INF, _INF), True,
                 np.sin, _sin_dk, mpmath.sin),
    TestFunction("log", "log(x)", 1.0, (0.0, _INF), True,
                 np.log, _log_dk, mpmath.log),
    TestFunction("sqrt", "sqrt(x)", 1.0, (0.0, _INF), True,
                 np.sqrt, _sqrt_dk, mpmath.sqrt),
    # Singular at 0: |f^(k)(x)| = k!/x**(k+1) blows up as x -> 0+.
    TestFunction("reciprocal", "1/x", 1.0, (0.0, _INF), True,
                 lambda x: 1 / x, _reciprocal_dk, lambda x: 1 / x),
    TestFunction("tanh", "tanh(x)", 0.5, (-_INF, _INF), True,
                 np.tanh, _tanh_dk, mpmath.tanh),
    # Squire & Trapp (1998); Martins, Sturdza & Alonso (2003), at x = 1.5.
    # sin^3 + cos^3 = (sin + cos)(1 - sin cos) > 0 exactly on (-pi/4, 3pi/4).
    TestFunction("squire_trapp", "exp(x)/sqrt(sin(x)**3 + cos(x)**3)", 1.5,
                 (-math.pi / 4, 3 * math.pi / 4), True,
                 _squire_trapp, _squire_trapp_dk,
                 lambda x: mpmath.exp(x) / mpmath.sqrt(mpmath.sin(x) ** 3
                                                       + mpmath.cos(x) ** 3)),
    # Kink at 0. For x > 0 the continuation x -> x is analytic, so the complex
    # step is valid; real steps larger than x straddle the kink.
    TestFunction("abs", "abs(x)", 1e-3, (0.0, _INF), True,
                 _abs, _abs_dk, mpmath.fabs),
)

CATALOGUE = MappingProxyType({f.name: f for f in _FUNCTIONS})
"""Read-only mapping from name to `TestFunction`, in a fixed order."""


def get_function(name):
    """Look up a test function by name.

    Parameters
    ----------
    name : str
        A key of `CATALOGUE`.

    Returns
    -------
    TestFunction

    Raises
    ------
    TypeError
        If `name` is not a str.
    ValueError
        If `name` is not in `CATALOGUE`; the message lists the valid names.

    Examples
    --------
    >>> from numdiff.catalogue import get_function
    >>> f = get_function("sin")
    >>> f.name, f.default_x
    ('sin', 1.0)
    >>> get_function("cosh")
    Traceback (most recent call last):
    ...
    ValueError: `name` must be one of 'square', 'cube', 'exp', 'exp_square_squared', 'sin', 'log', 'sqrt', 'reciprocal', 'tanh', 'squire_trapp', 'abs'; got 'cosh'.
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str, got {type(name).__name__}.")
    if name not in CATALOGUE:
        valid = ", ".join(repr(key) for key in CATALOGUE)
        raise ValueError(f"`name` must be one of {valid}; got {name!r}.")
    return CATALOGUE[name]


# Many variables: Rosenbrock's function, with its exact gradient and Hessian.

def rosenbrock(x):
    """Rosenbrock's function ``sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2``.

    On one point of shape ``(n,)``, or on points along the trailing axes,
    ``(n, ...)`` (a batch, as ``vectorized=True`` passes them).

    Examples
    --------
    >>> import numpy as np
    >>> float(rosenbrock(np.ones(5))), rosenbrock(np.zeros((3, 2))).tolist()
    (0.0, [2.0, 2.0])
    """
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2, axis=0)


def rosenbrock_gradient(x):
    """The exact gradient of `rosenbrock` at one point ``(n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> rosenbrock_gradient(np.zeros(3)).tolist()
    [-2.0, -2.0, 0.0]
    """
    g = np.zeros_like(x)
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    g[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    return g


def rosenbrock_hessian(x):
    """The exact Hessian of `rosenbrock` at one point ``(n,)``, tridiagonal.

    Examples
    --------
    >>> import numpy as np
    >>> rosenbrock_hessian(np.ones(2)).tolist()
    [[802.0, -400.0], [-400.0, 200.0]]
    """
    n = x.size
    hessian = np.zeros((n, n))
    i = np.arange(n - 1)
    hessian[i, i] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    hessian[i + 1, i + 1] += 200.0
    hessian[i, i + 1] = hessian[i + 1, i] = -400.0 * x[:-1]
    return hessian
