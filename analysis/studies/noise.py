"""Differentiating a noisy function: the noise floor, ECnoise and the noise-aware step.

``exp`` at a point with relative Gaussian noise of a chosen level, drawn
from a seeded ``np.random.default_rng`` afresh at every evaluation
(`noisy_exp`). The study writes

``noise_curve.csv``
    `CURVE_COLUMNS`: the V-curve of forward and central differences against
    the step, as the root mean square of the error over independent draws,
    with the model's truncation and noise terms (`noise_curve`);
``noise_summary.csv``
    `SUMMARY_COLUMNS`: per scheme, the ECnoise estimate of the noise, the
    noise-aware step (Moré & Wild 2012) and its error against the best step
    of the sweep (`noise_summary`);
``noise_recovery.csv``
    `RECOVERY_COLUMNS`: how often ECnoise (Moré & Wild 2011) recovers the
    injected noise within a factor 2, at 7, 8 and 9 points
    (`noise_recovery`);

draws the V-curves with the noise floor and the steps marked, and writes a
section with the two tables.

Examples
--------
>>> summary = noise_summary(1e-10, trials=10)
>>> summary[["scheme", "noise_found"]]
    scheme  noise_found
0  forward          1.0
1  central          1.0
>>> bool((summary["error_ratio"] < 3).all())
True
"""

import numpy as np
import pandas as pd

from numdiff import (NoiseStatus, estimate_noise, get_scheme, machine_epsilon, noise_aware_step,
                     numerical_diff)

from ..grid import eps_grid
from ..findings import Finding
from ..numbers import format_number, format_percent
from ..report import Paragraph, Section, Table, figure_image
from ..study import Study, StudyResult, StudyTable
from ..tables import read_table, write_table

__all__ = ["noisy_exp", "noise_sweep", "noise_curve", "noise_summary", "noise_recovery",
           "DEFAULT_NOISE_STEPS", "CURVE_COLUMNS", "SUMMARY_COLUMNS", "RECOVERY_COLUMNS",
           "noise_figure", "noise_findings", "build_study", "STUDY", "TABLES", "OPTIONS", "method"]

#: Steps of the noise sweep: 1e-10 to 1e-1, 10 per decade (decimal-exact).
DEFAULT_NOISE_STEPS = eps_grid(1e-10, 1e-1, per_decade=10)

SWEEP_COLUMNS = ("level", "x", "scheme", "eps", "trial", "estimate", "exact", "abs_error")
CURVE_COLUMNS = ("level", "x", "scheme", "eps", "trials", "rms_error", "p10_error",
                 "p90_error", "noiseless_error", "truncation_model", "noise_model",
                 "estimated_noise_model")
SUMMARY_COLUMNS = ("level", "x", "scheme", "trials", "injected_noise", "estimated_noise",
                   "noise_found", "noise_aware_step", "noise_aware_rms_error",
                   "predicted_rms_error", "step_nfev", "best_step", "best_rms_error",
                   "error_ratio", "single_draw_ratio")
RECOVERY_COLUMNS = ("level", "distribution", "n_points", "trials", "nfev", "found",
                    "within_2", "blocks_9_of_10", "seeds_0_9", "median_ratio")


def noisy_exp(level, rng):
    """``exp(x) (1 + level * N(0, 1))``, with fresh noise from `rng` at each call.

    The noise is relative: its standard deviation at ``x`` is ``level exp(x)``.
    """
    def f(x):
        return np.exp(x) * (1 + level * rng.standard_normal(np.shape(x)))
    return f


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
    pandas.DataFrame
        `SWEEP_COLUMNS`, one row per (scheme, eps, trial).
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
    return pd.concat(frames, ignore_index=True)[list(SWEEP_COLUMNS)]


def _rms(values):
    return float(np.sqrt(np.mean(np.square(values))))


