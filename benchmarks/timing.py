"""Timing several callables in one process, call after call, so that they share the machine's state.

A ratio of two times taken in separate processes, or minutes apart, mixes the
cost of the code with the load of the machine. Here every round runs each
callable in turn, so both sides of a ratio see the same load, caches and
memory state; `median_ratio` then compares the repeated calls of two of them.
Used by the peer time share (`bench_derivative_peers`), the scalar-call ratios
(`bench_scalar`) and ``python -m benchmarks.ratio``.

No name here starts with ``time_`` or ``track_``: asv would take it for a benchmark.
"""

import itertools
import time

import numpy as np


def calls_per_sample(action, duration=2e-3, most=100_000):
    """Calls of `action` in a row that take about `duration` seconds (at least 1).

    One call of a few microseconds is as short as the clock's own overhead; a sample
    that repeats it over a millisecond or two measures the call, not the clock.
    """
    action()  # warm-up: imports, caches, first allocations
    number = 1
    while True:
        start = time.perf_counter()
        for _ in itertools.repeat(None, number):
            action()
        elapsed = time.perf_counter() - start
        if elapsed >= duration / 4 or number >= most:
            break
        number *= 4
    return int(min(most, max(1, round(duration * number / max(elapsed, 1e-9)))))


def interleaved_times(actions, *, rounds, calls=1, numbers=None):
    """Per-call times (s) of each action, interleaved round by round.

    Parameters
    ----------
    actions : dict
        name -> callable taking no arguments.
    rounds : int
        Rounds over the actions, in the order of the dict.
    calls : int, optional
        Samples per action and round, taken in a row.
    numbers : dict, optional
        name -> calls of that action timed together in one sample (the sample is
        their mean time); 1 for every action by default.

    Returns
    -------
    dict
        name -> list of `rounds` lists of `calls` per-call times.
    """
    numbers = numbers or {}
    times = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            number = numbers.get(name, 1)
            samples = []
            for _ in range(calls):
                start = time.perf_counter()
                for _ in itertools.repeat(None, number):
                    action()
                samples.append((time.perf_counter() - start) / number)
            times[name].append(samples)
    return times


def repeated(rounds):
    """The samples of `interleaved_times` after the first of each round (all if only one).

    The first sample of a round follows the other actions' work (whose freed memory
    the system may have taken back); the later ones repeat the same call, as asv's
    own samples do.
    """
    later = [t for samples in rounds for t in samples[1:]]
    return later or [t for samples in rounds for t in samples]


def median_ratio(times, numerator, denominator):
    """Median of `numerator`'s repeated samples over the median of `denominator`'s."""
    return float(np.median(repeated(times[numerator])) / np.median(repeated(times[denominator])))
