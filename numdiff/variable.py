"""The DeZero-style building blocks: `Variable`, `Function`, `Square` and `Exp`.

A `Variable` is a box around an array (``.data``); a `Function` maps a
`Variable` to a new `Variable` by applying `Function.forward` to the data.
These are the objects the numerical derivative was first written for, and
`numdiff.numerical_diff` accepts them unchanged.
"""

import numpy as np

__all__ = ["Variable", "Function", "Square", "Exp"]


class Variable:
    """A box around an array.

    Parameters
    ----------
    data : array_like
        The value held. Stored as given, so ``Variable(np.array(2.0)).data``
        is the very array passed in.

    Notes
    -----
    ``np.asarray(v)`` returns ``v.data`` as an array, so numpy functions also
    accept a `Variable`.

    Examples
    --------
    >>> import numpy as np
    >>> x = Variable(np.array(2.0))
    >>> x.data
    array(2.)
    >>> float(np.exp(x))
    7.38905609893065
    """

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __array__(self, dtype=None, copy=None):
        array = np.asarray(self.data, dtype=dtype)
        return array.copy() if copy else array

    def __repr__(self):
        return f"Variable({self.data!r})"


class Function:
    """Base class of the functions acting on `Variable` objects.

    Calling a `Function` on a `Variable` applies `forward` to its data and
    returns the result in a new `Variable`. Subclasses implement `forward`.

    Examples
    --------
    >>> import numpy as np
    >>> class Cube(Function):
    ...     def forward(self, x):
    ...         return x ** 3
    >>> print(Cube()(Variable(np.array(2.0))).data)
    8.0
    """

    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        return output

    def forward(self, x):
        """Compute the function on an array; subclasses implement this.

        Raises
        ------
        NotImplementedError
            Always, in the base class.
        """
        raise NotImplementedError()


class Square(Function):
    """``y = x ** 2``.

    Examples
    --------
    >>> import numpy as np
    >>> y = Square()(Variable(np.array(3.0)))
    >>> print(y.data)
    9.0
    """

    def forward(self, x):
        """Return ``x ** 2``."""
        return x ** 2


class Exp(Function):
    """``y = exp(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> print(Exp()(Variable(np.array(0.0))).data)
    1.0
    """

    def forward(self, x):
        """Return ``np.exp(x)``."""
        return np.exp(x)
