"""Renderers turn a built ``Report`` into files: HTML (standalone), PDF, XLSX and CSV.

Both the Celery task and the ``status_report`` command write files through ``render_report_files``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation

from reporting.appendix import history_appendix
from reporting.builder import Report
from reporting.definitions import FORMATS
from reporting.renderers.csv import render_csv
from reporting.renderers.html import render_html
from reporting.renderers.pdf import render_pdf
from reporting.renderers.stamp import EditionStamp
from reporting.renderers.xlsx import render_xlsx

RENDERERS: dict[str, Callable[[Report, EditionStamp], bytes]] = {
    "html": lambda report, stamp: render_html(report, stamp=stamp).encode(),
    "pdf": lambda report, stamp: render_pdf(report, stamp=stamp),
    # The XLSX alone carries every figure of the `{period}` series, which the other formats list yearly.
    "xlsx": lambda report, stamp: render_xlsx(report, stamp=stamp, appendix=history_appendix(report.params)),
    "csv": lambda report, stamp: render_csv(report),
}
assert tuple(RENDERERS) == FORMATS


@dataclass(frozen=True)
class RenderedFile:
    format: str
    path: Path
    size: int
    sha256: str


def render_report_files(
    report: Report, formats: Iterable[str], directory: Path, *, stamp: EditionStamp | None = None
) -> list[RenderedFile]:
    """Write ``report`` in each format into ``directory`` under a name the server chooses; ``stamp`` says which
    edition the files are (none: files made outside the archive, stamped as such)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = stamp or EditionStamp.unpublished(report)
    files = []
    with translation.override(report.params.language):
        for fmt in formats:
            content = RENDERERS[fmt](report, stamp)
            path = directory / f"{report.params.file_stem}.{fmt}"
            path.write_bytes(content)
            files.append(RenderedFile(fmt, path, len(content), hashlib.sha256(content).hexdigest()))
    return files


__all__ = [
    "RENDERERS",
    "EditionStamp",
    "RenderedFile",
    "render_csv",
    "render_html",
    "render_pdf",
    "render_report_files",
    "render_xlsx",
]
