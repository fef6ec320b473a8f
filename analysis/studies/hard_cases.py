"""Hard cases: numdiff.derivative, scipy and numdifftools on noise, domain edges and kinks.

Off the smooth interior path a derivative tool is judged by whether its error
estimate still tells the truth. Each case of `hard_cases` is a function, its
derivative in closed form and a set of points:

* ``noise``: exp, sin and log with seeded Gaussian noise of relative
  deviation 1e-12, 1e-8 and 1e-6 at random points;
* ``edge``: sqrt at 1e-6 and 1e-10, log at 1e-8, arcsin at 1 - 1e-6, arccosh
  at 1 + 1e-6 and the cube root at 1e-3, each beside the edge of its domain;
* ``kink``: abs, relu, ``|x|^1.5`` and a piecewise quadratic with a jump in
  ``f''``, at points from 1e-10 to 0.1 beside their kink at 0.

Every method runs with its defaults, as in the peer comparison; a peer not
importable is left out and listed as such. The study writes
``hard_cases.csv`` (`COLUMNS`): per (method, family, case) the median true
error, the coverage of the error estimate (`analysis.references.judge_estimates`),
the median estimate/true ratio, the share of points reported as converged
(numdiff's status CONVERGED, scipy's ``success``; numdifftools reports no
status), the share reported converged while off by more than 10 times the
error estimate, and the evaluations per point (`numdiff.CountedFunction`).

Examples
--------
>>> table = hard_case_table(hard_cases(points=5), peers=[])
>>> sorted(set(table["family"]))
['edge', 'kink', 'noise']
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from numdiff import CountedFunction

from ..findings import Finding
from ..numbers import format_number, format_percent
from ..peer_libraries import PEER_MODULES, derivative_methods, importable_peers
from ..references import judge_estimates
from ..report import Paragraph, Section, Table
from ..study import Study, StudyResult, StudyTable
from ..tables import read_table, write_table

__all__ = ["PEERS", "HardCase", "hard_cases", "hard_case_table", "COLUMNS", "build_study", "STUDY",
           "TABLES", "OPTIONS", "METHOD"]

COLUMNS = ("method", "family", "case", "points", "available", "median_abs_error",
           "coverage", "median_estimate_ratio", "converged", "falsely_converged", "mean_nfev")
#: Relative noise levels of the noise family.
NOISE_LEVELS = (1e-12, 1e-8, 1e-6)
#: Distances from the kink at 0 of the kink family (both sides).
KINK_DISTANCES = (1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1e-1)


@dataclass(frozen=True)
class HardCase:
    """One case: `make()` returns a fresh (seeded) ``f``; `fprime` its derivative."""

    family: str
    name: str
    make: object
    fprime: object
    x: np.ndarray


def _noisy(f, relative, seed):
    def make():
        rng = np.random.default_rng(seed)
        return lambda t: f(t) * (1 + relative * rng.standard_normal(np.shape(t)))
    return make


def _fixed(f):
    return lambda: f


def _piecewise(t):
    return np.where(t < 0, t ** 2, 2 * t ** 2) + t


def hard_cases(points=50, *, seed=0):
    """The cases of the study (`HardCase`), `points` random points per noisy case."""
    cases = []
    smooth = {"exp": (np.exp, np.exp, (0.5, 2.0)), "sin": (np.sin, np.cos, (0.5, 2.5)),
              "log": (np.log, lambda t: 1 / t, (0.5, 3.0))}
    for name, (f, fprime, (low, high)) in smooth.items():
        x = np.random.default_rng(seed).uniform(low, high, points)
        for relative in NOISE_LEVELS:
            cases.append(HardCase("noise", f"{name}, noise {relative:g}",
                                  _noisy(f, relative, seed + 1), fprime, x))
    edges = [("sqrt at 1e-6", np.sqrt, lambda t: 0.5 / np.sqrt(t), 1e-6),
             ("sqrt at 1e-10", np.sqrt, lambda t: 0.5 / np.sqrt(t), 1e-10),
             ("log at 1e-8", np.log, lambda t: 1 / t, 1e-8),
             ("arcsin at 1-1e-6", np.arcsin, lambda t: 1 / np.sqrt(1 - t * t), 1 - 1e-6),
             ("arccosh at 1+1e-6", np.arccosh, lambda t: 1 / np.sqrt(t * t - 1), 1 + 1e-6),
             ("cbrt at 1e-3", np.cbrt, lambda t: np.cbrt(t) ** -2 / 3, 1e-3)]
    cases += [HardCase("edge", name, _fixed(f), fprime, np.array([x]))
              for name, f, fprime, x in edges]
    near = np.array([s * d for d in KINK_DISTANCES for s in (-1, 1)])
    kinks = [("abs", np.abs, np.sign),
             ("relu", lambda t: np.maximum(t, 0.0), lambda t: (t > 0) * 1.0),
             ("|x|^1.5", lambda t: np.abs(t) ** 1.5,
              lambda t: 1.5 * np.sign(t) * np.abs(t) ** 0.5),
             ("jump in f''", _piecewise, lambda t: np.where(t < 0, 2 * t, 4 * t) + 1)]
    cases += [HardCase("kink", name, _fixed(f), fprime, near) for name, f, fprime in kinks]
    return cases


#: The peers, by name: the module each needs.
PEERS = PEER_MODULES


def _importable(peers):
    """The names of `peers` (default all of `PEERS`) whose module imports here."""
    return importable_peers(peers)


def hard_case_table(cases, *, peers=None):
    """`COLUMNS`, one row per (method, case); peers not importable listed as unavailable."""
    methods = derivative_methods(_importable(peers))
    rows = []
    for method, run in methods.items():
        for case in cases:
            counter = CountedFunction(case.make())
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the peers' warnings on NaN
                try:
                    df, error, converged = run(counter, case.x)
                except Exception:  # noqa: BLE001 - a peer's failure is data
                    df = error = np.full(case.x.shape, np.nan)
                    converged = np.zeros(case.x.shape, dtype=bool)
            exact = case.fprime(case.x)
            true, covered, ratio = judge_estimates(df, error, exact)
            rows.append(dict(
                method=method, family=case.family, case=case.name, points=case.x.size,
                available=True, median_abs_error=float(np.median(true)),
                coverage=float(np.mean(covered)),
                median_estimate_ratio=float(np.nanmedian(ratio)) if np.isfinite(ratio).any()
                else np.nan,
                converged=np.nan if converged is None else float(np.mean(converged)),
                falsely_converged=np.nan if converged is None else float(
                    np.mean(np.asarray(converged) & ~(true <= 10 * np.asarray(error)))),
                mean_nfev=counter.values / case.x.size))
    rows += [dict(method=name, family="", case="", points=0, available=False)
             for name in (PEERS if peers is None else peers) if name not in methods]
    return pd.DataFrame(rows, columns=COLUMNS)


# ---------------------------------------------------------------- the study

TABLES = (StudyTable("hard_cases.csv", "one row per method and hard case (noise, domain "
                                       "edge, kink): error, coverage, estimate ratio, "
                                       "share converged, evaluations"),)
OPTIONS = ()
METHOD = ("Each method, with its defaults, on noisy functions (exp, sin, log with seeded "
          "relative noise), points beside a domain edge and beside a kink, against f' in "
          "closed form. Coverage: the share of points whose error estimate is at least the "
          "true error (floored at eps|f'|, eps the machine epsilon); falsely converged: "
          "reported converged while off by more than 10 times the estimate (numdifftools "
          "reports no status).")


def build_study(*, points=50, peers=None):
    """The hard-case comparison as a `Study` of `points` per noisy case."""
    def compute(context):
        write_table(hard_case_table(hard_cases(points), peers=peers), context.directory,
                    "hard_cases.csv")
        return StudyResult()

    return Study("hard_cases", "Hard cases", compute, lambda directory, metadata: (),
                 sections, TABLES, OPTIONS, METHOD, key_findings, appendix)


_FAMILIES = {"noise": "noisy", "edge": "domain-edge", "kink": "kink"}


def _read(directory):
    return read_table(directory, "hard_cases.csv", text=("method", "family", "case"))


def _family_means(table):
    """Per family and method (installed ones): mean coverage, false convergence, evaluations."""
    ran = table[table["available"].astype(bool)]
    return ran.groupby(["family", "method"], sort=False)[
        ["coverage", "converged", "falsely_converged", "mean_nfev"]].mean().reset_index()


def hard_case_findings(table):
    """One finding per family: each method's coverage and false convergence, from the table.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"method": ["numdiff", "scipy"], "family": "edge", "case": "c",
    ...                      "available": True, "coverage": [1.0, 0.25], "converged": [1.0, 0.0],
    ...                      "falsely_converged": [0.0, 0.0], "mean_nfev": [50.0, 40.0]})
    >>> print(hard_case_findings(rows)[0].text)
    On domain-edge cases (mean over 1 case), the error estimate covers the true error at: numdiff 100.0 %, scipy 25.0 %; falsely converged: numdiff 0.0 %, scipy 0.0 %.
    """
    found = []
    means = _family_means(table)
    for family, part in means.groupby("family", sort=False):
        cases = int(table[(table["family"] == family)]["case"].nunique())
        values = {"family": family, "cases": cases,
                  "coverage": dict(zip(part["method"], part["coverage"])),
                  "falsely": dict(zip(part["method"], part["falsely_converged"]))}
        coverage = ", ".join(f"{m} {format_percent(v)}" for m, v in values["coverage"].items())
        falsely = ", ".join(f"{m} {format_percent(v)}" for m, v in values["falsely"].items()
                            if pd.notna(v))
        text = (f"On {_FAMILIES.get(family, family)} cases (mean over {cases} "
                f"case{'s' * (cases != 1)}), the error estimate covers the true error at: "
                f"{coverage}")
        text += f"; falsely converged: {falsely}." if falsely else "."
        found.append(Finding("hard_cases", text, values))
    return found


def key_findings(directory, metadata):
    """`hard_case_findings` of ``hard_cases.csv``."""
    return tuple(hard_case_findings(_read(directory)))


def sections(directory, metadata, files):
    """Which methods ran; the findings state each family's coverage, the appendix every case."""
    table = _read(directory)
    blocks = [Paragraph(f"{name} is not installed here, so it is left out.")
              for name in table.loc[~table["available"].astype(bool), "method"]]
    blocks.append(Paragraph("The findings above give each family's coverage and false "
                            "convergence per method; the appendix and hard_cases.csv every "
                            "case."))
    return (Section("Hard cases: noise, domain edges and kinks", "hard_cases", tuple(blocks)),)


