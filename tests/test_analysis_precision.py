"""The precision study: every format at hand, the model beside the observations."""

import numpy as np
import pytest

from analysis import sweep, summarize
from analysis.studies.precision import (NUMPY_FORMATS, PRECISION_SCHEMES, precision_formats,
                                        scheme_medians)
from numdiff.formats import ML_FORMATS


def test_formats_are_numpys_and_ml_dtypes_where_installed():
    formats = precision_formats()
    assert formats[:4] == NUMPY_FORMATS
    try:
        import ml_dtypes  # noqa: F401
    except ImportError:
        assert formats == NUMPY_FORMATS
    else:
        assert formats[4:] == ML_FORMATS


@pytest.fixture(scope="module")
def summary():
    return summarize(sweep(["exp", "sin", "sqrt"], schemes=PRECISION_SCHEMES,
                           dtypes=precision_formats()))


def test_the_model_follows_the_best_step_and_error_in_every_format(summary):
    finite = summary[summary["step_ratio"].notna()]
    assert len(finite) >= 0.9 * len(summary)
    assert finite["step_ratio"].between(0.1, 10).all(), finite[["function", "scheme", "dtype",
                                                                "step_ratio"]]
    ratios = summary["error_ratio"].dropna()
    assert ratios.between(0.05, 1.5).all()


def test_unit_roundoff_column_is_half_the_machine_epsilon(summary):
    np.testing.assert_array_equal(summary["machine_epsilon"], 2 * summary["unit_roundoff"])
    float64 = summary[summary["dtype"] == "float64"]
    assert (float64["unit_roundoff"] == 2.0 ** -53).all()


def test_medians_grow_with_u_like_the_theory(summary):
    medians = scheme_medians(summary)
    for scheme, part in medians.groupby("scheme"):
        part = part[part["dtype"] != "longdouble"]  # float64 references limit it
        slope = np.polyfit(np.log10(part["unit_roundoff"]), np.log10(part["best_step"]), 1)[0]
        p = {"forward": 1, "central": 2, "central4": 4}[scheme]
        assert slope == pytest.approx(1 / (p + 1), abs=0.1), scheme
