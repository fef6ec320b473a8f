"""The findings of the error-against-step study: sentences built from named values.

Every finding is a `Finding`: a kind, the values it states (taken from the
summary table, `analysis.fit.SUMMARY_COLUMNS`) and a sentence formatted from
those values only, with the report's one number formatter (`analysis.numbers`).
A finding is left out where its data are missing, never
written with NaN or a guess: no finite ratio, no finding about ratios. A
statement about a group of cases names every scheme in the group.
"""

from dataclasses import dataclass, field

import numpy as np

from .fit import DEFAULT_EPS
from .names import join_names
from .numbers import format_number, format_step

__all__ = ["Finding", "findings", "STEP_FACTOR", "ERROR_RATIO_RANGE", "SLOPE_TOLERANCE"]

#: The model's h* "agrees" with the observed best step within this factor.
STEP_FACTOR = 10.0
#: The observed RMS error near the optimum "agrees" with E* within this range.
ERROR_RATIO_RANGE = (0.05, 1.5)
#: A fitted slope "agrees" with the theory within this distance.
SLOPE_TOLERANCE = 0.2


@dataclass(frozen=True)
class Finding:
    """One sentence of the findings and the values it states.

    Attributes
    ----------
    kind : str
        Which finding (``"central_vs_forward"``, ``"model_step"``, ...).
    text : str
        The sentence, formatted from `values` alone.
    values : dict
        The numbers, counts and names the sentence states.
    """

    kind: str
    text: str
    values: dict = field(default_factory=dict)


def findings(summary):
    """The findings of a summary table, in reading order.

    Parameters
    ----------
    summary : pandas.DataFrame
        `analysis.fit.summarize` output (or ``summary.csv`` read back).

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> from analysis.sweep import sweep
    >>> from analysis.fit import summarize
    >>> found = findings(summarize(sweep(["exp", "sin"])))
    >>> print(found[0].text)  # doctest: +ELLIPSIS
    At its best step, central is more accurate than forward by a median of ... decimal digits over 2 cases in float64 (...).
    >>> found[0].values["cases"]
    2
    """
    summary = summary.copy()
    for column in ("truncation_note", "cancellation_note", "theory_note"):
        # Read back from CSV, an empty note is NaN.
        summary[column] = summary[column].astype(object).fillna("").astype(str)
    found = []
    for make in (_central_vs_forward, _exact_zero, _default_eps, _dezero_example, _model_step,
                 _model_error,
                 _slopes, _absent_branches, _argument_rounding, _faults):
        found.extend(make(summary))
    return found


def _cases(rows):
    """'function at x = ...' labels of summary rows, in order and without repeats."""
    return list(dict.fromkeys(f"{r.function} at x = {r.x:g}" for r in rows.itertuples()))


def _signed(value, digits=1):
    """``+1.5``, ``-0.3``; never ``-0.0``."""
    text = f"{value:+.{digits}f}"
    return "+" + text[1:] if float(text) == 0 else text


def _central_vs_forward(summary):
    """Digits central gains over forward at their best steps, per dtype."""
    keys = ["function", "x", "dtype"]
    forward = summary[summary["scheme"] == "forward"]
    central = summary[summary["scheme"] == "central"]
    both = forward.merge(central, on=keys, suffixes=("_f", "_c"))
    both = both[(both["min_error_f"] > 0) & (both["min_error_c"] > 0)]
    for dtype, part in both.groupby("dtype", sort=False):
        gain = np.log10(part["min_error_f"] / part["min_error_c"]).to_numpy()
        low, high = int(np.argmin(gain)), int(np.argmax(gain))
        values = {"dtype": dtype, "cases": len(gain), "median": float(np.median(gain)),
                  "lowest": float(gain[low]), "lowest_case": _cases(part.iloc[[low]])[0],
                  "highest": float(gain[high]), "highest_case": _cases(part.iloc[[high]])[0]}
        word = "more" if values["median"] >= 0 else "less"
        yield Finding("central_vs_forward", (
            f"At its best step, central is {word} accurate than forward by a median of "
            f"{abs(values['median']):.1f} decimal digits over {values['cases']} cases in "
            f"{dtype} (from {_signed(values['lowest'])} on {values['lowest_case']} to "
            f"{_signed(values['highest'])} on {values['highest_case']})."), values)


