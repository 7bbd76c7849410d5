"""CSV and XLSX exports of an observation selection: exactly the rows asked for, safe to open in a spreadsheet.

Text that a spreadsheet would run as a formula ("=HYPERLINK(…)", "+1-2", "@SUM(…)") is defused with a leading
apostrophe; numbers the portal writes itself stay numbers. The reporting renderers apply the same rule.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypeVar

import xlsxwriter
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tracker.choices import DatePrecision, ItemCategory, ObservationState, Unit, ValueQualifier
from tracker.formatting import (
    FORMULA_TRIGGERS,
    default_number_style,
    figure_formatter,
    format_period,
    spreadsheet_safe,
)
from tracker.models import Body, Indicator, Observation, Source

# Rows fetched per round trip while streaming an export (the queryset is read once, with a server-side cursor).
EXPORT_CHUNK = 5000
# Above this many rows an XLSX export is built by a Celery job (a workbook is written whole before its first
# byte can go out); CSV streams whatever the size, its first line leaves at once.
EXPORT_JOB_THRESHOLD = 50_000


Cell = str | Decimal | date | datetime | int | None

XLSX_OPTIONS = {
    "constant_memory": True,
    # Text is written as text: never turned into formulas, links or numbers (it is defused already).
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
}

# The observation's own columns, read in one streamed ``values_list``: no model instance per row, and no
# joins. What belongs to an indicator, a body or a source is read once per export (``_Lookups``) instead of
# coming back on every row: at a million rows those repeated names and titles doubled the database's time
# and the rows' decoding (benchmarks/RESULTS.md).
FIELDS = (
    "pk",
    "indicator_id",
    "body_id",
    "source_id",
    "period_start",
    "period_end",
    "date_precision",
    "value",
    "value_qualifier",
    "text_value",
    "state",
    "quote",
    "note",
    "editorial_note",
    "supersedes_id",
    "approved_at",
)
HEADERS = (
    _("Observation id"),
    _("Framework"),
    _("Item number"),
    _("Agenda item"),
    _("Category"),
    _("Indicator code"),
    _("Indicator"),
    _("Reported for"),
    _("Period start"),
    _("Period end"),
    _("Date precision"),
    _("Period"),
    _("Value"),
    _("Qualifier"),
    _("Unit"),
    _("Figure as published"),
    _("Status"),
    _("Source publisher"),
    _("Source"),
    _("Source date"),
    _("Source URL"),
    _("Source wording"),
    _("Note"),
    _("Editorial note"),
    _("Corrects observation"),
    _("Approved at"),
)


@functools.cache
def _labels(choices: type[models.TextChoices], language: str) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _row_builder(*, for_csv: bool = False) -> Callable[[tuple[Any, ...]], list[Cell]]:
    """A function from one ``FIELDS`` tuple to the export's cells.

    The cells of every indicator, body and source are built once, from three small queries made here (call it
    after the rows' query has started, so that every one its rows name is there: they are protected from
    deletion); labels are looked up once per export and periods formatted once per distinct period
    (``get_FOO_display``, ``gettext`` and ``format_period`` per cell were most of the old export's time).
    ``for_csv`` writes the approval time as ISO text (the CSV writer prints ``None`` as empty and dates as ISO
    by itself).
    """
    language = translation.get_language() or ""
    category, precision = _labels(ItemCategory, language), _labels(DatePrecision, language)
    qualifier, unit_label = _labels(ValueQualifier, language), _labels(Unit, language)
    state_label = _labels(ObservationState, language)
    period = functools.lru_cache(maxsize=65536)(format_period)
    figure = figure_formatter(style=default_number_style())
    zone = timezone.get_current_timezone()

    def safe(value: str | None) -> str:
        return ("'" + value if value.startswith(FORMULA_TRIGGERS) else value) if value else ""

    indicators: dict[int, tuple[list[Cell], str, int, str]] = {}
    for pk, framework, number, title, cat, code, name, unit, scale in Indicator.objects.values_list(
        "pk", "item__framework__short_title", "item__number", "item__title", "item__category", "code", "name",
        "unit", "scale",
    ):  # fmt: skip
        cells: list[Cell] = [safe(framework), number, safe(title), category[cat], safe(code), safe(name)]
        indicators[pk] = (cells, unit, scale, unit_label[unit])
    bodies: dict[int | None, str] = {pk: safe(name) for pk, name in Body.objects.values_list("pk", "name")}
    bodies[None] = str(_("National"))
    # Every source, not only the selection's: a few per month of returns, fewer rows than a semi-join would read.
    sources: dict[int, list[Cell]] = {
        pk: [safe(publisher), safe(title), published_on, safe(url)]
        for pk, publisher, title, published_on, url in Source.objects.values_list(
            "pk", "publisher__short_name", "title", "published_on", "url"
        )
    }

    def build(r: tuple[Any, ...]) -> list[Cell]:
        (pk, indicator_id, body_id, source_id, start, end, prec, value, qual, text_value, state, quote, note,
         editorial, supersedes, approved) = r  # fmt: skip
        indicator, unit, scale, unit_cell = indicators[indicator_id]
        if approved is not None:
            # Spreadsheets have no time zones: the portal's local time, as every page shows it.
            approved = approved.astimezone(zone).replace(tzinfo=None)
            if for_csv:
                approved = approved.isoformat()
        return [
            pk,
            *indicator,
            bodies[body_id],
            start,
            end,
            precision[prec],
            period(start, end, prec),
            value,
            qualifier[qual],
            unit_cell,
            safe(figure(value, unit, scale, qual, text_value)),
            state_label[state],
            *sources[source_id],
            safe(quote),
            safe(note),
            safe(editorial),
            supersedes,
            approved,
        ]

    return build


def export_rows(observations: QuerySet[Observation], *, for_csv: bool = False) -> Iterator[list[Cell]]:
    """The header, then one row per observation of the queryset (in its order), text defused."""
    yield [str(header) for header in HEADERS]
    rows = observations.values_list(*FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    first = next(rows, None)
    if first is None:
        return
    build = _row_builder(for_csv=for_csv)  # now that the rows' query runs: see its docstring
    yield build(first)
    for values in rows:
        yield build(values)


class _Echo:
    """A file-like object whose ``write`` hands back the line, for streaming ``csv.writer`` output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(observations: QuerySet[Observation], *, batch: int = 2000) -> Iterator[str]:
    """CSV text in batches of ``batch`` lines (UTF-8 with a BOM first, so spreadsheets read Urdu names
    correctly); a yield per line cost more than writing it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    lines = 0
    for row in export_rows(observations, for_csv=True):
        writer.writerow(row)
        lines += 1
        if lines == batch:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            lines = 0
    if lines:
        yield buffer.getvalue()


def xlsx_bytes(observations: QuerySet[Observation], *, filters: list[tuple[str, str]], title: str) -> bytes:
    """A workbook with the rows on "Observations" and, on "Selection", the filters that chose them."""
    buffer = io.BytesIO()
    xlsx_write(observations, buffer, filters=filters, title=title)
    return buffer.getvalue()


# Rows a worksheet holds, its header included (Excel's limit, and XlsxWriter's: beyond it a write is silently
# dropped). A selection longer than a sheet goes on over "Observations (2)", "(3)"… each with its header.
SHEET_ROWS = 1_048_576

Row = TypeVar("Row")


def sheet_parts(rows: Iterable[Row]) -> Iterator[tuple[int, int, Row]]:
    """Each row with the sheet it goes on (1, 2, … as ``sheet_name`` numbers them) and its line there (1 onward:
    line 0 holds the sheet's header), so that no sheet exceeds ``SHEET_ROWS``. Every workbook of many rows the
    portal writes lays them out by this."""
    for index, row in enumerate(rows):
        part, line = divmod(index, SHEET_ROWS - 1)
        yield part + 1, line + 1, row


def sheet_name(name: str, part: int) -> str:
    """The name of a workbook's ``part``-th sheet of ``name`` rows: "Observations", "Observations (2)"…"""
    named = name if part == 1 else _("%(name)s (%(part)d)") % {"name": name, "part": part}
    return str(named)[:31]  # Excel's limit for a sheet's name


def xlsx_write(
    observations: QuerySet[Observation],
    target: str | Path | IO[bytes],
    *,
    filters: list[tuple[str, str]],
    title: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the workbook to ``target`` with XlsxWriter in constant-memory mode: each row goes to a temporary
    file as it comes, its text inline, so memory stays flat whatever the size. It writes twice as many rows per
    CPU second as openpyxl's write-only mode (2,976 against 1,378 for the same 50,000 rows at 1M, lxml absent).
    Cells are plain values: numbers stay numbers, dates carry a date format. Rows beyond a sheet's
    ``SHEET_ROWS`` go on in the next sheet; "Selection" says how many were written. ``progress`` hears the
    rows written every ``EXPORT_CHUNK`` rows. Returns the number of observation rows."""
    workbook = xlsxwriter.Workbook(target, XLSX_OPTIONS)
    bold = workbook.add_format({"bold": True})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    name = str(_("Observations"))
    rows = export_rows(observations)
    header = next(rows)
    approved_column = len(HEADERS) - 1
    sheet, written = None, 0
    for written, (part, line, row) in enumerate(sheet_parts(rows), 1):
        if line == 1 or sheet is None:
            sheet = workbook.add_worksheet(sheet_name(name, part))
            sheet.write_row(0, 0, header, bold)
        approved = row.pop()
        sheet.write_row(line, 0, row)
        if approved is not None:
            sheet.write_datetime(line, approved_column, approved, moment)
        if progress is not None and written % EXPORT_CHUNK == 0:
            progress(written)
    if sheet is None:  # nothing selected: the header alone
        workbook.add_worksheet(sheet_name(name, 1)).write_row(0, 0, header, bold)
    selection = workbook.add_worksheet(str(_("Selection")))
    selection.write_row(0, 0, [spreadsheet_safe(title)])
    selection.write_row(1, 0, [str(_("Exported at"))])
    selection.write_datetime(1, 1, timezone.localtime().replace(tzinfo=None), moment)
    selection.write_row(2, 0, [str(_("Observations exported")), written])
    for line, (label, value) in enumerate(
        filters or [(str(_("Filters")), str(_("none: every observation you may see")))], 3
    ):
        selection.write_row(line, 0, [spreadsheet_safe(label), spreadsheet_safe(value)])
    workbook.close()
    return written