def noise_curve(sweep, *, estimated_noise=None):
    """The V-curve of a `noise_sweep`: RMS error per step, with the model's terms.

    Parameters
    ----------
    sweep : pandas.DataFrame
        `noise_sweep` output.
    estimated_noise : dict, optional
        scheme -> estimated noise level, for the ``estimated_noise_model``
        column (NaN without it).

    Returns
    -------
    pandas.DataFrame
        `CURVE_COLUMNS`, one row per (scheme, eps): ``rms_error`` over the
        trials, its 10th and 90th percentiles, ``noiseless_error`` (the same
        difference of exp without noise), ``truncation_model``
        ``|K| |f^(p+1)(x)| h^p``, ``noise_model`` ``sqrt(sum c_i^2) s / h``
        with ``s`` the injected noise (the noise floor of the difference),
        ``estimated_noise_model`` the same with the estimated ``s``.
    """
    rows = []
    for (scheme, eps), part in sweep.groupby(["scheme", "eps"], sort=False):
        level, x = float(part["level"].iloc[0]), float(part["x"].iloc[0])
        st = get_scheme(scheme).stencil(1)
        spread = float(np.sqrt(sum(float(w) ** 2 for w in st.weights)))
        estimated = (estimated_noise or {}).get(scheme, np.nan)
        error = part["abs_error"].to_numpy(dtype=float)
        noiseless = abs(float(numerical_diff(np.exp, x, eps, scheme=scheme)) - np.exp(x))
        rows.append(dict(
            level=level, x=x, scheme=scheme, eps=eps, trials=len(part),
            rms_error=_rms(error), p10_error=float(np.percentile(error, 10)),
            p90_error=float(np.percentile(error, 90)), noiseless_error=noiseless,
            # exp: every derivative is exp(x).
            truncation_model=abs(float(st.error_coefficient)) * np.exp(x) * eps ** st.accuracy,
            noise_model=spread * level * np.exp(x) / eps,
            estimated_noise_model=spread * estimated / eps))
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def noise_summary(level=1e-10, *, x=1.0, eps=DEFAULT_NOISE_STEPS,
                  schemes=("forward", "central"), trials=30, seed=0, sweep=None):
    """The noise-aware step against the best step of a sweep, per scheme.

    The step's error is a random variable; both it and the sweep's errors
    are summarised as root mean squares over `trials` independent noise
    draws (the noise-aware step is chosen afresh in each trial, from the
    ECnoise estimate of that trial, with the generator seeded ``seed + 1``).

    Parameters
    ----------
    sweep : pandas.DataFrame, optional
        The `noise_sweep` of the same arguments, if already computed.

    Returns
    -------
    pandas.DataFrame
        `SUMMARY_COLUMNS`, one row per scheme: ``injected_noise``
        (``level exp(x)``), ``estimated_noise`` (median of the ECnoise
        estimates), ``noise_found`` (fraction of trials with status FOUND),
        ``noise_aware_step`` (median), ``noise_aware_rms_error``,
        ``predicted_rms_error`` (median of the step's own prediction),
        ``step_nfev`` (calls of f to choose the step), ``best_step`` and
        ``best_rms_error`` (the sweep's step of least rms error),
        ``error_ratio`` (noise-aware over best), ``single_draw_ratio``
        (median over trials of the noise-aware error over the least error of
        the same trial's sweep: luck included, for comparison).
    """
    if sweep is None:
        sweep = noise_sweep(level, x=x, eps=eps, schemes=schemes, trials=trials, seed=seed)
    rows = []
    for scheme in schemes:
        part = sweep[sweep["scheme"] == scheme]
        rms = part.groupby("eps")["abs_error"].apply(_rms)
        lucky = part.groupby("trial")["abs_error"].min().to_numpy()
        f = noisy_exp(level, np.random.default_rng(seed + 1))
        chosen = noise_aware_step(f, np.full(trials, float(x)), scheme=scheme)
        errors = np.abs(numerical_diff(f, np.full(trials, float(x)), chosen.step,
                                       scheme=scheme) - np.exp(x))
        noise_rms = _rms(errors)
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
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def noise_recovery(level=1e-10, *, x=1.0, n_points=(7, 8, 9), trials=100, seed=0,
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
    pandas.DataFrame
        `RECOVERY_COLUMNS`, one row per n_points: ``found`` (fraction with
        status FOUND), ``within_2`` (fraction within a factor 2),
        ``blocks_9_of_10`` (fraction of blocks of 10 trials with at least 9
        within), ``seeds_0_9`` (the count within a factor 2 for seeds
        ``seed .. seed+9``), ``median_ratio`` (estimated over injected).

    Examples
    --------
    >>> noise_recovery(n_points=(9,), trials=10)[["n_points", "seeds_0_9"]]
       n_points  seeds_0_9
    0         9         10
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
                         blocks_9_of_10=float(np.mean(blocks >= 9)) if blocks.size else np.nan,
                         seeds_0_9=int(within[:10].sum()),
                         median_ratio=float(np.nanmedian(ratios))))
    return pd.DataFrame(rows, columns=RECOVERY_COLUMNS)


