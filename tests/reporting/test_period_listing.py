"""A long `{period}` series is listed yearly in the report (HTML, CSV, PDF); the XLSX appendix holds it whole.

Figures go in with one ``bulk_create`` (the read model's statement-level triggers keep it current), so a series
of hundreds of figures costs one INSERT.
"""

from __future__ import annotations

import csv
import io
from calendar import monthrange
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from reporting.builder import LISTED_WHOLE, LISTED_YEARS, build_report
from reporting.definitions import ReportParams
from reporting.renderers import RENDERERS, EditionStamp, render_html
from tracker.choices import DatePrecision, ObservationState
from tracker.models import Observation

AS_OF = date(2025, 12, 31)


def monthly(world, count: int, *, body=None, last: date = AS_OF) -> list[Observation]:
    """``count`` approved monthly figures of the sectarian cases ({period} template), the last ending ``last``."""
    rows = []
    for back in range(count):
        year, month = divmod(last.year * 12 + last.month - 1 - back, 12)
        start = date(year, month + 1, 1)
        end = date(year, month + 1, monthrange(year, month + 1)[1])
        rows.append(
            Observation(
                indicator=world.sectarian,
                body=body,
                period_start=start,
                period_end=end,
                date_precision=DatePrecision.MONTH,
                value=Decimal(1000 + back),
                source=world.nacta_report,
                state=ObservationState.APPROVED,
                approved_at=timezone.now(),
            )
        )
    return Observation.objects.bulk_create(rows)


def sectarian_cell(report):
    return next(c for r in report.rows for c in r.cells if c.indicator.startswith("sectarian-cases"))


def test_a_short_series_is_listed_whole(world):
    monthly(world, LISTED_WHOLE)
    cell = sectarian_cell(build_report(ReportParams("nap-2014", AS_OF)))
    assert len(cell.figures) == LISTED_WHOLE
    assert cell.listing_note == ""


def test_a_long_series_lists_the_latest_figure_of_each_of_its_last_years(world):
    monthly(world, 96)  # January 2018 – December 2025
    world.observe(world.sectarian, 5000, date(2024, 12, 31), start=date(2024, 1, 1), precision=DatePrecision.YEAR)
    cell = sectarian_cell(build_report(ReportParams("nap-2014", AS_OF)))
    assert [f.period for f in cell.figures] == ["Dec 2021", "Dec 2022", "Dec 2023", "2024", "Dec 2025"]
    assert len(cell.figures) == LISTED_YEARS
    # The year's own figure stands for 2024, not its December; the cell still ends on the series' latest.
    assert cell.figures[3].text == "5,000 Cases (2024)"
    assert cell.latest.text == "1,000 Cases (Dec 2025)"
    assert cell.history_total == 97
    assert cell.listing_note == "yearly; all 97 figures in the XLSX appendix"


def test_the_latest_figure_always_ends_the_listing(world):
    monthly(world, 40, last=date(2025, 4, 30))
    world.observe(world.sectarian, 7, date(2025, 6, 30), start=date(2025, 6, 1), precision=DatePrecision.MONTH)
    cell = sectarian_cell(build_report(ReportParams("nap-2014", AS_OF)))
    assert [f.period for f in cell.figures][-2:] == ["Dec 2024", "Jun 2025"]
    assert cell.latest.text == "7 Cases (Jun 2025)"


def test_html_and_csv_list_a_long_series_bounded(world):
    monthly(world, 120)
    report = build_report(ReportParams("nap-2014", AS_OF))
    html = render_html(report)
    assert html.count('data-indicator="sectarian-cases"') == LISTED_YEARS + 1  # the figures and the note
    assert "Cases (Jan 2016)" not in html and "Cases (Dec 2016)" not in html
    assert "yearly; all 120 figures in the XLSX appendix" in html
    rows = list(
        csv.DictReader(io.StringIO(RENDERERS["csv"](report, EditionStamp.unpublished(report)).decode("utf-8-sig")))
    )
    status = next(r["status"] for r in rows if r["indicator_code"] == "sectarian-cases")
    assert status.count("Cases (") == LISTED_YEARS
    assert status.endswith("(yearly; all 120 figures in the XLSX appendix)")


def test_the_xlsx_appendix_holds_every_figure_of_the_series(world):
    figures = monthly(world, 120) + monthly(world, 30, body=world.punjab)
    world.observe(world.executions, 484, date(2025, 1, 1))  # no {period}: not in the appendix
    world.observe(world.sectarian, 1, date(2026, 1, 31))  # after the as-of date: not in it either
    report = build_report(ReportParams("nap-2014", AS_OF))
    book = load_workbook(io.BytesIO(RENDERERS["xlsx"](report, EditionStamp.unpublished(report))))
    assert book.sheetnames == ["Status", "Sources", "History"]
    sheet = book["History"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:7] == ("Indicator code", "Indicator", "Body", "Period", "Period start", "Period end", "Value")
    assert len(rows) == len(figures) == 150
    assert {(r[2] or "", r[5].date(), r[6]) for r in rows} == {
        (o.body.short_name if o.body else "", o.period_end, int(o.value or 0)) for o in figures
    }
    national = [r for r in rows if r[2] is None]
    assert [r[3] for r in national[:2]] == ["Jan 2016", "Feb 2016"]  # series by series, oldest first
    assert national[-1][8] == "1,000"
    # The status sheet itself is the bounded listing.
    status = next(r for r in book["Status"].iter_rows(min_row=5, values_only=True) if r[2] == "sectarian cases")
    assert status[3].count("Cases (") == LISTED_YEARS


@pytest.mark.parametrize("n_figures", [10, 600])
@pytest.mark.parametrize("scope", ["national", "punjab"])
def test_the_build_reads_a_fixed_number_of_queries_and_a_bounded_listing(
    world, n_figures, scope, django_assert_num_queries
):
    body = world.punjab if scope == "punjab" else None
    monthly(world, n_figures, body=body)
    with django_assert_num_queries(7 if scope == "national" else 8):  # latest and listed: one fetch
        report = build_report(ReportParams("nap-2014", AS_OF, scope=scope))
    assert len(sectarian_cell(report).figures) == (n_figures if n_figures <= LISTED_WHOLE else LISTED_YEARS)


def test_an_appendix_longer_than_a_sheet_goes_on_in_the_next_none_lost(world, monkeypatch):
    """Excel stops at 1,048,576 rows a sheet: the appendix continues on "History (2)" and after, each sheet
    with its header. Shown here with a limit of 50 rows a sheet."""
    from tracker import exports

    figures = monthly(world, 120)
    monkeypatch.setattr(exports, "SHEET_ROWS", 50)
    report = build_report(ReportParams("nap-2014", AS_OF))
    book = load_workbook(io.BytesIO(RENDERERS["xlsx"](report, EditionStamp.unpublished(report))))
    assert book.sheetnames == ["Status", "Sources", "History", "History (2)", "History (3)"]
    periods = []
    for name in ["History", "History (2)", "History (3)"]:
        header, *rows = list(book[name].iter_rows(values_only=True))
        assert header[0] == "Indicator code" and len(rows) == (49 if name != "History (3)" else 22)
        periods += [row[5].date() for row in rows]
    assert periods == sorted(o.period_end for o in figures)