def _family_table(table):
    """Per family and method: coverage of the error estimate and false convergence."""
    means = _family_means(table)
    methods = list(dict.fromkeys(means["method"]))
    rows = []
    for family, part in means.groupby("family", sort=False):
        cells = [_FAMILIES.get(family, family)]
        for method in methods:
            r = part[part["method"] == method]
            cells.append("n/a" if r.empty else format_percent(r["coverage"].iloc[0])
                         + ("" if r["falsely_converged"].isna().all()
                            else f" ({format_percent(r['falsely_converged'].iloc[0])})"))
        rows.append(tuple(cells))
    return Table(("cases",) + tuple(methods), tuple(rows),
                 "Share of points whose error the estimate covers (falsely converged), mean "
                 "over each family's cases")


def appendix(directory, metadata, files):
    """Every case and method."""
    table = _read(directory)
    ran = table[table["available"].astype(bool)]
    rows = tuple((r["case"], r["method"], format_number(r["median_abs_error"]),
                  format_percent(r["coverage"]), format_number(r["median_estimate_ratio"]),
                  "n/a: no status" if pd.isna(r["converged"]) else
                  f"{format_percent(r['converged'])} ({format_percent(r['falsely_converged'])})",
                  format_number(r["mean_nfev"]))
                 for _, r in ran.iterrows())
    return (_family_table(table),
            Table(("case", "method", "median |error|", "covered", "estimate/true",
                   "converged (falsely)", "evaluations"), rows, "Hard cases: every case"))


STUDY = build_study()