def _exact_zero(summary):
    """Cases whose error is exactly 0 at the best step."""
    rows = summary[summary["min_error"] == 0]
    if len(rows):
        schemes = list(dict.fromkeys(rows["scheme"]))
        values = {"schemes": schemes, "cases": _cases(rows)}
        yield Finding("exact_zero", (
            f"The error is exactly 0 at the best step of {join_names(schemes)} on "
            f"{join_names(values['cases'])}."), values)


def _default_eps(summary):
    """Digits lost at the default step against the best step, per scheme and dtype."""
    rows = summary[np.isfinite(summary["seed_digits_lost"].astype(float))]
    for dtype, part in rows.groupby("dtype", sort=False):
        clauses, values = [], {"dtype": dtype, "schemes": {}}
        for scheme, group in part.groupby("scheme", sort=False):
            worst = group.loc[group["seed_digits_lost"].idxmax()]
            entry = {"median": float(group["seed_digits_lost"].median()),
                     "worst": float(worst["seed_digits_lost"]),
                     "worst_case": _cases(group.loc[[worst.name]])[0], "cases": len(group)}
            values["schemes"][scheme] = entry
            clauses.append(f"{scheme} a median of {entry['median']:.1f} (worst "
                           f"{entry['worst']:.1f}, on {entry['worst_case']})")
        yield Finding("default_eps", (
            f"At the default eps = {format_step(DEFAULT_EPS)} of DeZero's numerical_diff, in "
            f"{dtype}, the decimal digits lost against the best step are: "
            f"{'; '.join(clauses)}."), values)


def _dezero_example(summary):
    """DeZero's own example, exp(x**2)**2, at the default step and at its best."""
    rows = summary[(summary["function"] == "exp_square_squared")
                   & np.isfinite(summary["seed_error"].astype(float))
                   & (summary["min_error"] > 0)]
    for row in rows.itertuples():
        values = {"scheme": row.scheme, "case": _cases(summary.loc[[row.Index]])[0],
                  "dtype": row.dtype, "error": float(row.seed_error),
                  "best_step": float(row.best_step), "best_error": float(row.min_error)}
        yield Finding("dezero_example", (
            f"On DeZero's example exp(x**2)**2 at x = {row.x:g} ({row.dtype}), {row.scheme} "
            f"with eps = {format_step(DEFAULT_EPS)} errs by {format_number(values['error'])}; "
            f"at its best step {format_number(values['best_step'])} the error is "
            f"{format_number(values['best_error'])}."), values)


def _ratio_counts(summary, column, low, high):
    """Rows with a finite `column`, and the values a ratio finding states about them."""
    rows = summary[np.isfinite(summary[column].astype(float))]
    inside = rows[(rows[column] >= low) & (rows[column] <= high)]
    return rows, {"inside": len(inside), "cases": len(rows),
                  "schemes": list(dict.fromkeys(rows["scheme"])),
                  "median": float(rows[column].median()) if len(rows) else np.nan}


def _tally(values, median_label):
    """``in 3 of 4 cases (central, forward; median 1.2)``, of `_ratio_counts`' values."""
    return (f"in {values['inside']} of {values['cases']} cases "
            f"({join_names(values['schemes'])}; {median_label} {format_number(values['median'])})")


def _model_step(summary):
    """How often the model's h* is within `STEP_FACTOR` of the observed best step."""
    rows, values = _ratio_counts(summary, "step_ratio", 1 / STEP_FACTOR, STEP_FACTOR)
    if len(rows):
        yield Finding("model_step", f"The model's optimal step h* is within a factor "
                      f"{STEP_FACTOR:g} of the observed best step "
                      f"{_tally(values, 'median observed/model')}.", values)
    yield from _missing("model_step_missing", summary.drop(rows.index),
                        "The model gives no finite h*")


