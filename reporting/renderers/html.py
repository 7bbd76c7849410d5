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
    """A complete HTML document; ``for_print`` adds the A4 page rules and embedded fonts WeasyPrint uses, and
    lists bodies' figures in an annex capped per indicator (``pdf.bodies_annex``) instead of in the table.
    Its footer (on every PDF page) says which edition it is (``stamp``)."""
    from reporting.renderers.pdf import bodies_annex, bodies_per_indicator, font_faces  # the PDF's own parts

    stamp = stamp or EditionStamp.unpublished(report)
    return render_to_string(
        "reporting/report_document.html",
        {
            "report": report,
            "for_print": for_print,
            "font_faces": font_faces() if for_print else [],
            # On paper the table is national; bodies' figures go to the annex, a few per indicator.
            "national_only": for_print,
            "annex": bodies_annex(report) if for_print else [],
            "annex_cap": bodies_per_indicator(),
            "stamp_text": stamp.text(report),
            "styles": report_styles(),
        },
    )
