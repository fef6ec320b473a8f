"""What the automatic `gradient`, `jacobian`, `hessian` and `directional` return."""

from dataclasses import dataclass

import numpy as np

from .derivative_result import DerivativeStatus

__all__ = ["MultivariateResult"]


@dataclass(frozen=True)
class MultivariateResult:
    """Derivatives of a function of many variables, each entry with its error estimate.

    Attributes
    ----------
    df : ndarray
        The derivatives: shape ``x.shape`` for a gradient, ``s + x.shape``
        for the Jacobian of an ``f`` with values of shape ``s``,
        ``x.shape + x.shape`` for a Hessian, ``s`` for a directional
        derivative. In the dtype of ``x``, or complex where ``f`` is.
    error : ndarray
        Estimated absolute error of each entry (real, the shape of `df`),
        never below one unit of its precision, ``eps |df|``.
    status : ndarray of int
        A `numdiff.DerivativeStatus` code per entry; `NON_FINITE` wherever
        `df` is NaN or infinite (``f`` returned such values, or the
        differences overflowed), whatever the tableau concluded.
    step : ndarray
        The smallest step the entry's estimate used along its variable
        (its coordinate ``j`` for ``df[..., j]``; for a Hessian entry
        ``(i, j)``, the step along ``x_i``; for a directional derivative, the
        step along the direction).
    order : ndarray of int
        Order of accuracy of the tableau entry returned.
    nfev : int
        Points at which ``f`` was evaluated in all, for the whole result
        (entries share points, so there is no count per entry).

    Examples
    --------
    >>> import numpy as np
    >>> from numdiff import gradient
    >>> res = gradient(lambda x: np.sum(np.exp(x)), np.array([0.0, 1.0]))
    >>> bool(np.all(np.abs(res.df - np.exp([0.0, 1.0])) <= res.error)), res.nfev
    (True, 20)
    >>> res.success.tolist()
    [True, True]
    """

    df: np.ndarray
    error: np.ndarray
    status: np.ndarray
    step: np.ndarray
    order: np.ndarray
    nfev: int

    def __post_init__(self):
        # An entry that is not finite is never reported as anything else.
        finite = np.isfinite(self.df)
        if not np.all(finite):
            status = np.where(finite, self.status, DerivativeStatus.NON_FINITE)
            object.__setattr__(self, "status", status.astype(np.asarray(self.status).dtype)[()])

    @property
    def success(self):
        """True where `status` is `numdiff.DerivativeStatus.CONVERGED`."""
        return np.asarray(self.status) == DerivativeStatus.CONVERGED