def _model_error(summary):
    """How often the observed RMS error near the optimum is within range of E*."""
    low, high = ERROR_RATIO_RANGE
    rows, values = _ratio_counts(summary, "error_ratio", low, high)
    if len(rows):
        yield Finding("model_error", "The observed error near the best step (root mean square "
                      f"over half a decade) is between {low:g} and {high:g} times the model's "
                      f"E* {_tally(values, 'median')}.", values)
    missing = summary.drop(rows.index)
    missing = missing[np.isfinite(missing["step_ratio"].astype(float))]
    yield from _missing("model_error_missing", missing, "No error ratio")


def _missing(kind, rows, lead):
    """One sentence per reason a ratio is missing, naming the cases."""
    for note, part in rows.groupby("theory_note", sort=False):
        if not note:
            continue
        values = {"note": note, "schemes": list(dict.fromkeys(part["scheme"])),
                  "cases": _cases(part)}
        yield Finding(kind, (f"{lead} for {join_names(values['schemes'])} on "
                             f"{join_names(values['cases'])}: {note}."), values)


def _slopes(summary):
    """Fitted slopes against the theory, per branch and expected slope."""
    for branch in ("truncation", "cancellation"):
        slope = summary[f"{branch}_slope"].astype(float)
        rows = summary[np.isfinite(slope)]
        expected_slope = rows[f"expected_{branch}_slope"]
        # Where the leading derivative vanishes, the truncation branch has the next term's order.
        vanishing = (branch == "truncation") & (expected_slope != rows["order"])
        for (expected, after), part in rows.groupby([expected_slope, vanishing], sort=True):
            close = (part[f"{branch}_slope"] - expected).abs() <= SLOPE_TOLERANCE
            values = {"branch": branch, "expected": int(expected), "close": int(close.sum()),
                      "cases": len(part), "schemes": list(dict.fromkeys(part["scheme"])),
                      "median": float(part[f"{branch}_slope"].median()),
                      "next_term": bool(after)}
            where = (" (the order of the next Taylor term: the leading derivative vanishes "
                     "there)") if after else ""
            yield Finding(f"{branch}_slope", (
                f"The fitted {branch} slope is within {SLOPE_TOLERANCE:g} of the theory's "
                f"{int(expected):+d}{where} in {values['close']} of {values['cases']} cases "
                f"({join_names(values['schemes'])}; median {values['median']:+.2f})."), values)


def _absent_branches(summary):
    """Branches not fitted, grouped by the reason."""
    for branch in ("truncation", "cancellation"):
        notes = summary[f"{branch}_note"]
        for note, part in summary[notes != ""].groupby(notes[notes != ""], sort=False):
            values = {"branch": branch, "note": note,
                      "schemes": list(dict.fromkeys(part["scheme"])), "cases": _cases(part)}
            yield Finding(f"{branch}_absent", (
                f"No {branch} slope for {join_names(values['schemes'])} on "
                f"{join_names(values['cases'])}: {note}."), values)


def _argument_rounding(summary):
    """Cases where f(x) = 0 yet a cancellation branch was fitted."""
    f_value = summary["f_value"].astype(float) if "f_value" in summary else None
    if f_value is None:
        return
    rows = summary[(f_value == 0) & np.isfinite(summary["cancellation_slope"].astype(float))]
    if len(rows):
        values = {"schemes": list(dict.fromkeys(rows["scheme"])), "cases": _cases(rows),
                  "median": float(rows["cancellation_slope"].median())}
        yield Finding("argument_rounding", (
            f"Where f(x) = 0 ({join_names(values['cases'])}) the cancellation branch remains "
            f"for {join_names(values['schemes'])} (median slope {values['median']:+.2f}): its "
            f"error comes from rounding x + eps, u |x| |f'| per value of f, not from f itself."),
            values)


def _faults(summary):
    flagged = summary[summary["flagged"].astype(bool)]
    if len(flagged):
        values = {"cases": len(flagged),
                  "steps": int(flagged["n_nonfinite"].sum() + flagged["n_raised"].sum())}
        yield Finding("faults", (
            f"FAULTS: f raised or returned NaN/inf inside its domain at {values['steps']} "
            f"steps in {values['cases']} cases; see the section 'Faults'."), values)
