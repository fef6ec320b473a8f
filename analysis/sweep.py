"""The sweep: every (function, point, scheme, dtype, step) -> one tidy table.

`sweep` returns one pandas DataFrame with one row per (function, x, scheme,
dtype, eps); `sweep_blocks` yields the same data as `SweepBlock` objects, a
chunk of points at a time, for sweeps too large to hold as one table (10^6
points x 161 steps is 1.6e8 rows; streamed through `summarize_blocks` it
runs in bounded memory).

Each block makes one call of `numdiff.numerical_diff` with the steps as a
column, ``eps[:, None]`` against the chunk of points, so ``f`` is called once
per stencil point with a ``(len(eps), chunk)`` array. The error model is
`numdiff.error_model`, the complete model: the values' own rounding
``u |f|``, the rounding of the arguments ``u |x| |f'|``, the leading and the
next truncation terms and the floor ``eps |f^(q)|``, with the scales taken
from the target's exact derivatives at ``x``.

Columns of the table (also of ``sweep.csv``)
--------------------------------------------
function, x, scheme, deriv, dtype
    The case. ``x`` is the point as requested (float64); the computation
    uses ``x`` rounded to ``dtype``, and ``exact`` is the derivative at that
    rounded point, so the error measures the differentiation alone.
eps
    The step from the grid (float64, decimal exact: ``1e-4`` is ``1e-4``).
step
    The step as held in ``dtype`` (equals ``eps`` in float64).
estimate, exact
    ``numerical_diff`` and the reference derivative (see `Target.reference`).
abs_error, rel_error
    ``|estimate - exact|`` and ``abs_error / |exact|`` (NaN if exact is 0).
truncation_model, rounding_model, total_model
    The model's leading truncation term ``C2 eps^p``, its cancellation term
    ``C1 eps^-q`` and the sum of all its terms (`numdiff.ErrorModel`); NaN
    where a scale is unknown.
status
    ``ok``; ``out_of_domain`` (the stencil leaves the function's domain: the
    value is kept but is not a fault and is not fitted); ``underflow`` (the
    step is 0 in ``dtype`` or ``x + eps == x``: not evaluated); ``nonfinite``
    (``f`` gave NaN or inf inside its domain) or ``raised`` (``f`` raised an
    exception): these two are faults, flagged in the summary and the report.
next_truncation_model, floor_model
    The model's next truncation term ``C3 eps^p2`` (it governs where the
    leading derivative vanishes) and its floor ``eps |f^(q)|``.
f_value
    ``f(x)`` at the point rounded to ``dtype`` (the reference's own value).

Executors: any `concurrent.futures.Executor` (a process pool, a thread pool,
``dask.distributed.Client.get_executor()``) runs the blocks; results come
back in submission order and are bit-identical to a serial run.
"""

import math
import warnings
from collections import deque
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
import pandas as pd

from numdiff import ErrorModel, error_model, get_scheme, numerical_diff, unit_roundoff
from numdiff.formats import ML_FORMATS, format_dtype

from .grid import eps_grid
from .progress import Progress
from .targets import Target, as_target

__all__ = ["sweep", "sweep_blocks", "plan_sweep", "compute_block", "SweepBlock", "SweepTask",
           "STATUSES", "FAULT_STATUSES", "SWEEP_COLUMNS", "DTYPES", "DEFAULT_SCHEMES",
           "DEFAULT_CHUNK_SIZE", "MAX_TABLE_ROWS"]

#: Status names, indexed by the int8 codes held in `SweepBlock.status`.
STATUSES = ("ok", "out_of_domain", "underflow", "nonfinite", "raised")
OK, OUT_OF_DOMAIN, UNDERFLOW, NONFINITE, RAISED = range(len(STATUSES))
#: Statuses that count as faults of the function.
FAULT_STATUSES = ("nonfinite", "raised")
#: Columns of the tidy table, in order.
SWEEP_COLUMNS = ("function", "x", "scheme", "deriv", "dtype", "eps", "step", "estimate",
                 "exact", "abs_error", "rel_error", "truncation_model", "rounding_model",
                 "total_model", "status", "next_truncation_model", "floor_model",
                 "f_value")
