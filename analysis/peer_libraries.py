"""The libraries numdiff is compared with (the 'peers' extra), and which of them import here.

The studies that compare numdiff with scipy.differentiate and numdifftools
run the peers that are installed and name the others; this module is the
one place that knows their modules.
"""

import importlib

import numpy as np

from numdiff.derivative import derivative

__all__ = ["PEER_MODULES", "importable_peers", "derivative_methods"]

#: Peer name -> the module its methods come from.
PEER_MODULES = {"scipy": "scipy.differentiate", "numdifftools": "numdifftools"}


def importable_peers(names=None):
    """The names among `names` (default every peer) whose module imports here, in order.

    Examples
    --------
    >>> set(importable_peers()) <= {"scipy", "numdifftools"}
    True
    >>> importable_peers([])
    []
    """
    found = []
    for name in (PEER_MODULES if names is None else names):
        try:
            importlib.import_module(PEER_MODULES[name])
        except ImportError:
            continue
        found.append(name)
    return found


def derivative_methods(peers):
    """numdiff's `derivative` and the named peers' as callables of the same shape, numdiff first.

    Every method runs with its defaults: ``numdiff.derivative``,
    ``scipy.differentiate.derivative`` and ``numdifftools.Derivative``.

    Parameters
    ----------
    peers : sequence of str
        Peers to include, among ``"scipy"`` and ``"numdifftools"``; each must
        import here (see `importable_peers`).

    Returns
    -------
    dict
        name -> ``run(f, x) -> (df, error, converged)``: the estimate, its
        error estimate and whether each point is reported converged
        (numdiff's and scipy's ``success``; None for numdifftools, which
        reports no status).

    Examples
    --------
    >>> import numpy as np
    >>> methods = derivative_methods([])
    >>> list(methods)
    ['numdiff']
    >>> df, error, converged = methods["numdiff"](np.exp, np.array([0.0, 1.0]))
    >>> bool(np.allclose(df, np.exp([0.0, 1.0]))), converged.tolist()
    (True, [True, True])
    """
    def ours(f, x):
        res = derivative(f, x)
        return res.df, res.error, res.success

    methods = {"numdiff": ours}
    if "scipy" in peers:
        from scipy.differentiate import derivative as scipy_derivative

        def scipy_method(f, x):
            res = scipy_derivative(f, x)
            return res.df, res.error, res.success
        methods["scipy"] = scipy_method
    if "numdifftools" in peers:
        import numdifftools

        def numdifftools_method(f, x):
            # (estimate, error_estimate, ...) since numdifftools 0.11; before,
            # (estimate, info) with info.error_estimate.
            res = numdifftools.Derivative(f, full_output=True)(x)
            info = res[1]
            return (np.asarray(res[0]), np.asarray(getattr(info, "error_estimate", info)),
                    None)
        methods["numdifftools"] = numdifftools_method
    return methods
