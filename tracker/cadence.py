"""Reporting periods: which period is the latest closed one, and when its figure is due."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.choices import Cadence, DueStatus


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def last_closed_period(cadence: str, today: date) -> Period:
    """The most recent period that ended before ``today``."""
    if cadence == Cadence.MONTHLY:
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end)
    if cadence == Cadence.QUARTERLY:
        quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        end = quarter_start - timedelta(days=1)
        return Period(date(end.year, end.month - 2, 1), end)
    return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))


def due_date(period: Period, due_day: int) -> date:
    """``due_day`` of the month after the period closes (clamped to the month's length)."""
    first_of_next = period.end + timedelta(days=1)
    last_day = calendar.monthrange(first_of_next.year, first_of_next.month)[1]
    return first_of_next.replace(day=min(due_day, last_day))


def due_status(*, covered: bool, due: date, today: date) -> str:
    if covered:
        return DueStatus.UP_TO_DATE
    return DueStatus.OVERDUE if today > due else DueStatus.DUE
