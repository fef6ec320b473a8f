"""The report's text: one number formatter, GitHub's anchors, Markdown escaping, no NaN.

The anchors are checked against a slug function written here from GitHub's documented rules
(lowercase; drop everything but letters, digits, spaces, '-' and '_'; spaces to '-'; a
repeated slug gets '-1', '-2', ...), not against the report's own.
"""

import json
import math
import re
from html.parser import HTMLParser

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from analysis.cli import main  # noqa: E402
from analysis.numbers import format_number, format_percent, format_ratio  # noqa: E402
from analysis.report import (Code, Details, Links, Paragraph, Section, Table,  # noqa: E402
                             render_html, render_markdown)


# ------------------------------------------------------------------ the number formatter

@pytest.mark.parametrize("value", [3.14159e-14, 2.5e-8, 0.000999, 0.001, 0.0123456, 0.5,
                                   1.0, 9.996, 12.345, 99.96, 123.4, 1234.5, 9999.4, 10000.0,
                                   12345.0, 6.02e23, -2.5e-8, -0.5, -12345.0])
def test_three_significant_digits_scientific_below_1e_3_and_from_1e4(value):
    text = format_number(value)
    scientific = "e" in text
    assert scientific == (abs(value) < 1e-3 or abs(value) >= 1e4), text
    assert float(text) == pytest.approx(value, rel=5e-3)
    digits = re.sub(r"e.*$", "", text).lstrip("-").replace(".", "").lstrip("0")
    assert len(digits) <= 4 if abs(value) >= 1000 else len(digits) <= 3, text
    if scientific:
        assert re.fullmatch(r"-?\d(\.\d{1,2})?e-?[1-9]\d*", text), text  # 2.5e-8, not 2.50e-08
    assert " " not in text and "\n" not in text


@pytest.mark.parametrize("missing", [float("nan"), float("inf"), -float("inf"), None])
def test_missing_values_are_na_with_their_reason_never_nan_or_inf(missing):
    assert format_number(missing) == "n/a"
    assert format_number(missing, missing="n/a: exact stencil") == "n/a: exact stencil"
    assert format_percent(missing) == "n/a"
    assert format_ratio(missing) == "n/a"


def test_extreme_ratios_are_capped_with_a_note():
    assert format_ratio(4.3e15, far="estimate far off") == "> 1e6, estimate far off"
    assert format_ratio(1e-9) == "< 1e-6, far off"
    assert format_ratio(2.5e5) == "2.5e5"
    assert format_number(0.0) == "0" and format_number(-0.0) == "0"


# ------------------------------------------------------------------ GitHub anchors

def github_slug(heading, seen):
    """GitHub's anchor of a heading's text, from its documented rules."""
    slug = "".join(c for c in heading.strip().lower()
                   if c.isalnum() or c in " -_").replace(" ", "-")
    n = seen.get(slug, 0)
    seen[slug] = n + 1
    return slug if n == 0 else f"{slug}-{n}"


def _unescape(markdown_text):
    """The text GitHub shows for a Markdown heading (backslash escapes and entities undone)."""
    text = re.sub(r"\\(.)", r"\1", markdown_text)
    return text.replace("&lt;", "<").replace("&gt;", ">")


def check_contents_links(markdown):
    """Every '(#anchor)' of the contents is the slug of a heading, and each heading is listed."""
    fenced = re.sub(r"(?ms)^(`{3,}).*?^\1", "", markdown)
    seen = {}
    anchors = [github_slug(_unescape(m.group(2)), seen)
               for m in re.finditer(r"(?m)^(#{1,6}) (.+)$", fenced)]
    links = re.findall(r"\]\(#([^)]*)\)", markdown)
    assert links, "no contents links"
    missing = [link for link in links if link not in anchors]
    assert not missing, f"links without a heading: {missing}; headings: {anchors}"
    return links, anchors


def test_anchors_follow_github_rules_with_punctuation_and_duplicates():
    sections = [Section("Set-up", "a", ()), Section("Peers: scipy, numdifftools (v1.2)", "b", ()),
                Section("Set-up", "c", ()), Section("h* and E*", "d", (), level=3),
                Section("exp_square_squared at x = 0.5", "e", (), level=3)]
    links, anchors = check_contents_links(render_markdown("Set-up", sections))
    assert links == ["set-up-1", "peers-scipy-numdifftools-v12", "set-up-2", "h-and-e",
                     "exp_square_squared-at-x--05"]


# ------------------------------------------------------------------ Markdown escaping