# ---------------------------------------------------------------- the study

#: The study's case: exp at 1 with relative noise 1e-10.
STUDY_LEVEL, STUDY_X = 1e-10, 1.0


def noise_figure(curve, summary):
    """One panel per scheme: the RMS V-curve, noise floor, model, and the steps marked.

    Parameters
    ----------
    curve : pandas.DataFrame
        `noise_curve` output (``noise_curve.csv``): RMS error against the step, per scheme.
    summary : pandas.DataFrame
        `noise_summary` output (``noise_summary.csv``): the noise measured and the steps chosen.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    from ..figures import colour, figure_style, log_axes

    schemes = list(dict.fromkeys(curve["scheme"]))
    with figure_style():
        figure = Figure(figsize=(9.2, 4.9))
        figure.subplots_adjust(left=0.08, right=0.985, bottom=0.34, top=0.92, wspace=0.08)
        panels = figure.subplots(1, len(schemes), squeeze=False, sharey=True)[0]
        for axes, scheme in zip(panels, schemes):
            part = curve[curve["scheme"] == scheme].sort_values("eps")
            facts = summary[summary["scheme"] == scheme].iloc[0]
            eps = part["eps"].to_numpy(dtype=float)
            c = colour(scheme)
            axes.fill_between(eps, part["p10_error"], part["p90_error"], color=c, alpha=0.18,
                              lw=0)
            noiseless = part["noiseless_error"].to_numpy(dtype=float)
            axes.plot(eps, np.where(noiseless > 0, noiseless, np.nan), color="#999999", lw=1.0)
            # The floor, its estimate and the observed error coincide on the left branch:
            # a wide light band, a dashed line inside it, and the observation as open dots.
            axes.plot(eps, part["noise_model"], color="#BBBBBB", lw=6, alpha=0.8,
                      solid_capstyle="butt", zorder=1)
            axes.plot(eps, part["estimated_noise_model"], color="#009E73", lw=1.4,
                      ls=(0, (4, 2)), zorder=5)
            axes.plot(eps, part["truncation_model"], color="#000000", lw=0.9, ls="-.", zorder=3)
            axes.plot(eps, part["rms_error"], color=c, lw=0.8, marker="o", ms=3.2, mfc="white",
                      mew=0.9, zorder=4)
            axes.plot(facts["best_step"], facts["best_rms_error"], ls="none", marker="o",
                      ms=9, mfc="none", mec="black", mew=1.2, zorder=5)
            axes.plot(facts["noise_aware_step"], facts["noise_aware_rms_error"], ls="none",
                      marker="*", ms=12, mfc=c, mec="black", mew=0.8, zorder=6)
            log_axes(axes)
            axes.set_xlabel("step eps (units of x)")
            axes.set_title(f"{scheme}: injected noise {facts['injected_noise']:.2g}, "
                           f"ECnoise {facts['estimated_noise']:.2g}")
            values = part[["rms_error", "p10_error", "noiseless_error"]].to_numpy(dtype=float)
            low = np.nanmin(np.where(values > 0, values, np.nan))
            axes.set_ylim(max(low / 10, 1e-14), None)
        panels[0].set_ylabel("|error| of f' (RMS over the draws)")
        level = curve["level"].iloc[0]
        handles = _legend_handles(level)
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=2,
                      frameon=False)
    return figure


def _legend_handles(level):
    """Legend entries of `noise_figure` (`level`: the relative noise)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [
        Line2D([], [], color="#555555", lw=0.8, marker="o", ms=3.2, mfc="white",
               label=f"RMS |error| with relative noise {level:.0e} (colour = scheme)"),
        Patch(color="#555555", alpha=0.18, label="10th to 90th percentile of single draws"),
        Line2D([], [], color="#999999", lw=1.0, label="|error| without noise"),
        Line2D([], [], color="#BBBBBB", lw=6, alpha=0.8,
               label=r"noise floor $\sqrt{\sum c_i^2}\,\sigma / \mathrm{eps}$ "
                     r"($\sigma$ injected)"),
        Line2D([], [], color="#009E73", lw=1.4, ls=(0, (4, 2)),
               label=r"the same with ECnoise's estimate of $\sigma$"),
        Line2D([], [], color="#000000", lw=0.9, ls="-.",
               label=r"truncation $|K|\,|f^{(p+1)}(x)|\,\mathrm{eps}^p$"),
        Line2D([], [], ls="none", marker="*", ms=12, mfc="#BBBBBB", mec="black",
               label="noise-aware step (median) and its RMS |error|"),
        Line2D([], [], ls="none", marker="o", ms=9, mfc="none", mec="black",
               label="best step of the sweep (least RMS |error|)"),
    ]


