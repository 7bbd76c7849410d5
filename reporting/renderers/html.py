"""HTML: the report table as a page fragment in the portal, or as a standalone file with its own styles."""

from __future__ import annotations

from django.template.loader import render_to_string

from reporting.builder import Report


def render_html(report: Report, *, for_print: bool = False) -> str:
    """A complete HTML document; ``for_print`` adds the A4 page rules and embedded fonts WeasyPrint uses."""
    from reporting.renderers.pdf import font_faces  # the PDF renderer owns the font files

    return render_to_string(
        "reporting/report_document.html",
        {"report": report, "for_print": for_print, "font_faces": font_faces() if for_print else []},
    )