#: Floating dtypes a sweep accepts, by name.
#: numpy's formats, then the machine-learning formats of ml_dtypes (optional extra "formats").
DTYPES = ("float16", "float32", "float64", "longdouble") + ML_FORMATS
DEFAULT_SCHEMES = ("forward", "central")
#: Points per block: 2048 points x 161 steps is 330k values (2.6 MB) per array.
DEFAULT_CHUNK_SIZE = 2048
#: `sweep` refuses to build a table larger than this; use `sweep_blocks`.
MAX_TABLE_ROWS = 20_000_000
# Failing rows are retried point by point only for chunks up to this size.
_MAX_POINTWISE_RETRY = 256


@dataclass(frozen=True)
class SweepTask:
    """One unit of work: a chunk of points of one (function, scheme, dtype)."""

    target: Target
    scheme: str
    deriv: int
    dtype: str
    x: np.ndarray = field(repr=False)
    eps: np.ndarray = field(repr=False)


@dataclass(frozen=True, eq=False)
class SweepBlock:
    """Results of one `SweepTask`: arrays of shape ``(len(task.eps), len(task.x))``.

    Attributes
    ----------
    task : SweepTask
        What was computed: the target, scheme, derivative order, dtype, the
        points ``x`` as requested (float64, shape (n,)) and the grid steps
        ``eps`` (float64, shape (K,)).
    step : ndarray, shape (K,)
        Steps as held in `dtype`, as float64.
    estimate : ndarray, shape (K, n)
        Estimates as float64 (NaN where not evaluated).
    exact, f_value : ndarray, shape (n,)
        ``f'`` and ``f`` at the points rounded to `dtype`.
    model : numdiff.ErrorModel
        The error model, one per point (coefficients of shape (n,)).
    unit_roundoff : float
        The unit roundoff ``u`` of `dtype` (`numdiff.unit_roundoff`), half its
        machine epsilon.
    status : ndarray of int8, shape (K, n)
        Codes into `STATUSES`.
    messages : tuple of str
        First messages of exceptions raised by ``f`` in this block.
    """

    task: SweepTask = field(repr=False)
    step: np.ndarray = field(repr=False)
    estimate: np.ndarray = field(repr=False)
    exact: np.ndarray = field(repr=False)
    f_value: np.ndarray = field(repr=False)
    model: ErrorModel = field(repr=False)
    unit_roundoff: float
    status: np.ndarray = field(repr=False)
    messages: tuple = ()

    @property
    def abs_error(self):
        """``|estimate - exact|``, shape ``(K, n)``."""
        return np.abs(self.estimate - self.exact)

    @property
    def rel_error(self):
        """``abs_error / |exact|`` (NaN where exact is 0)."""
        scale = np.abs(self.exact)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(scale > 0, self.abs_error / scale, np.nan)

    @property
    def truncation_model(self):
        """Model's leading truncation term ``C2 eps^p``, shape ``(K, n)``."""
        with np.errstate(over="ignore"):
            return np.outer(self.task.eps ** self.model.order, self.model.truncation)

    @property
    def next_truncation_model(self):
        """Model's next truncation term ``C3 eps^p2``, shape ``(K, n)``."""
        with np.errstate(over="ignore"):
            return np.outer(self.task.eps ** float(self.model.next_order),
                            self.model.next_truncation)

    @property
    def rounding_model(self):
        """Model's cancellation term ``C1 eps^-q``, shape ``(K, n)``."""
        with np.errstate(over="ignore"):
            return np.outer(self.task.eps ** -float(self.model.rounding_power),
                            self.model.rounding)

    @property
    def floor_model(self):
        """Model's floor ``eps |f^(q)|``, shape ``(K, n)``."""
        return np.broadcast_to(self.model.floor, self.estimate.shape)

    def to_frame(self):
        """The block as tidy rows (point-major: all steps of a point together).

        Examples
        --------
        >>> block = next(sweep_blocks(["exp"], eps=[1e-4, 1e-2], schemes=["central"]))
        >>> block.to_frame()[["x", "eps", "abs_error", "status"]]
             x     eps     abs_error status
        0  1.0  0.0001  4.530566e-09     ok
        1  1.0  0.0100  4.530492e-05     ok
        """
        k, n = self.estimate.shape
        truncation = self.truncation_model
        rounding = self.rounding_model
        following = self.next_truncation_model
        floor = self.floor_model
        task = self.task
        columns = {
            "function": np.full(k * n, task.target.name, dtype=object),
            "x": np.repeat(task.x, k),
            "scheme": np.full(k * n, task.scheme, dtype=object),
            "deriv": np.full(k * n, task.deriv),
            "dtype": np.full(k * n, task.dtype, dtype=object),
            "eps": np.tile(task.eps, n),
            "step": np.tile(self.step, n),
            "estimate": self.estimate.T.ravel(),
            "exact": np.repeat(self.exact, k),
            "abs_error": self.abs_error.T.ravel(),
            "rel_error": self.rel_error.T.ravel(),
            "truncation_model": truncation.T.ravel(),
            "rounding_model": rounding.T.ravel(),
            "total_model": (truncation + following + rounding + floor).T.ravel(),
            "status": np.asarray(STATUSES, dtype=object)[self.status.T.ravel()],
            "next_truncation_model": following.T.ravel(),
            "floor_model": floor.T.ravel(),
            "f_value": np.repeat(self.f_value, k),
        }
        return pd.DataFrame(columns)


