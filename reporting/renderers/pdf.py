"""PDF through WeasyPrint: A4, a table header repeated on every page, page numbers, DejaVu fonts embedded.

WeasyPrint may fetch only the font files: any other URL in the document is refused, so report content can
never make the server read a file or call a host.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from reporting.builder import Report
from reporting.renderers.stamp import EditionStamp

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FILES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
}


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
