"""HTML: the report table as a page fragment in the portal, or as a standalone file with its own styles."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from reporting.builder import Report
from reporting.renderers.stamp import EditionStamp


@cache
def report_styles() -> str:
    """The report's stylesheet, the one the portal page links, embedded so that a file stands on its own."""
    found = finders.find("css/reports.css")
    assert isinstance(found, str), "static/css/reports.css is missing"
    return Path(found).read_text(encoding="utf-8")


def render_html(report: Report, *, for_print: bool = False, stamp: EditionStamp | None = None) -> str:
    """A complete HTML document; ``for_print`` adds the A4 page rules and embedded fonts WeasyPrint uses.
    Its footer (on every PDF page) says which edition it is (``stamp``)."""
    from reporting.renderers.pdf import font_faces  # the PDF renderer owns the font files

    stamp = stamp or EditionStamp.unpublished(report)
    return render_to_string(
        "reporting/report_document.html",
        {
            "report": report,
            "for_print": for_print,
            "font_faces": font_faces() if for_print else [],
            "stamp_text": stamp.text(report),
            "styles": report_styles(),
        },
    )
