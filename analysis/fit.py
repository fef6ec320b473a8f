"""The error-model fit: observed optimum, theory beside it, the two slopes.

For each (function, x, scheme, deriv, dtype) the summary gives

* the observed best step and the error there: the step where the error,
  smoothed by a running median over 5 neighbouring steps (half a decade on
  the default grid), is lowest (the largest such step on ties), and that
  smoothed error as ``min_error``. The median ignores lucky single-step
  dips of the rounding noise (an estimate that happens to round to the
  exact value at eps = 1e-11, say); ``lowest_error`` is the raw minimum.
  Only steps with status ``ok`` count;
* ``typical_error``: the smallest root-mean-square error over 5 neighbouring
  steps. Near the optimum, truncation and rounding errors of random sign
  cancel by chance, so the smallest errors are luck; the model predicts
  the size of the error, and ``error_ratio`` compares it with this
  root-mean-square size;
* the complete model's ``h*`` and ``E*`` (`numdiff.error_model`: the values'
  and the arguments' rounding, the leading and next truncation terms, the
  floor), the ratios observed / model, and the model's crossover step
  (`numdiff.ErrorModel.crossover_step`);
* the log-log slope of the truncation branch and of the cancellation
  branch, each a least-squares fit of ``log10 |error|`` on ``log10 eps``
  over the steps where the model says that branch dominates:

  - truncation: truncation >= 100 x (rounding + floor), truncation <= 5 %
    of ``|f^(q)|`` (the Taylor terms still fall), and ``eps`` at most half
    the smallest step whose stencil leaves the domain. The leading term is
    fitted where it is 10 x the next one, and its expected slope is the
    order ``p``; where there are too few such steps (the leading derivative
    vanishes at ``x``) the next term is fitted, expected slope ``p2``;
  - cancellation: cancellation >= 100 x (truncation + floor), and <= 10 %
    of ``|f^(q)|`` (beyond, the difference is a few ulps or 0 and the error
    saturates at ``|f^(q)|``); expected slope ``-q``;
  - in both, exact zeros of the error and steps whose status is not ``ok``
    are left out; a branch needs 5 steps spanning a decade (two for the
    cancellation branch, whose rounding errors scatter by an order of
    magnitude), and a slope of the wrong sign is not reported;
  - where a branch is not fitted, ``truncation_note`` /
    ``cancellation_note`` says why (the model has no such branch, too few
    steps, wrong sign), and ``theory_note`` says why a ratio is missing;
* the crossover of the two fitted lines (``fitted_crossover_step``);
* the error at the default step ``eps = 1e-4`` (DeZero's
  ``numerical_diff(f, x, eps=1e-4)``) and the decimal digits it loses
  against the best step, ``log10(seed_error / min_error)``;
* the number of steps by status, and ``flagged`` when ``f`` raised or
  returned NaN/inf inside its domain (``fault_message`` says what).

`summarize` works from the tidy table (`analysis.sweep.sweep`, or
``sweep.csv`` read back); `summarize_blocks` from `SweepBlock` objects
streamed by `analysis.sweep.sweep_blocks`, in bounded memory. Both give the
same numbers.
"""

import numpy as np
import pandas as pd

from numdiff import ErrorModel, get_scheme, unit_roundoff
from numdiff.formats import format_dtype

from .sweep import OK, OUT_OF_DOMAIN, STATUSES

__all__ = ["summarize", "summarize_blocks", "SUMMARY_COLUMNS", "DEFAULT_EPS", "DEFAULT_EPS_TEXT",
           "NOTES", "MODEL_WITHOUT_BRANCH"]

#: The default step of DeZero's ``numerical_diff(f, x, eps=1e-4)``, kept by
#: `numdiff.numerical_diff`.
DEFAULT_EPS = 1e-4
#: `DEFAULT_EPS` as the report writes it.
DEFAULT_EPS_TEXT = "1e-4"
# Branch selection, as described in the module docstring.
_DOMINANCE = 100.0
_TERM_DOMINANCE = 10.0
_TRUNCATION_CAP = 0.05
_ROUNDING_CAP = 0.1
_DOMAIN_MARGIN = 0.5
_MIN_POINTS = 5
_MIN_DECADES = 1.0
# Rounding errors scatter by an order of magnitude: their slope needs a longer baseline.
_MIN_CANCELLATION_DECADES = 2.0
_WINDOW = 5

