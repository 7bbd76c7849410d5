"""PDF through WeasyPrint: A4, a table header repeated on every page, page numbers, DejaVu fonts embedded.

WeasyPrint may fetch only the font files: any other URL in the document is refused, so report content can
never make the server read a file or call a host.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import ngettext

from reporting.builder import Report, StatusCell
from reporting.renderers.stamp import EditionStamp
from tracker.formatting import INTERNATIONAL, format_number

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FILES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
}


# The PDF's table shows national figures; each indicator's bodies' figures go to an annex, the first of them
# (by short name) only: laying out every body's figure of a 1,092-cell national report took WeasyPrint 22 s for
# pages nobody reads on paper. The HTML, XLSX and CSV editions keep every body's figure.
DEFAULT_BODIES_PER_INDICATOR = 6


def bodies_per_indicator() -> int:
    return int(getattr(settings, "NAP_REPORT_PDF_BODIES_PER_INDICATOR", DEFAULT_BODIES_PER_INDICATOR))


@dataclass(frozen=True)
class AnnexEntry:
    """The bodies' figures of one indicator of one item, as the PDF's annex lists them."""

    item_number: int
    item_title: str
    label: str
    cells: list[StatusCell]  # the first bodies', each cell naming its body
    more: int  # bodies left out

    @property
    def more_text(self) -> str:
        return ngettext(
            "and %(count)s more body: see the XLSX or HTML edition",
            "and %(count)s more bodies: see the XLSX or HTML edition",
            self.more,
        ) % {"count": format_number(self.more, style=INTERNATIONAL)}


def bodies_annex(report: Report, *, cap: int | None = None) -> list[AnnexEntry]:
    """Per item and indicator, in table order, the cells of up to ``cap`` bodies (``bodies_per_indicator``)
    and how many more there are."""
    cap = bodies_per_indicator() if cap is None else cap
    entries = []
    for row in report.rows:
        by_indicator: dict[str, list[StatusCell]] = {}
        for cell in row.cells:
            if cell.body:
                by_indicator.setdefault(cell.indicator.partition("@")[0], []).append(cell)
        for cells in by_indicator.values():
            entries.append(AnnexEntry(row.number, row.title, cells[0].label, cells[:cap], max(len(cells) - cap, 0)))
    return entries


@dataclass(frozen=True)
class FontFace:
    weight: str
    style: str
    url: str


def font_dir() -> Path:
    return Path(getattr(settings, "NAP_REPORT_FONT_DIR", DEFAULT_FONT_DIR))


def font_faces() -> list[FontFace]:
    faces = []
    for (weight, style), name in FONT_FILES.items():
        path = font_dir() / name
        if path.exists():
            faces.append(FontFace(weight, style, path.as_uri()))
    return faces


def render_pdf(report: Report, *, stamp: EditionStamp | None = None) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    from reporting.renderers.html import render_html

    allowed = {face.url for face in font_faces()}

    class FontsOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in allowed:
                raise ValueError(f"Refused to fetch {url!r} while rendering a report")
            return super().fetch(url, headers)

    font_config = FontConfiguration()
    document = HTML(
        string=render_html(report, for_print=True, stamp=stamp), url_fetcher=FontsOnly(allowed_protocols=["file"])
    )
    return document.write_pdf(font_config=font_config)
