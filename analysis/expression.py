"""Formulas in ``x`` typed by a user (``--expr``), parsed safely.

The text is parsed by `ast` and checked against a whitelist before anything
is evaluated: numbers, the variable ``x``, the constants ``pi`` and ``e``,
the operators ``+ - * / **`` and unary ``-``/``+``, and calls of the
functions in `FUNCTIONS` with one argument. Everything else (attribute
access, subscripts, lambdas, comprehensions, keyword arguments, other names)
is refused with `UnsafeExpressionError` naming what was found; the text is
never passed to `eval` or `exec`.

The accepted tree is compiled twice, into nested Python closures:

* a numpy function, element-wise, that keeps the dtype of real input and
  also accepts complex input (all whitelisted functions are complex-capable,
  so the complex step works);
* an mpmath function of the same tree, whose derivative by `mpmath.diff` at
  50 significant digits is the reference the analysis compares against.

Numbers are read as floats (``2**10`` is ``2.0**10.0``), so no integer
arithmetic of unbounded size can be triggered.
"""

import ast
from dataclasses import dataclass, field
from typing import Callable

import mpmath
import numpy as np

__all__ = ["Expression", "UnsafeExpressionError", "parse_expression", "FUNCTIONS",
           "MAX_LENGTH"]

#: Longest accepted formula, in characters.
MAX_LENGTH = 1000
#: Deepest accepted nesting of operations.
_MAX_DEPTH = 60

#: Whitelisted function names: (numpy function, mpmath function). Only
#: functions that accept complex input are listed (no abs, no cbrt), so that
#: every formula works with the complex step.
FUNCTIONS = {
    "sin": (np.sin, mpmath.sin), "cos": (np.cos, mpmath.cos), "tan": (np.tan, mpmath.tan),
    "arcsin": (np.arcsin, mpmath.asin), "arccos": (np.arccos, mpmath.acos),
    "arctan": (np.arctan, mpmath.atan),
    "asin": (np.arcsin, mpmath.asin), "acos": (np.arccos, mpmath.acos),
    "atan": (np.arctan, mpmath.atan),
    "sinh": (np.sinh, mpmath.sinh), "cosh": (np.cosh, mpmath.cosh),
    "tanh": (np.tanh, mpmath.tanh),
    "arcsinh": (np.arcsinh, mpmath.asinh), "arccosh": (np.arccosh, mpmath.acosh),
    "arctanh": (np.arctanh, mpmath.atanh),
    "exp": (np.exp, mpmath.exp), "expm1": (np.expm1, mpmath.expm1),
    "log": (np.log, mpmath.log), "log1p": (np.log1p, mpmath.log1p),
    "log10": (np.log10, mpmath.log10), "log2": (np.log2, lambda t: mpmath.log(t, 2)),
    "sqrt": (np.sqrt, mpmath.sqrt),
}
_CONSTANTS = {"pi": (np.pi, mpmath.pi), "e": (np.e, mpmath.e)}


def _weak(ufunc):
    """`ufunc`, but a Python float again when every operand was one.

    Constant sub-formulas (``2*pi``) thus stay Python floats, which numpy
    treats as "weak" (NEP 50): a float32 ``x`` keeps its dtype. The ufunc
    also gives inf, not OverflowError, when constants overflow.
    """
    def apply(*operands):
        result = ufunc(*operands)
        return float(result) if all(type(o) is float for o in operands) else result
    return apply


# Operators: (numpy version, Python operator for mpmath).
_BINARY = {
    ast.Add: (_weak(np.add), lambda a, b: a + b),
    ast.Sub: (_weak(np.subtract), lambda a, b: a - b),
    ast.Mult: (_weak(np.multiply), lambda a, b: a * b),
    ast.Div: (_weak(np.true_divide), lambda a, b: a / b),
    ast.Pow: (_weak(np.power), lambda a, b: a ** b),
}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a}


class UnsafeExpressionError(ValueError):
    """A formula uses something outside the whitelist (or is not a formula)."""