TABLES = (
    StudyTable("noise_curve.csv", "one row per scheme and step: RMS error of noisy exp over "
                                  "the draws, percentiles, the model's terms"),
    StudyTable("noise_summary.csv", "one row per scheme: ECnoise's noise estimate, the "
                                    "noise-aware step and its error against the best step"),
    StudyTable("noise_recovery.csv", "one row per number of points: how often ECnoise "
                                     "recovers the injected noise within a factor 2"),
)
OPTIONS = ()


def build_study(*, level=STUDY_LEVEL, x=STUDY_X, trials=30, recovery_trials=100, seed=0):
    """The noise study as a `Study` of the sizes given (`STUDY` has the defaults)."""
    def compute(context):
        sweep = noise_sweep(level, x=x, trials=trials, seed=seed)
        summary = noise_summary(level, x=x, trials=trials, seed=seed, sweep=sweep)
        estimated = dict(zip(summary["scheme"], summary["estimated_noise"]))
        directory = context.directory
        write_table(noise_curve(sweep, estimated_noise=estimated), directory, "noise_curve.csv")
        write_table(summary, directory, "noise_summary.csv")
        write_table(noise_recovery(level, x=x, trials=recovery_trials, seed=seed), directory,
                    "noise_recovery.csv")
        return StudyResult()

    return Study("noise", "Noise", compute, draw, sections, TABLES, OPTIONS, method,
                 key_findings, appendix)


def draw(directory, metadata):
    """The V-curve figure, from the CSV files."""
    from ..figures import save_figure

    curve = read_table(directory, "noise_curve.csv")
    summary = read_table(directory, "noise_summary.csv")
    level, x = curve["level"].iloc[0], curve["x"].iloc[0]
    return (save_figure(
        noise_figure(curve, summary), directory / "figures", "noise",
        caption=f"exp at x = {x:g}, relative Gaussian noise {level:.0e} fresh at every "
                f"evaluation, RMS |error| over {int(curve['trials'].iloc[0])} draws per step: "
                "the noise lifts the V's left branch; the star is the noise-aware step.",
        alt="error against step for noisy exp with the noise-aware step marked"),)


def noise_findings(summary, recovery):
    """ECnoise's estimate and the noise-aware step per scheme; ECnoise's recovery rate.

    Examples
    --------
    >>> found = noise_findings(noise_summary(1e-10, trials=10), noise_recovery(trials=10))
    >>> print(found[0].text)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    With forward differences, ECnoise estimates the noise at ... times the injected ...; the noise-aware step's
    RMS |error| is ... times that of the sweep's best step.
    """
    found = []
    for _, r in summary.iterrows():
        estimate = r["estimated_noise"] / r["injected_noise"]
        if not (np.isfinite(estimate) and np.isfinite(r["error_ratio"])):
            continue
        values = {"scheme": r["scheme"], "estimate_ratio": float(estimate),
                  "injected": float(r["injected_noise"]), "error_ratio": float(r["error_ratio"])}
        found.append(Finding("noise_step", (
            f"With {r['scheme']} differences, ECnoise estimates the noise at "
            f"{format_number(estimate)} times "
            f"the injected {format_number(values['injected'])}; the noise-aware step's RMS "
            f"|error| is {format_number(values['error_ratio'])} times that of the sweep's best "
            "step."), values))
    rows = recovery[np.isfinite(recovery["within_2"])] if len(recovery) else recovery
    if len(rows):
        values = {"points": [int(n) for n in rows["n_points"]],
                  "within_2": [float(w) for w in rows["within_2"]],
                  "trials": int(rows["trials"].iloc[0])}
        found.append(Finding("noise_recovery", (
            "ECnoise recovers the injected noise within a factor 2 in "
            + ", ".join(f"{format_percent(w)} of trials with {n} points"
                        for n, w in zip(values["points"], values["within_2"]))
            + f" ({values['trials']} seeded trials each)."), values))
    return found


