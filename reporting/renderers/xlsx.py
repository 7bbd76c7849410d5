"""XLSX through openpyxl: one sheet per report with numbers stored as numbers (with number formats),
a frozen header, set column widths, and a Sources sheet.

openpyxl writes any string starting with "=" as a formula, so text cells are forced to the string type.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from reporting.appendix import AppendixRow
from reporting.builder import FigureEntry, Report, StatusCell
from reporting.renderers.stamp import EditionStamp
from tracker import exports
from tracker.choices import Unit, ValueQualifier
from tracker.formatting import SOUTH_ASIAN

# Excel has no lakh/crore grouping; conditional sections give 5,06,072 and 1,23,45,678 for whole numbers.
SOUTH_ASIAN_FORMAT = r"[>=10000000]##\,##\,##\,##0;[>=100000]##\,##\,##0;##,##0"
INTERNATIONAL_FORMAT = "#,##0"
PERCENT_FORMAT = "+0%;-0%;0%"
HEADER_ROW = 4


def _text(ws: Worksheet | WriteOnlyWorksheet, value: str, **style: object) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _number(ws: Worksheet | WriteOnlyWorksheet, value: Decimal, number_format: str) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def number_format(figure: FigureEntry, style: str) -> str:
    """The Excel format of a figure's stored value (percentages are stored as fractions)."""
    return value_format(figure.unit, figure.value, style)


def value_format(unit: str, value: Decimal | None, style: str) -> str:
    if unit in (Unit.PERCENT, Unit.PERCENT_CHANGE):
        return PERCENT_FORMAT if unit == Unit.PERCENT_CHANGE else "0%"
    whole = value is None or value == value.to_integral_value()
    grouped = SOUTH_ASIAN_FORMAT if style == SOUTH_ASIAN and whole else INTERNATIONAL_FORMAT
    if not whole:
        grouped = "#,##0.00"
    if unit == Unit.PKR:
        return f'"Rs "{grouped}'
    if unit == Unit.USD:
        return f'"US$"{grouped}'
    return grouped


def change_qualifier_label(qualifier: str) -> str:
    """The bound of a change's signed percentage in words ("at least": the true change is that or more)."""
    labels = {"at_least": _("at least"), "at_most": _("at most"), "about": _("about")}
    return labels.get(qualifier, _("exactly"))


def stored_value(figure: FigureEntry) -> Decimal | None:
    return stored(figure.unit, figure.value)


