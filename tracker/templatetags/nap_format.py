"""Template filters over tracker.formatting, so templates never format a number or a date themselves.

{% load nap_format %}
{{ observation|figure }}          about 30,000 · Rs 1.38 billion · ↓91% · Pertains to Provinces
{{ observation|period }}          as of 1 Oct 2017 · 2024 · 2019–2022
{{ assessment.as_of|precise_date:assessment.date_precision }}
{{ indicator|target }}            the indicator's target value, or ""
{{ count|number }}                5,06,072
{{ edition.published_at|timestamp }}  30 Nov 2026 18:05
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template

from tracker.choices import DatePrecision
from tracker.formatting import (
    Figure,
    format_date,
    format_datetime,
    format_figure,
    format_number,
    format_period,
    observation_figure,
)
from tracker.models import Indicator, Observation

register = template.Library()


@register.filter
def figure(observation: Observation, style: str | None = None) -> str:
    """The observation's value or text status as its source gives it (qualifier and scale kept)."""
    return format_figure(observation_figure(observation), style=style or None)


@register.filter
def period(observation: Observation) -> str:
    """The date or period an observation describes, as precise as its source."""
    return format_period(observation.period_start, observation.period_end, observation.date_precision)


@register.filter
def precise_date(day: date | None, precision: str = DatePrecision.DAY) -> str:
    return format_date(day, precision) if day else ""


@register.filter
def timestamp(moment: datetime | None) -> str:
    """A moment as every page shows one: "30 Nov 2026 18:05" (portal time zone)."""
    return format_datetime(moment) if moment else ""


@register.filter
def target(indicator: Indicator) -> str:
    if indicator.target_value is None:
        return ""
    return format_figure(Figure(value=indicator.target_value, unit=indicator.unit, scale=indicator.scale))


@register.filter
def number(value: Decimal | int | None, style: str | None = None) -> str:
    return "" if value is None else format_number(value, style=style or None)