def plan_sweep(functions, *, x=None, schemes=DEFAULT_SCHEMES, dtypes=("float64",), eps=None,
               deriv=1, chunk_size=DEFAULT_CHUNK_SIZE):
    """Validate a sweep's inputs and split it into `SweepTask` objects.

    Parameters are those of `sweep`. Every check happens here, before any
    evaluation.

    Returns
    -------
    list of SweepTask
        In the order function, scheme, dtype, chunk of points.
    """
    targets = _targets(functions)
    specs = [get_scheme(name) for name in _names(schemes, "schemes")]
    dtype_names = _dtypes(dtypes)
    steps = _steps(eps)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, Integral) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if isinstance(deriv, bool) or not isinstance(deriv, Integral):
        raise TypeError(f"deriv must be an integer, got {deriv!r}")
    for spec in specs:
        if not 1 <= deriv <= spec.max_deriv:
            raise ValueError(f"deriv must be between 1 and {spec.max_deriv} for scheme "
                             f"{spec.name!r}, got {deriv}")
    tasks = []
    for target in targets:
        points = _points(x, target)
        for spec in specs:
            if spec.needs_analytic and not target.analytic:
                raise ValueError(f"scheme 'complex_step' needs an analytic function that "
                                 f"accepts complex input; {target.name!r} is not marked so")
            for dtype in dtype_names:
                for start in range(0, len(points), chunk_size):
                    tasks.append(SweepTask(target, spec.name, int(deriv), dtype,
                                           points[start:start + chunk_size], steps))
    return tasks


def sweep_blocks(functions, *, x=None, schemes=DEFAULT_SCHEMES, dtypes=("float64",), eps=None,
                 deriv=1, executor=None, chunk_size=DEFAULT_CHUNK_SIZE, progress=False):
    """Run a sweep block by block (bounded memory); see `sweep` for parameters.

    Yields
    ------
    SweepBlock
        In a fixed order (function, scheme, dtype, chunk), whatever the
        executor. At most ``2 * workers + 2`` blocks are in flight.

    Examples
    --------
    >>> blocks = list(sweep_blocks(["exp", "sin"], x=[0.5, 1.0], eps=[1e-3]))
    >>> [(b.task.target.name, b.task.scheme, b.estimate.shape) for b in blocks]
    [('exp', 'forward', (1, 2)), ('exp', 'central', (1, 2)), ('sin', 'forward', (1, 2)), ('sin', 'central', (1, 2))]
    """
    tasks = plan_sweep(functions, x=x, schemes=schemes, dtypes=dtypes, eps=eps, deriv=deriv,
                       chunk_size=chunk_size)
    return _run(tasks, executor, progress)


