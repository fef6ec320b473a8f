"""The error-model fit: observed optimum, theory beside it, the two slopes.

For each (function, x, scheme, deriv, dtype) the summary gives

* the observed best step and the error there: the step where the error,
  smoothed by a running median over 5 neighbouring steps (half a decade on
  the default grid), is lowest (the largest such step on ties), and that
  smoothed error as ``min_error``. The median ignores lucky single-step
  dips of the rounding noise (an estimate that happens to round to the
  exact value at eps = 1e-11, say); ``lowest_error`` is the raw minimum.
  Only steps with status ``ok`` count;
* the model's ``h*`` and ``E*`` (`numdiff.ErrorModel`) and the ratios
  observed / model;
* the model's crossover step ``h_c = (C1 / C2)^(1/(p+q))``, where its
  truncation and rounding terms are equal;
* the log-log slope of the truncation branch (expected: the order ``p``) and
  of the cancellation branch (expected: ``-q``, i.e. ``-deriv``; 0 for the
  complex step, which has no cancellation), each a least-squares fit of
  ``log10 |error|`` on ``log10 eps`` over a sub-range chosen from the model:

  - truncation branch: truncation term >= 100 x rounding term (so rounding
    adds under 1 %), truncation term <= 5 % of ``|f^(q)|`` (the leading
    Taylor term still dominates the dropped ones), and ``eps`` at most half
    the smallest step whose stencil leaves the domain;
  - cancellation branch: rounding term >= 100 x truncation term, and
    rounding term <= 10 % of ``|f^(q)|``, which excludes the floor of total
    cancellation, where the difference is a few ulps or zero and the error
    saturates at ``|f^(q)|``;
  - in both, exact zeros of the error and steps whose status is not ``ok``
    are left out; a branch needs 5 steps spanning a decade, else NaN;
  - for choosing the branches only, the rounding term of a real scheme is
    increased by ``u |x| |f^(q)| / eps``, the error of forming ``x + eps``
    (Numerical Recipes 3rd ed. §5.7), which the textbook model leaves
    out and which is all the rounding there is where ``f(x) = 0`` (log at 1);
* the crossover of the two fitted lines (``fitted_crossover_step``);
* the error at the default step ``eps = 1e-4`` (`DEFAULT_EPS`, the default
  of DeZero's ``numerical_diff(f, x, eps=1e-4)``) and the decimal digits it
  loses against the best step, ``log10(seed_error / min_error)`` (the
  columns keep their ``seed_`` names);
* the number of steps by status, and ``flagged`` when ``f`` raised or
  returned NaN/inf inside its domain (``fault_message`` says what).

`summarize` works from the tidy table (`analysis.sweep.sweep`, or
``sweep.csv`` read back); `summarize_blocks` from `SweepBlock` objects
streamed by `analysis.sweep.sweep_blocks`, in bounded memory. Both give the
same numbers.
"""

import numpy as np
import pandas as pd

from numdiff import ErrorModel, get_scheme, machine_epsilon

from .sweep import OK, OUT_OF_DOMAIN, STATUSES

__all__ = ["summarize", "summarize_blocks", "SUMMARY_COLUMNS", "DEFAULT_EPS", "DEFAULT_EPS_TEXT"]

#: The default step of DeZero's ``numerical_diff(f, x, eps=1e-4)``, kept by
#: `numdiff.numerical_diff`.
DEFAULT_EPS = 1e-4
#: `DEFAULT_EPS` as the report writes it.
DEFAULT_EPS_TEXT = "1e-4"
# Branch selection, as described in the module docstring.
_DOMINANCE = 100.0
_TRUNCATION_CAP = 0.05
_ROUNDING_CAP = 0.1
_DOMAIN_MARGIN = 0.5
_MIN_POINTS = 5
_MIN_DECADES = 1.0

#: Columns of the summary table, in order.
SUMMARY_COLUMNS = (
    "function", "x", "scheme", "deriv", "dtype", "unit_roundoff", "order", "exact",
    "best_step", "min_error", "lowest_error", "min_rel_error", "digits",
    "theory_step", "theory_error", "step_ratio", "error_ratio", "crossover_step",
    "truncation_slope", "expected_truncation_slope", "truncation_points",
    "truncation_fit_min", "truncation_fit_max",
    "cancellation_slope", "expected_cancellation_slope", "cancellation_points",
    "cancellation_fit_min", "cancellation_fit_max", "fitted_crossover_step",
    "seed_eps", "seed_error", "seed_digits_lost",
    "n_steps", "n_ok", "n_out_of_domain", "n_underflow", "n_nonfinite", "n_raised",
    "flagged", "fault_message",
)


