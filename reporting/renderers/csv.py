"""CSV: UTF-8 (with a byte-order mark so spreadsheets read "↓91%" right), one row per item × indicator.
Column names are stable machine keys (not translated) so scripts can rely on them.

Every text cell passes through ``spreadsheet_safe`` so a figure or title can never run as a formula.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from reporting.builder import Footnote, Report, ReportRow, StatusCell
from tracker.formatting import spreadsheet_safe

COLUMNS = (
    "framework",
    "as_of",
    "known_on",
    "scope",
    "item_number",
    "agenda_item",
    "indicator_code",
    "indicator",
    "status",
    "body",
    "figure",
    "source_wording",
    "value",
    "unit",
    "qualifier",
    "period",
    "period_start",
    "period_end",
    "date_precision",
    "via_crosswalk",
    "source_number",
    "source",
    "source_url",
    "source_reference",
    "responsible_bodies",
    "rating",
    "rating_date",
    "change",
    "change_percent",
    "trend",
    "change_qualifier",  # at_least / at_most / about for change_percent, as "qualifier" is for "value"
)


def plain_decimal(value: Decimal | None) -> str:
    """A stored value without exponent or trailing zeros: Decimal("98300000.0000") -> "98300000"."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def csv_rows(report: Report) -> list[dict[str, str]]:
    notes = {note.number: note for note in report.footnotes}
    rows = []
    for row in report.rows:
        cells: list[StatusCell | None] = [*row.cells] or [None]  # an item without figures still has its row
        for cell in cells:
            rows.append(_row(report, row, cell, notes))
    return rows


def _row(report: Report, row: ReportRow, cell: StatusCell | None, notes: dict[int, Footnote]) -> dict[str, str]:
    params = report.params
    data = {
        "framework": params.framework,
        "as_of": params.as_of.isoformat(),
        # Empty: with hindsight, every figure known when the file was generated.
        "known_on": params.knowledge_date.isoformat() if params.knowledge_date else "",
        "scope": params.scope,
        "item_number": str(row.number),
        "agenda_item": row.title,
        "responsible_bodies": row.bodies_text,
        "rating": row.rating.label if row.rating else "",
        "rating_date": row.rating.date if row.rating else "",
    }
    if cell is not None:
        latest = cell.latest
        note = notes.get(latest.footnote)
        data |= {
            "indicator_code": cell.indicator,
            "indicator": cell.label,
            "status": cell.text + (f" ({cell.listing_note})" if cell.listing_note else ""),
            "body": cell.body,
            "figure": latest.figure,
            "source_wording": latest.quote,
            "value": plain_decimal(latest.value),
            "unit": latest.unit,
            "qualifier": latest.qualifier,
            "period": latest.period,
            "period_start": latest.period_start.isoformat() if latest.period_start else "",
            "period_end": latest.period_end.isoformat(),
            "date_precision": latest.date_precision,
            "via_crosswalk": latest.via,
            "source_number": str(latest.footnote),
            "source": note.text if note else "",
            "source_url": note.url if note else "",
            "source_reference": note.reference if note else "",
            "change": cell.change_text,
            "change_percent": plain_decimal(cell.change.percent) if cell.change else "",
            "trend": cell.change.trend if cell.change else "",
            "change_qualifier": (
                (cell.change.qualifier or "exact") if cell.change and cell.change.percent is not None else ""
            ),
        }
    # Numbers the portal formats itself stay numbers; only text could carry a formula.
    numeric = {"value", "change_percent", "item_number", "source_number"}
    return {k: (v if k in numeric else spreadsheet_safe(v)) for k, v in data.items()}


def render_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return buffer.getvalue().encode("utf-8-sig")


__all__ = ["COLUMNS", "csv_rows", "plain_decimal", "render_csv"]
