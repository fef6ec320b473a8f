"""numdiff: numerical differentiation with its error theory.

The seed's API (`Variable`, `Function`, `Square`, `Exp`, `numerical_diff`),
every common difference scheme as data (`SCHEMES`, `stencil`), and the error
model that predicts truncation, rounding and the best step (`error_model`).

Examples
--------
>>> import numpy as np
>>> from numdiff import Square, Variable, numerical_diff
>>> print(numerical_diff(Square(), Variable(np.array(2.0))))
4.000000000004
"""

from .difference import numerical_diff
from .schemes import MAX_DERIV, SCHEMES, Scheme, get_scheme
from .stencil import Stencil, fornberg_weights, stencil
from .theory import ErrorModel, error_model, optimal_step, unit_roundoff
from .variable import Exp, Function, Square, Variable
from .multivariate import coordinate_steps, gradient, hessian, jacobian
from .gradient_check import GradientCheck, gradient_check
from .noise import NoiseAwareStep, NoiseEstimate, NoiseStatus, estimate_noise, noise_aware_step
from .derivative import STEP_RULES, DerivativeResult, DerivativeStatus, derivative
from .richardson import RichardsonResult, richardson
from .step_selection import (StepResult, StepStatus, gill_murray_step, stepleman_winarsky_step,
                             theory_step)

__all__ = [
    "Variable", "Function", "Square", "Exp", "numerical_diff",
    "SCHEMES", "MAX_DERIV", "Scheme", "get_scheme", "Stencil", "stencil", "fornberg_weights",
    "ErrorModel", "error_model", "optimal_step", "unit_roundoff",
    "gradient", "jacobian", "hessian", "coordinate_steps", "gradient_check", "GradientCheck",
    "estimate_noise", "NoiseEstimate", "NoiseStatus", "noise_aware_step", "NoiseAwareStep",
    "derivative", "DerivativeResult", "DerivativeStatus", "STEP_RULES", "richardson",
    "RichardsonResult", "theory_step", "stepleman_winarsky_step", "gill_murray_step",
    "StepResult", "StepStatus",
]

__version__ = "0.1.0"
