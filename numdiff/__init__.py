"""numdiff: numerical differentiation with its error theory.

- The seed's API: `Variable`, `Function`, `Square`, `Exp` and
  `numerical_diff`, the finite difference with a given step.
- Schemes as objects: `SCHEMES` (forward, backward, central, one-sided and
  central of higher orders, complex step), each a `StencilScheme` or the
  `ComplexStep`; `Scheme.from_stencil` makes one of any offsets, whose exact
  stencil comes from `stencil` (Fornberg's recursion in rationals).
- The error theory: `machine_epsilon`, `unit_roundoff`, `error_model` (truncation and rounding
  terms, the optimal step and the error there), `optimal_step`, and the scales
  `length_scale`, `value_scale` and `unit_scale_step`.
- Automatic steps: `derivative` (Richardson extrapolation with an error
  estimate and a status per element), the step rules of `STEP_RULES`
  (`StepRule` objects over `theory_step`, `stepleman_winarsky_step`,
  `gill_murray_step` and `noise_step`, each returning a `StepResult`), and
  `richardson`. Every status is 0 on success.
- Many variables: `gradient`, `jacobian`, `hessian` (automatic steps,
  extrapolation and an error estimate per entry in a `MultivariateResult`,
  or one fixed step per coordinate), `directional` (a Jacobian-vector
  product at the cost of one derivative) and `gradient_check`.
- Noise: `estimate_noise` (ECnoise) and `noise_aware_step`.
- Calling ``f``: `CountedFunction` counts calls, values and points.
- Test functions with exact derivatives: `numdiff.catalogue`.

Examples
--------
>>> import numpy as np
>>> from numdiff import Square, Variable, numerical_diff
>>> print(numerical_diff(Square(), Variable(np.array(2.0))))
4.000000000004
"""

from .counting import CountedFunction
from .derivative import STEP_RULES, DerivativeResult, DerivativeStatus, derivative
from .difference import numerical_diff
from .directional import directional
from .gradient_check import GradientCheck, gradient_check
from .multivariate import coordinate_steps, gradient, hessian, jacobian
from .multivariate_result import MultivariateResult
from .noise import (NoiseAwareStep, NoiseEstimate, NoiseStatus, estimate_noise, noise_aware_step,
                    noise_step)
from .richardson import RichardsonResult, richardson
from .schemes import (MAX_DERIV, SCHEMES, ComplexStep, Scheme, StencilScheme, get_scheme,
                      scheme_of_order)
from .stencil import Stencil, fornberg_weights, stencil
from .step_rules import StepRule
from .step_selection import (StepResult, StepStatus, gill_murray_step, stepleman_winarsky_step,
                             theory_step)
from .theory import (ErrorModel, error_model, length_scale, machine_epsilon, optimal_step,
                     unit_roundoff, unit_scale_step, value_scale)
from .variable import Exp, Function, Square, Variable

__all__ = [
    "Variable", "Function", "Square", "Exp", "numerical_diff",
    "SCHEMES", "MAX_DERIV", "Scheme", "StencilScheme", "ComplexStep", "get_scheme", "scheme_of_order",
    "Stencil", "stencil", "fornberg_weights",
    "ErrorModel", "error_model", "optimal_step", "machine_epsilon", "unit_roundoff", "length_scale",
    "unit_scale_step", "value_scale",
    "CountedFunction",
    "gradient", "jacobian", "hessian", "directional", "MultivariateResult", "coordinate_steps",
    "gradient_check", "GradientCheck",
    "estimate_noise", "NoiseEstimate", "NoiseStatus", "noise_aware_step", "NoiseAwareStep",
    "noise_step",
    "derivative", "DerivativeResult", "DerivativeStatus", "STEP_RULES", "StepRule", "richardson",
    "RichardsonResult", "theory_step", "stepleman_winarsky_step", "gill_murray_step",
    "StepResult", "StepStatus",
]

__version__ = "0.1.0"
