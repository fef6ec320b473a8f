"""numdiff.derivative with each scheme: error, error estimate and cost at the run's points.

For every catalogue function of the run and every scheme of
`numdiff.SCHEMES` (the complex step only for analytic functions),
`numdiff.derivative` runs with its defaults at the function's default point,
or at the run's ``--x`` points. It is judged as in the peer comparison:
against the derivative at 50 digits (`analysis.references.reference_derivatives`),
the true error floored at ``eps |f'|`` (`analysis.references.judge_estimates`).
The study writes ``derivative_schemes.csv`` (`SCHEME_COLUMNS`, one row per
function, point and scheme) and a section with a table per scheme and the
errors of every case.

Examples
--------
>>> table = scheme_table(["exp"], schemes=["central", "forward"])
>>> table[["scheme", "nfev", "covered"]]
    scheme  nfev  covered
0  central    10     True
1  forward     7     True
"""

import numpy as np
import pandas as pd

from numdiff import SCHEMES
from numdiff.catalogue import get_function
from numdiff.derivative import DerivativeStatus, derivative

from ..references import catalogue_names, judge_estimates, reference_derivatives
from ..findings import Finding
from ..names import display_name
from ..numbers import ESTIMATE_NOTES, format_number, format_percent, format_ratio
from ..report import Paragraph, Section, Table
from ..study import Study, StudyResult, StudyTable
from ..tables import read_table, write_table

__all__ = ["SCHEME_COLUMNS", "scheme_table", "summarize_schemes", "scheme_findings", "STUDY", "TABLES", "OPTIONS",
           "METHOD"]

SCHEME_COLUMNS = ("function", "x", "scheme", "estimate", "exact", "abs_error",
                  "error_estimate", "covered", "estimate_ratio", "nfev", "step", "order",
                  "status")


def scheme_table(functions, *, x=None, schemes=None):
    """`numdiff.derivative` with its defaults, per function, point and scheme.

    Parameters
    ----------
    functions : sequence of str
        Catalogue names.
    x : sequence of float, optional
        Points for every function (default: each function's default point).
    schemes : sequence of str, optional
        Schemes (default: all of `numdiff.SCHEMES`); the complex step is left
        out for functions that are not analytic.

    Returns
    -------
    pandas.DataFrame
        `SCHEME_COLUMNS`: the estimate and the 50-digit ``exact``, the
        true error, the error estimate, whether it covers the true error and
        their ratio (`judge_estimates`), the evaluations of f, the step
        taken (`DerivativeResult.step`), the order reached and the status
        name.
    """
    rows = []
    for name in functions:
        f = get_function(name)
        points = np.asarray([f.default_x] if x is None else list(x), dtype=float)
        exact = reference_derivatives(f, points)
        for scheme in (SCHEMES if schemes is None else schemes):
            if scheme == "complex_step" and not f.analytic:
                continue
            with np.errstate(all="ignore"):
                result = derivative(f, points, scheme=scheme)
            true, covered, ratio = judge_estimates(result.df, result.error, exact)
            rows.append(pd.DataFrame({
                "function": name, "x": points, "scheme": scheme,
                "estimate": result.df, "exact": exact, "abs_error": true,
                "error_estimate": result.error, "covered": covered,
                "estimate_ratio": ratio, "nfev": result.nfev, "step": result.step,
                "order": result.order,
                "status": [DerivativeStatus(s).name.lower() for s in result.status]}))
    if not rows:
        return pd.DataFrame(columns=SCHEME_COLUMNS)
    return pd.concat(rows, ignore_index=True)[list(SCHEME_COLUMNS)]


def summarize_schemes(table):
    """Per scheme, in the table's order: error, coverage, estimate ratio and evaluations.

    Returns
    -------
    pandas.DataFrame
        Columns ``scheme``, ``cases``, ``max_abs_error``, ``median_abs_error``
        (over the finite estimates), ``coverage``, ``median_estimate_ratio``,
        ``mean_nfev`` and ``converged`` (the fraction with that status).

    Examples
    --------
    >>> summary = summarize_schemes(scheme_table(["exp", "sin"], schemes=["central"]))
    >>> summary[["scheme", "cases", "coverage", "mean_nfev"]]
        scheme  cases  coverage  mean_nfev
    0  central      2       1.0       10.0
    """
    rows = []
    for scheme, part in table.groupby("scheme", sort=False):
        error = part["abs_error"].to_numpy(dtype=float)
        error = error[np.isfinite(error)]
        rows.append(dict(
            scheme=scheme, cases=len(part),
            max_abs_error=float(error.max()) if error.size else np.nan,
            median_abs_error=float(np.median(error)) if error.size else np.nan,
            coverage=float(part["covered"].astype(bool).mean()),
            median_estimate_ratio=float(np.nanmedian(part["estimate_ratio"]))
            if error.size else np.nan,
            mean_nfev=float(part["nfev"].mean()),
            converged=float((part["status"] == "converged").mean())))
    return pd.DataFrame(rows, columns=["scheme", "cases", "max_abs_error", "median_abs_error",
                                       "coverage", "median_estimate_ratio", "mean_nfev",
                                       "converged"])


