"""CSV and XLSX exports of findings: one row per finding, the message in the reader's language, text defused
like every export of the portal."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tracker.exports import _Echo
from tracker.formatting import spreadsheet_safe
from tracker.models import Finding
from tracker.validation.messages import finding_figures, finding_message


def headers() -> list[str]:
    return [
        _("Finding id"),
        _("Rule"),
        _("Severity"),
        _("State"),
        _("Indicator"),
        _("Body"),
        _("Period start"),
        _("Period end"),
        _("Figures"),
        _("Message"),
        _("Figure id"),
        _("Reporter's comment"),
        _("Follow-up reason"),
    ]


def rows(findings: Iterable[Finding]) -> Iterator[list[Any]]:
    yield headers()
    for f in findings:
        row: list[Any] = [
            f.pk,
            f.rule.name,
            f.get_severity_display(),
            f.get_state_display(),
            f.indicator.name if f.indicator else "",
            f.body.name if f.body else _("National"),
            f.period_start,
            f.period_end,
            finding_figures(f.rule.kind, f.params),
            finding_message(f.rule.kind, f.params),
            f.observation_id,
            f.comment,
            f.reason,
        ]
        yield [spreadsheet_safe(str(v)) if isinstance(v, str) else v for v in row]


def csv_lines(findings: Iterable[Finding]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows(findings):
        yield writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row])


def xlsx_bytes(findings: Iterable[Finding], *, filters: list[tuple[str, str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Findings"))
    for row in rows(findings):
        sheet.append(row)
    selection = workbook.create_sheet(_("Selection"))
    selection.append([_("NAP Portal: data-quality findings")])
    selection.append([_("Exported at"), timezone.localtime().replace(tzinfo=None)])
    for label, value in filters or [(_("Filters"), _("none: every open finding you may see"))]:
        selection.append([spreadsheet_safe(label), spreadsheet_safe(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
