"""The research report: a list of sections, rendered to Markdown and to HTML.

A report is a title and a sequence of `Section` objects, each a heading and
blocks (`Paragraph`, `Table`, `Image`, `Code`). The sections are built by
small functions from the saved data tables of a run folder, never from
numbers typed by hand; `render_markdown` and `render_html` only lay them
out.

The sections come from the studies of `analysis.studies.STUDIES`: each
study's method is a subsection of the Method section, and its results are
sections of their own, built from its tables; see `analysis.studies` for
how to add a study.

``report.html`` is self-contained: figures are embedded as base64 PNG, the
style sheet is inline, and nothing refers to the network. Every string that
may come from a user (function names, formulas, the command line, messages
of exceptions) is escaped with `html.escape`.
"""

import base64
import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Paragraph", "Table", "Image", "Code", "Section", "render_markdown", "render_html",
           "write_report", "figure_image", "format_number", "format_percent"]


@dataclass(frozen=True)
class Paragraph:
    """Plain text (no markup); escaped for each output format."""

    text: str


@dataclass(frozen=True)
class Code:
    """A literal block (a command line, a formula)."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells."""

    columns: tuple
    rows: tuple
    caption: str = ""


@dataclass(frozen=True)
class Image:
    """A figure saved in the run folder (paths relative to it)."""

    png: str
    svg: str
    caption: str
    alt: str


@dataclass(frozen=True)
class Section:
    """A heading, an anchor and blocks."""

    title: str
    anchor: str
    blocks: tuple
    level: int = 2


def figure_image(saved):
    """The `Image` block of a saved figure (`analysis.figures.FigureFile`) in a run folder."""
    return Image(f"figures/{saved.png.name}", f"figures/{saved.svg.name}", saved.caption,
                 saved.alt)


def format_number(value, digits=2):
    """A table cell for a float: ``digits`` significant digits, "n/a" for NaN or None.

    Examples
    --------
    >>> format_number(3.14159e-14), format_number(0.5), format_number(float("nan"))
    ('3.1e-14', '0.5', 'n/a')
    >>> format_number(12345.0), format_number(float("inf"))
    ('1.2e+04', 'inf')
    """
    if value is None:
        return "n/a"
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4):
        return f"{value:.{digits}g}"
    return f"{value:.{digits + 1}g}"


def format_percent(fraction):
    """A table cell for a fraction as a percentage with one decimal, "n/a" for NaN.

    Examples
    --------
    >>> format_percent(0.99539), format_percent(1.0), format_percent(float("nan"))
    ('99.5 %', '100.0 %', 'n/a')
    """
    return "n/a" if not math.isfinite(fraction) else f"{100 * fraction:.1f} %"


def render_markdown(title, sections):
    """The report as Markdown; figures are linked relative to the run folder.

    Examples
    --------
    >>> s = Section("Result", "result", (Paragraph("a | b"), Table(("n",), (("1",),))))
    >>> print(render_markdown("T", [s]))
    # T
    <BLANKLINE>
    - [Result](#result)
    <BLANKLINE>
    ## Result
    <BLANKLINE>
    a | b
    <BLANKLINE>
    | n |
    | --- |
    | 1 |
    <BLANKLINE>
    """
    lines = [f"# {title}", ""]
    lines += [f"- [{_md_text(s.title)}](#{s.anchor})" for s in sections if s.level == 2]
    lines.append("")
    for section in sections:
        lines += [f"{'#' * section.level} {_md_text(section.title)}", ""]
        for block in section.blocks:
            lines += _markdown_block(block)
    return "\n".join(lines)


def _markdown_block(block):
    if isinstance(block, Paragraph):
        return [_md_text(block.text), ""]
    if isinstance(block, Code):
        fence = _fence(block.text)
        return [fence, block.text, fence, ""]
    if isinstance(block, Table):
        lines = []
        if block.caption:
            lines += [f"*{_md_text(block.caption)}*", ""]
        lines.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
        lines.append("|" + " --- |" * len(block.columns))
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
        return lines + [""]
    if isinstance(block, Image):
        return [f"![{_md_cell(block.alt)}]({block.png})", "",
                f"*{_md_text(block.caption)}* ([SVG]({block.svg}))", ""]
    raise TypeError(f"unknown block {type(block).__name__}")


def _fence(text):
    """A code fence longer than any run of backticks in `text`, which cannot close it.

    Examples
    --------
    >>> _fence("python -m analysis"), _fence("--out 'a```b'")
    ('```', '````')
    """
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _md_text(text):
    # Angle brackets would be read as HTML by Markdown renderers.
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(text):
    return _md_text(text).replace("|", "\\|").replace("\n", " ")


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 72rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: 0.5rem 0 1.2rem; font-size: 0.86rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: right; }
th { background: #f2f2f2; }
td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3rem; }
figure { margin: 1rem 0 1.5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-style: italic; font-size: 0.9rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; }
nav ul { columns: 2; }
"""


def render_html(title, sections, directory):
    """The report as one self-contained HTML page (figures embedded as base64 PNG).

    Parameters
    ----------
    title : str
    sections : sequence of Section
    directory : path
        The run folder, where the images' relative paths point.

    Examples
    --------
    >>> page = render_html("<T>", [Section("S", "s", (Paragraph("1 < 2"),))], ".")
    >>> "&lt;T&gt;" in page and "1 &lt; 2" in page and "<T>" not in page
    True
    """
    directory = Path(directory)
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{esc(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
             f"<h1>{esc(title)}</h1>", "<nav><ul>"]
    parts += [f'<li><a href="#{esc(s.anchor)}">{esc(s.title)}</a></li>'
              for s in sections if s.level == 2]
    parts.append("</ul></nav>")
    for section in sections:
        level = section.level
        parts.append(f'<h{level} id="{esc(section.anchor)}">{esc(section.title)}</h{level}>')
        for block in section.blocks:
            parts.append(_html_block(block, directory))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html_block(block, directory):
    esc = html.escape
    if isinstance(block, Paragraph):
        return f"<p>{esc(block.text)}</p>"
    if isinstance(block, Code):
        return f"<pre><code>{esc(block.text)}</code></pre>"
    if isinstance(block, Table):
        caption = f"<caption>{esc(block.caption)}</caption>" if block.caption else ""
        head = "".join(f"<th>{esc(str(c))}</th>" for c in block.columns)
        body = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>"
                       for row in block.rows)
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Image):
        data = base64.b64encode((directory / block.png).read_bytes()).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{esc(block.alt)}">'
                f"<figcaption>{esc(block.caption)}</figcaption></figure>")
    raise TypeError(f"unknown block {type(block).__name__}")


def write_report(directory, title, sections):
    """Write ``report.md`` and ``report.html`` into `directory`; return their paths."""
    directory = Path(directory)
    markdown = directory / "report.md"
    page = directory / "report.html"
    markdown.write_text(render_markdown(title, sections), encoding="utf-8")
    page.write_text(render_html(title, sections, directory), encoding="utf-8")
    return markdown, page
