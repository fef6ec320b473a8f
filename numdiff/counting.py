"""`CountedFunction`: a function that counts its calls and the values it computes.

One wrapper for everyone who needs to know what a method cost: the library's
own evaluations, the analysis' studies and the benchmarks count the same way.
"""

import numpy as np

__all__ = ["CountedFunction"]


class CountedFunction:
    """``f``, counting calls, computed values and points.

    Parameters
    ----------
    f : callable
        The function; called with the arguments given, unchanged.
    batch_axis : int, optional
        For an ``f`` that takes a batch of points along this axis of its
        first argument (a vectorised multivariate function): each call counts
        ``x.shape[batch_axis]`` points (1 for an argument of lower dimension).
        By default every element of the argument is a point, as for an
        element-wise function.

    Attributes
    ----------
    calls : int
        Times ``f`` was called.
    values : int
        Elements of the arguments ``f`` was called with: the values of ``f``
        computed, for an element-wise function.
    points : int
        Points ``f`` was evaluated at (see `batch_axis`).

    Examples
    --------
    >>> import numpy as np
    >>> counted = CountedFunction(np.exp)
    >>> _ = counted(np.zeros(5)); _ = counted(1.0)
    >>> counted.calls, counted.values, counted.points
    (2, 6, 6)
    >>> norm = CountedFunction(lambda x: np.sum(x**2, axis=0), batch_axis=1)
    >>> _ = norm(np.ones((3, 4))); _ = norm(np.ones(3))
    >>> norm.calls, norm.points
    (2, 5)
    """

    def __init__(self, f, *, batch_axis=None):
        if not callable(f):
            raise TypeError(f"f must be callable, got {type(f).__name__}")
        self.f = f
        self.batch_axis = batch_axis
        self.calls = 0
        self.values = 0
        self.points = 0

    def __call__(self, x, *args, **kwargs):
        self.calls += 1
        if type(x) is np.ndarray:
            size, shape = x.size, x.shape
        else:
            size = np.size(x.data if hasattr(x, "data") and not isinstance(x, np.ndarray) else x)
            shape = np.shape(x)
        self.values += size
        if self.batch_axis is None:
            self.points += size
        else:
            self.points += shape[self.batch_axis] if len(shape) > self.batch_axis else 1
        return self.f(x, *args, **kwargs)

    def reset(self):
        """Set every count back to 0."""
        self.calls = self.values = self.points = 0

    def __repr__(self):
        return (f"CountedFunction({getattr(self.f, '__name__', self.f)!r}, calls={self.calls}, "
                f"values={self.values}, points={self.points})")