def key_findings(directory, metadata):
    """`noise_findings` of ``noise_summary.csv`` and ``noise_recovery.csv``."""
    return tuple(noise_findings(read_table(directory, "noise_summary.csv"),
                                read_table(directory, "noise_recovery.csv")))


def sections(directory, metadata, files):
    """The noise section: the figure and the step table."""
    summary = read_table(directory, "noise_summary.csv")
    blocks = [figure_image(image) for image in files]
    rows = tuple((r["scheme"], format_number(r["injected_noise"]),
                  format_number(r["estimated_noise"]), format_percent(r["noise_found"]),
                  format_number(r["noise_aware_step"]), format_number(r["noise_aware_rms_error"]),
                  format_number(r["best_step"]), format_number(r["best_rms_error"]),
                  format_number(r["error_ratio"]), str(int(r["step_nfev"])))
                 for _, r in summary.iterrows())
    blocks.append(Table(("scheme", "noise", "ECnoise", "found", "aware step", "its error",
                         "best step", "best error", "ratio", "evaluations"), rows,
                        "Noise-aware step against the sweep's best (RMS errors, their ratio, "
                        "evaluations for the step)"))
    return (Section("Noise: the noise floor and the noise-aware step", "noise", tuple(blocks)),)


def appendix(directory, metadata, files):
    """The step's predicted error, and ECnoise's recovery per number of points."""
    summary = read_table(directory, "noise_summary.csv")
    recovery = read_table(directory, "noise_recovery.csv")
    predicted = tuple((r["scheme"], format_number(r["predicted_rms_error"]),
                       format_number(r["noise_aware_rms_error"]),
                       format_number(r["single_draw_ratio"])) for _, r in summary.iterrows())
    rows = tuple((str(int(r["n_points"])), str(int(r["trials"])), format_percent(r["found"]),
                  format_percent(r["within_2"]), format_percent(r["blocks_9_of_10"]),
                  f"{int(r['seeds_0_9'])} of 10", format_number(r["median_ratio"]))
                 for _, r in recovery.iterrows())
    return (Table(("scheme", "predicted RMS |error|", "observed RMS |error|",
                   "single-draw ratio (median)"), predicted, "Noise-aware step: prediction"),
            Table(("points (evaluations)", "seeded trials", "found", "within x2",
                   "blocks of 10 with >= 9 within x2", "seeds 0-9 within x2",
                   "median estimated / injected"), rows,
                  "ECnoise recovery of the injected noise level"))


def method(directory, metadata):
    """The noisy function and what is compared, with its noise level from the table."""
    summary = read_table(directory, "noise_summary.csv")
    level, x = summary["level"].iloc[0], summary["x"].iloc[0]
    injected = summary["injected_noise"].iloc[0]
    return (Paragraph(
        f"f(x) = exp(x) (1 + {format_number(level)} z), z standard normal from "
        "np.random.default_rng, "
        f"drawn afresh at each evaluation, differentiated at x = {x:g}: noise of standard "
        f"deviation {format_number(injected)} in f, about "
        f"{format_number(injected / (machine_epsilon(np.float64) * np.exp(x)))} times "
        "the rounding level. numdiff.estimate_noise (ECnoise, Moré & Wild 2011) measures the "
        "noise; numdiff.noise_aware_step (Moré & Wild 2012) turns it into a step; both are "
        "repeated in each trial and compared with the best step of a sweep of the same noisy "
        "function (noise_curve.csv, noise_summary.csv)."),)


STUDY = build_study()
