"""Report rendering and figures: escaping, self-contained HTML, zeros drawn at a floor."""

import matplotlib
import numpy as np

matplotlib.use("Agg")

from analysis.figures import save_figure, zero_floor  # noqa: E402
from analysis.fit import summarize  # noqa: E402
from analysis.report import (Code, Image, Paragraph, Section, Table,  # noqa: E402
                             render_html, render_markdown)
from analysis.studies.error_vs_step_figures import error_figure  # noqa: E402
from analysis.sweep import sweep  # noqa: E402


def test_html_escapes_every_string_and_embeds_images(tmp_path):
    (tmp_path / "f.png").write_bytes(b"\x89PNG fake")
    evil = "<script>alert('x')</script>"
    section = Section(evil, "a", (Paragraph(evil), Code(evil), Table((evil,), ((evil,),), evil),
                                  Image("f.png", "f.svg", evil, evil)))
    page = render_html(evil, [section], tmp_path)
    assert "<script>" not in page and page.count("&lt;script&gt;") >= 7
    assert 'src="data:image/png;base64,' in page


def test_markdown_escapes_table_pipes_and_angle_brackets():
    text = render_markdown("T", [Section("S", "s", (Table(("a|b",), (("<x>",),)),))])
    assert "a\\|b" in text and "&lt;x&gt;" in text


def test_zero_floor_is_a_decade_below_the_smallest_positive_error():
    assert zero_floor([0.0, 2e-15, 1.0]) == 1e-16
    assert zero_floor([np.nan, 0.0]) == 1e-20


def test_exact_zeros_are_drawn_at_the_floor_and_named_in_the_legend(tmp_path):
    table = sweep(["square"], schemes=["forward", "central"])
    assert (table[table["scheme"] == "central"]["abs_error"] == 0).any()
    figure = error_figure(table, summarize(table), "square", 2.0)
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert any(label.startswith("error exactly 0 (drawn at") for label in labels)
    saved = save_figure(figure, tmp_path, "square", caption="c")
    assert saved.png.stat().st_size > 1000 and saved.svg.read_text().startswith("<?xml")
