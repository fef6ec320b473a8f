"""The functions a sweep differentiates, each with the reference it is checked against.

A `Target` bundles a numpy function with the exact derivatives the analysis
needs: ``f'`` (the reference every estimate is compared with) and the higher
derivatives that set the scales of the error model (``|f^(p+q)|``). Three
kinds exist, each labelled in `Target.reference` so that reports say where
the "exact" value came from:

* `catalogue_target`: a `numdiff.catalogue` function and its closed-form
  derivatives;
* `expression_target`: a formula typed by the user (`analysis.expression`),
  differentiated by `mpmath.diff` at 50 significant digits;
* `callable_target`: any numpy function, with the user's exact first
  derivative if given, otherwise a high-accuracy finite-difference estimate
  (clearly labelled as an estimate).

Targets built from a name, a formula or a ``module:attr`` path carry a
recipe and pickle as that recipe, so a process pool rebuilds them in each
worker.
"""

import importlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from numdiff import length_scale, machine_epsilon, numerical_diff
from numdiff.catalogue import CATALOGUE, TestFunction, get_function

from .expression import Expression, parse_expression

__all__ = ["Target", "catalogue_target", "expression_target", "callable_target",
           "load_callable", "as_target", "probe_function", "check_reference"]

@dataclass(frozen=True)
class Target:
    """A function to differentiate, with its reference derivatives.

    Attributes
    ----------
    name : str
        Short name, used in tables and file names.
    formula : str
        Human-readable formula in ``x`` (or a description).
    reference : str
        How the exact first derivative is obtained.
    default_x : float
        Point used when the caller gives none.
    domain : tuple of float
        Open interval on which ``f`` is smooth and defined; a stencil that
        leaves it is recorded as out of domain, not as a fault.
    analytic : bool
        Whether the complex step is valid for this function.

    Examples
    --------
    >>> t = catalogue_target("exp")
    >>> t.name, t.default_x, t.reference
    ('exp', 1.0, 'closed-form derivative (numdiff.catalogue)')
    >>> print(t.derivative([1.0], 3))
    [2.71828183]
    """

    name: str
    formula: str
    reference: str
    default_x: float
    domain: tuple
    analytic: bool
    function: Callable = field(repr=False, compare=False)
    _derivative: Callable = field(repr=False, compare=False)
    recipe: tuple = field(default=None, repr=False, compare=False)

    def __call__(self, x):
        """Evaluate ``f`` with numpy (real or complex input)."""
        return self.function(x)

    def derivative(self, x, k=1):
        """``f^(k)`` at real points `x` as float64 (``k = 0``: ``f``); NaN if unknown."""
        points = np.atleast_1d(np.asarray(x, dtype=np.float64))
        values = np.asarray(self._derivative(points, int(k)), dtype=np.float64)
        return np.broadcast_to(values, points.shape).copy()

    def contains(self, x):
        """Whether every point of `x` lies in the open `domain`."""
        lo, hi = self.domain
        x = np.asarray(x, dtype=np.float64)
        return bool(np.all((lo < x) & (x < hi)))

    def __reduce__(self):
        if self.recipe is not None:
            return (_rebuild, self.recipe)
        return super().__reduce__()


def _rebuild(kind, *arguments):
    return {"catalogue": catalogue_target, "expression": expression_target,
            "path": _path_target}[kind](*arguments)


def catalogue_target(name):
    """The `numdiff.catalogue` function `name`, with its closed-form derivatives.

    Raises
    ------
    ValueError
        If `name` is not in the catalogue (the message lists the names).

    Examples
    --------
    >>> catalogue_target("log").domain
    (0.0, inf)
    """
    try:
        function = get_function(name)
    except ValueError:
        raise ValueError(f"unknown function {name!r}; valid functions: "
                         f"{', '.join(CATALOGUE)}") from None
    return _from_catalogue(function)


def _from_catalogue(function):
    return Target(function.name, function.formula,
                  "closed-form derivative (numdiff.catalogue)", float(function.default_x),
                  tuple(float(v) for v in function.domain), bool(function.analytic),
                  function, function.derivative,
                  ("catalogue", function.name) if CATALOGUE.get(function.name) is function
                  else None)


