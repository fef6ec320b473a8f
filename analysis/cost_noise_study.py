"""Two studies as tidy tables: the cost of many variables, and differentiating a noisy function.

Pure data functions (no plotting); every function returns a pandas DataFrame
with one row per observation and the columns listed in its docstring.

* `cost_vs_n`: evaluations and time of the numerical gradient of
  ``f(x) = sum(exp(x))`` against ``n``, beside the time of one evaluation of
  ``f``: the linear growth that makes backpropagation necessary.
* `noise_sweep`, `noise_summary`, `noise_recovery`: ``exp`` at a point with
  relative Gaussian noise of a chosen level from a seeded
  ``np.random.default_rng``; the V-curve of the error against the step, the
  ECnoise estimate of the noise, the noise-aware step and its error against
  the best step of the sweep.

Run ``python -m analysis.cost_noise_study`` to print the tables.
"""

import time

import numpy as np
import pandas as pd

from numdiff import (NoiseStatus, estimate_noise, gradient, noise_aware_step,
                     numerical_diff)

__all__ = ["sum_exp", "noisy_exp", "cost_vs_n", "noise_sweep", "noise_summary",
           "noise_recovery", "DEFAULT_SIZES", "DEFAULT_NOISE_STEPS"]

#: n from 1 to 10^4, log-spaced (3 per decade).
DEFAULT_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
#: Steps of the noise sweep: 1e-10 to 1e-1, 10 per decade.
DEFAULT_NOISE_STEPS = 10.0 ** np.round(np.arange(-100, -9, 1) / 10, 1)


def sum_exp(x):
    """``sum_i exp(x_i)``, on one point of shape (n,) or columns of shape (n, m)."""
    return np.sum(np.exp(x), axis=0)


def noisy_exp(level, rng):
    """``exp(x) (1 + level * N(0, 1))``, with fresh noise from `rng` at each call.

    The noise is relative: its standard deviation at ``x`` is ``level exp(x)``.
    """
    def f(x):
        return np.exp(x) * (1 + level * rng.standard_normal(np.shape(x)))
    return f


class _Counted:
    def __init__(self, f, batched):
        self.f, self.batched, self.calls, self.points = f, batched, 0, 0

    def __call__(self, x):
        self.calls += 1
        self.points += x.shape[1] if self.batched else 1
        return self.f(x)


