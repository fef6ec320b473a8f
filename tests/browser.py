"""Headless Chromium for the report tests: print a page, take a screenshot, measure its layout.

Chromium is driven through its command line only (``--print-to-pdf``, ``--screenshot``,
``--dump-dom``), each call with a fresh profile folder, so the tests need the browser and
nothing else: the PDF's pages and the PNG's size are read here in pure Python.
"""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Executable names tried in turn on ``PATH``; ``NUMDIFF_CHROMIUM`` names one explicitly.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Flags that keep a headless run quiet and self-contained (no network calls of its own,
#: no GPU, no sandbox, which a root user inside a container does not have).
HEADLESS_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")

#: Seconds a single Chromium call may take before the test fails.
TIMEOUT = 120

#: Time in milliseconds Chromium lets the page run (load handlers, image decoding) before
#: ``--dump-dom`` serializes it; virtual time, so it costs nothing when the page is idle.
SETTLE_MS = 5000

#: The width Chromium prints on A4, at 96 px per inch: the paper's 210 mm (793.7 px) less
#: the default margins of 1 cm (37.8 px) each side. Wider content is cut off at the right
#: edge of the page, not shrunk; a window this wide lays the page out as printed.
PRINTED_WIDTH_PX = 718

PRINT_ON_A4 = "<style>@page { size: A4; }</style>"

# Runs after the load event; writes what it measured as JSON into <pre id="layout-probe">.
# An element overflows when its right edge passes the viewport and no ancestor clips or
# scrolls it horizontally; only the outermost such element is named.
PROBE_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var width = window.innerWidth;
  var images = Array.prototype.map.call(document.images, function (img) {
    return {alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
            width: img.getBoundingClientRect().width};
  });
  function scrolls(el) {
    for (var a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      var o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
    }
    return false;
  }
  function section(el) {
    var heads = document.querySelectorAll("h1, h2, h3");
    var name = "";
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)
        name = heads[i].textContent;
    }
    return name;
  }
  var overflowing = [];
  var wide = [];
  document.querySelectorAll("body *").forEach(function (el) {
    if (el.id === "layout-probe") return;
    var right = el.getBoundingClientRect().right;
    if (right <= width + 0.5 || scrolls(el)) return;
    if (wide.some(function (w) { return w.contains(el); })) return;
    wide.push(el);
    overflowing.push({tag: el.tagName.toLowerCase(), section: section(el),
                      right: Math.round(right)});
  });
  var out = document.createElement("pre");
  out.id = "layout-probe";
  out.textContent = JSON.stringify({
    viewport_width: width,
    scroll_width: document.documentElement.scrollWidth,
    images: images, overflowing: overflowing});
  document.body.appendChild(out);
});
</script>
"""


@dataclass(frozen=True)
class Overflow:
    """An element whose right edge lies beyond the viewport, outside any scroll container."""

    tag: str
    section: str
    right: int

    def __str__(self):
        return f"<{self.tag}> in {self.section!r} ends at {self.right} px"


@dataclass(frozen=True)
class Layout:
    """What the page looked like after loading, at one window size."""

    viewport_width: int
    scroll_width: int
    images_loaded: tuple
    overflowing: tuple

    @property
    def fits(self):
        """True when the page has no horizontal scroll and no element beyond the viewport."""
        return self.scroll_width <= self.viewport_width and not self.overflowing


def find_chromium():
    """Return the path of a Chromium executable, or None when there is none."""
    named = os.environ.get("NUMDIFF_CHROMIUM")
    if named:
        return shutil.which(named)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(chromium, page, *args):
    """Run headless Chromium on the file ``page`` with ``args``; return its standard output."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [chromium, *HEADLESS_FLAGS, f"--user-data-dir={profile}", *args,
             Path(page).resolve().as_uri()],
            capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{chromium} exited with {done.returncode}:\n{done.stderr[-2000:]}")
    return done.stdout


def _copy_replacing(page, folder, old, new):
    """Copy the HTML file ``page`` into ``folder`` with the first ``old`` replaced by ``new``."""
    text = Path(page).read_text(encoding="utf-8")
    if old not in text:
        raise ValueError(f"{page} has no {old}")
    copy = Path(folder) / f"probed-{Path(page).name}"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def print_pdf(chromium, page, pdf):
    """Print the HTML file ``page`` to ``pdf`` on A4 without header and footer.

    The A4 rule goes first in the page's <head>, so a page size the report sets itself wins.
    """
    with tempfile.TemporaryDirectory() as folder:
        copy = _copy_replacing(page, folder, "<head>", "<head>\n" + PRINT_ON_A4)
        run_chromium(chromium, copy, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    if not Path(pdf).is_file():
        raise RuntimeError(f"Chromium wrote no PDF to {pdf}")
    return Path(pdf)


def screenshot(chromium, page, png, *, width=1280, height=900):
    """Save the first screen of the HTML file ``page`` at ``width`` x ``height`` to ``png``."""
    run_chromium(chromium, page, f"--screenshot={png}", f"--window-size={width},{height}",
                 "--hide-scrollbars")
    if not Path(png).is_file():
        raise RuntimeError(f"Chromium wrote no screenshot to {png}")
    return Path(png)


def measure_layout(chromium, page, *, width=PRINTED_WIDTH_PX, height=1123):
    """Load the HTML file ``page`` at ``width`` x ``height`` and measure its layout."""
    with tempfile.TemporaryDirectory() as folder:
        copy = _copy_replacing(page, folder, "</body>", PROBE_SCRIPT + "</body>")
        dom = run_chromium(chromium, copy, f"--window-size={width},{height}",
                           f"--virtual-time-budget={SETTLE_MS}", "--dump-dom")
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', dom, re.S)
    if found is None:
        raise RuntimeError("the layout probe did not run: no <pre id=\"layout-probe\"> in the DOM")
    data = json.loads(html.unescape(found.group(1)))
    return Layout(viewport_width=data["viewport_width"], scroll_width=data["scroll_width"],
                  images_loaded=tuple((i["alt"], i["loaded"]) for i in data["images"]),
                  overflowing=tuple(Overflow(**o) for o in data["overflowing"]))


def pdf_page_count(pdf):
    """Count the pages of the PDF file ``pdf``: its ``/Type /Page`` objects.

    Chromium (Skia) writes every page object uncompressed, so the count needs no PDF
    library; the page tree's ``/Count`` must agree, which guards against a writer that
    hides objects in compressed streams.
    """
    data = Path(pdf).read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    if not counts or max(counts) != pages:
        raise ValueError(f"{pdf}: {pages} page objects but page tree counts {counts}")
    return pages


def png_size(png):
    """Return (width, height) of the PNG file ``png`` from its IHDR chunk."""
    head = Path(png).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{png} is not a PNG file")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