def summarize_blocks(blocks):
    """Summary rows for `SweepBlock` objects, one block at a time.

    Examples
    --------
    >>> from analysis.sweep import sweep_blocks
    >>> table = summarize_blocks(sweep_blocks(["exp"], schemes=["forward", "central"]))
    >>> table[["scheme", "truncation_slope", "cancellation_slope"]].round(1)
        scheme  truncation_slope  cancellation_slope
    0  forward               1.0                -1.0
    1  central               2.0                -1.0
    """
    parts = []
    for block in blocks:
        part = _fit(block.eps, block.abs_error, block.x, block.exact,
                    block.rounding_coefficient,
                    block.truncation_coefficient, block.rounding_power, block.order,
                    block.status, block.unit_roundoff)
        message = "; ".join(block.messages) or "f returned NaN or inf"
        parts.append(_columns(block.function, block.scheme, block.deriv, block.dtype, block.x,
                              part, message))
    return _table(parts)


def summarize(table):
    """Summary rows from the tidy sweep table (or ``sweep.csv`` read back).

    Parameters
    ----------
    table : pandas.DataFrame
        With the columns of `analysis.sweep.SWEEP_COLUMNS`; rows of a case
        may come in any order.

    Returns
    -------
    pandas.DataFrame
        One row per (function, x, scheme, deriv, dtype), columns
        `SUMMARY_COLUMNS`.

    Raises
    ------
    ValueError
        If columns are missing, or the points of a case do not share one
        grid of steps.

    Examples
    --------
    >>> from analysis.sweep import sweep
    >>> row = summarize(sweep(["exp"], schemes=["central"])).iloc[0]
    >>> print(f"best {row.best_step:.1e}, theory {row.theory_step:.1e}")
    best 7.9e-06, theory 8.7e-06
    """
    missing = [c for c in ("function", "x", "scheme", "deriv", "dtype", "eps", "abs_error",
                           "exact", "truncation_model", "rounding_model", "status")
               if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks the columns {', '.join(missing)}")
    parts = []
    codes = {name: code for code, name in enumerate(STATUSES)}
    keys = ["function", "scheme", "deriv", "dtype"]
    for (function, scheme, deriv, dtype), group in table.groupby(keys, sort=False):
        group = group.sort_values(["x", "eps"], kind="stable")
        eps = np.unique(group["eps"].to_numpy(dtype=float))
        points = group["x"].to_numpy(dtype=float)[::len(eps)]
        k, n = len(eps), len(points)
        if len(group) != k * n or not np.array_equal(
                group["eps"].to_numpy(dtype=float).reshape(n, k), np.tile(eps, (n, 1))):
            raise ValueError(f"the points of {function}/{scheme}/{dtype} do not share one "
                             "grid of steps (or a point repeats)")

        def grid(column):
            return group[column].to_numpy(dtype=float).reshape(n, k).T

        spec = get_scheme(scheme)
        deriv = int(deriv)
        order = spec.accuracy(deriv)
        power = 0 if spec.is_complex else deriv
        status = np.vectorize(codes.__getitem__, otypes=[np.int8])(
            group["status"].to_numpy().reshape(n, k).T)
        # The model's coefficients from its terms: C1 = R eps^q, C2 = T / eps^p,
        # read at the middle step, where neither term is extreme.
        middle = k // 2
        rounding = grid("rounding_model")[middle] * eps[middle] ** power
        truncation = grid("truncation_model")[middle] / eps[middle] ** order
        part = _fit(eps, grid("abs_error"), points, grid("exact")[0], rounding, truncation,
                    power, order, status, machine_epsilon(dtype))
        parts.append(_columns(function, scheme, deriv, dtype, points, part, ""))
    return _table(parts)


#: Columns of labels, stored as pandas categories.
_LABELS = ("function", "scheme", "dtype", "fault_message")


def _columns(function, scheme, deriv, dtype, points, part, message):
    """One block's summary: ``(n, columns)``, each column an array of length n or a scalar.

    A scalar stands for n equal values (a label, or a per-case constant of
    `_fit`) and is expanded only in `_table`, so that the blocks of a large
    sweep hold little besides their own numbers. ``fault_message`` is
    ``(flagged, message)``.
    """
    columns = {"function": function, "x": np.asarray(points), "scheme": scheme,
               "deriv": deriv, "dtype": dtype}
    for name, value in part.items():
        value = np.asarray(value)
        constant = value.ndim == 0 or value.strides == (0,)
        columns[name] = value.flat[0] if constant else value
    columns["fault_message"] = (np.asarray(part["flagged"], dtype=bool), message)
    return len(points), columns


def _table(parts):
    """Concatenate column by column (one column's copy at a time in memory).

    Labels become categories built from codes, never an array of a million
    Python strings.
    """
    if not parts:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    lengths = [n for n, _ in parts]
    data = {}
    for name in SUMMARY_COLUMNS:
        pieces = [columns.pop(name) for _, columns in parts]
        if name == "fault_message":
            labels = sorted({"", *(message for flagged, message in pieces if flagged.any())})
            codes = np.concatenate([np.where(flagged, labels.index(message), 0)
                                    if flagged.any() else np.zeros(len(flagged), dtype=int)
                                    for flagged, message in pieces])
            data[name] = pd.Categorical.from_codes(codes, categories=labels)
        elif name in _LABELS:
            labels = sorted(set(pieces))
            codes = np.repeat([labels.index(piece) for piece in pieces], lengths)
            data[name] = pd.Categorical.from_codes(codes, categories=labels)
        else:
            data[name] = np.concatenate([np.full(n, piece) if np.ndim(piece) == 0 else piece
                                         for n, piece in zip(lengths, pieces)])
    return pd.DataFrame(data, copy=False)


def _fit(eps, abs_error, x, exact, rounding, truncation, power, order, status, u):
    """Vectorised over points: every output is an array of shape (n,)."""
    k, n = abs_error.shape
    log_eps = np.log10(eps)
    ok = (status == OK) & np.isfinite(abs_error)
    lowest, best_step, min_error = _observed_optimum(eps, abs_error, ok)
    model = ErrorModel(rounding, truncation, power, order)
    scale = np.abs(exact)
    with np.errstate(all="ignore"):
        theory_step = np.broadcast_to(model.optimal_step, (n,)).astype(float)
        theory_error = np.broadcast_to(model.minimum_error, (n,)).astype(float)
        crossover = (rounding / truncation) ** (1.0 / (order + power))
    truncation_branch, cancellation_branch, usable = _branches(
        eps, abs_error, x, scale, rounding, truncation, power, order, status, ok, u)
    with np.errstate(all="ignore"):
        log_error = np.log10(np.where(usable, abs_error, 1.0))
    t_slope, t_intercept, t_points, t_min, t_max = _line(log_eps, log_error, truncation_branch,
                                                         eps)
    c_slope, c_intercept, c_points, c_min, c_max = _line(log_eps, log_error,
                                                         cancellation_branch, eps)
    with np.errstate(all="ignore"):
        fitted_crossover = 10.0 ** ((c_intercept - t_intercept) / (t_slope - c_slope))
        rel = np.where(scale > 0, min_error / scale, np.nan)
        digits = -np.log10(rel)
        step_ratio = np.where(np.isfinite(theory_step) & (theory_step > 0),
                              best_step / theory_step, np.nan)
        error_ratio = np.where(theory_error > 0, min_error / theory_error, np.nan)
    counts = {f"n_{name}": (status == code).sum(axis=0)
              for code, name in enumerate(STATUSES)}
    faults = counts["n_nonfinite"] + counts["n_raised"]
    return {
        "unit_roundoff": u, "order": order, "exact": exact,
        "best_step": best_step, "min_error": min_error, "lowest_error": lowest,
        "min_rel_error": rel, "digits": digits, "theory_step": theory_step,
        "theory_error": theory_error, "step_ratio": step_ratio, "error_ratio": error_ratio,
        "crossover_step": crossover,
        "truncation_slope": t_slope, "expected_truncation_slope": order,
        "truncation_points": t_points, "truncation_fit_min": t_min, "truncation_fit_max": t_max,
        "cancellation_slope": c_slope, "expected_cancellation_slope": -power,
        "cancellation_points": c_points, "cancellation_fit_min": c_min,
        "cancellation_fit_max": c_max, "fitted_crossover_step": fitted_crossover,
        **_default_eps_error(eps, abs_error, ok, min_error),
        "n_steps": k, **counts, "flagged": faults > 0,
    }


def _observed_optimum(eps, abs_error, ok):
    """The raw lowest error, and the step and level of the lowest smoothed error, per point."""
    k = len(eps)
    has_any = ok.any(axis=0)
    error = np.where(ok, abs_error, np.inf)
    lowest = np.where(has_any, error.min(axis=0), np.nan)
    smooth = _running_median(error)
    level = smooth.min(axis=0)
    # Largest step reaching the lowest smoothed level: the last True along axis 0.
    last = k - 1 - np.argmax((smooth == level)[::-1], axis=0)
    found = has_any & np.isfinite(level)
    return lowest, np.where(found, eps[last], np.nan), np.where(found, level, np.nan)


def _branches(eps, abs_error, x, scale, rounding, truncation, power, order, status, ok, u):
    """Masks ``(K, n)`` of the truncation and cancellation branches, and of usable errors."""
    with np.errstate(all="ignore"):
        rounding_term = np.outer(eps ** -float(power), rounding)
        if power > 0:  # the error of forming x + eps, for branch selection only
            rounding_term += np.outer(u / eps, np.abs(x) * scale)
        truncation_term = np.outer(eps ** float(order), truncation)
        usable = ok & (abs_error > 0)
        out = status == OUT_OF_DOMAIN
        first_out = np.where(out.any(axis=0), eps[np.argmax(out, axis=0)], np.inf)
        exact_zero = scale == 0
        truncation_branch = (usable & (truncation_term >= _DOMINANCE * rounding_term)
                             & (exact_zero | (truncation_term <= _TRUNCATION_CAP * scale))
                             & (eps[:, None] <= _DOMAIN_MARGIN * first_out))
        cancellation_branch = (usable & (rounding_term >= _DOMINANCE * truncation_term)
                               & (exact_zero | (rounding_term <= _ROUNDING_CAP * scale)))
    return truncation_branch, cancellation_branch, usable


def _default_eps_error(eps, abs_error, ok, min_error):
    """The ``seed_*`` columns: the error at `DEFAULT_EPS` and the digits it loses."""
    log_eps = np.log10(eps)
    index = int(np.argmin(np.abs(log_eps - np.log10(DEFAULT_EPS))))
    near = abs(log_eps[index] - np.log10(DEFAULT_EPS)) < 0.01
    if near:
        error = np.where(ok[index], abs_error[index], np.nan)
    else:
        error = np.full(abs_error.shape[1], np.nan)
    with np.errstate(all="ignore"):
        lost = np.log10(error / min_error)
        lost = np.where(np.isfinite(lost), lost, np.nan)
    return {"seed_eps": eps[index] if near else np.nan, "seed_error": error,
            "seed_digits_lost": lost}


def _running_median(error):
    """Median of each step's error and its two neighbours on each side (inf beyond the ends).

    Median of five without sorting: the larger of the two pair minima and
    the smaller of the two pair maxima are the middle two of four values,
    and the median of five is the median of those two and the fifth.
    """
    k, n = error.shape
    padded = np.full((k + 4, n), np.inf)
    padded[2:2 + k] = error
    a, b, c, d, e = (padded[i:i + k] for i in range(5))
    f = np.maximum(np.minimum(a, b), np.minimum(c, d))
    g = np.minimum(np.maximum(a, b), np.maximum(c, d))
    return np.maximum(np.minimum(f, g), np.minimum(np.maximum(f, g), e))


def _line(log_eps, log_error, mask, eps):
    """Least-squares line of log_error on log_eps over `mask`, per column."""
    weight = mask.astype(float)
    weighted_error = weight * log_error
    count = weight.sum(axis=0)
    sx = log_eps @ weight
    sxx = (log_eps ** 2) @ weight
    sy = weighted_error.sum(axis=0)
    sxy = log_eps @ weighted_error
    with np.errstate(all="ignore"):
        denominator = count * sxx - sx ** 2
        slope = (count * sxy - sx * sy) / denominator
        intercept = (sy - slope * sx) / count
    any_point = mask.any(axis=0)
    low = np.where(any_point, eps[np.argmax(mask, axis=0)], np.nan)
    high = np.where(any_point, eps[len(eps) - 1 - np.argmax(mask[::-1], axis=0)], np.nan)
    with np.errstate(all="ignore"):
        enough = (count >= _MIN_POINTS) & (np.log10(high / low) >= _MIN_DECADES)
    nan = np.full(slope.shape, np.nan)
    return (np.where(enough, slope, nan), np.where(enough, intercept, nan),
            count.astype(int), np.where(enough, low, nan), np.where(enough, high, nan))
