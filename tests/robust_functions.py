"""User functions for the bad-input tests (imported by --func/--exact paths)."""

import time

import numpy as np


def f(x):
    return np.sin(x)


def df(x):
    return np.cos(x)


def none(x):
    return None


def text(x):
    return "one"


def wrong_shape(x):
    return np.ones(len(np.atleast_1d(x)) + 2)


def leaves(x):
    raise SystemExit(0)


def leaves_later(x):
    if np.any(np.abs(np.asarray(x) - 1) > 0.1):  # at the larger steps around x = 1
        raise SystemExit(0)
    return np.sin(x)


def complex_valued(x):
    return np.sin(x) + 1j


def raises(x):
    raise RuntimeError("boom")


def slow_in_sweep(x):
    if np.ndim(x) == 2:
        time.sleep(60)
    return np.sin(x)


NOT_CALLABLE = 3
