"""How the report writes a number: one formatter for every table and sentence.

`format_number` gives three significant digits, in scientific notation
below 1e-3 and from 1e4 (with a short exponent: ``2.5e-8``), and "n/a" (or
the reason given) where the value is missing or infinite, never ``nan`` or
``inf``. `format_ratio` caps extreme ratios with a note, `format_percent`
writes fractions, `format_step` writes a step as in code (``1e-4``).

Examples
--------
>>> format_number(2.5e-08), format_number(1234.5), format_number(0.012345)
('2.5e-8', '1234', '0.0123')
>>> format_number(float("nan"), missing="n/a (exact stencil)")
'n/a (exact stencil)'
"""

import math

__all__ = ["format_number", "format_percent", "format_ratio", "format_step", "is_missing",
           "RATIO_CAP", "ESTIMATE_NOTES"]

#: Ratios beyond this factor (either way) are written as a bound with a note.
RATIO_CAP = 1e6
#: The notes of a capped ratio of an error estimate to the true error (`format_ratio`).
ESTIMATE_NOTES = {"far": "estimate far too large", "below": "estimate far too small"}


def is_missing(value):
    """Whether a value has no finite number to show (None, NaN, inf, not a number)."""
    try:
        return value is None or not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def _short_exponent(text):
    """``2.5e-08`` -> ``2.5e-8``; ``1.23e+04`` -> ``1.23e4``."""
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def format_number(value, *, missing="n/a"):
    """A number as the report writes it: three significant digits, `missing` if not finite.

    Parameters
    ----------
    value : float, int or None
    missing : str, optional
        What to write for None, NaN or inf: "n/a", or "n/a" with its reason.

    Examples
    --------
    >>> [format_number(v) for v in (3.14159e-14, 0.5, 12345.0, -0.0, 0.001, 99.96, 250.4)]
    ['3.14e-14', '0.5', '1.23e4', '0', '0.001', '100', '250']
    >>> format_number(float("inf")), format_number(None)
    ('n/a', 'n/a')
    """
    if is_missing(value):
        return missing
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < 1e-3 or abs(value) >= 1e4:
        return _short_exponent(f"{value:.2e}")
    if abs(float(f"{value:.3g}")) >= 100:
        return f"{value:.0f}"
    return f"{float(f'{value:.3g}'):g}"


def format_percent(fraction, *, missing="n/a"):
    """A fraction as a percentage with one decimal, `missing` if not finite.

    Examples
    --------
    >>> format_percent(0.99539), format_percent(1.0), format_percent(float("nan"))
    ('99.5 %', '100.0 %', 'n/a')
    """
    return missing if is_missing(fraction) else f"{100 * float(fraction):.1f} %"


def format_ratio(value, *, cap=RATIO_CAP, far="far off", below=None, missing="n/a"):
    """A ratio, written as a bound with a note beyond `cap` either way.

    Parameters
    ----------
    value : float
    cap : float, optional
        Ratios above `cap` or below ``1 / cap`` are written as bounds.
    far : str, optional
        The note of a bound (of an upper bound only, when `below` is given).
    below : str, optional
        The note of a lower bound, where a tiny ratio means something else
        than a huge one ("far better" against "far worse").
    missing : str, optional
        What to write for a missing value.

    Examples
    --------
    >>> format_ratio(2.5), format_ratio(4.3e15), format_ratio(2e-9, far="estimate far off")
    ('2.5', '> 1e6, far off', '< 1e-6, estimate far off')
    >>> format_ratio(2e-9, far="far worse", below="far better")
    '< 1e-6, far better'
    """
    if is_missing(value):
        return missing
    value = float(value)
    if value > cap:
        return f"> {format_number(cap)}, {far}"
    if 0 < value < 1 / cap:
        return f"< {format_number(1 / cap)}, {far if below is None else below}"
    return format_number(value)


def format_step(value):
    """A step as written in code: ``1e-4``, ``2.5e-8``, ``0.5``.

    Examples
    --------
    >>> format_step(1e-4), format_step(0.5)
    ('1e-4', '0.5')
    """
    return format_number(value)
