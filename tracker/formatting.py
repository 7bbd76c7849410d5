"""How figures and dates read on pages and in reports, as precise as their source and no more.

Numbers are grouped internationally (506,072) or in the South Asian way (5,06,072); the style is a display
option (``settings.NAP_NUMBER_STYLE`` by default, or per report).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tracker.choices import DatePrecision, Scale, Unit, ValueQualifier

if TYPE_CHECKING:
    from tracker.models import Observation

INTERNATIONAL = "international"
SOUTH_ASIAN = "south_asian"
NUMBER_STYLES = (INTERNATIONAL, SOUTH_ASIAN)


def default_number_style() -> str:
    style = getattr(settings, "NAP_NUMBER_STYLE", SOUTH_ASIAN)
    return style if style in NUMBER_STYLES else SOUTH_ASIAN


def group_digits(digits: str, style: str) -> str:
    """Group a string of digits: 506072 -> 506,072 (international) or 5,06,072 (South Asian)."""
    if len(digits) <= 3:
        return digits
    head, last3 = digits[:-3], digits[-3:]
    size = 2 if style == SOUTH_ASIAN else 3
    groups: list[str] = []
    while head:
        groups.insert(0, head[-size:])
        head = head[:-size]
    return ",".join([*groups, last3])


def format_number(value: Decimal | int, *, style: str | None = None, max_decimals: int = 2) -> str:
    """A number with grouped digits and no trailing zeros: Decimal("98.30") -> "98.3"."""
    style = style or default_number_style()
    if max_decimals >= 0 and (isinstance(value, int) or value == value.to_integral_value()):
        # Whole numbers, most figures: no quantize and no fraction to strip (exports format a million of them).
        whole_number = int(value)
        return ("-" if whole_number < 0 else "") + group_digits(str(abs(whole_number)), style)
    quantum = Decimal(1).scaleb(-max_decimals)
    number = Decimal(value).quantize(quantum) if max_decimals >= 0 else Decimal(value)
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _sep, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    grouped = group_digits(whole, style)
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


def scale_word(scale: int) -> str:
    words = {Scale.THOUSAND: _("thousand"), Scale.MILLION: _("million"), Scale.BILLION: _("billion")}
    return words.get(Scale(scale), "")


@dataclass(frozen=True)
class Figure:
    """What a formatter needs to know about a figure, whatever holds it (observation, import row, API)."""

    value: Decimal | None
    unit: str
    scale: int = Scale.UNITS
    qualifier: str = ValueQualifier.EXACT
    text: str = ""


def observation_figure(observation: Observation) -> Figure:
    """The figure an observation records, with its indicator's unit and display scale."""
    indicator = observation.indicator
    return Figure(
        value=observation.value,
        unit=indicator.unit,
        scale=indicator.scale,
        qualifier=observation.value_qualifier,
        text=observation.text_value,
    )


def format_figure(figure: Figure, *, style: str | None = None) -> str:
    """A figure as a person reads it: "about 30,000", "700+", "Rs 1.38 billion", "↓91%", "98.3 million"."""
    return figure_formatter(style=style)(figure.value, figure.unit, figure.scale, figure.qualifier, figure.text)


def figure_formatter(*, style: str | None = None) -> Callable[[Decimal | None, str, int, str, str], str]:
    """``format_figure`` for many figures: the number style and the language are read once, not per figure
    (an export formats a million; ``(value, unit, scale, qualifier, text)`` -> the figure as a person reads it)."""
    style = style or default_number_style()
    language = translation.get_language() or ""

    def formatted(value: Decimal | None, unit: str, scale: int, qualifier: str, text: str) -> str:
        if unit == Unit.TEXT or value is None:
            return text
        if unit == Unit.PERCENT_CHANGE:
            arrow = "↓" if value < 0 else "↑" if value > 0 else "±"
            # A percentage is a ratio, never grouped the South Asian way.
            number = f"{arrow}{format_number(abs(value), style=INTERNATIONAL)}%"
        elif unit == Unit.PERCENT:
            number = f"{format_number(value, style=INTERNATIONAL)}%"
        else:
            number = format_number(value.scaleb(-int(scale)) if scale else value, style=style)
        return _figure_template(unit, int(scale), qualifier, language).replace(_NUMBER, number)

    return formatted