def _run(tasks, executor, progress):
    bar = Progress(len(tasks), enabled=progress)
    try:
        if executor is None:
            for task in tasks:
                block = compute_block(task)
                bar.advance()
                yield block
            return
        window = 2 * (getattr(executor, "_max_workers", None) or 4) + 2
        pending = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(executor.submit(compute_block, task))
            if len(pending) >= window:
                break
        while pending:
            block = pending.popleft().result()
            for task in queue:
                pending.append(executor.submit(compute_block, task))
                break
            bar.advance()
            yield block
    finally:
        bar.close()


def sweep(functions, *, x=None, schemes=DEFAULT_SCHEMES, dtypes=("float64",), eps=None,
          deriv=1, executor=None, chunk_size=DEFAULT_CHUNK_SIZE, progress=False):
    """Error of every scheme at every step: one tidy DataFrame.

    Parameters
    ----------
    functions : sequence
        Catalogue names (``"exp"``), `numdiff.catalogue.TestFunction`,
        `analysis.Target`, `analysis.expression.Expression` or plain numpy
        callables (checked against a labelled estimate, see
        `analysis.targets.callable_target`).
    x : float, array_like or mapping, optional
        Points, the same for every function, or a mapping from function
        name to points. Default: each function's ``default_x``. Points must
        be finite, distinct and inside each function's domain.
    schemes : sequence of str, optional
        Names from `numdiff.SCHEMES`.
    dtypes : sequence of str, optional
        Any of ``"float16"``, ``"float32"``, ``"float64"``.
    eps : array_like, optional
        Steps, positive and strictly increasing. Default
        `analysis.grid.eps_grid()`: 1e-16 to 1, 10 per decade (161 steps).
    deriv : int, optional
        Derivative order.
    executor : concurrent.futures.Executor, optional
        Runs the blocks; None runs them here, one after another.
    chunk_size : int, optional
        Points per block.
    progress : bool, optional
        Draw a progress bar on stderr (only on a terminal, after 1 s).

    Returns
    -------
    pandas.DataFrame
        Columns `SWEEP_COLUMNS`, described in the module docstring.

    Raises
    ------
    TypeError, ValueError
        For bad input, before anything is evaluated; the message names the
        argument. ValueError also if the table would exceed
        `MAX_TABLE_ROWS` rows (use `sweep_blocks`).

    Examples
    --------
    >>> table = sweep(["exp"], schemes=["forward", "central"])
    >>> table.shape
    (322, 18)
    >>> row = table[(table.scheme == "central") & (table.eps == 1e-4)].iloc[0]
    >>> print(f"{row.abs_error:.2e} (model {row.total_model:.2e})")
    4.53e-09 (model 4.53e-09)
    """
    tasks = plan_sweep(functions, x=x, schemes=schemes, dtypes=dtypes, eps=eps, deriv=deriv,
                       chunk_size=chunk_size)
    rows = sum(len(task.x) * len(task.eps) for task in tasks)
    if rows > MAX_TABLE_ROWS:
        raise ValueError(f"this sweep has {rows:,} rows, more than MAX_TABLE_ROWS="
                         f"{MAX_TABLE_ROWS:,}; use sweep_blocks() with summarize_blocks() "
                         "to stream it in bounded memory")
    frames = [block.to_frame() for block in _run(tasks, executor, progress)]
    return pd.concat(frames, ignore_index=True)