def compute(context):
    """Run every scheme on the run's catalogue functions; write ``derivative_schemes.csv``."""
    names = catalogue_names(context.config.targets)
    write_table(scheme_table(names, x=context.config.x), context.directory,
                "derivative_schemes.csv")
    return StudyResult()


def scheme_findings(table):
    """Coverage of the error estimate; the most accurate and the cheapest real scheme.

    Examples
    --------
    >>> found = scheme_findings(scheme_table(["exp", "sin"], schemes=["central", "forward"]))
    >>> print(found[0].text)  # doctest: +ELLIPSIS
    Over 2 functions at 1 distinct point, numdiff.derivative's error estimate covers the true error in ... of 4 cases.
    >>> scheme_findings(scheme_table([]))
    []
    """
    if table.empty:
        return []
    covered = int(table["covered"].astype(bool).sum())
    values = {"functions": int(table["function"].nunique()), "points": int(table["x"].nunique()),
              "covered": covered, "cases": len(table)}
    found = [Finding("scheme_coverage", (
        f"Over {values['functions']} function{'s' * (values['functions'] != 1)} at "
        f"{values['points']} distinct point{'s' * (values['points'] != 1)}, "
        f"numdiff.derivative's error estimate covers the true error in {covered} of "
        f"{len(table)} cases."), values)]
    summary = summarize_schemes(table)
    real = summary[(summary["scheme"] != "complex_step") & np.isfinite(summary["max_abs_error"])]
    return found + ([_extremes(real)] if len(real) else [])


def _extremes(real):
    """The finding naming the most accurate and the cheapest of the real schemes."""
    best = real.loc[real["max_abs_error"].idxmin()]
    cheapest = real.loc[real["mean_nfev"].idxmin()]
    values = {"best": best["scheme"], "best_error": float(best["max_abs_error"]),
              "cheapest": cheapest["scheme"], "nfev": float(cheapest["mean_nfev"]),
              "cheapest_error": float(cheapest["max_abs_error"])}
    text = (f"Among the real schemes, {best['scheme']} has the smallest max |error| "
            f"({format_number(values['best_error'])}); {cheapest['scheme']} needs the fewest "
            f"evaluations ({format_number(values['nfev'])} per point, max |error| "
            f"{format_number(values['cheapest_error'])}).")
    return Finding("scheme_extremes", text, values)


def key_findings(directory, metadata):
    """`scheme_findings` of ``derivative_schemes.csv``."""
    return tuple(scheme_findings(read_table(directory, "derivative_schemes.csv")))


def sections(directory, metadata, files):
    """The section: a table per scheme."""
    table = read_table(directory, "derivative_schemes.csv")
    title = "numdiff.derivative by scheme"
    if table.empty:
        return (Section(title, "schemes", (Paragraph(
            "No catalogue function in this run (--functions)."),)),)
    summary = summarize_schemes(table)
    rows = tuple((display_name(r["scheme"]), str(int(r["cases"])),
                  format_number(r["max_abs_error"]), format_number(r["median_abs_error"]),
                  format_percent(r["coverage"]),
                  format_ratio(r["median_estimate_ratio"], **ESTIMATE_NOTES),
                  format_number(r["mean_nfev"]), format_percent(r["converged"]))
                 for _, r in summary.iterrows())
    return (Section(title, "schemes", (Table(
        ("scheme", "cases", "max |error|", "median |error|", "coverage",
         "median estimate/true", "evaluations", "converged"), rows,
        "Per scheme, numdiff.derivative with its defaults"),)),)


def appendix(directory, metadata, files):
    """The |error| of every case and scheme."""
    table = read_table(directory, "derivative_schemes.csv")
    if table.empty:
        return ()
    schemes = list(dict.fromkeys(table["scheme"]))
    rows = []
    for (name, x), case in table.groupby(["function", "x"], sort=False):
        by_scheme = dict(zip(case["scheme"], case["abs_error"]))
        rows.append((name, format_number(x),
                     *(format_number(by_scheme[s]) if s in by_scheme else "n/a: not analytic"
                       for s in schemes)))
    return (Table(("function", "x", *(display_name(s) for s in schemes)), tuple(rows),
                  "|error| of numdiff.derivative per case and scheme (the complex step needs "
                  "an analytic function)"),)


METHOD = ("numdiff.derivative with its defaults (automatic step, Richardson extrapolation, "
          "error estimate) and each scheme, at each catalogue function's point; the complex "
          "step only for analytic functions (derivative_schemes.csv). As in the peer "
          "comparison, the true error is measured against f' at 50 digits (mpmath) and "
          "floored at eps|f'| (eps the machine epsilon of float64) for the coverage and the estimate/true ratio.")

TABLES = (StudyTable("derivative_schemes.csv", "one row per catalogue function, point and "
                                               "scheme: estimate, error, error estimate, "
                                               "coverage, evaluations, status"),)
OPTIONS = ("--functions", "--x")

STUDY = Study("schemes", "Derivative by scheme", compute, lambda directory, metadata: (),
              sections, TABLES, OPTIONS, METHOD, key_findings, appendix)
