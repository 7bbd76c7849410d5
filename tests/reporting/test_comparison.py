"""The change column compares like with like, says why when it cannot, and carries the figures' qualifiers."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from reporting.builder import build_report
from reporting.definitions import ReportParams
from reporting.renderers import render_csv, render_xlsx
from tracker.choices import Accumulation, DatePrecision, ValueQualifier
from tracker.comparison import change_bound, not_comparable_reason
from tracker.formatting import SOUTH_ASIAN
from tracker.models import Indicator

OCT17 = date(2017, 10, 1)


def change_of(report, number, code):
    row = next(r for r in report.rows if r.number == number)
    return next(c for c in row.cells if c.indicator == code).change


def year(world, indicator, value, y, **kwargs):
    return world.observe(indicator, value, date(y, 12, 31), start=date(y, 1, 1), precision=DatePrecision.YEAR, **kwargs)


def test_a_running_total_and_a_count_for_a_period_are_not_compared(world):
    """The issue's "484 → 0 Executions (2019–2022), ↓100% (worse)": 2014's running total, 2021's period count."""
    Indicator.objects.filter(pk=world.urls_2014.pk).update(accumulation=Accumulation.RUNNING_TOTAL)
    world.observe(world.urls_2014, 937, OCT17)
    world.observe(world.urls_2021, 0, date(2022, 12, 31), start=date(2019, 1, 1), precision=DatePrecision.YEAR)
    report = build_report(ReportParams("nap-2021", date(2022, 12, 31), compare=date(2018, 1, 1), hindsight=True))
    change = change_of(report, 3, "urls-blocked")
    assert change.trend == "not_comparable" and change.percent is None
    assert change.text == (
        "937 → 0 million URLs blocked: not comparable, a running total cannot be compared with a count for a period"
    )
    assert "%" not in change.text


def test_counts_for_periods_of_different_lengths_are_not_compared(world):
    year(world, world.sectarian, 185, 2012)
    world.observe(world.sectarian, 4, date(2016, 3, 31), start=date(2016, 3, 1), precision=DatePrecision.MONTH)
    change = change_of(build_report(ReportParams("nap-2014", OCT17, compare=date(2013, 1, 1))), 18, "sectarian-cases")
    assert change.text == "185 → 4 Cases (2012 → Mar 2016): not comparable, the periods are of different lengths"


def test_a_count_for_a_period_without_its_period_is_not_compared(world):
    year(world, world.sectarian, 185, 2012)
    world.observe(world.sectarian, 37, date(2016, 12, 31))  # a count with only an end date
    change = change_of(build_report(ReportParams("nap-2014", OCT17, compare=date(2013, 1, 1))), 18, "sectarian-cases")
    assert change.text.endswith("not comparable, a count for a period needs the period it covers")


def test_figures_of_unlinked_series_are_not_compared(world):
    before = world.observe(world.executions, 10, date(2016, 1, 1))
    other = world.observe(world.courts, 11, OCT17)
    assert not_comparable_reason(before, other) == "the figures belong to different series"
    assert not_comparable_reason(before, world.observe(world.executions, 12, OCT17)) == ""


def test_a_series_and_its_crosswalk_continuation_are_compared(world):
    Indicator.objects.filter(pk__in=[world.urls_2014.pk, world.urls_2021.pk]).update(
        accumulation=Accumulation.RUNNING_TOTAL
    )
    world.observe(world.urls_2014, 937, OCT17)
    world.observe(world.urls_2021, 1_300_000, date(2023, 12, 31))
    change = change_of(
        build_report(ReportParams("nap-2021", date(2023, 12, 31), compare=date(2018, 1, 1))), 3, "urls-blocked"
    )
    assert change.trend == "neutral" and change.percent is not None