def _best_time(run, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def cost_vs_n(sizes=DEFAULT_SIZES, *, scheme="central", repeats=3, batched=True):
    """Evaluations and time of the numerical gradient of `sum_exp` against n.

    Parameters
    ----------
    sizes : sequence of int
        Numbers of variables ``n``.
    scheme : str
        Difference scheme of the gradient.
    repeats : int
        Each time is the best of this many runs.
    batched : bool
        Also time ``gradient(..., vectorized=True)`` (one call of ``f`` on up
        to ``numdiff.multivariate.BATCH_ELEMENTS`` values).

    Returns
    -------
    DataFrame
        One row per (n, method), method in ``"f"`` (one evaluation),
        ``"gradient"`` (one call per point) and ``"gradient_batched"``;
        columns ``n, method, scheme, calls`` (calls of f), ``evaluations``
        (points at which f is evaluated), ``seconds`` (best of `repeats`),
        ``ratio_to_f`` (seconds over the seconds of one evaluation of f at
        the same n), ``max_abs_error`` (against the analytic gradient
        ``exp(x)``; NaN for ``"f"``).
    """
    rows = []
    for n in sizes:
        x = np.linspace(0.0, 1.0, n)
        t_f = _best_time(lambda: sum_exp(x), max(repeats, 20))
        rows.append(dict(n=n, method="f", scheme=scheme, calls=1, evaluations=1,
                         seconds=t_f, ratio_to_f=1.0, max_abs_error=np.nan))
        for method, vectorized in [("gradient", False), ("gradient_batched", True)]:
            if vectorized and not batched:
                continue
            counted = _Counted(sum_exp, vectorized)
            g = gradient(counted, x, scheme=scheme, vectorized=vectorized)
            seconds = _best_time(lambda: gradient(sum_exp, x, scheme=scheme,
                                                  vectorized=vectorized), repeats)
            rows.append(dict(n=n, method=method, scheme=scheme, calls=counted.calls,
                             evaluations=counted.points, seconds=seconds,
                             ratio_to_f=seconds / t_f,
                             max_abs_error=float(np.abs(g - np.exp(x)).max())))
    return pd.DataFrame(rows)


def noise_sweep(level=1e-10, *, x=1.0, eps=DEFAULT_NOISE_STEPS,
                schemes=("forward", "central"), trials=30, seed=0):
    """Errors of forward and central differences of noisy exp over a step sweep.

    Parameters
    ----------
    level : float
        Relative noise level (standard deviation of the relative noise).
    x : float
        The point.
    eps : array_like
        The steps.
    schemes : sequence of str
        Difference schemes.
    trials : int
        Independent noise draws per (scheme, eps).
    seed : int
        Seed of ``np.random.default_rng``; each scheme starts from it.

    Returns
    -------
    DataFrame
        One row per (scheme, eps, trial); columns ``level, x, scheme, eps,
        trial, estimate, exact, abs_error``.
    """
    eps = np.asarray(eps, dtype=float)
    exact = float(np.exp(x))
    frames = []
    for scheme in schemes:
        f = noisy_exp(level, np.random.default_rng(seed))
        estimates = numerical_diff(f, np.full((trials, eps.size), float(x)), eps, scheme=scheme)
        frames.append(pd.DataFrame({
            "level": level, "x": float(x), "scheme": scheme,
            "eps": np.tile(eps, trials), "trial": np.repeat(np.arange(trials), eps.size),
            "estimate": estimates.ravel(), "exact": exact,
            "abs_error": np.abs(estimates.ravel() - exact),
        }))
    return pd.concat(frames, ignore_index=True)


def noise_summary(level=1e-10, *, x=1.0, eps=DEFAULT_NOISE_STEPS,
                  schemes=("forward", "central"), trials=30, seed=0):
    """The noise-aware step against the best step of a sweep, per scheme.

    The step's error is a random variable; both it and the sweep's errors
    are summarised as root mean squares over `trials` independent noise
    draws (the noise-aware step is chosen afresh in each trial, from the
    ECnoise estimate of that trial).

    Returns
    -------
    DataFrame
        One row per scheme; columns ``level, x, scheme, trials,
        injected_noise`` (``level exp(x)``), ``estimated_noise`` (median of
        the ECnoise estimates), ``noise_found`` (fraction of trials with
        status FOUND), ``noise_aware_step`` (median), ``noise_aware_rms_error``,
        ``predicted_rms_error`` (median of the step's own prediction),
        ``step_nfev`` (calls of f to choose the step), ``best_step`` and
        ``best_rms_error`` (the sweep's step of least rms error),
        ``error_ratio`` (noise-aware over best), ``single_draw_ratio``
        (median over trials of the noise-aware error over the least error of
        the same trial's sweep: luck included, for comparison).
    """
    sweep = noise_sweep(level, x=x, eps=eps, schemes=schemes, trials=trials, seed=seed)
    rows = []
    for scheme in schemes:
        part = sweep[sweep.scheme == scheme]
        rms = part.groupby("eps")["abs_error"].apply(lambda e: float(np.sqrt(np.mean(e ** 2))))
        lucky = part.groupby("trial")["abs_error"].min().to_numpy()
        f = noisy_exp(level, np.random.default_rng(seed + 1))
        chosen = noise_aware_step(f, np.full(trials, float(x)), scheme=scheme)
        errors = np.abs(numerical_diff(f, np.full(trials, float(x)), chosen.step,
                                       scheme=scheme) - np.exp(x))
        noise_rms = float(np.sqrt(np.mean(errors ** 2)))
        rows.append(dict(
            level=level, x=float(x), scheme=scheme, trials=trials,
            injected_noise=level * float(np.exp(x)),
            estimated_noise=float(np.median(chosen.noise)),
            noise_found=float(np.mean(chosen.noise_status == NoiseStatus.FOUND)),
            noise_aware_step=float(np.median(chosen.step)),
            noise_aware_rms_error=noise_rms,
            predicted_rms_error=float(np.median(chosen.error)),
            step_nfev=chosen.nfev,
            best_step=float(rms.idxmin()), best_rms_error=float(rms.min()),
            error_ratio=noise_rms / float(rms.min()),
            single_draw_ratio=float(np.median(errors / lucky)),
        ))
    return pd.DataFrame(rows)


def noise_recovery(level=1e-10, *, x=1.0, n_points=(7, 8, 9), trials=1000, seed=0,
                   distribution="normal"):
    """How often ECnoise recovers the injected noise within a factor 2.

    Trial ``i`` uses ``np.random.default_rng(seed + i)``; the 10-trial
    criterion ("at least 9 of 10 within a factor 2") is counted over the
    consecutive blocks of 10 trials.

    Parameters
    ----------
    distribution : {"normal", "uniform"}
        Gaussian noise, or uniform noise of the same standard deviation.

    Returns
    -------
    DataFrame
        One row per n_points; columns ``level, distribution, n_points,
        trials, nfev, found`` (fraction with status FOUND), ``within_2``
        (fraction within a factor 2), ``blocks_9_of_10`` (fraction of blocks
        of 10 trials with at least 9 within), ``seeds_0_9`` (the count within
        a factor 2 for seeds ``seed .. seed+9``), ``median_ratio``.
    """
    exact_noise = level * float(np.exp(x))
    rows = []
    for m in n_points:
        ratios, found = np.empty(trials), np.empty(trials, dtype=bool)
        for i in range(trials):
            rng = np.random.default_rng(seed + i)
            if distribution == "normal":
                draw = rng.standard_normal
            else:
                def draw(shape, rng=rng):
                    return rng.uniform(-np.sqrt(3), np.sqrt(3), shape)

            def f(t, draw=draw):
                return np.exp(t) * (1 + level * draw(np.shape(t)))
            result = estimate_noise(f, float(x), n_points=m)
            ratios[i] = result.noise / exact_noise
            found[i] = result.status == NoiseStatus.FOUND
        within = (ratios >= 0.5) & (ratios <= 2)
        blocks = within[: trials // 10 * 10].reshape(-1, 10).sum(axis=1)
        rows.append(dict(level=level, distribution=distribution, n_points=m, trials=trials,
                         nfev=m, found=float(found.mean()), within_2=float(within.mean()),
                         blocks_9_of_10=float(np.mean(blocks >= 9)),
                         seeds_0_9=int(within[:10].sum()),
                         median_ratio=float(np.nanmedian(ratios))))
    return pd.DataFrame(rows)


def main():
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(cost_vs_n().to_string(index=False, float_format="%.3g"))
        for level in (1e-10, 1e-6):
            print(noise_summary(level).to_string(index=False, float_format="%.3g"))
        for seed in (1, 2, 3):
            print(noise_summary(1e-10, seed=seed)[["scheme", "error_ratio"]].to_string(index=False))
        for distribution in ("normal", "uniform"):
            print(noise_recovery(distribution=distribution).to_string(index=False,
                                                                      float_format="%.3g"))


if __name__ == "__main__":
    main()
