from datetime import date
from decimal import Decimal

import pytest

from tracker.choices import DatePrecision, Scale, Unit, ValueQualifier
from tracker.formatting import (
    INTERNATIONAL,
    SOUTH_ASIAN,
    Figure,
    format_date_long,
    format_figure,
    format_number,
    format_period,
    format_period_label,
    spreadsheet_safe,
)


@pytest.mark.parametrize(
    ("value", "style", "expected"),
    [
        (506072, SOUTH_ASIAN, "5,06,072"),
        (506072, INTERNATIONAL, "506,072"),
        (228640, SOUTH_ASIAN, "2,28,640"),
        (176000, SOUTH_ASIAN, "1,76,000"),
        (12345678, SOUTH_ASIAN, "1,23,45,678"),
        (12345678, INTERNATIONAL, "12,345,678"),
        (484, SOUTH_ASIAN, "484"),
        (Decimal("169.5500"), INTERNATIONAL, "169.55"),
        (Decimal("-91"), INTERNATIONAL, "-91"),
    ],
)
def test_format_number_groups_digits_by_style(value, style, expected):
    assert format_number(value, style=style) == expected


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (Figure(Decimal(30000), Unit.COUNT, qualifier=ValueQualifier.ABOUT), "about 30,000"),
        (Figure(Decimal(700), Unit.COUNT, qualifier=ValueQualifier.MORE_THAN), "700+"),
        (Figure(Decimal(-91), Unit.PERCENT_CHANGE), "↓91%"),
        (Figure(Decimal(7), Unit.PERCENT_CHANGE), "↑7%"),
        (Figure(Decimal(1380000000), Unit.PKR, Scale.BILLION), "Rs 1.38 billion"),
        (Figure(Decimal(98300000), Unit.COUNT, Scale.MILLION), "98.3 million"),
        (Figure(Decimal(130000000000), Unit.USD, Scale.BILLION), "US$130 billion"),
        (Figure(Decimal(157000000), Unit.PKR, Scale.MILLION, ValueQualifier.MORE_THAN), "over Rs 157 million"),
        (Figure(None, Unit.TEXT, text="Pertains to Provinces"), "Pertains to Provinces"),
    ],
)
def test_format_figure_keeps_the_source_precision(figure, expected):
    assert format_figure(figure, style=INTERNATIONAL) == expected


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (Figure(Decimal(138641), Unit.PERCENT_CHANGE), "↑138,641%"),
        (Figure(Decimal(-250000), Unit.PERCENT_CHANGE, qualifier=ValueQualifier.ABOUT), "about ↓250,000%"),
        (Figure(Decimal(123456), Unit.PERCENT), "123,456%"),
        (Figure(Decimal(228640), Unit.COUNT), "2,28,640"),  # a count is grouped the South Asian way
    ],
)
def test_a_percentage_is_never_grouped_the_south_asian_way(figure, expected):
    """The issue's "↑1,38,641%": a percentage is a ratio, grouped internationally whatever the number style."""
    assert format_figure(figure, style=SOUTH_ASIAN) == expected


@pytest.mark.parametrize(
    ("start", "end", "precision", "expected"),
    [
        (None, date(2017, 10, 1), DatePrecision.DAY, "as of 1 Oct 2017"),
        (date(2024, 1, 1), date(2024, 12, 31), DatePrecision.YEAR, "2024"),
        (date(2019, 1, 1), date(2022, 12, 31), DatePrecision.YEAR, "2019–2022"),
        (None, date(2024, 11, 30), DatePrecision.MONTH, "as of Nov 2024"),
        (date(2024, 6, 1), date(2024, 6, 30), DatePrecision.MONTH, "Jun 2024"),
    ],
)
def test_format_period_never_invents_a_day(start, end, precision, expected):
    assert format_period(start, end, precision) == expected


@pytest.mark.parametrize(
    ("day", "precision", "expected"),
    [
        (date(2017, 10, 1), DatePrecision.DAY, "1st October 2017"),
        (date(2014, 12, 24), DatePrecision.DAY, "24th December 2014"),
        (date(2024, 12, 22), DatePrecision.DAY, "22nd December 2024"),
        (date(2024, 12, 23), DatePrecision.DAY, "23rd December 2024"),
        (date(2024, 12, 11), DatePrecision.DAY, "11th December 2024"),
        (date(2024, 11, 30), DatePrecision.MONTH, "November 2024"),
        (date(2024, 12, 31), DatePrecision.YEAR, "2024"),
    ],
)
def test_format_date_long_writes_the_ordinal_day_as_nacta_does(day, precision, expected):
    assert format_date_long(day, precision) == expected


@pytest.mark.parametrize(
    ("start", "end", "precision", "expected"),
    [
        (None, date(2012, 12, 31), DatePrecision.YEAR, "2012"),
        (date(2016, 1, 1), date(2016, 12, 31), DatePrecision.YEAR, "2016"),
        (None, date(2024, 10, 31), DatePrecision.MONTH, "Oct 2024"),
        (date(2019, 1, 1), date(2022, 12, 31), DatePrecision.YEAR, "2019–2022"),
    ],
)
def test_format_period_label_has_no_as_of(start, end, precision, expected):
    assert format_period_label(start, end, precision) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("484 Executions", "484 Executions"),
        ("Target Killing (↓91%)", "Target Killing (↓91%)"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_defuses_formulas_only(text, expected):
    assert spreadsheet_safe(text) == expected


def test_a_remembered_date_is_remembered_per_language():
    from django.utils import translation

    from tracker.formatting import format_date

    day = date(2017, 10, 1)
    english = format_date(day)
    with translation.override("de"):
        german = format_date(day)
    assert english == "1 Oct 2017"
    assert german != english and "Okt" in german
    assert format_date(day) == english
