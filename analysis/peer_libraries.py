"""The libraries numdiff is compared with (the 'peers' extra), and which of them import here.

The studies that compare numdiff with scipy.differentiate and numdifftools
run the peers that are installed and name the others; this module is the
one place that knows their modules.
"""

import importlib

__all__ = ["PEER_MODULES", "importable_peers"]

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