def compute_block(task):
    """Evaluate one `SweepTask` (top-level so that process pools can pickle it)."""
    target, spec = task.target, get_scheme(task.scheme)
    dtype = format_dtype(task.dtype)
    points = task.x.astype(dtype)
    points64 = points.astype(np.float64)
    with np.errstate(over="ignore", under="ignore"):
        step = task.eps.astype(dtype)
    k, n = len(task.eps), len(points)
    status = np.zeros((k, n), dtype=np.int8)
    status[~((step > 0) & np.isfinite(step))] = UNDERFLOW
    if spec.subtracts:
        _mark_collapsed(status, points, step)
    evaluate = np.flatnonzero((status != UNDERFLOW).any(axis=1))
    estimate, messages = _evaluate(target.function, points, step, evaluate, spec.name,
                                   task.deriv, status)
    estimate[status == UNDERFLOW] = np.nan
    _mark_out_of_domain(status, target.domain, points64, task.eps, spec, task.deriv)
    # A sum is finite only if every term is (or it overflowed): one cheap pass
    # decides whether the full element-wise check is needed.
    with np.errstate(over="ignore", invalid="ignore"):
        needs_check = not np.isfinite(estimate.sum())
    if needs_check:
        status[~np.isfinite(estimate) & (status == OK)] = NONFINITE
    model, values = _model(target, spec, task.deriv, dtype, points64)
    return SweepBlock(task, step.astype(np.float64), estimate, values["exact"], values["f"],
                      model, unit_roundoff(dtype), status, messages)


def _mark_collapsed(status, points, step):
    """Mark ``underflow`` where ``x + h == x``: the stencil collapses to one point."""
    largest = np.max(np.abs(points))
    with np.errstate(over="ignore"):
        small = np.flatnonzero(step < np.spacing(largest))
    if small.size:
        collapsed = points + step[small, None] == points
        rows = status[small]
        rows[collapsed] = UNDERFLOW
        status[small] = rows


def _mark_out_of_domain(status, domain, points, eps, spec, deriv):
    lo, hi = domain
    if lo == -math.inf and hi == math.inf:
        return
    offsets = spec.real_offsets(deriv)
    left, right = min(offsets), max(offsets)
    with np.errstate(over="ignore"):
        outside = ((points + left * eps[:, None] <= lo) | (points + right * eps[:, None] >= hi))
    status[outside & (status == OK)] = OUT_OF_DOMAIN


class _FunctionRaised(Exception):
    """Carries an exception raised by the user's function through numerical_diff."""


class _Guarded:
    """Wrap ``f`` so that its exceptions are told apart from numerical_diff's."""

    def __init__(self, function):
        self.function = function

    def __call__(self, x):
        try:
            values = self.function(x)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit too: f must not end the run
            raise _FunctionRaised(f"{type(error).__name__}: {error}") from error
        if np.iscomplexobj(values) and not np.iscomplexobj(x):
            raise _FunctionRaised("f returned complex values for real input")
        return values


def _evaluate(function, points, step, rows, scheme, deriv, status):
    """Estimates for the given rows of steps; rows or points where f raised are marked."""
    k, n = status.shape
    estimate = np.full((k, n), np.nan)
    messages = []
    if rows.size == 0:
        return estimate, ()
    guarded = _Guarded(function)
    # Floating-point warnings of f (log of a negative step, overflow) are not
    # printed: the resulting non-finite values are recorded in `status`.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            values = numerical_diff(guarded, points, step[rows, None], scheme=scheme,
                                    deriv=deriv)
            if rows.size == k:
                return values.astype(np.float64, copy=False), ()
            estimate[rows] = values
            return estimate, ()
        except _FunctionRaised as error:
            messages.append(str(error))
        for row in rows:
            try:
                estimate[row] = numerical_diff(guarded, points, step[row], scheme=scheme,
                                               deriv=deriv)
                continue
            except _FunctionRaised:
                pass
            if n == 1 or n > _MAX_POINTWISE_RETRY:
                status[row] = RAISED
                continue
            for j in range(n):
                try:
                    estimate[row, j] = numerical_diff(guarded, points[j:j + 1], step[row],
                                                      scheme=scheme, deriv=deriv)[0]
                except _FunctionRaised:
                    status[row, j] = RAISED
                except ValueError:  # x + h == x for this point alone
                    status[row, j] = UNDERFLOW
    return estimate, tuple(messages[:3])


