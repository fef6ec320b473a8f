"""What the two commands say: ``python -m analysis --help`` and ``python -m numdiff``."""

import subprocess
import sys

from analysis.cli import build_parser
from analysis.studies.precision import PRECISION_DTYPES


def test_help_shows_render_in_its_usage_and_the_precision_studys_dtypes():
    text = build_parser().format_help()
    usage = text[:text.index("\n\n")]
    assert "python -m analysis render RUN_DIR" in usage and "[options]" in usage
    flat = " ".join(text.split())
    assert ("the precision study always compares " + ", ".join(PRECISION_DTYPES)
            + ", whatever --dtypes says") in flat


def test_numdiff_names_its_function_and_points_to_the_analysis():
    done = subprocess.run([sys.executable, "-m", "numdiff"], capture_output=True, text=True,
                          check=True)
    lines = done.stdout.strip().splitlines()
    assert any("f(x) = exp(x**2)**2" in line and "exp_square_squared" in line
               for line in lines)
    assert lines[-1].endswith("python -m analysis")