def expression_target(text, name="expr"):
    """A formula in ``x`` (see `analysis.expression`), checked with mpmath.

    The reference derivatives are ``mpmath.diff`` of the same formula at 50
    significant digits, one point at a time (cached). The domain is taken as
    the whole real line: steps at which the formula is undefined show up as
    non-finite values.

    Raises
    ------
    analysis.expression.UnsafeExpressionError
        If the formula uses anything outside the whitelist.

    Examples
    --------
    >>> t = expression_target("x**3")
    >>> print(t.derivative([2.0], 1), t.reference)
    [12.] mpmath.diff of the same formula at 50 significant digits
    """
    expression = text if isinstance(text, Expression) else parse_expression(text)

    def derivative(points, k):
        return np.array([_mpmath_derivative(expression, float(p), k) for p in points])

    return Target(name, expression.text, "mpmath.diff of the same formula at 50 significant digits",
                  1.0, (-math.inf, math.inf), True, expression, derivative,
                  ("expression", expression.text, name))


@lru_cache(maxsize=4096)
def _mpmath_derivative(expression, x, k):
    return float(expression.reference(x, k))


def load_callable(path, option="--func"):
    """Import ``module:attr`` (attr may be dotted) and return the object.

    Raises
    ------
    ValueError
        If `path` is not of the form ``module:attr`` or cannot be imported.
    TypeError
        If the object is not callable.

    Examples
    --------
    >>> load_callable("numpy:exp") is np.exp
    True
    >>> load_callable("numpy.exp")
    Traceback (most recent call last):
    ...
    ValueError: --func must be module:attr (for example mypackage.models:f), got 'numpy.exp'
    """
    if not isinstance(path, str) or path.count(":") != 1 or not all(path.split(":")):
        raise ValueError(f"{option} must be module:attr (for example mypackage.models:f), "
                         f"got {path!r}")
    module_name, attribute = path.split(":")
    try:
        obj = importlib.import_module(module_name)
    except Exception as error:
        raise ValueError(f"{option}: cannot import module {module_name!r} "
                         f"({type(error).__name__}: {error})") from None
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{option}: module {module_name!r} has no attribute "
                             f"{attribute!r}") from None
    if not callable(obj):
        raise TypeError(f"{option}: {path} is not callable")
    return obj


def _path_target(path, exact_path, name, default_x):
    function = load_callable(path, "--func")
    exact = load_callable(exact_path, "--exact") if exact_path else None
    return callable_target(function, exact=exact, name=name, formula=path,
                           default_x=default_x, _recipe=("path", path, exact_path, name,
                                                         default_x))


def callable_target(function, *, exact=None, name=None, formula=None, default_x=1.0,
                    domain=(-math.inf, math.inf), analytic=False, _recipe=None):
    """Any numpy function, checked against `exact` or a labelled estimate.

    Parameters
    ----------
    function : callable
        ``f(x)`` for a float array ``x``, element-wise.
    exact : callable, optional
        ``f'(x)``. Without it the reference is a finite-difference estimate:
        the 8th-order central difference at ``h = u**(1/9) * max(1, |x|)``
        (``u`` the float64 epsilon), where its truncation ``~ h^8/630
        |f^(9)|`` and rounding ``~ 2.1 u |f| / h`` balance.
    name, formula : str, optional
        Labels; default to the function's ``__name__``.
    default_x : float, optional
    domain : tuple of float, optional
    analytic : bool, optional
        Set True if ``f`` accepts complex input and is analytic (complex step).

    Notes
    -----
    The error model also needs ``|f^(k)|`` for ``k = 2..4``; these are
    always estimated by the central difference of order 2 for the ``k``-th
    derivative at ``h = u**(1/(k+2)) * max(1, |x|)``, the step balancing
    its ``h^2`` truncation against its ``u/h^k`` rounding. Higher orders are
    unknown (NaN), so the high-order schemes get no model for such targets.

    Examples
    --------
    >>> t = callable_target(np.sin)
    >>> t.reference
    'estimate: central8 difference at h = u^(1/9) max(1,|x|) (no exact derivative given)'
    >>> bool(abs(t.derivative([1.0])[0] - np.cos(1.0)) < 1e-12)
    True
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    if exact is not None and not callable(exact):
        raise TypeError(f"exact must be callable, got {type(exact).__name__}")
    name = name or getattr(function, "__name__", "f")
    if exact is not None:
        reference = (f"user-supplied exact derivative ({getattr(exact, '__name__', 'exact')}); "
                     "higher derivatives for the model estimated by central differences")
    else:
        reference = ("estimate: central8 difference at h = u^(1/9) max(1,|x|) "
                     "(no exact derivative given)")

    def derivative(points, k):
        return _estimated_derivative(function, exact, points, k)

    return Target(name, formula or name, reference, float(default_x),
                  tuple(float(v) for v in domain), bool(analytic), function, derivative,
                  _recipe)


_FLOAT64_EPS = machine_epsilon(np.float64)
# Highest derivative order estimated by finite differences for callables
# without closed forms: a second-order central difference for f^(k) at its
# best step keeps about u^(2/(k+2)) relative accuracy, five digits at k = 4.
_MAX_ESTIMATED_ORDER = 4


def _estimated_derivative(function, exact, points, k):
    scale = length_scale(points)
    with np.errstate(all="ignore"):
        if k == 0:
            return _real(function(points), "function")
        if k == 1 and exact is not None:
            return _real(exact(points), "exact")
        if k == 1:
            # Step balancing central8's h^8 truncation and u/h rounding.
            h = _FLOAT64_EPS ** (1 / 9) * scale
            return numerical_diff(function, points, h, scheme="central8")
        if k <= _MAX_ESTIMATED_ORDER:
            h = _FLOAT64_EPS ** (1 / (k + 2)) * scale
            return numerical_diff(function, points, h, scheme="central", deriv=k)
    return np.full(points.shape, np.nan)


def _real(values, name):
    """`values` as float64; TypeError naming `name` for anything else (None, text, complex)."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        shown = "None" if values is None else f"values of dtype {array.dtype}"
        raise TypeError(f"{name} returned {shown}; it must return one real number per point")
    return array.astype(np.float64)


