"""References and the judging of error estimates, shared by the studies of `derivative`.

The studies that run `numdiff.derivative` and its peers on catalogue
functions (peers, schemes, step selection) measure the true error against
``f'`` at 50 digits (`reference_derivatives`) and judge an error estimate
the same way (`judge_estimates`): it covers the true error when it is at
least that error floored at ``eps |f'|`` (eps the machine epsilon of
float64), below which no float64 estimate can be judged.
"""

import numpy as np

from numdiff import machine_epsilon
from numdiff.catalogue import CATALOGUE

__all__ = ["catalogue_names", "reference_derivatives", "error_floor", "judge_estimates",
           "FLOAT64_EPS"]

#: Machine epsilon of float64, the relative floor of a true error (`judge_estimates`).
FLOAT64_EPS = machine_epsilon(np.float64)
_TINY = float(np.finfo(np.float64).tiny)


def catalogue_names(targets):
    """Names of the catalogue functions among a run's targets (others are skipped).

    Examples
    --------
    >>> from analysis.targets import catalogue_target, expression_target
    >>> catalogue_names([catalogue_target("exp"), expression_target("x**2")])
    ['exp']
    """
    return [t.name for t in targets
            if t.recipe is not None and t.recipe[0] == "catalogue" and t.name in CATALOGUE]


def reference_derivatives(f, points):
    """``f'`` at each point at 50 digits (`TestFunction.reference`), rounded to float64.

    NaN outside the function's domain. The closed forms of
    `TestFunction.derivative` are evaluated in float64 and may be an ulp off,
    as much as the errors being judged near the unit roundoff.

    Examples
    --------
    >>> from numdiff.catalogue import get_function
    >>> tanh = get_function("tanh")
    >>> print(reference_derivatives(tanh, [0.5])[0], tanh.derivative(0.5))
    0.7864477329659274 0.7864477329659275
    """
    points = np.asarray(points, dtype=np.float64)
    return np.array([float(f.reference(x)) if f.contains(x) else np.nan
                     for x in points.reshape(-1)], dtype=np.float64).reshape(points.shape)


def error_floor(exact):
    """``eps |f'|`` (at least the smallest normal float64): no true error is judged below it.

    Examples
    --------
    >>> error_floor([1.0, 0.0]).tolist() == [FLOAT64_EPS, float(np.finfo(np.float64).tiny)]
    True
    """
    return np.maximum(FLOAT64_EPS * np.abs(exact), _TINY)


def judge_estimates(df, error, exact):
    """True error, coverage and estimate ratio (the true error floored at eps |f'|).

    Returns ``(|df - exact|, covered, ratio)``: covered where `df` is finite
    and ``error >= max(|df - exact|, eps |exact|)`` (eps = `FLOAT64_EPS`);
    ``ratio`` is `error` over that floored error (NaN where `df` is not
    finite).

    Examples
    --------
    >>> true, covered, ratio = judge_estimates([1.0, 2.0], [1e-10, 1e-20], [1.0, 2.0 + 1e-15])
    >>> covered.tolist(), float(ratio[0]) > 1e5
    ([True, False], True)
    """
    df, error = np.asarray(df, dtype=float), np.asarray(error, dtype=float)
    true = np.abs(df - exact)
    floored = np.maximum(true, error_floor(exact))
    with np.errstate(invalid="ignore"):
        covered = np.isfinite(df) & (error >= floored)
        ratio = np.where(np.isfinite(df), error / floored, np.nan)
    return true, covered, ratio
