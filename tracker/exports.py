"""CSV and XLSX exports of an observation selection: exactly the rows asked for, safe to open in a spreadsheet.

Text that a spreadsheet would run as a formula ("=HYPERLINK(…)", "+1-2", "@SUM(…)") is defused with a leading
apostrophe; numbers the portal writes itself stay numbers. The reporting renderers apply the same rule.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tracker.choices import DatePrecision, ItemCategory, ObservationState, Unit, ValueQualifier
from tracker.formatting import format_figure, format_period, observation_figure, spreadsheet_safe
from tracker.models import Observation

# Rows fetched per round trip while streaming an export (the queryset is read once, in chunks).
EXPORT_CHUNK = 2000


Cell = str | Decimal | date | datetime | int | None


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Callable[[Observation], Cell]


@functools.cache
def _labels(choices: type[models.TextChoices], language: str) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _label(choices: type[models.TextChoices], value: str) -> str:
    """A choice's label, looked up once per language: ``get_FOO_display`` rebuilds the choices on every call,
    which was most of an export's time (benchmarks/README.md)."""
    return _labels(choices, translation.get_language() or "")[value]


def _body(obs: Observation) -> str:
    return obs.body.name if obs.body else str(_("National"))


def _local(moment: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones: write the portal's local time, as every page shows it.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _source_date(obs: Observation) -> date | None:
    return obs.source.published_on


COLUMNS: tuple[Column, ...] = (
    Column(_("Observation id"), lambda o: o.pk),
    Column(_("Framework"), lambda o: o.indicator.item.framework.short_title),
    Column(_("Item number"), lambda o: o.indicator.item.number),
    Column(_("Agenda item"), lambda o: o.indicator.item.title),
    Column(_("Category"), lambda o: _label(ItemCategory, o.indicator.item.category)),
    Column(_("Indicator code"), lambda o: o.indicator.code),
    Column(_("Indicator"), lambda o: o.indicator.name),
    Column(_("Reported for"), _body),
    Column(_("Period start"), lambda o: o.period_start),
    Column(_("Period end"), lambda o: o.period_end),
    Column(_("Date precision"), lambda o: _label(DatePrecision, o.date_precision)),
    Column(_("Period"), lambda o: format_period(o.period_start, o.period_end, o.date_precision)),
    Column(_("Value"), lambda o: o.value),
    Column(_("Qualifier"), lambda o: _label(ValueQualifier, o.value_qualifier)),
    Column(_("Unit"), lambda o: _label(Unit, o.indicator.unit)),
    Column(_("Figure as published"), lambda o: format_figure(observation_figure(o))),
    Column(_("Status"), lambda o: _label(ObservationState, o.state)),
    Column(_("Source publisher"), lambda o: o.source.publisher.short_name),
    Column(_("Source"), lambda o: o.source.title),
    Column(_("Source date"), _source_date),
    Column(_("Source URL"), lambda o: o.source.url),
    Column(_("Source wording"), lambda o: o.quote),
    Column(_("Note"), lambda o: o.note),
    Column(_("Editorial note"), lambda o: o.editorial_note),
    Column(_("Corrects observation"), lambda o: o.supersedes_id),
    Column(_("Approved at"), lambda o: _local(o.approved_at)),
)


def export_rows(observations: Iterable[Observation]) -> Iterator[list[Cell]]:
    """The header, then one row per observation, text defused."""
    yield [str(c.header) for c in COLUMNS]
    for obs in observations:
        row: list[Cell] = []
        for column in COLUMNS:
            value = column.value(obs)
            row.append(spreadsheet_safe(value) if isinstance(value, str) else value)
        yield row


class _Echo:
    """A file-like object whose ``write`` hands back the line, for streaming ``csv.writer`` output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(observations: Iterable[Observation]) -> Iterator[str]:
    """CSV text line by line (UTF-8 with a BOM first, so spreadsheets read Urdu names correctly)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in export_rows(observations):
        yield writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row])


def xlsx_bytes(observations: Iterable[Observation], *, filters: list[tuple[str, str]], title: str) -> bytes:
    """A workbook with the rows on "Observations" and, on "Selection", the filters that chose them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Observations")))
    bold = Font(bold=True)
    for index, row in enumerate(export_rows(observations)):
        cells: list[Any] = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if index == 0:
                cell.font = bold
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    selection = workbook.create_sheet(str(_("Selection")))
    selection.append([spreadsheet_safe(title)])
    selection.append([str(_("Exported at")), timezone.localtime().replace(tzinfo=None)])
    for label, value in filters or [(str(_("Filters")), str(_("none: every observation you may see")))]:
        selection.append([spreadsheet_safe(label), spreadsheet_safe(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
