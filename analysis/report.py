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
import re
from dataclasses import dataclass
from pathlib import Path

from .numbers import format_number, format_percent, format_ratio

__all__ = ["Paragraph", "Bullets", "Table", "Image", "Code", "Links", "Details", "Section",
           "render_markdown", "render_html", "write_report", "figure_image", "github_slug",
           "format_number", "format_percent", "format_ratio"]


@dataclass(frozen=True)
class Paragraph:
    """Plain text (no markup); escaped for each output format."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text items (findings, for instance).

    Markdown ``- item`` lines; an HTML ``<ul>``.
    """

    items: tuple


@dataclass(frozen=True)
class Code:
    """A literal block (a command line, a formula)."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells (`analysis.numbers.format_number`)."""

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
class Links:
    """Links to files of the run folder: ``((text, relative path), ...)``.

    The paths stay relative, so that the report moves with its folder.
    """

    items: tuple


@dataclass(frozen=True)
class Details:
    """Blocks shown on request: ``<details>`` in HTML (closed, and not printed)."""

    summary: str
    blocks: tuple


@dataclass(frozen=True)
class Section:
    """A heading, an anchor (the HTML id) and blocks.

    In Markdown the contents link to GitHub's slug of the title instead
    (`github_slug`), which is what GitHub makes of the heading.
    """

    title: str
    anchor: str
    blocks: tuple
    level: int = 2


def figure_image(saved):
    """The `Image` block of a saved figure (`analysis.figures.FigureFile`) in a run folder."""
    return Image(f"figures/{saved.png.name}", f"figures/{saved.svg.name}", saved.caption,
                 saved.alt)


