"""`StepRule`: a named way of choosing the step, as `numdiff.derivative` uses it.

Every rule is called as ``rule(f, x, scheme=..., deriv=...)`` and returns a
`numdiff.StepResult` (step, estimate, evaluations, status, and its own error
estimate and noise level where it has them). Its `StepRule.placement` says
what the step means for `numdiff.derivative`'s tableau: ``"scale"``, the
rule's step for the scheme gives the length scale ``L`` from which the
tableau's initial step is computed (assumes ``|f^(k)| ~ |f| / L^k``);
``"smallest"``, the rule's step becomes the tableau's smallest step (right
for rules that account for noise, below which no estimate should go).
"""

from dataclasses import dataclass
from types import MappingProxyType

from . import step_selection
from .noise import noise_step

__all__ = ["StepRule", "STEP_RULES"]

#: The placements of a rule's step in `numdiff.derivative`'s tableau.
PLACEMENTS = ("scale", "smallest")


@dataclass(frozen=True)
class StepRule:
    """A named step rule.

    Attributes
    ----------
    name : str
        Key in `STEP_RULES`, and `numdiff.derivative`'s ``step=`` value.
    function : callable
        ``function(f, x, *, scheme, deriv)`` returning a `numdiff.StepResult`.
    placement : {"scale", "smallest"}
        What the step means for the tableau (module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> rule = STEP_RULES["theory"]
    >>> rule.placement, rule.is_floor
    ('scale', False)
    >>> result = rule(np.exp, 1.0)
    >>> int(result.status), bool(1e-6 < result.step < 1e-4)
    (0, True)
    """

    name: str
    function: object
    placement: str

    def __post_init__(self):
        if self.placement not in PLACEMENTS:
            raise ValueError(f"placement must be one of {PLACEMENTS}, got {self.placement!r}")

    def __call__(self, f, x, *, scheme="central", deriv=1):
        """The rule's `numdiff.StepResult` for `f` at `x`."""
        return self.function(f, x, scheme=scheme, deriv=deriv)

    @property
    def is_floor(self):
        """Whether the step is a floor (noise) that no smaller step may undercut."""
        return self.placement == "smallest"

    def initial_step_factor(self, plan):
        """``h0 / step`` for `numdiff.derivative`'s `plan`.

        ``"scale"``: the plan's factor from a scheme's own step to its
        initial step; ``"smallest"``: ``r^(K-1)``, so that the smallest step
        of the tableau is the rule's.
        """
        if self.is_floor:
            return plan.ratio ** (plan.levels - 1)
        return plan.scale_to_initial


def _rules(*rules):
    return MappingProxyType({rule.name: rule for rule in rules})


#: Named step rules, by name.
STEP_RULES = _rules(
    StepRule("theory", step_selection.theory_step, "scale"),
    StepRule("stepleman_winarsky", step_selection.stepleman_winarsky_step, "scale"),
    StepRule("gill_murray", step_selection.gill_murray_step, "scale"),
    StepRule("noise", noise_step, "smallest"),
)
