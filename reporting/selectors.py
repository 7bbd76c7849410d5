"""Reads of the reporting app: the archive, one edition, and what changed between two editions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from reporting.models import EditionFile, EditionStatus, ReportEdition, ReportFormat


def editions_published(*, framework_slug: str | None = None) -> QuerySet[ReportEdition]:
    """Published editions, newest first, with their files and requester: one query each, whatever the count."""
    editions = (
        ReportEdition.objects.filter(status=EditionStatus.PUBLISHED)
        .select_related("framework", "requested_by")
        .prefetch_related("files")
        .order_by("-published_at", "-pk")
    )
    if framework_slug:
        editions = editions.filter(framework__slug=framework_slug)
    return editions


@dataclass(frozen=True)
class CellDifference:
    item_number: int
    item_title: str
    column: str
    before: str
    after: str


def _cells(snapshot: dict[str, Any]) -> dict[tuple[int, str], tuple[str, str, str]]:
    """(item number, column key) -> (item title, column label, text) for every cell of the table."""
    cells: dict[tuple[int, str], tuple[str, str, str]] = {}
    for row in snapshot.get("rows", []):
        number, title = int(row["number"]), row["title"]
        for cell in row.get("cells", []):
            text = "; ".join(
                figure["text"] + (f" ({figure['via']})" if figure.get("via") else "") for figure in cell["figures"]
            )
            # A body's figure is named as in the report itself (``StatusCell.named``): never read as national.
            body = cell.get("body") or ""
            text = f"{body}: {text}" if body and text else text
            cells[(number, f"indicator:{cell['indicator']}")] = (title, cell["label"], text)
        bodies = "; ".join(row.get("lead_bodies", [])) + " | " + "; ".join(row.get("supporting_bodies", []))
        cells[(number, "bodies")] = (title, _("Responsible bodies"), bodies)
        rating = row.get("rating")
        cells[(number, "rating")] = (title, _("Rating"), f"{rating['label']} ({rating['date']})" if rating else "")
    return cells


def edition_differences(*, older: ReportEdition, newer: ReportEdition) -> list[CellDifference]:
    """Exactly the cells whose text differs between two editions, in table order.

    The change column is left out: it is derived from the figures, which are compared themselves.
    """
    before, after = _cells(older.snapshot), _cells(newer.snapshot)
    differences = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1] != "bodies", k[1] == "rating", k[1])):
        old, new = before.get(key), after.get(key)
        old_text, new_text = (old[2] if old else ""), (new[2] if new else "")
        if old_text != new_text:
            title, label = (new or old)[:2]  # type: ignore[index]
            differences.append(CellDifference(key[0], title, label, old_text, new_text))
    return differences


def edition_file_on_disk(*, edition: ReportEdition, fmt: str) -> tuple[EditionFile, Path] | None:
    """A published edition's file in ``fmt`` and where it lies, or None (unpublished, no such file, or a path
    outside MEDIA_ROOT). The portal's download and the API's serve the same file through this."""
    if edition.status != EditionStatus.PUBLISHED or fmt not in ReportFormat.values:
        return None
    file = EditionFile.objects.filter(edition=edition, format=fmt).first()
    if file is None:
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / file.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return file, path
