"""Reading an uploaded CSV or XLSX into rows of text, refusing files that cannot be trusted as data.

Refused here, before any row is looked at: files over the size limit, CSV that is not UTF-8, XLSX with macros
(a ``vbaProject.bin`` part or a macro-enabled content type), XLSX whose parts would unpack to more than
``NAP_IMPORT_MAX_UNPACKED_BYTES`` (a few hundred KB of shared strings can unpack to hundreds of MB), files that
are neither, and wrong or missing columns. Formulas are reported per cell: an import takes the figures a person
typed, not what a spreadsheet computed from other cells.

Both formats are read as a stream and reading stops as soon as a bound is passed: the row limit, the cell
limit (XLSX) or the time budget, which the check of the rows then shares (``ImportBudget``). A web worker
therefore spends at most about the budget and a few MB on any file, whatever it claims to hold.
"""

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.imports.columns import COLUMNS, IGNORED_COLUMNS, REQUIRED_COLUMNS  # noqa: F401  (re-exported)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MACRO_MARKERS = ("vbaProject.bin", "macroEnabled")


class ImportRefused(Exception):
    """The file as a whole cannot be imported; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RawRow:
    """One data row: its number as the user sees it in the file (header = row 1) and its cells as text."""

    number: int
    cells: dict[str, str]
    # Columns whose cell holds a formula (XLSX only): reported as errors, never evaluated.
    formulas: list[str] = field(default_factory=list)

    @property
    def is_blank(self) -> bool:
        return not any(v.strip() for v in self.cells.values()) and not self.formulas


class ImportBudget:
    """The time one import may spend on its file, reading and checking it (``NAP_IMPORT_TIME_BUDGET_SECONDS``).

    One budget from the upload on: the reading and the check of the rows share it, so a file cannot spend the
    budget twice. The caller creates it and passes it to ``read_upload`` and ``check_rows``.
    """

    def __init__(self) -> None:
        self.seconds = settings.NAP_IMPORT_TIME_BUDGET_SECONDS
        self.deadline = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImportRefused(
                _("Reading and checking the file took longer than %(s)s seconds. Split it into smaller files.")
                % {"s": self.seconds}
            )


def read_upload(*, name: str, content: bytes, budget: ImportBudget | None = None) -> list[RawRow]:
    """Rows of a CSV or XLSX file; raises ``ImportRefused`` for a file that is not acceptable as a whole.

    ``budget`` is the import's time budget when the caller goes on to check the rows under the same one.
    """
    refuse_oversized(len(content))
    if not content:
        raise ImportRefused(_("The file is empty."))
    bounds = _Bounds(budget or ImportBudget())
    if content[:4] == b"PK\x03\x04":
        records = _read_xlsx(content, bounds)
    elif name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportRefused(_("This is not an XLSX workbook. Save it as .xlsx (or CSV, UTF-8) and try again."))
    else:
        records = _read_csv(content)
    rows = []
    for row in records:
        bounds.tick()
        if not row.is_blank:
            rows.append(row)
            if len(rows) > bounds.max_rows:
                raise ImportRefused(
                    _("The file has more than %(max)s rows; at most %(max)s are imported at once. Split it.")
                    % {"max": bounds.max_rows}
                )
    return rows


def refuse_oversized(size: int) -> None:
    """Refuse a file above ``NAP_IMPORT_MAX_BYTES`` before anything reads it."""
    limit = settings.NAP_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.1f}"}
        )


class _Bounds:
    """The limits of one read: rows, records (blank ones too), cells and the time budget."""

    def __init__(self, budget: ImportBudget) -> None:
        self.max_rows: int = settings.NAP_IMPORT_MAX_ROWS
        # Blank rows cost parsing too; a file may carry some (Excel keeps formatted empty rows), not millions.
        self.max_records = 2 * self.max_rows
        self.records = 0
        self.budget = budget

    def tick(self) -> None:
        self.records += 1
        if self.records > self.max_records:
            raise ImportRefused(
                _("The file has more than %(max)s rows; at most %(max)s are imported at once. Split it.")
                % {"max": self.max_rows}
            )
        # The clock is read every 256 records: cheap, and still stops a slow file within a fraction of a second.
        if not self.records & 0xFF:
            self.check_time()

    def check_time(self) -> None:
        self.budget.check()


def _check_header(header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h and h not in COLUMNS]
    missing = sorted(REQUIRED_COLUMNS - set(names))
    duplicated = sorted({h for h in names if h and names.count(h) > 1})
    problems = []
    if missing:
        problems.append(_("missing column(s): %(cols)s") % {"cols": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown column(s): %(cols)s") % {"cols": ", ".join(unknown)})
    if duplicated:
        problems.append(_("repeated column(s): %(cols)s") % {"cols": ", ".join(duplicated)})
    if problems:
        raise ImportRefused(
            _("The columns do not match the template (%(problems)s). Expected: %(expected)s.")
            % {"problems": "; ".join(problems), "expected": ", ".join(COLUMNS)}
        )
    return names


def _read_csv(content: bytes) -> Iterator[RawRow]:
    try:
        # Decoding at once costs a few ms for the largest file accepted and keeps the byte offset of a bad byte.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            _(
                "The CSV file is not UTF-8 (byte %(pos)s). In Excel choose “CSV UTF-8”, or upload the XLSX "
                "template instead."
            )
            % {"pos": exc.start + 1}
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(_("The file is empty.")) from None
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None
    names = _check_header(header)
    try:
        for number, record in enumerate(reader, start=2):
            cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(names) if name}
            yield RawRow(number=number, cells=cells)
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def _refuse_unpacked_size(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts unpack to more than the limit, judged from the zip directory alone.

    The sizes in the directory are what the archive claims; zipfile never hands out more than the claimed size
    of an entry (it stops there and fails the CRC), so a lying entry cannot unpack past the limit either.
    """
    limit = settings.NAP_IMPORT_MAX_UNPACKED_BYTES
    total = sum(info.file_size for info in archive.infolist())
    if total > limit:
        raise ImportRefused(
            _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": f"{total / 1048576:.0f}", "limit": f"{limit / 1048576:.0f}"}
        )


