"""Reading an uploaded CSV or XLSX into rows of text, refusing files that cannot be trusted as data.

Refused here, before any row is looked at: files over the size limit, CSV that is not UTF-8, XLSX with macros
(a ``vbaProject.bin`` part or a macro-enabled content type), files that are neither, and wrong or missing
columns. Formulas are reported per cell: an import takes the figures a person typed, not what a spreadsheet
computed from other cells.
"""

import csv
import io
import zipfile
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


def read_upload(*, name: str, content: bytes) -> list[RawRow]:
    """Rows of a CSV or XLSX file; raises ``ImportRefused`` for a file that is not acceptable as a whole."""
    limit = settings.NAP_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": f"{len(content) / 1048576:.1f}", "limit": f"{limit / 1048576:.1f}"}
        )
    if not content:
        raise ImportRefused(_("The file is empty."))
    if content[:4] == b"PK\x03\x04":
        rows = _read_xlsx(content)
    elif name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportRefused(_("This is not an XLSX workbook. Save it as .xlsx (or CSV, UTF-8) and try again."))
    else:
        rows = _read_csv(content)
    if len(rows) > settings.NAP_IMPORT_MAX_ROWS:
        raise ImportRefused(
            _("The file has %(n)s rows; at most %(max)s are imported at once.")
            % {"n": len(rows), "max": settings.NAP_IMPORT_MAX_ROWS}
        )
    return rows


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


def _read_csv(content: bytes) -> list[RawRow]:
    try:
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
    rows = []
    try:
        for number, record in enumerate(reader, start=2):
            cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(names) if name}
            row = RawRow(number=number, cells=cells)
            if not row.is_blank:
                rows.append(row)
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None
    return rows


def _read_xlsx(content: bytes) -> list[RawRow]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError):
        raise ImportRefused(
            _("This is not an XLSX workbook. Save it as .xlsx (or CSV, UTF-8) and try again.")
        ) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "macroEnabled" in content_types:
        raise ImportRefused(_("The workbook contains macros. Save it as a plain .xlsx workbook and upload that."))
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula stays a formula, so it can be refused instead of trusting a cached result.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ImportRefused(_("The workbook cannot be opened; it may be damaged. Save it again as .xlsx.")) from None
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
        rows = []
        for number, cells in enumerate(iterator, start=2):
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
            row = RawRow(number=number, cells=values, formulas=formulas)
            if not row.is_blank:
                rows.append(row)
        return rows
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
