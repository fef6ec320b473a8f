"""Floating-point formats: numpy's own, and the machine-learning formats of ml_dtypes.

numpy has float16, float32, float64 and longdouble. The optional package
`ml_dtypes` adds formats numpy has no kernels of its own for: bfloat16 and the
8-bit floats float8_e4m3fn and float8_e5m2. Its arrays compute each operation
in float32 and round the result to the format, which is how such hardware
behaves. numdiff takes them where it takes numpy's floats (`numerical_diff`
keeps the format of ``x``); this module says what a format is and how fine.
"""

import numpy as np

__all__ = ["ML_FORMATS", "format_info", "is_real_floating", "format_dtype"]

#: The machine-learning formats, by name, available when ml_dtypes is installed.
ML_FORMATS = ("bfloat16", "float8_e4m3fn", "float8_e5m2")


def _ml_dtypes():
    try:
        import ml_dtypes
    except ImportError:
        return None
    return ml_dtypes


def _ml_types():
    module = _ml_dtypes()
    if module is None:
        return {}
    return {name: np.dtype(getattr(module, name)) for name in ML_FORMATS if hasattr(module, name)}


def is_real_floating(dtype):
    """Whether `dtype` is a real floating-point format (numpy's or ml_dtypes').

    Examples
    --------
    >>> import numpy as np
    >>> is_real_floating(np.float32), is_real_floating(np.int64), is_real_floating(complex)
    (True, False, False)
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "f" and dtype.type.__module__ == "numpy":
        return True
    return dtype in _ml_types().values()


def format_info(dtype):
    """The machine limits of a floating format (``np.finfo``, or ``ml_dtypes.finfo``).

    Complex dtypes give the limits of their real part.

    Raises
    ------
    TypeError
        If `dtype` is not a floating-point format.

    Examples
    --------
    >>> float(format_info("float16").eps)
    0.0009765625
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype!r}") from None
    if dtype.kind in "fc" and dtype.type.__module__ == "numpy":
        return np.finfo(dtype)
    if dtype in _ml_types().values():
        return _ml_dtypes().finfo(dtype)
    raise TypeError(f"dtype must be a floating-point dtype, got {dtype}")


def format_dtype(name):
    """The dtype of a format's name: numpy's (``"float32"``, ``"longdouble"``) or ml_dtypes'.

    Raises
    ------
    ValueError
        If no such format is known, or it needs ml_dtypes and that is not installed.

    Examples
    --------
    >>> format_dtype("longdouble") == np.dtype(np.longdouble)
    True
    """
    if name in ML_FORMATS:
        types = _ml_types()
        if name not in types:
            raise ValueError(f"the format {name!r} needs the ml_dtypes package "
                             "(pip install ml_dtypes, or the project's 'formats' extra)")
        return types[name]
    try:
        dtype = np.dtype(name)
    except TypeError:
        raise ValueError(f"unknown floating-point format {name!r}") from None
    if not is_real_floating(dtype):
        raise ValueError(f"{name!r} is not a real floating-point format")
    return dtype
