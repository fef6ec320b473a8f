"""What `numdiff.derivative` returns: `DerivativeResult`, with a `DerivativeStatus` per element."""

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

__all__ = ["DerivativeResult", "DerivativeStatus"]


class DerivativeStatus(IntEnum):
    """Outcome of `derivative` for one element.

    CONVERGED (0)
        The error estimate is within the tolerance ``atol + rtol |df|``.
    NOT_CONVERGED (1)
        Above the tolerance, and the returned entry used the smallest step
        tried (after the refinement rounds): the estimates were still
        improving as the step shrank (truncation still dominates; more
        ``refinements`` or levels would help).
    ERROR_GREW (2)
        Above the tolerance, and estimates at smaller steps (in the same
        tableau or a refinement round) were worse than the one returned:
        rounding, noise or a feature of ``f`` (a kink, a nearby singularity)
        stopped the convergence. ``error`` then says how well the kept
        entries agree, widened to cover any refinement round whose estimate
        contradicts them, not how far ``df`` is from the derivative: with a kink
        or a jump within reach of the steps, the values of ``f`` may never
        show the derivative at all (``abs`` at 1e-10 is sampled only at
        steps far above 1e-10), and ``error`` can be far below the true error.
    NON_FINITE (3)
        Every tableau entry is NaN or infinite (``f`` returned NaN or inf,
        for example outside its domain); ``df`` is NaN and ``error`` inf.
    NOISY (4)
        ``f`` carries noise well above its rounding level (measured with
        `numdiff.estimate_noise` where the tableau gave cause, or given as
        ``noise``): ``error`` includes the propagated noise, which no choice
        of step removes.
    """

    CONVERGED = 0
    NOT_CONVERGED = 1
    ERROR_GREW = 2
    NON_FINITE = 3
    NOISY = 4


@dataclass(frozen=True)
class DerivativeResult:
    """The result of `derivative`; every field has the broadcast shape of the input.

    Attributes
    ----------
    df : ndarray or numpy scalar
        The derivative estimate, in the dtype of ``x``.
    error : ndarray or numpy scalar
        Estimated absolute error of `df` (same dtype), never below one unit
        of its precision, ``eps |df|``. Not a bound where `status` is
        ``ERROR_GREW`` (see `DerivativeStatus`).
    step : ndarray or numpy scalar
        The smallest step used by the returned estimate (same dtype).
    nfev : ndarray of int
        Evaluations of ``f`` per element (step selection and refinement
        rounds included: each element counts the calls it took part in).
    status : ndarray of int
        A `DerivativeStatus` code per element.
    order : ndarray of int
        Order of accuracy of the returned tableau entry.

    Notes
    -----
    Where every element shares a value (``step``, ``nfev``, ``status`` and
    ``order`` when all converged on the first tableau), the field is a
    read-only broadcast view; ``np.array(field)`` gives a writable copy.
    """

    df: object
    error: object
    step: object
    nfev: object
    status: object
    order: object

    @property
    def success(self):
        """True where `status` is `DerivativeStatus.CONVERGED`."""
        return np.asarray(self.status) == DerivativeStatus.CONVERGED