def _model(target, spec, deriv, dtype, points):
    """The complete error model and reference values at the (dtype-rounded) points.

    Every coefficient is an array of shape ``(n,)``. A scale the target
    cannot give (NaN) makes the model unknown (NaN) at that point, except the
    next truncation term, which is then left out.
    """
    n = len(points)
    leading, following = spec.truncation_orders(deriv)
    with np.errstate(all="ignore"):
        values = {"f": target.derivative(points, 0),
                  "exact": target.derivative(points, deriv),
                  "leading": target.derivative(points, leading),
                  "next": target.derivative(points, following)}
        first = values["exact"] if deriv == 1 else target.derivative(points, 1)
    scales = {"f_scale": values["f"], "slope_scale": first, "result_scale": values["exact"],
              "derivative_scale": values["leading"]}
    scales = {name: np.abs(np.asarray(value, dtype=float)) for name, value in scales.items()}
    unknown = np.zeros(n, dtype=bool)
    for scale in scales.values():
        unknown |= ~np.isfinite(scale)
    following_scale = np.abs(np.asarray(values["next"], dtype=float))
    model = error_model(spec, deriv=deriv, x_scale=np.abs(points),
                        next_derivative_scale=np.where(np.isfinite(following_scale),
                                                       following_scale, 0.0),
                        dtype=dtype, **{name: np.where(unknown, 0.0, scale)
                                        for name, scale in scales.items()})
    nan = np.where(unknown, np.nan, 1.0)
    model = ErrorModel(*(np.broadcast_to(np.asarray(getattr(model, name)) * nan, (n,))
                         for name in ("rounding", "truncation")),
                       model.rounding_power, model.order,
                       np.broadcast_to(np.asarray(model.next_truncation) * nan, (n,)),
                       model.next_order, np.broadcast_to(np.asarray(model.floor) * nan, (n,)))
    return model, values


def _targets(functions):
    if isinstance(functions, (str, Target)) or callable(functions):
        functions = [functions]
    try:
        targets = [as_target(f) for f in functions]
    except TypeError as error:
        if "not iterable" in str(error):
            raise TypeError(f"functions must be a sequence, got "
                            f"{type(functions).__name__}") from None
        raise
    if not targets:
        raise ValueError("functions must not be empty")
    names = [t.name for t in targets]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"functions must have distinct names, {', '.join(repeated)} repeats")
    return targets


def _names(values, name):
    if isinstance(values, str):
        values = [values]
    values = list(values)
    if not values:
        raise ValueError(f"{name} must not be empty")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a name, got {values}")
    return values


def _dtypes(dtypes):
    names = []
    for value in _names(dtypes, "dtypes"):
        name = value if isinstance(value, str) else getattr(value, "__name__", str(value))
        if name == np.dtype(np.longdouble).name:
            name = "longdouble"
        if name not in DTYPES:
            raise ValueError(f"unknown dtype {value!r}; valid dtypes: {', '.join(DTYPES)}")
        format_dtype(name)  # raises where the format needs ml_dtypes and it is missing
        names.append(name)
    return names


def _float_vector(values, name, kind):
    """`values` as a flat, non-empty float64 array; errors name the argument `name`."""
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {kind}, got {values!r}") from None
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    return array


def _steps(eps):
    if eps is None:
        return eps_grid()
    steps = _float_vector(eps, "eps", "an array of positive steps")
    if not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError("eps must be positive and finite")
    if np.any(np.diff(steps) <= 0):
        raise ValueError("eps must be strictly increasing")
    return steps


def _points(x, target):
    if isinstance(x, dict):
        x = x.get(target.name)
    if x is None:
        x = target.default_x
    points = _float_vector(x, "x", "real numbers")
    if not np.all(np.isfinite(points)):
        raise ValueError("x must be finite")
    if len(np.unique(points)) != len(points):
        raise ValueError("x must not repeat a point")
    lo, hi = target.domain
    outside = points[(points <= lo) | (points >= hi)]
    if outside.size:
        raise ValueError(f"x={outside[0]:g} is outside the domain ({lo:g}, {hi:g}) of "
                         f"function {target.name!r}")
    return points
