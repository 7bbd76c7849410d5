"""The per-body template, as CSV or XLSX: one line per indicator the body reports on, ready to fill in."""

import csv
import io

from django.utils.translation import gettext as _

from tracker import selectors
from tracker.imports.reading import COLUMNS
from tracker.models import Body


def template_rows(*, body: Body) -> list[list[str]]:
    rows = []
    for indicator in selectors.indicators_reported_by(body=body):
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(indicator=indicator.code, indicator_name=indicator.name, unit=indicator.unit, body=body.slug)
        rows.append([cells[c] for c in COLUMNS])
    return rows


def template_csv(*, body: Body) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(template_rows(body=body))
    # The byte-order mark makes Excel open the file as UTF-8 (Urdu and other names stay readable).
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(*, body: Body) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from tracker.choices import DatePrecision, ValueQualifier

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = body.slug[:31]
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = template_rows(body=body)
    for row in rows:
        sheet.append(row)
    last = max(len(rows) + 1, 200)
    letter = {name: get_column_letter(i) for i, name in enumerate(COLUMNS, start=1)}
    for column, values in (
        (letter["date_precision"], DatePrecision.values),
        (letter["value_qualifier"], ValueQualifier.values),
    ):
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        validation.error = _("Choose a value from the list.")
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{last}")
    # Dates are typed as text in ISO form, so Excel does not reformat them per locale.
    for column in (letter["period_start"], letter["period_end"], letter["source_date"]):
        for r in range(2, last + 1):
            sheet[f"{column}{r}"].number_format = "@"
    sheet.freeze_panes = "A2"
    widths = {"indicator": 28, "indicator_name": 40, "text_value": 30, "source": 24, "source_title": 40}
    widths |= {"source_publisher": 24, "source_url": 30, "quote": 30, "note": 30}
    for name in COLUMNS:
        sheet.column_dimensions[letter[name]].width = widths.get(name, 12)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