def stored(unit: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if unit in (Unit.PERCENT, Unit.PERCENT_CHANGE):
        return value / 100
    return value.normalize() if value == value.to_integral_value() else value


def render_xlsx(
    report: Report, *, stamp: EditionStamp | None = None, appendix: Iterable[AppendixRow] | None = None
) -> bytes:
    """The workbook, written in openpyxl's write-only mode (rows stream to a temporary file, so an appendix
    of a hundred thousand figures keeps memory flat). ``appendix``: every figure of the `{period}` series,
    on a sheet of its own (``reporting.appendix.history_appendix``)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(_("Status")[:31])
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
        headers += [report.compare_heading, _("Change %"), _("Change qualifier")]
    # Sheet views and column widths go out before the first row in write-only mode.
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    for column, width in enumerate([5, 42, 28, 34, 16, 12, 18, 28, 14, 8, 30, 22, 36, 10, 12], start=1):
        if column <= len(headers):
            ws.column_dimensions[get_column_letter(column)].width = width
    ws.append([_text(ws, report.framework_title, font=Font(bold=True, size=13))])
    ws.append([_text(ws, f"{report.heading}, {report.knowledge} — {report.scope_label}")])
    ws.append([_text(ws, (stamp or EditionStamp.unpublished(report)).text(report), font=Font(size=8, color="555555"))])
    fill = PatternFill("solid", fgColor="E8EEF3")
    ws.append([_text(ws, title, font=Font(bold=True), fill=fill) for title in headers])
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = {2, 3, 4, 8, 11, 13}
    line = HEADER_ROW
    style = report.params.number_style
    for row in report.rows:
        statuses: list[StatusCell | None] = [*row.cells] or [None]  # an item without figures still has its row
        for status in statuses:
            line += 1
            cells: dict[int, object] = {
                1: row.number,
                2: row.title,
                11: row.bodies_text,
                12: f"{row.rating.label} ({row.rating.date})" if row.rating else "",
            }
            if status is not None:
                latest = status.latest
                listing = f" ({status.listing_note})" if status.listing_note else ""
                via = f" ({latest.via})" if latest.via else ""
                value = stored_value(latest)
                cells |= {
                    3: status.label,
                    4: status.text + via + listing,
                    5: _number(ws, value, number_format(latest, style)) if value is not None else None,
                    # The number alone would read "more than 28,500" as exactly 28,500: the qualifier goes beside it.
                    6: str(ValueQualifier(latest.qualifier).label) if latest.value is not None else "",
                    7: latest.figure,
                    8: latest.quote,
                    9: latest.period,
                    10: latest.footnote,
                }
                if report.compare_heading and status.change:
                    cells[13] = status.change_text
                    if status.change.percent is not None:
                        cells[14] = _number(ws, status.change.percent / 100, PERCENT_FORMAT)
                        # The number alone would read "at least ↑331%" as exactly 331%: its bound goes beside it.
                        cells[15] = change_qualifier_label(status.change.qualifier)
            ws.append([_cell(ws, cells.get(column), wrap if column in wrapped else None) for column in range(1, 16)])
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{max(line, HEADER_ROW)}"

    sources = book.create_sheet(_("Sources")[:31])
    sources.freeze_panes = "A2"
    for column, width in enumerate([6, 40, 60, 14, 40, 60], start=1):
        sources.column_dimensions[get_column_letter(column)].width = width
    titles = [_("No."), _("Publisher"), _("Title"), _("Date"), _("URL"), _("Reference")]
    sources.append([_text(sources, title, font=Font(bold=True)) for title in titles])
    for note in report.footnotes:
        texts = [note.publisher, note.title, note.date, note.url, note.reference]
        sources.append([note.number, *(_text(sources, text) for text in texts)])
    if appendix is not None:
        _appendix_sheets(book, appendix, style)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(ws: WriteOnlyWorksheet, value: object, alignment: Alignment | None) -> object:
    """A text value as a forced string cell (wrapped where the column wraps); numbers and cells as they are."""
    if isinstance(value, str):
        return _text(ws, value, alignment=alignment) if alignment else _text(ws, value)
    return value


def _appendix_sheets(book: Workbook, appendix: Iterable[AppendixRow], style: str) -> None:
    """The "History" sheet: every figure of the `{period}` series. Rows beyond a sheet's limit
    (``tracker.exports.SHEET_ROWS``) go on in "History (2)" and after, each with its header."""
    name = str(_("History"))
    qualifiers = {str(choice): str(choice.label) for choice in ValueQualifier}
    formats: dict[tuple[str, bool], str] = {}
    ws = None
    for part, line, entry in exports.sheet_parts(appendix):
        if line == 1 or ws is None:
            ws = _appendix_sheet(book, exports.sheet_name(name, part))
        value = None
        if entry.value is not None:
            key = (entry.unit, entry.value == entry.value.to_integral_value())
            if key not in formats:
                formats[key] = value_format(entry.unit, entry.value, style)
            value = _number(ws, stored(entry.unit, entry.value), formats[key])  # type: ignore[arg-type]
        ws.append(
            [
                _text(ws, entry.indicator_code),
                _text(ws, entry.indicator),
                _text(ws, entry.body),
                _text(ws, entry.period),
                entry.period_start,
                entry.period_end,
                value,
                qualifiers.get(entry.qualifier, "") if entry.value is not None else "",
                _text(ws, entry.figure),
                _text(ws, entry.source),
            ]
        )
    if ws is None:  # no figure: the header alone
        _appendix_sheet(book, exports.sheet_name(name, 1))


def _appendix_sheet(book: Workbook, name: str) -> WriteOnlyWorksheet:
    """A new appendix sheet with its column widths, its header and the header frozen."""
    ws = book.create_sheet(name)
    ws.freeze_panes = "A2"
    for column, width in enumerate([28, 36, 14, 14, 12, 12, 16, 12, 18, 40], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    titles = [
        _("Indicator code"),
        _("Indicator"),
        _("Body"),
        _("Period"),
        _("Period start"),
        _("Period end"),
        _("Value"),
        _("Qualifier"),
        _("Figure as published"),
        _("Source"),
    ]
    ws.append([_text(ws, title, font=Font(bold=True)) for title in titles])
    return ws
