"""How the report names things: one display name per scheme, algorithm, method and status.

The tables keep the names the code uses (``"stepleman_winarsky"``,
``"derivative:auto"``, status codes); the report shows them through
`display_name` and `status_name` only, so that an algorithm is written the
same way in every table, legend and sentence; `join_names` lists names in a
sentence.

Examples
--------
>>> display_name("stepleman_winarsky"), display_name("derivative:stepleman_winarsky")
('Stepleman-Winarsky (1979)', 'numdiff.derivative, Stepleman-Winarsky (1979) steps')
>>> display_name("central4"), status_name("step", 2)
('central4', 'scale unresolved')
"""

from numdiff.derivative import DerivativeStatus
from numdiff.step_selection import StepStatus

__all__ = ["DISPLAY_NAMES", "display_name", "status_name", "join_names"]

_ALGORITHMS = {
    "theory": "theory h* (estimated scale)",
    "stepleman_winarsky": "Stepleman-Winarsky (1979)",
    "gill_murray": "Gill-Murray-Saunders-Wright (1983)",
}

#: Code name -> display name. Schemes keep their code names (the names
#: ``--schemes`` takes); names not listed are shown as they are.
DISPLAY_NAMES = {
    **_ALGORITHMS,
    "derivative:auto": "numdiff.derivative (step='auto')",
    **{f"derivative:{key}": f"numdiff.derivative, {label.split(' (est')[0]} steps"
       for key, label in _ALGORITHMS.items()},
    "derivative:noise": "numdiff.derivative, noise-aware steps (Moré-Wild 2012)",
    "numdiff": "numdiff.derivative",
    "scipy": "scipy.differentiate.derivative",
    "numdifftools": "numdifftools.Derivative",
    "f": "one evaluation of f",
    "gradient": "numdiff.gradient (f per point)",
    "gradient_batched": "numdiff.gradient(vectorized=True)",
}

_STATUSES = {"step": StepStatus, "derivative": DerivativeStatus}


def display_name(name):
    """The name the report shows for a scheme, algorithm or method's code name."""
    return DISPLAY_NAMES.get(name, name)


def status_name(kind, code):
    """A status code as words: ``status_name("derivative", 0)`` is ``"converged"``.

    Parameters
    ----------
    kind : {"step", "derivative"}
        `numdiff.StepStatus` or `numdiff.DerivativeStatus`.
    code : int or str
        The code, or a name already in words (returned as it is).
    """
    try:
        return _STATUSES[kind](int(code)).name.lower().replace("_", " ")
    except (ValueError, TypeError):
        return str(code).replace("_", " ")


def join_names(names):
    """Names as a sentence lists them: ``"a, b and c"``; ``""`` for none.

    Examples
    --------
    >>> join_names(["central", "forward", "central4"])
    'central, forward and central4'
    >>> join_names(["exp"]), join_names([])
    ('exp', '')
    """
    names = [str(name) for name in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
