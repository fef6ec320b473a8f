"""The noise study: the noise floor of the V-curve and ECnoise's recovery of the noise."""

from analysis.studies import noise as noise_study


def test_noise_curve_sits_on_the_noise_floor_at_small_steps():
    sweep = noise_study.noise_sweep(1e-10, trials=20, eps=[1e-9, 1e-8])
    curve = noise_study.noise_curve(sweep)
    assert tuple(curve.columns) == noise_study.CURVE_COLUMNS
    ratio = curve["rms_error"] / curve["noise_model"]
    assert ratio.between(0.5, 2).all()  # RMS of the noise term = its standard deviation
    assert (curve["noiseless_error"] < curve["rms_error"] / 10).all()


def test_noise_recovery_counts_trials_within_a_factor_two():
    table = noise_study.noise_recovery(n_points=(7, 9), trials=20)
    assert tuple(table.columns) == noise_study.RECOVERY_COLUMNS
    assert table["within_2"].between(0.8, 1).all() and (table["nfev"] == [7, 9]).all()
