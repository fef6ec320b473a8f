"""Timing calls: the two ways the studies time a computation.

`batch_times` repeats a short call until a batch lasts `BATCH_SECONDS` (as
`timeit` and asv do), so that the timer's resolution and one-off pauses
weigh little; `best_time` keeps the best of a few runs within a time
budget. Times are measured in the running process; compare them only
within one run.
"""

import time

__all__ = ["BATCH_SECONDS", "batch_times", "best_time"]

#: Shortest batch of calls timed at once by `batch_times`, in seconds.
BATCH_SECONDS = 0.01


def batch_times(run, repeats):
    """Time per call of `run` in each of `repeats` batches of `BATCH_SECONDS` or more.

    One untimed call first sets how many calls a batch needs.

    Examples
    --------
    >>> times = batch_times(lambda: sum(range(100)), 2)
    >>> len(times), all(t > 0 for t in times)
    (2, True)
    """
    start = time.perf_counter()
    run()
    first = time.perf_counter() - start
    number = max(1, int(BATCH_SECONDS / max(first, 1e-9)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            run()
        times.append((time.perf_counter() - start) / number)
    return times


def best_time(run, repeats, *, budget):
    """Best time of up to `repeats` runs of `run`, fewer once `budget` seconds are spent.

    At least one run is timed.

    Returns
    -------
    (float, int)
        The best time in seconds, and the number of runs timed.

    Examples
    --------
    >>> seconds, runs = best_time(lambda: None, 3, budget=1.0)
    >>> runs, seconds >= 0
    (3, True)
    """
    best, spent, runs = float("inf"), 0.0, 0
    while runs < repeats and (runs == 0 or spent < budget):
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        best, spent, runs = min(best, elapsed), spent + elapsed, runs + 1
    return best, runs