# openpyxl looks for a sheet's <dimension> until the end of <sheetData> when it is missing, i.e. it parses the
# whole sheet at load. Excel and LibreOffice always write it; a sheet without one is accepted only this small.
UNDIMENSIONED_SHEET_MAX_BYTES = 2 * 1024 * 1024


def _refuse_sheets_without_dimension(archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        if not info.filename.startswith("xl/worksheets/") or info.file_size <= UNDIMENSIONED_SHEET_MAX_BYTES:
            continue
        with archive.open(info) as part:
            head = part.read(64 * 1024)
        data_at = head.find(b"<sheetData")
        dimension_at = head.find(b"<dimension")
        if dimension_at < 0 or (0 <= data_at < dimension_at):
            raise ImportRefused(
                _(
                    "The workbook does not say how large its sheet is, so it cannot be read in parts. Open it in "
                    "Excel or LibreOffice, save it again as .xlsx and upload that."
                )
            )


class _BudgetedStream(io.BytesIO):
    """The upload as openpyxl reads it: every read checks the time budget, so a slow part stops in time."""

    def __init__(self, content: bytes, bounds: _Bounds) -> None:
        super().__init__(content)
        self._bounds = bounds

    def read(self, size: int | None = -1, /) -> bytes:
        self._bounds.check_time()
        return super().read(size)


def _read_xlsx(content: bytes, bounds: _Bounds) -> Iterator[RawRow]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        _refuse_unpacked_size(archive)
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError):
        raise ImportRefused(
            _("This is not an XLSX workbook. Save it as .xlsx (or CSV, UTF-8) and try again.")
        ) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "macroEnabled" in content_types:
        raise ImportRefused(_("The workbook contains macros. Save it as a plain .xlsx workbook and upload that."))
    _refuse_sheets_without_dimension(archive)
    from openpyxl import load_workbook

    try:
        # read_only: rows are parsed as they are asked for, not all at load. data_only=False: a formula stays a
        # formula, so it can be refused instead of trusting a cached result. The stream enforces the time budget
        # inside openpyxl too (shared strings are parsed at load, before the first row).
        workbook = load_workbook(_BudgetedStream(content, bounds), read_only=True, data_only=False)
    except ImportRefused:
        raise
    except Exception:  # openpyxl raises many types for a damaged file
        raise ImportRefused(_("The workbook cannot be opened; it may be damaged. Save it again as .xlsx.")) from None
    max_cells = settings.NAP_IMPORT_MAX_CELLS
    cells_read = 0
    try:
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows()
        header_cells = next(iterator, None)
        if header_cells is None:
            raise ImportRefused(_("The file is empty."))
        header = [_cell_text(c.value) for c in header_cells]
        while header and not header[-1]:
            header.pop()
        columns = _check_header(header)
        for number, cells in enumerate(iterator, start=2):
            cells_read += len(cells)
            if cells_read > max_cells:
                raise ImportRefused(
                    _("The workbook has more than %(max)s cells. Keep only the template's columns and split it.")
                    % {"max": max_cells}
                )
            values: dict[str, str] = {}
            formulas: list[str] = []
            for i, name in enumerate(columns):
                if not name:
                    continue
                cell = cells[i] if i < len(cells) else None
                if cell is None or cell.value is None:
                    values[name] = ""
                elif cell.data_type == "f":
                    formulas.append(name)
                    values[name] = ""
                else:
                    values[name] = _cell_text(cell.value)
            yield RawRow(number=number, cells=values, formulas=formulas)
    except zipfile.BadZipFile:
        raise ImportRefused(_("The workbook cannot be opened; it may be damaged. Save it again as .xlsx.")) from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A cell as the text a CSV would hold: dates as ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 98300000.0 → "98300000"
        d = Decimal(repr(value))
        return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize(), "f")
    if isinstance(value, int):
        return str(value)
    return str(value).strip()