def github_slug(title, seen):
    """The anchor GitHub gives a heading; `seen` counts earlier ones (updated in place).

    Lowercase; everything but letters, digits, spaces, '-' and '_' dropped;
    spaces to '-'; a repeated slug gets '-1', '-2', ...

    Examples
    --------
    >>> seen = {}
    >>> [github_slug(t, seen) for t in ("Set-up", "Peers: scipy, numdifftools", "Set-up")]
    ['set-up', 'peers-scipy-numdifftools', 'set-up-1']
    """
    slug = re.sub(r"[^\w\- ]", "", str(title).strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def render_markdown(title, sections, *, subtitle=""):
    """The report as Markdown for GitHub; figures are linked relative to the run folder.

    The contents link to GitHub's anchors of the headings (`github_slug`);
    ``*`` (and ``_`` outside words) is escaped outside code, so ``h*`` stays ``h*``.

    Examples
    --------
    >>> s = Section("Result: h*", "result", (Paragraph("a | b, h*"), Table(("n",), (("1",),))))
    >>> print(render_markdown("T", [s]))
    # T
    <BLANKLINE>
    - [Result: h\\*](#result-h)
    <BLANKLINE>
    ## Result: h\\*
    <BLANKLINE>
    a | b, h\\*
    <BLANKLINE>
    | n |
    | --- |
    | 1 |
    <BLANKLINE>
    """
    seen = {}
    github_slug(title, seen)
    slugs = [github_slug(section.title, seen) for section in sections]
    lines = [f"# {_md_text(title)}", ""]
    if subtitle:
        lines += [_md_text(subtitle), ""]
    lines += [f"{'  ' * (s.level - 2)}- [{_md_text(s.title)}](#{slug})"
              for s, slug in zip(sections, slugs) if s.level <= 3]
    lines.append("")
    for section in sections:
        lines += [f"{'#' * section.level} {_md_text(section.title)}", ""]
        for block in section.blocks:
            lines += _markdown_block(block)
    return "\n".join(lines)


def _markdown_block(block):
    if isinstance(block, Paragraph):
        return [_md_text(block.text), ""]
    if isinstance(block, Bullets):
        return [f"- {_md_text(item)}" for item in block.items] + [""]
    if isinstance(block, Code):
        fence = _fence(block.text)
        return [fence, block.text, fence, ""]
    if isinstance(block, Table):
        return _markdown_table(block)
    if isinstance(block, Image):
        return [f"![{_md_cell(block.alt)}]({block.png})", "",
                f"*{_md_text(block.caption)}* ([SVG]({block.svg}))", ""]
    if isinstance(block, Links):
        return [f"- [{_md_cell(text)}]({href})" for text, href in block.items] + [""]
    if isinstance(block, Details):
        inner = [line for child in block.blocks for line in _markdown_block(child)]
        return (["<details>", f"<summary>{html.escape(block.summary)}</summary>", ""] + inner
                + ["</details>", ""])
    raise TypeError(f"unknown block {type(block).__name__}")


def _markdown_table(block):
    lines = [f"*{_md_text(block.caption)}*", ""] if block.caption else []
    align = ["---" if i == 0 or not all(_is_number(row[i]) for row in block.rows) else "--:"
             for i in range(len(block.columns))]
    lines.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
    lines.append("| " + " | ".join(align) + " |")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
    return lines + [""]


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
    """Text safe in Markdown: no HTML tags, no emphasis from ``*`` or ``_``.

    Examples
    --------
    >>> print(_md_text("h* <x> a_b _c_"))
    h\\* &lt;x&gt; a_b \\_c\\_
    """
    text = str(text).replace("\\", "\\\\").replace("*", "\\*")
    # Inside a word (exp_square_squared) '_' never starts emphasis on GitHub; elsewhere it may.
    text = re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(text):
    return _md_text(text).replace("|", "\\|").replace("\n", " ")


#: A formatted number, possibly a bound or a percentage: right-aligned, never broken.
_NUMBER = re.compile(r"^[<>]?\s?[-+]?(\d[\d.]*(e[-+]?\d+)?|n/a)( %)?([ ,(].*)?$")


def _is_number(cell):
    """Whether a table cell starts with a number (or "n/a"), so it is aligned and unbroken.

    Examples
    --------
    >>> [_is_number(c) for c in ("2.5e-8", "> 1e6, far off", "n/a (exact)", "exp", "-0.97 (-1)")]
    [True, True, True, False, True]
    """
    return bool(_NUMBER.match(str(cell)))


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
h1, h2, h3 { line-height: 1.2; }
h1 { margin-bottom: 0.3rem; }
.subtitle { color: #555; margin-top: 0; }
.abstract { background: #f7f7f7; padding: 0.6rem 1rem; border-left: 3px solid #0072B2; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 0.5rem 0 1.2rem; }
table { border-collapse: collapse; font-size: 0.86rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: left;
         vertical-align: top; hyphens: none; }
th { background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3rem; }
figure { margin: 1rem 0 1.5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-style: italic; font-size: 0.9rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
nav ul { columns: 2; }
details { margin: 0.4rem 0; }
summary { cursor: pointer; font-weight: 600; }
@page { size: A4; margin: 10mm 11mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 7.8pt; line-height: 1.2; }
  h1 { font-size: 15pt; } h2 { font-size: 12pt; margin: 0.7rem 0 0.3rem; }
  h3 { font-size: 10pt; margin: 0.5rem 0 0.2rem; }
  p, ul { margin: 0.25rem 0; }
  ul { padding-left: 1.2rem; }
  nav { display: none; }
  .table-wrap { overflow: visible; margin: 0.3rem 0 0.5rem; }
  table { font-size: 6.3pt; width: 100%; table-layout: auto; }
  th, td { padding: 0.03rem 0.18rem; }
  tr, figure, .abstract { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3, caption { break-after: avoid; }
  figure { margin: 0.3rem 0; text-align: center; }
  figure img { max-height: 3.9cm; width: auto; max-width: 100%; }
  figcaption { font-size: 6.5pt; line-height: 1.2; text-align: left; }
  .part-method p { font-size: 7pt; }
  pre { padding: 0.2rem; margin: 0.2rem 0; }
  .part-setup p, .part-setup pre, .part-hard_cases p { font-size: 7pt; }
  details, .part-appendix, .part-hard_cases { display: none; }
}
"""


def render_html(title, sections, directory, *, subtitle="", abstract=None):
    """The report as one self-contained HTML page (figures embedded as base64 PNG).

    Parameters
    ----------
    title : str
    sections : sequence of Section
    directory : path
        The run folder, where the images' relative paths point.
    subtitle : str, optional
        A line under the title.
    abstract : str, optional
        The anchor of a section drawn as the abstract (highlighted).

    Examples
    --------
    >>> page = render_html("<T>", [Section("S", "s", (Paragraph("1 < 2"),))], ".")
    >>> "&lt;T&gt;" in page and "1 &lt; 2" in page and "<T>" not in page
    True
    """
    directory = Path(directory)
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
             f"<h1>{esc(title)}</h1>"]
    if subtitle:
        parts.append(f'<p class="subtitle">{esc(subtitle)}</p>')
    parts.append("<nav><ul>")
    parts += [f'<li><a href="#{esc(s.anchor)}">{esc(s.title)}</a></li>'
              for s in sections if s.level == 2]
    parts.append("</ul></nav>")
    open_part = False
    for section in sections:
        level = section.level
        if level == 2:  # a top-level section and its subsections are one <section>
            parts.append("</section>" if open_part else "")
            kind = "abstract" if section.anchor == abstract else f"part-{esc(section.anchor)}"
            parts.append(f'<section class="{kind}">')
            open_part = True
        parts.append(f'<h{level} id="{esc(section.anchor)}">{esc(section.title)}</h{level}>')
        for block in section.blocks:
            parts.append(_html_block(block, directory))
    parts += ["</section>" if open_part else "", "</body>", "</html>", ""]
    return "\n".join(parts)


def _html_table(block):
    esc = html.escape
    caption = f"<caption>{esc(block.caption)}</caption>" if block.caption else ""
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in block.columns)
    body = "".join(
        "<tr>" + "".join((f'<td class="num">{esc(str(c))}</td>' if i and _is_number(c)
                          else f"<td>{esc(str(c))}</td>") for i, c in enumerate(row)) + "</tr>"
        for row in block.rows)
    return (f'<div class="table-wrap"><table>{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _html_block(block, directory):
    esc = html.escape
    if isinstance(block, Paragraph):
        return f"<p>{esc(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Code):
        return f"<pre><code>{esc(block.text)}</code></pre>"
    if isinstance(block, Table):
        return _html_table(block)
    if isinstance(block, Image):
        data = base64.b64encode((directory / block.png).read_bytes()).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{esc(block.alt)}">'
                f"<figcaption>{esc(block.caption)}</figcaption></figure>")
    if isinstance(block, Links):
        return "<ul>" + "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>'
                                for text, href in block.items) + "</ul>"
    if isinstance(block, Details):
        inner = "\n".join(_html_block(child, directory) for child in block.blocks)
        return f"<details><summary>{esc(block.summary)}</summary>\n{inner}\n</details>"
    raise TypeError(f"unknown block {type(block).__name__}")


def write_report(directory, title, sections, *, subtitle="", abstract=None):
    """Write ``report.md`` and ``report.html`` into `directory`; return their paths."""
    directory = Path(directory)
    markdown = directory / "report.md"
    page = directory / "report.html"
    markdown.write_text(render_markdown(title, sections, subtitle=subtitle), encoding="utf-8")
    page.write_text(render_html(title, sections, directory, subtitle=subtitle,
                                abstract=abstract), encoding="utf-8")
    return markdown, page