def test_stars_are_escaped_outside_code_and_kept_inside():
    section = Section("Model h*", "m", (Paragraph("h* = (u/C)^(1/2), E* at h*"),
                                        Table(("model h*",), (("2.5e-8",),), "E*: model"),
                                        Code("python -m analysis --expr 'x**2'")))
    text = render_markdown("T", [section])
    body = re.sub(r"(?ms)^```.*?^```", "", text)
    assert "x**2" in text  # in the code block, untouched
    assert not re.search(r"(?<!\\)\*(?!\))", body.replace("*E\\*: model*", "")), body
    assert "h\\*" in body and "E\\*" in body


def test_details_and_links_render_in_both_formats(tmp_path):
    section = Section("Appendix", "appendix", (Details("Per case", (Table(("x",), (("1",),)),)),
                                               Links((("summary.csv: the fit", "summary.csv"),))))
    markdown = render_markdown("T", [section])
    assert "<details>" in markdown and "<summary>Per case</summary>" in markdown
    assert "[summary.csv: the fit](summary.csv)" in markdown
    page = render_html("T", [section], tmp_path)
    assert "<details><summary>Per case</summary>" in page and 'href="summary.csv"' in page


def test_numeric_cells_do_not_break_and_tables_scroll(tmp_path):
    page = render_html("T", [Section("S", "s", (Table(("case", "error", "note"),
                                                      (("exp", "2.5e-8", "exact stencil"),)),))],
                       tmp_path)
    assert '<div class="table-wrap"><table>' in page
    assert '<td class="num">2.5e-8</td>' in page and "<td>exact stencil</td>" in page
    style = page[page.index("<style>"):page.index("</style>")]
    assert re.search(r"td\.num \{[^}]*white-space: nowrap", style)
    assert re.search(r"\.table-wrap \{[^}]*overflow-x: auto", style)
    assert "hyphens: none" in style and "@media print" in style


# ------------------------------------------------------------------ a whole report

class _Text(HTMLParser):
    """The visible text of a page (no style sheet, no embedded images)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], False

    def handle_starttag(self, tag, attrs):
        self._skip = tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip = False

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def adversarial_report(tmp_path_factory):
    """A run where values are missing: exact stencils, f = x = 0, f' = 0, float16."""
    out = tmp_path_factory.mktemp("text") / "run"
    code = main(["--functions", "square", "sin", "cube", "--x", "0", "--dtypes", "float16",
                 "float64", "--schemes", "forward", "central", "central4", "--per-decade", "3",
                 "--studies", "error_vs_step,precision", "--out", str(out), "--quiet"])
    assert code in (0, 1)
    return out


def test_report_text_never_shows_nan_or_inf(adversarial_report):
    markdown = (adversarial_report / "report.md").read_text()
    parser = _Text()
    parser.feed((adversarial_report / "report.html").read_text())
    for text in (markdown, " ".join(parser.parts)):
        assert not re.search(r"(?<![\w/.])(nan|NaN|inf|-inf)(?![\w])", text), re.findall(
            r".{40}(?<![\w/.])(?:nan|NaN|inf)(?!\w).{40}", text)
    assert "n/a:" in markdown  # missing values say why


def test_report_contents_match_githubs_anchors(adversarial_report):
    markdown = (adversarial_report / "report.md").read_text()
    links, anchors = check_contents_links(markdown)
    assert len(links) >= 6


def test_markdown_images_are_relative_to_the_report(adversarial_report):
    markdown = (adversarial_report / "report.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert images
    for image in images:
        assert not image.startswith(("/", "http")) and (adversarial_report / image).is_file()


def test_title_and_abstract_name_what_was_run(adversarial_report):
    markdown = (adversarial_report / "report.md").read_text()
    title = markdown.splitlines()[0]
    for word in ("square", "sin", "cube", "forward", "central4", "float16", "float64"):
        assert word in title, title
    metadata = json.loads((adversarial_report / "metadata.json").read_text())
    assert title == f"# {metadata['title']}"
    abstract = markdown[markdown.index("## Abstract"):markdown.index("## Findings")]
    assert "3 functions" in abstract and "error against step and precision" in abstract


def test_statuses_are_words_and_algorithms_have_one_name():
    from analysis.names import display_name, status_name

    assert status_name("step", 0) == "found" and status_name("derivative", 0) == "converged"
    assert status_name("step", 2) == "scale unresolved"
    assert display_name("stepleman_winarsky") in display_name("derivative:stepleman_winarsky")
    assert not math.isnan(np.float64(1.0))