@dataclass(frozen=True)
class Expression:
    """A parsed, whitelisted formula in ``x``.

    Attributes
    ----------
    text : str
        The formula as typed.

    Examples
    --------
    >>> f = parse_expression("exp(x)/sqrt(sin(x)**3 + cos(x)**3)")
    >>> print(f(1.5))
    4.497780053946161
    >>> h = 1e-20
    >>> print(f(1.5 + 1j * h).imag / h)  # the complex step works
    4.053427893898621
    >>> print(float(f.reference(1.5)))  # mpmath.diff at 50 digits
    4.053427893898621
    """

    text: str
    _numpy: Callable = field(repr=False, compare=False)
    _mpmath: Callable = field(repr=False, compare=False)

    def __call__(self, x):
        """Evaluate with numpy, element-wise; real dtypes kept, complex accepted."""
        x = np.asarray(x)
        if x.dtype.kind not in "fc":
            x = x.astype(np.float64)
        values = np.asarray(self._numpy(x))
        if values.shape != x.shape:  # a constant formula: one value for every point
            values = np.full(x.shape, values, dtype=np.result_type(x.dtype, values.item()))
        return values[()]

    def mpmath_value(self, x):
        """Evaluate with mpmath at the current mpmath precision."""
        return self._mpmath(x)

    def reference(self, x, k=1, *, dps=50):
        """The `k`-th derivative at scalar `x` by `mpmath.diff` at `dps` digits.

        Parameters
        ----------
        x : float
            The point, converted to mpmath exactly.
        k : int, optional
            Derivative order, ``k >= 0`` (0 evaluates the formula).
        dps : int, optional
            Decimal digits of working precision.

        Returns
        -------
        mpmath.mpf
            Real part of the derivative (the formula is real on the real axis
            wherever it is defined; elsewhere the value may be complex and is
            returned as NaN).
        """
        numerator, denominator = float(x).as_integer_ratio()
        with mpmath.workdps(dps):
            point = mpmath.mpf(numerator) / denominator
            try:
                value = mpmath.diff(self._mpmath, point, k)
            except (ValueError, ZeroDivisionError, OverflowError):
                return mpmath.mpf("nan")
            if isinstance(value, mpmath.mpc):
                tolerance = mpmath.mpf(10) ** (-dps // 2) * (1 + abs(value.real))
                return value.real if abs(value.imag) <= tolerance else mpmath.mpf("nan")
            return value


def parse_expression(text):
    """Parse a formula in ``x`` against the whitelist; nothing is executed.

    Parameters
    ----------
    text : str
        For example ``"exp(x)/sqrt(sin(x)**3 + cos(x)**3)"``.

    Returns
    -------
    Expression

    Raises
    ------
    TypeError
        If `text` is not a string.
    UnsafeExpressionError
        (a `ValueError`) if the text is not a formula built from the
        whitelist; the message names the offending part.

    Examples
    --------
    >>> parse_expression("x**2 + 3*x")(2.0)
    np.float64(10.0)
    >>> parse_expression("__import__('os').system('echo hi')")
    Traceback (most recent call last):
    ...
    analysis.expression.UnsafeExpressionError: --expr: attribute access (__import__('os').system) is not allowed
    >>> parse_expression("x.real")
    Traceback (most recent call last):
    ...
    analysis.expression.UnsafeExpressionError: --expr: attribute access (x.real) is not allowed
    """
    if not isinstance(text, str):
        raise TypeError(f"expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpressionError(f"--expr: the formula is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise UnsafeExpressionError("--expr: the formula is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise UnsafeExpressionError(f"--expr: not a formula ({error.msg})") from None
    numpy_function = _compile(tree.body, text, numeric=0, depth=0)
    mpmath_function = _compile(tree.body, text, numeric=1, depth=0)
    return Expression(text.strip(), numpy_function, mpmath_function)


def _compile(node, text, *, numeric, depth):
    """A closure evaluating `node`; `numeric` 0 picks numpy, 1 mpmath."""
    if depth > _MAX_DEPTH:
        raise UnsafeExpressionError(f"--expr: the formula nests deeper than {_MAX_DEPTH} levels")
    deeper = dict(text=text, numeric=numeric, depth=depth + 1)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UnsafeExpressionError(f"--expr: constant {_source(node, text)} is not a "
                                        "real number")
        number = float(value) if numeric == 0 else mpmath.mpf(_source(node, text))
        return lambda x: number
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x: x
        if node.id in _CONSTANTS:
            number = _CONSTANTS[node.id][numeric]
            return (lambda x: number) if numeric == 0 else (lambda x: +mpmath.mpf(number))
        raise UnsafeExpressionError(f"--expr: name {node.id!r} is not allowed; use x, pi, e "
                                    f"and the functions {', '.join(sorted(FUNCTIONS))}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        operate = _BINARY[type(node.op)][numeric]
        left = _compile(node.left, **deeper)
        right = _compile(node.right, **deeper)
        return lambda x: operate(left(x), right(x))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        operate = _UNARY[type(node.op)]
        operand = _compile(node.operand, **deeper)
        return lambda x: operate(operand(x))
    if isinstance(node, ast.Call):
        return _compile_call(node, deeper)
    raise UnsafeExpressionError(f"--expr: {_describe(node)} ({_source(node, text)}) is not allowed")


def _compile_call(node, deeper):
    text = deeper["text"]
    if not isinstance(node.func, ast.Name):
        raise UnsafeExpressionError(f"--expr: {_describe(node.func)} "
                                    f"({_source(node.func, text)}) is not allowed")
    name = node.func.id
    if name not in FUNCTIONS:
        raise UnsafeExpressionError(f"--expr: function {name!r} is not allowed; allowed: "
                                    f"{', '.join(sorted(FUNCTIONS))}")
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise UnsafeExpressionError(f"--expr: {name}() takes exactly one argument")
    function = FUNCTIONS[name][deeper["numeric"]]
    if deeper["numeric"] == 0:
        function = _weak(function)
    argument = _compile(node.args[0], **deeper)
    return lambda x: function(argument(x))


_DESCRIPTIONS = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripting", ast.Lambda: "lambda",
    ast.Compare: "comparison", ast.BoolOp: "boolean operator", ast.IfExp: "conditional",
    ast.ListComp: "comprehension", ast.GeneratorExp: "comprehension",
    ast.SetComp: "comprehension", ast.DictComp: "comprehension",
    ast.List: "list", ast.Tuple: "tuple", ast.Dict: "dict", ast.Set: "set",
    ast.NamedExpr: "assignment", ast.JoinedStr: "string", ast.Starred: "starred argument",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slice",
}


def _describe(node):
    if isinstance(node, ast.BinOp):
        return f"operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"unary operator {type(node.op).__name__}"
    return _DESCRIPTIONS.get(type(node), f"{type(node).__name__} node")


def _source(node, text):
    segment = ast.get_source_segment(text.strip(), node)
    return segment if segment is not None else type(node).__name__
