"""The report in headless Chromium: printed to PDF, figures loaded, width measured.

Each test runs the analysis the way a reader does (``python -m analysis``) into a temporary
folder and opens the report.html it wrote. Without Chromium the tests are skipped and say why.
The default run takes about 15 s more than the rest; ``-m "not slow"`` leaves it out.

``NUMDIFF_UPDATE_SCREENSHOT=1 python -m pytest tests/test_report_browser.py`` also saves the
default report's first screen as docs/images/report_first_screen.png (the README shows it).
"""

import base64
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _load_browser():
    # tests/ is not a package and is not on sys.path (pytest imports with importlib).
    spec = importlib.util.spec_from_file_location("tests_browser",
                                                  Path(__file__).with_name("browser.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


browser = _load_browser()

#: Pages of the default run's report printed on A4 (22 before the report became a paper; the
#: goal was at most 12).
MAX_PAGES_DEFAULT_RUN = 5

#: Pages of a one-function run's report (``--functions exp``) on A4 (9 before; the goal 4).
MAX_PAGES_ONE_FUNCTION = 4

#: Elements wider than what an A4 page prints (718 px: 210 mm less Chromium's 1 cm margins),
#: outside any scroll container, in a window that wide: the wide tables (22 in the default
#: run, 11 in the one-function run) before tables scrolled on screen and fitted on paper.
MAX_OVERFLOWING_DEFAULT_RUN = 0
MAX_OVERFLOWING_ONE_FUNCTION = 0

#: The first screen a reader sees, and the screenshot the README shows.
SCREEN = (1280, 900)
SCREENSHOT = REPO / "docs" / "images" / "report_first_screen.png"


@pytest.fixture(scope="module")
def chromium():
    path = browser.find_chromium()
    if path is None:
        named = os.environ.get("NUMDIFF_CHROMIUM")
        where = (f"NUMDIFF_CHROMIUM={named} is not an executable" if named else
                 f"none of {', '.join(browser.CHROMIUM_NAMES)} is on PATH")
        pytest.skip(f"chromium not found: {where} (apt-get install chromium, "
                    "or name one in NUMDIFF_CHROMIUM)")
    return path


def run_analysis(folder, *args):
    """Run ``python -m analysis *args`` in ``folder``; return the report.html it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    # Run outside the repository, so `reports/` lands in `folder`; the repository stays
    # importable even where the project is not installed.
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=folder,
                          env={**os.environ, "PYTHONPATH": path},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = sorted(folder.glob("**/report.html"))
    assert len(reports) == 1, f"expected one report.html under {folder}, found {reports}"
    return reports[0]


@pytest.fixture(scope="module")
def one_function_report(chromium, tmp_path_factory):
    folder = tmp_path_factory.mktemp("one_function")
    return run_analysis(folder, "--functions", "exp", "--out", "run", "--quiet")


@pytest.fixture(scope="module")
def default_report(chromium, tmp_path_factory):
    # No arguments, as in the README: the report's set-up shows `python -m analysis`.
    return run_analysis(tmp_path_factory.mktemp("default"))


def check_prints_within(chromium, report, limit, tmp_path):
    pdf = browser.print_pdf(chromium, report, tmp_path / "report.pdf")
    pages = browser.pdf_page_count(pdf)
    assert 1 <= pages <= limit, f"{report} prints on {pages} A4 pages, more than {limit}"


def check_figures_load_and_screen_fits(chromium, report):
    layout = browser.measure_layout(chromium, report, width=SCREEN[0], height=SCREEN[1])
    assert layout.images_loaded, "the report shows no figure"
    broken = [alt for alt, loaded in layout.images_loaded if not loaded]
    assert not broken, f"figures that did not load: {broken}"
    assert layout.fits, (f"wider than a {SCREEN[0]} px window: scroll width "
                         f"{layout.scroll_width}; " + "; ".join(map(str, layout.overflowing)))


def check_printed_width(chromium, report, limit):
    width = browser.PRINTED_WIDTH_PX
    layout = browser.measure_layout(chromium, report, width=width)
    assert layout.viewport_width == width
    assert len(layout.overflowing) <= limit, (
        f"{len(layout.overflowing)} elements wider than a printed A4 page "
        f"({width} px), at most {limit} allowed:\n"
        + "\n".join(map(str, layout.overflowing)))


PROBE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>probe</title></head><body>
<h2>Figures</h2>
<img alt="drawn" style="width: 300px" src="data:image/png;base64,{png}">
<img alt="missing" src="nowhere.png">
<h2>Tables</h2>
<table><tr><td><div style="width: 1500px">wide</div></td></tr></table>
<div style="overflow-x: auto">
<table><tr><td><div style="width: 1500px">scrolls</div></td></tr></table>
</div>
<p style="break-before: page">second page</p><p style="break-before: page">third page</p>
</body></html>
"""


def test_the_checks_see_a_missing_figure_a_wide_table_and_each_page(chromium, tmp_path):
    png = (REPO / "docs" / "images" / "error_exp.png").read_bytes()
    page = tmp_path / "probe.html"
    page.write_text(PROBE_PAGE.format(png=base64.b64encode(png).decode()), encoding="utf-8")
    layout = browser.measure_layout(chromium, page, width=browser.PRINTED_WIDTH_PX)
    assert layout.images_loaded == (("drawn", True), ("missing", False))
    assert [(o.tag, o.section) for o in layout.overflowing] == [("table", "Tables")]
    assert not layout.fits and layout.scroll_width > browser.PRINTED_WIDTH_PX
    assert browser.pdf_page_count(browser.print_pdf(chromium, page, tmp_path / "p.pdf")) == 3


def test_one_function_report_prints_within_its_page_limit(chromium, one_function_report,
                                                           tmp_path):
    check_prints_within(chromium, one_function_report, MAX_PAGES_ONE_FUNCTION, tmp_path)


def test_one_function_report_loads_every_figure_and_fits_the_screen(chromium,
                                                                    one_function_report):
    check_figures_load_and_screen_fits(chromium, one_function_report)


def test_one_function_report_at_printed_width(chromium, one_function_report):
    check_printed_width(chromium, one_function_report, MAX_OVERFLOWING_ONE_FUNCTION)


@pytest.mark.slow
def test_default_report_in_the_browser(chromium, default_report, tmp_path):
    check_prints_within(chromium, default_report, MAX_PAGES_DEFAULT_RUN, tmp_path)
    check_figures_load_and_screen_fits(chromium, default_report)
    check_printed_width(chromium, default_report, MAX_OVERFLOWING_DEFAULT_RUN)
    shot = browser.screenshot(chromium, default_report, tmp_path / "first_screen.png",
                      width=SCREEN[0], height=SCREEN[1])
    assert browser.png_size(shot) == SCREEN
    if os.environ.get("NUMDIFF_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, SCREENSHOT)
