"""XLSX through openpyxl: one sheet per report with numbers stored as numbers (with number formats),
a frozen header, set column widths, and a Sources sheet.

openpyxl writes any string starting with "=" as a formula, so text cells are forced to the string type.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reporting.builder import FigureEntry, Report, StatusCell
from reporting.renderers.stamp import EditionStamp
from tracker.choices import Unit, ValueQualifier
from tracker.formatting import SOUTH_ASIAN

# Excel has no lakh/crore grouping; conditional sections give 5,06,072 and 1,23,45,678 for whole numbers.
SOUTH_ASIAN_FORMAT = r"[>=10000000]##\,##\,##\,##0;[>=100000]##\,##\,##0;##,##0"
INTERNATIONAL_FORMAT = "#,##0"
PERCENT_FORMAT = "+0%;-0%;0%"
HEADER_ROW = 4


def _text(ws: Worksheet, row: int, column: int, value: str) -> Cell:
    cell = ws.cell(row=row, column=column, value=value)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _number(ws: Worksheet, row: int, column: int, value: Decimal, number_format: str) -> Cell:
    cell = ws.cell(row=row, column=column, value=value)
    cell.number_format = number_format
    return cell


def number_format(figure: FigureEntry, style: str) -> str:
    """The Excel format of a figure's stored value (percentages are stored as fractions)."""
    if figure.unit in (Unit.PERCENT, Unit.PERCENT_CHANGE):
        return PERCENT_FORMAT if figure.unit == Unit.PERCENT_CHANGE else "0%"
    whole = figure.value is None or figure.value == figure.value.to_integral_value()
    grouped = SOUTH_ASIAN_FORMAT if style == SOUTH_ASIAN and whole else INTERNATIONAL_FORMAT
    if not whole:
        grouped = "#,##0.00"
    if figure.unit == Unit.PKR:
        return f'"Rs "{grouped}'
    if figure.unit == Unit.USD:
        return f'"US$"{grouped}'
    return grouped


def stored_value(figure: FigureEntry) -> Decimal | None:
    if figure.value is None:
        return None
    if figure.unit in (Unit.PERCENT, Unit.PERCENT_CHANGE):
        return figure.value / 100
    return figure.value.normalize() if figure.value == figure.value.to_integral_value() else figure.value


def render_xlsx(report: Report, *, stamp: EditionStamp | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = _("Status")[:31]
    _text(ws, 1, 1, report.framework_title).font = Font(bold=True, size=13)
    _text(ws, 2, 1, f"{report.heading}, {report.knowledge} — {report.scope_label}")
    _text(ws, 3, 1, (stamp or EditionStamp.unpublished(report)).text(report)).font = Font(size=8, color="555555")
    headers = [
        _("S"),
        _("NAP Agenda Item"),
        _("Indicator"),
        _("Current Status"),
        _("Value"),
        _("Qualifier"),
        _("Figure as published"),
        _("Source wording"),
        _("Period"),
        _("Source"),
        _("Responsible bodies"),
        _("Rating"),
    ]
    if report.compare_heading:
        headers += [report.compare_heading, _("Change %")]
    fill = PatternFill("solid", fgColor="E8EEF3")
    for column, title in enumerate(headers, start=1):
        cell = _text(ws, HEADER_ROW, column, title)
        cell.font = Font(bold=True)
        cell.fill = fill
    wrap = Alignment(wrap_text=True, vertical="top")
    line = HEADER_ROW
    style = report.params.number_style
    for row in report.rows:
        cells: list[StatusCell | None] = [*row.cells] or [None]  # an item without figures still has its row
        for status in cells:
            line += 1
            ws.cell(row=line, column=1, value=row.number)
            _text(ws, line, 2, row.title)
            _text(ws, line, 11, row.bodies_text)
            _text(ws, line, 12, f"{row.rating.label} ({row.rating.date})" if row.rating else "")
            if status is None:
                continue
            latest = status.latest
            _text(ws, line, 3, status.label)
            _text(ws, line, 4, status.text + (f" ({latest.via})" if latest.via else ""))
            value = stored_value(latest)
            if value is not None:
                _number(ws, line, 5, value, number_format(latest, style))
            # The number alone would read "more than 28,500" as exactly 28,500: the qualifier goes beside it.
            _text(ws, line, 6, str(ValueQualifier(latest.qualifier).label) if latest.value is not None else "")
            _text(ws, line, 7, latest.figure)
            _text(ws, line, 8, latest.quote)
            _text(ws, line, 9, latest.period)
            ws.cell(row=line, column=10, value=latest.footnote)
            if report.compare_heading and status.change:
                _text(ws, line, 13, status.change_text)
                if status.change.percent is not None:
                    _number(ws, line, 14, status.change.percent / 100, PERCENT_FORMAT)
            for column in (2, 3, 4, 8, 11, 13):
                ws.cell(row=line, column=column).alignment = wrap
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{max(line, HEADER_ROW)}"
    for column, width in enumerate([5, 42, 28, 34, 16, 12, 18, 28, 14, 8, 30, 22, 36, 10], start=1):
        if column <= len(headers):
            ws.column_dimensions[get_column_letter(column)].width = width

    sources = book.create_sheet(_("Sources")[:31])
    titles = [_("No."), _("Publisher"), _("Title"), _("Date"), _("URL"), _("Reference")]
    for column, title in enumerate(titles, start=1):
        _text(sources, 1, column, title).font = Font(bold=True)
    for index, note in enumerate(report.footnotes, start=2):
        sources.cell(row=index, column=1, value=note.number)
        _text(sources, index, 2, note.publisher)
        _text(sources, index, 3, note.title)
        _text(sources, index, 4, note.date)
        _text(sources, index, 5, note.url)
        _text(sources, index, 6, note.reference)
    sources.freeze_panes = "A2"
    for column, width in enumerate([6, 40, 60, 14, 40, 60], start=1):
        sources.column_dimensions[get_column_letter(column)].width = width

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
