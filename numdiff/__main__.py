"""``python -m numdiff``: the seed's two results and forward against central on exp(x**2)**2.

A short demonstration of the library alone; the full error analysis is
``python -m analysis``.
"""

import argparse

import numpy as np

from . import Exp, Square, Variable, error_model, numerical_diff
from .catalogue import CATALOGUE


def composite(x):
    """The seed's ``y = (e^{x^2})^2`` built from `Function` objects.

    Parameters
    ----------
    x : Variable

    Returns
    -------
    Variable

    Examples
    --------
    >>> import numpy as np
    >>> from numdiff import Variable
    >>> float(composite(Variable(np.array(0.5))).data)  # exp(2 * 0.5**2)
    1.648721270700128
    """
    return Square()(Exp()(Square()(x)))


def main(argv=None):
    """Print the demonstration.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (none are defined but ``--help``); default
        ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status, 0.
    """
    parser = argparse.ArgumentParser(
        prog="python -m numdiff",
        description="Print the seed's numerical derivatives and compare the "
                    "forward and central differences of (e^{x^2})^2 at 0.5 "
                    "over many steps, with the error theory's best steps.")
    parser.parse_args(argv)

    print("numerical_diff(Square(), Variable(np.array(2.0)))  ->",
          numerical_diff(Square(), Variable(np.array(2.0))))
    print("numerical_diff(composite, Variable(np.array(0.5))) ->",
          numerical_diff(composite, Variable(np.array(0.5))))

    seed = CATALOGUE["exp_square_squared"]
    x = seed.default_x
    exact = seed.derivative(x)
    steps = np.array([10.0 ** -k for k in range(1, 15)])
    print(f"\nf(x) = {seed.formula} (DeZero's composite, catalogue name {seed.name!r}) "
          f"at x = {x}")
    print(f"exact derivative f'({x}) = {float(exact)!r}")
    print(f"{'eps':>8}  {'forward error':>14}  {'central error':>14}")
    errors = {}
    for scheme in ("forward", "central"):
        estimates = numerical_diff(composite, Variable(np.array(x)), steps, scheme=scheme)
        errors[scheme] = np.abs(estimates - exact)
    for h, e_forward, e_central in zip(steps, errors["forward"], errors["central"]):
        print(f"{h:8.0e}  {e_forward:14.3e}  {e_central:14.3e}")

    print("\nerror theory (float64): best step h* and the error there E*")
    for scheme in ("forward", "central"):
        order = 2 if scheme == "forward" else 3
        model = error_model(scheme, f_scale=abs(seed(x)), x_scale=abs(x),
                            result_scale=abs(exact),
                            derivative_scale=abs(seed.derivative(x, order)),
                            next_derivative_scale=abs(seed.derivative(x, 2 * order - 1)))
        best = steps[np.argmin(errors[scheme])]
        print(f"  {scheme:8} h* = {model.optimal_step:.2e}  E* = {model.minimum_error:.2e}"
              f"   (best step of the table: {best:.0e}, error {errors[scheme].min():.2e})")
    print("\nThe full error analysis (every catalogue function, more schemes and dtypes, "
          "the model fitted,\ncharts and a report): python -m analysis")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
