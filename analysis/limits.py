"""The size limits of a run from the command line, each with its reason.

The largest run these limits allow fits in memory on a small machine: its
sweep table has `MAX_SWEEP_ROWS` rows of 18 columns, 144 bytes a row in
pandas; a sweep of 2.56 million rows peaked at 1.3 GB of resident memory
(blocks, their frames and the joined table together), so the largest run
needs about 5 GB, and its ``sweep.csv`` about 2.6 GB of disk. `analysis.sweep.sweep` keeps its own
larger limit for callers who stream with ``sweep_blocks``.
"""

import os

__all__ = ["MAX_PER_DECADE", "MAX_STEPS", "MIN_STEP", "MAX_STEP", "MAX_POINTS",
           "MAX_EXPRESSIONS", "MAX_SWEEP_ROWS", "MAX_WORKERS", "cpu_count"]

#: Steps per decade: beyond 1000, neighbouring steps differ by less than 0.25 %.
MAX_PER_DECADE = 1000
#: Steps of the grid (--eps-min, --eps-max, --per-decade together).
MAX_STEPS = 10_000
#: Smallest and largest step. The model's terms reach eps^-4 and eps^12 (the
#: highest orders), and beyond about 1e-30 and 1e30 they and the charts' log
#: axes overflow float64; 1e-20 and 1e20 leave room for large derivatives
#: (every scheme, dtype and derivative order runs without a floating-point
#: warning at both ends).
MIN_STEP, MAX_STEP = 1e-20, 1e20
#: Points (--x).
MAX_POINTS = 10_000
#: Formulas (--expr, repeatable).
MAX_EXPRESSIONS = 20
#: Rows of sweep.csv: functions x points x schemes x dtypes x steps.
MAX_SWEEP_ROWS = 10_000_000
#: Processes (--workers), even with --oversubscribe.
MAX_WORKERS = 64


def cpu_count():
    """CPUs this process may use (its affinity where known).

    Examples
    --------
    >>> cpu_count() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1