#: Why a branch or a ratio is missing, by key (the texts of the ``*_note`` columns).
NOTES = {
    "exact": "the stencil is exact for f: no truncation error",
    "no_cancellation": "f(x) = 0 and x = 0: no cancellation",
    "complex": "complex step: no subtraction, no cancellation",
    "few": "too few steps where it dominates",
    "sign": "fitted slope has the wrong sign",
    "unknown": "model unknown: a derivative of f is not finite here",
    "no_data": "no usable step",
    "falls": "the stencil is exact for f: the error falls as the step grows",
    "zero": "errors exactly 0 near the best step",
    "no_error": "the model predicts no error at all: f and its derivatives vanish here",
    "no_digit": "|f^(q)| is below the model's E*: no correct digit to expect",
}

#: The notes that say the model itself has no such branch (not the data's fault).
MODEL_WITHOUT_BRANCH = tuple(NOTES[key] for key in ("exact", "no_cancellation", "complex",
                                                    "unknown"))

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
    "flagged", "fault_message", "typical_error", "truncation_note", "cancellation_note",
    "theory_note", "f_value", "machine_epsilon",
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
        task = block.task
        part = _fit(task.eps, block.abs_error, task.x, block.exact, block.model,
                    block.status, block.unit_roundoff)
        part["f_value"] = block.f_value
        message = "; ".join(block.messages) or "f returned NaN or inf"
        parts.append(_columns(task.target.name, task.scheme, task.deriv, task.dtype, task.x,
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
        eps, points, grid = _case_grid(group, f"{function}/{scheme}/{dtype}")
        status = np.vectorize(codes.__getitem__, otypes=[np.int8])(grid("status", object))
        model = _model_from_columns(get_scheme(scheme), int(deriv), eps, grid)
        part = _fit(eps, grid("abs_error"), points, grid("exact")[0], model, status,
                    unit_roundoff(format_dtype(dtype)))
        part["f_value"] = grid("f_value", float, np.nan)[0]
        parts.append(_columns(function, scheme, int(deriv), dtype, points, part, ""))
    return _table(parts)


def _case_grid(group, label):
    """A case's steps, points, and a reader of its columns as ``(K, n)`` arrays."""
    group = group.sort_values(["x", "eps"], kind="stable")
    eps = np.unique(group["eps"].to_numpy(dtype=float))
    points = group["x"].to_numpy(dtype=float)[::len(eps)]
    k, n = len(eps), len(points)
    if len(group) != k * n or not np.array_equal(
            group["eps"].to_numpy(dtype=float).reshape(n, k), np.tile(eps, (n, 1))):
        raise ValueError(f"the points of {label} do not share one grid of steps "
                         "(or a point repeats)")

    def grid(column, kind=float, missing=0.0):
        if column not in group.columns:  # tables written before the column existed
            return np.full((k, n), missing)
        return group[column].to_numpy(dtype=kind).reshape(n, k).T

    return eps, points, grid


def _model_from_columns(spec, deriv, eps, grid):
    """The `ErrorModel` whose terms the table's model columns hold.

    Each coefficient is read at the middle step, where no term is extreme:
    ``C1 = R eps^q``, ``C2 = T / eps^p``, ``C3 = T2 / eps^p2``.
    """
    middle = len(eps) // 2
    order = spec.accuracy(deriv)
    power = spec.rounding_power(deriv)
    next_order = spec.truncation_orders(deriv)[1] - deriv
    step = eps[middle]
    return ErrorModel(grid("rounding_model")[middle] * step ** power,
                      grid("truncation_model")[middle] / step ** order, power, order,
                      grid("next_truncation_model")[middle] / step ** next_order, next_order,
                      grid("floor_model")[middle])


#: Columns of labels, stored as pandas categories.
_LABELS = ("function", "scheme", "dtype", "fault_message", "truncation_note",
           "cancellation_note", "theory_note")


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
            # A label is one string per block, or an array of them (the notes).
            labels = sorted(set().union(*(np.unique(piece).tolist() for piece in pieces)))
            index = {label: code for code, label in enumerate(labels)}
            codes = np.concatenate([np.full(n, index[piece]) if np.ndim(piece) == 0 else
                                    np.vectorize(index.__getitem__, otypes=[int])(piece)
                                    for n, piece in zip(lengths, pieces)])
            data[name] = pd.Categorical.from_codes(codes, categories=labels)
        else:
            data[name] = np.concatenate([np.full(n, piece) if np.ndim(piece) == 0 else piece
                                         for n, piece in zip(lengths, pieces)])
    return pd.DataFrame(data, copy=False)


def _fit(eps, abs_error, x, exact, model, status, u):
    """Vectorised over points: every output is an array of shape (n,) or a scalar."""
    ok = (status == OK) & np.isfinite(abs_error)
    observed = _observed(eps, abs_error, ok)
    theory = _theory(model, len(x), exact, observed)
    branches = _branches(eps, abs_error, ok, status, exact, model)
    with np.errstate(all="ignore"):
        fitted_crossover = 10.0 ** ((branches["cancellation_intercept"]
                                     - branches["truncation_intercept"])
                                    / (branches["truncation_slope"]
                                       - branches["cancellation_slope"]))
    del branches["cancellation_intercept"], branches["truncation_intercept"]
    counts = {f"n_{name}": (status == code).sum(axis=0) for code, name in enumerate(STATUSES)}
    return {"unit_roundoff": u, "machine_epsilon": 2 * u, "order": model.order, "exact": exact,
            **observed, **theory,
            **branches, "fitted_crossover_step": fitted_crossover,
            **_at_default_eps(eps, abs_error, ok, observed["min_error"]),
            "n_steps": len(eps), **counts,
            "flagged": counts["n_nonfinite"] + counts["n_raised"] > 0}


def _observed(eps, abs_error, ok):
    """Best step, smoothed minimum, raw minimum and typical (RMS) minimum of the error."""
    k = len(eps)
    has_any = ok.any(axis=0)
    error = np.where(ok, abs_error, np.inf)
    smooth = _running_median(error)
    level = smooth.min(axis=0)
    # Largest step reaching the lowest smoothed level: the last True along axis 0.
    last = k - 1 - np.argmax((smooth == level)[::-1], axis=0)
    found = has_any & np.isfinite(level)
    with np.errstate(over="ignore", invalid="ignore"):
        typical = np.sqrt(_running_mean(error ** 2).min(axis=0))
    return {"best_step": np.where(found, eps[last], np.nan),
            "min_error": np.where(found, level, np.nan),
            "lowest_error": np.where(has_any, error.min(axis=0), np.nan),
            "typical_error": np.where(np.isfinite(typical), typical, np.nan)}


def _theory(model, n, exact, observed):
    """The model's optimum, the observed / model ratios, and why a ratio is missing."""
    scale = np.abs(exact)
    with np.errstate(all="ignore"):
        step = np.broadcast_to(model.optimal_step, (n,)).astype(float)
        error = np.broadcast_to(model.minimum_error, (n,)).astype(float)
        rel = np.where(scale > 0, observed["min_error"] / scale, np.nan)
        # Where the errors reach exactly 0 (the estimate rounds to the exact
        # value), the best step marks luck, not the size of the error.
        step_ratio = np.where(np.isfinite(step) & (step > 0) & (observed["min_error"] > 0),
                              observed["best_step"] / step, np.nan)
        typical = observed["typical_error"]
        no_digit = scale < error
        comparable = (error > 0) & (typical > 0) & ~no_digit
        error_ratio = np.where(comparable, typical / error, np.nan)
    unknown = np.broadcast_to(np.isnan(np.asarray(model.truncation, dtype=float))
                              | np.isnan(np.asarray(model.rounding, dtype=float)), (n,))
    note = np.select([unknown, np.isnan(step), np.isinf(step),
                      np.isnan(observed["best_step"]), typical == 0, no_digit],
                     [NOTES["unknown"], NOTES["no_error"], NOTES["falls"], NOTES["no_data"],
                      NOTES["zero"],
                      NOTES["no_digit"]], "")
    with np.errstate(divide="ignore"):
        digits = -np.log10(rel)
    return {"min_rel_error": rel, "digits": digits, "theory_step": step,
            "theory_error": error, "step_ratio": step_ratio, "error_ratio": error_ratio,
            "crossover_step": np.broadcast_to(model.crossover_step, (n,)).astype(float),
            "theory_note": note}


def _branches(eps, abs_error, ok, status, exact, model):
    """Both fitted branches: slope, expected slope, points, range, intercept and note."""
    scale = np.abs(exact)
    exact_zero = scale == 0
    with np.errstate(all="ignore"):
        rounding = np.outer(eps ** -float(model.rounding_power), model.rounding)
        leading = np.outer(eps ** float(model.order), model.truncation)
        following = np.outer(eps ** float(model.next_order or model.order),
                             model.next_truncation if model.next_order else 0.0)
        floor = np.broadcast_to(model.floor, (1, len(exact)))
        truncation = leading + following
        usable = ok & (abs_error > 0)
        out = status == OUT_OF_DOMAIN
        first_out = np.where(out.any(axis=0), eps[np.argmax(out, axis=0)], np.inf)
        truncating = (usable & (truncation >= _DOMINANCE * (rounding + floor))
                      & (exact_zero | (truncation <= _TRUNCATION_CAP * scale))
                      & (eps[:, None] <= _DOMAIN_MARGIN * first_out))
        cancelling = (usable & (rounding >= _DOMINANCE * (truncation + floor))
                      & (exact_zero | (rounding <= _ROUNDING_CAP * scale)))
        log_error = np.log10(np.where(usable, abs_error, 1.0))
        leads = truncating & (leading >= _TERM_DOMINANCE * following)
        follows = truncating & (following >= _TERM_DOMINANCE * leading)
    log_eps = np.log10(eps)
    lead = _line(log_eps, log_error, leads, eps)
    after = _line(log_eps, log_error, follows, eps)
    use_next = np.isnan(lead["slope"]) & np.isfinite(after["slope"])
    truncation_fit = {key: np.where(use_next, after[key], lead[key]) for key in lead}
    expected = np.where(use_next, model.next_order or model.order, model.order)
    cancellation_fit = _line(log_eps, log_error, cancelling, eps, _MIN_CANCELLATION_DECADES)
    return {**_branch("truncation", truncation_fit, expected, +1,
                      _truncation_absent(model)),
            **_branch("cancellation", cancellation_fit, -model.rounding_power, -1,
                      _cancellation_absent(model))}


def _truncation_absent(model):
    """Per point, the note where the model has no truncation branch ('' where it has)."""
    leading = np.asarray(model.truncation, dtype=float)
    following = np.asarray(model.next_truncation if model.next_order else 0.0, dtype=float)
    return np.where(np.isnan(leading), NOTES["unknown"],
                    np.where((leading > 0) | (following > 0), "", NOTES["exact"]))


def _cancellation_absent(model):
    """Per point, the note where the model has no cancellation branch ('' where it has)."""
    rounding = np.asarray(model.rounding, dtype=float)
    if model.rounding_power == 0:
        return np.where(np.isnan(rounding), NOTES["unknown"], NOTES["complex"])
    return np.where(np.isnan(rounding), NOTES["unknown"],
                    np.where(rounding > 0, "", NOTES["no_cancellation"]))


def _branch(name, fit, expected, sign, absent):
    """A branch's columns: the fit where the model has the branch and the sign is right."""
    found = np.isfinite(fit["slope"])
    right = found & (np.sign(fit["slope"]) == sign)
    keep = right & (absent == "")
    note = np.where(absent != "", absent,
                    np.where(~found, NOTES["few"], np.where(right, "", NOTES["sign"])))
    nan = np.full(keep.shape, np.nan)
    return {f"{name}_slope": np.where(keep, fit["slope"], nan),
            f"expected_{name}_slope": expected,
            f"{name}_points": fit["points"],
            f"{name}_fit_min": np.where(keep, fit["low"], nan),
            f"{name}_fit_max": np.where(keep, fit["high"], nan),
            f"{name}_intercept": np.where(keep, fit["intercept"], nan),
            f"{name}_note": note}


def _at_default_eps(eps, abs_error, ok, min_error):
    """The error at the default step 1e-4 and the digits it loses against the best step."""
    log_eps = np.log10(eps)
    index = int(np.argmin(np.abs(log_eps - np.log10(DEFAULT_EPS))))
    near = abs(log_eps[index] - np.log10(DEFAULT_EPS)) < 0.01
    n = abs_error.shape[1]
    error = np.where(ok[index], abs_error[index], np.nan) if near else np.full(n, np.nan)
    with np.errstate(all="ignore"):
        lost = np.log10(error / min_error)
    return {"seed_eps": eps[index] if near else np.nan, "seed_error": error,
            "seed_digits_lost": np.where(np.isfinite(lost), lost, np.nan)}


def _running_mean(values):
    """Mean of each step's value and its two neighbours on each side (inf beyond the ends)."""
    k, n = values.shape
    padded = np.full((k + _WINDOW - 1, n), np.inf)
    padded[2:2 + k] = values
    return sum(padded[i:i + k] for i in range(_WINDOW)) / _WINDOW


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


def _line(log_eps, log_error, mask, eps, decades=_MIN_DECADES):
    """Least-squares line of log_error on log_eps over `mask`, per column (a dict)."""
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
        enough = (count >= _MIN_POINTS) & (np.log10(high / low) >= decades)
    nan = np.full(slope.shape, np.nan)
    return {"slope": np.where(enough, slope, nan), "intercept": np.where(enough, intercept, nan),
            "points": count.astype(int), "low": np.where(enough, low, nan),
            "high": np.where(enough, high, nan)}