def as_target(function):
    """Turn a catalogue name, `TestFunction`, `Expression`, `Target` or callable into a `Target`.

    Examples
    --------
    >>> [as_target(f).name for f in ("sin", catalogue_target("cube"), np.tanh)]
    ['sin', 'cube', 'tanh']
    """
    if isinstance(function, Target):
        return function
    if isinstance(function, str):
        return catalogue_target(function)
    if isinstance(function, TestFunction):
        return _from_catalogue(function)
    if isinstance(function, Expression):
        return expression_target(function)
    if callable(function):
        return callable_target(function)
    raise TypeError(f"functions must be catalogue names, Targets or callables, "
                    f"got {type(function).__name__}")


def probe_function(function, points, option):
    """Call a user's function once on the points; raise ValueError unless it is usable.

    Usable means: it returns real numbers (not None, text or complex), one
    per point or one for all (a constant), without raising. The message
    names the command-line `option` (``--func``, ``--exact``).

    Examples
    --------
    >>> probe_function(np.sin, np.array([0.5, 1.0]), "--func")
    >>> probe_function(lambda x: None, np.array([0.5]), "--exact")
    Traceback (most recent call last):
    ...
    ValueError: --exact returned None for a float64 array of the points; it must return one real number per point
    """
    points = np.asarray(points, dtype=np.float64)
    try:
        values = function(points.copy())
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit too: a function must not end the run
        text = " ".join(str(error).split())[:200]
        raise ValueError(f"{option} raised {type(error).__name__}"
                         f"{': ' + text if text else ''} when called with a float64 array of "
                         "the points; it must accept a numpy array") from None
    shown = "None" if values is None else f"{type(values).__name__}"
    array = np.asarray(values) if values is not None else None
    if array is None or array.dtype.kind not in "biufc":
        raise ValueError(f"{option} returned {shown} for a float64 array of the points; it "
                         "must return one real number per point")
    if array.dtype.kind == "c":
        raise ValueError(f"{option} returned complex values for real points; it must return "
                         "real numbers")
    if array.shape not in ((), points.shape):
        raise ValueError(f"{option} returned an array of shape {array.shape} for "
                         f"{points.size} points; it must return one value per point "
                         "(element-wise)")


def check_reference(target, points, deriv):
    """Raise ValueError unless ``f`` and ``f^(deriv)`` are finite at every point.

    A point where either is NaN or infinite (``exp`` at 1e308) has no error
    to measure; the message names the function and the point.

    Examples
    --------
    >>> check_reference(catalogue_target("exp"), [1.0, 2.0], 1)
    >>> check_reference(catalogue_target("exp"), [1e308], 1)
    Traceback (most recent call last):
    ...
    ValueError: function 'exp' at x=1e+308: f(x) is inf; choose points where f and its derivative are finite
    """
    points = np.asarray(points, dtype=np.float64)
    for k, label in ((0, "f(x)"), (deriv, "the exact derivative")):
        with np.errstate(all="ignore"):
            values = target.derivative(points, k)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(f"function {target.name!r} at x={points[bad[0]]:g}: {label} is "
                             f"{values[bad[0]]}; choose points where f and its derivative "
                             "are finite")