_NUMBER = "\x00"


@functools.lru_cache(maxsize=512)
def _figure_template(unit: str, scale: int, qualifier: str, language: str) -> str:
    """The words around a figure's number ("about Rs \\x00 million"), translated once per language: exports
    format a million figures, and two ``gettext`` calls each were a third of their time."""
    if unit in (Unit.PERCENT_CHANGE, Unit.PERCENT):
        return qualify(_NUMBER, qualifier, compact=False)
    body = _NUMBER
    if scale:
        body = f"{body} {scale_word(scale)}"
    if unit == Unit.PKR:
        body = _("Rs %(amount)s") % {"amount": body}
    elif unit == Unit.USD:
        body = _("US$%(amount)s") % {"amount": body}
    return qualify(body, qualifier, compact=unit == Unit.COUNT and not scale)


def qualify(body: str, qualifier: str, *, compact: bool) -> str:
    if qualifier == ValueQualifier.ABOUT:
        return _("about %(figure)s") % {"figure": body}
    if qualifier in (ValueQualifier.MORE_THAN, ValueQualifier.AT_LEAST):
        return f"{body}+" if compact else _("over %(figure)s") % {"figure": body}
    if qualifier == ValueQualifier.LESS_THAN:
        return _("under %(figure)s") % {"figure": body}
    return body


def format_date(day: date, precision: str = DatePrecision.DAY) -> str:
    """A date only as precise as its source: "1 Oct 2017", "Oct 2024" or "2024"."""
    if precision == DatePrecision.YEAR:
        return str(day.year)
    return _date_in(translation.get_language(), day, "M Y" if precision == DatePrecision.MONTH else "j M Y")


@functools.lru_cache(maxsize=4096)
def _date_in(language: str | None, day: date, pattern: str) -> str:
    """Django's date formatting in the active language (the key: the cache must not mix languages), remembered:
    a page repeats the same few dates (a source's date on every row of its figures), and each costs Django's
    formatter about as much as rendering the row."""
    return formats.date_format(day, pattern)


def format_datetime(moment: datetime) -> str:
    """A moment in the portal's time zone, in the portal's one date format: "30 Nov 2026 18:05"."""
    return formats.date_format(timezone.localtime(moment), "j M Y H:i")


def format_period(start: date | None, end: date, precision: str = DatePrecision.DAY) -> str:
    """A period as its source gives it: "as of 1 Oct 2017", "2024", "2019–2022", "Jun–Jul 2024"."""
    if start is None:
        return _("as of %(date)s") % {"date": format_date(end, precision)}
    if precision == DatePrecision.YEAR:
        return str(end.year) if start.year == end.year else f"{start.year}–{end.year}"
    if precision == DatePrecision.MONTH and (start.year, start.month) == (end.year, end.month):
        return format_date(end, precision)
    return f"{format_date(start, precision)} – {format_date(end, precision)}"


def format_date_long(day: date, precision: str = DatePrecision.DAY) -> str:
    """A date as NACTA heads its tables: "1st October 2017"; "October 2024" or "2024" when less precise."""
    if precision == DatePrecision.YEAR:
        return str(day.year)
    if precision == DatePrecision.MONTH:
        return formats.date_format(day, "F Y")
    return f"{ordinal(day.day)} {formats.date_format(day, 'F Y')}"


def format_period_label(start: date | None, end: date, precision: str = DatePrecision.DAY) -> str:
    """A period as a short label inside a status ("185 Cases (2012)"): no "as of" in front of a single date."""
    if start is None:
        return format_date(end, precision)
    return format_period(start, end, precision)


# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text for a CSV/XLSX cell that no spreadsheet will run as a formula: "=HYPERLINK(…)" -> "'=HYPERLINK(…)".

    Only for text: numbers the portal writes itself (``-91``) are stored as numbers, not passed through here.
    """
    if text.startswith(FORMULA_TRIGGERS):
        return f"'{text}"
    return text