@pytest.mark.parametrize(
    ("before", "now", "text", "trend"),
    [
        # The new figure is a lower bound: the true rise is at least the one computed.
        (ValueQualifier.EXACT, ValueQualifier.MORE_THAN, "at least ↑400%", "better"),
        # The old figure is a lower bound: the true rise is at most the one computed, maybe none.
        (ValueQualifier.MORE_THAN, ValueQualifier.EXACT, "at most ↑400%", "neutral"),
        (ValueQualifier.ABOUT, ValueQualifier.EXACT, "about ↑400%", "better"),
    ],
)
def test_a_change_from_or_to_a_qualified_figure_carries_the_qualifier(world, before, now, text, trend):
    world.observe(world.executions, 100, date(2016, 1, 1), qualifier=before)
    world.observe(world.executions, 500, OCT17, qualifier=now)
    change = change_of(build_report(ReportParams("nap-2014", OCT17, compare=date(2016, 6, 30))), 1, "executions-2014")
    assert change.text.endswith(text), change.text
    assert change.trend == trend


@pytest.mark.parametrize(
    ("before", "now", "qualifier", "words"),
    [
        (ValueQualifier.EXACT, ValueQualifier.MORE_THAN, "at_least", "at least"),
        (ValueQualifier.MORE_THAN, ValueQualifier.EXACT, "at_most", "at most"),
        (ValueQualifier.ABOUT, ValueQualifier.EXACT, "about", "about"),
        (ValueQualifier.EXACT, ValueQualifier.EXACT, "exact", "exactly"),
    ],
)
def test_the_files_carry_a_change_percentages_qualifier_beside_the_number(world, before, now, qualifier, words):
    """The issue's "↑331%" from "more than 28,500": the number alone in a file would read as exact."""
    world.observe(world.executions, 100, date(2016, 1, 1), qualifier=before)
    world.observe(world.executions, 500, OCT17, qualifier=now)
    report = build_report(ReportParams("nap-2014", OCT17, compare=date(2016, 6, 30)))
    assert change_of(report, 1, "executions-2014").qualifier == ("" if qualifier == "exact" else qualifier)
    rows = csv.DictReader(io.StringIO(render_csv(report).decode("utf-8-sig")))
    row = next(r for r in rows if r["item_number"] == "1")
    assert (row["change_percent"], row["change_qualifier"]) == ("400", qualifier)
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Status"]
    assert [c.value for c in sheet[4]][13:15] == ["Change %", "Change qualifier"]
    line = next([c.value for c in r] for r in sheet.iter_rows(min_row=5) if r[0].value == 1)
    assert (line[13], line[14]) == (4, words)


def test_two_bounds_that_pull_both_ways_give_no_percentage(world):
    assert change_bound(ValueQualifier.MORE_THAN, ValueQualifier.MORE_THAN) == "unknown"
    world.observe(world.executions, 100, date(2016, 1, 1), qualifier=ValueQualifier.MORE_THAN)
    world.observe(world.executions, 500, OCT17, qualifier=ValueQualifier.MORE_THAN)
    change = change_of(build_report(ReportParams("nap-2014", OCT17, compare=date(2016, 6, 30))), 1, "executions-2014")
    assert (change.text, change.percent, change.trend) == ("100+ → 500+ Executions", None, "neutral")


def test_a_fall_bounded_from_below_is_at_most_that_fall(world):
    world.observe(world.executions, 500, date(2016, 1, 1))
    world.observe(world.executions, 100, OCT17, qualifier=ValueQualifier.AT_LEAST)
    change = change_of(build_report(ReportParams("nap-2014", OCT17, compare=date(2016, 6, 30))), 1, "executions-2014")
    assert change.text.endswith("at most ↓80%") and change.trend == "neutral"


def test_a_percentage_is_never_grouped_the_south_asian_way(world):
    world.observe(world.executions, 1, date(2016, 1, 1))
    world.observe(world.executions, 138_642, OCT17)
    params = ReportParams("nap-2014", OCT17, compare=date(2016, 6, 30), number_style=SOUTH_ASIAN)
    change = change_of(build_report(params), 1, "executions-2014")
    assert change.text == "1 → 1,38,642 Executions, ↑13,864,100%"


def test_a_new_figure_is_labelled_once(world):
    world.observe(world.executions, 5, OCT17)
    report = build_report(ReportParams("nap-2014", OCT17, compare=date(2016, 6, 30)))
    change = change_of(report, 1, "executions-2014")
    assert change.text == "new: 5 Executions" and change.trend_label == ""
