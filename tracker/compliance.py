"""Is a body's reporting on an agenda item up to date? The rule behind the dashboard's compliance matrix.

Until reporting cadences exist (``ReportingAssignment``, arriving with the workflow pages), who is expected to
report what, and when a figure falls due, is inferred from the data itself:

- a body is *expected* on an item when it is a lead or supporting body of the item; national figures (no body)
  are expected on every item, since NACTA M&E enters them;
- a figure stays *up to date* until the period after it has closed and a grace period has passed; it is then
  *due*, and *overdue* once a second period has closed. The period is the figure's own: a year-precise figure
  covers a year, a month-precise one a month, an explicit start–end its span; an "as of" figure (a running
  total on a day) is expected quarterly, NACTA's usual rhythm.

Both answers sit behind ``InferredRule`` so the cadence can replace them: a rule that reads assignments
implements the same two methods (``expects`` and ``series_status``) and is passed to ``compliance_matrix``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.choices import DatePrecision


class CellStatus(models.TextChoices):
    """What a matrix cell says. Ordered worst first by ``SEVERITY``."""

    OVERDUE = "overdue", _("Overdue")
    NO_DATA = "no_data", _("No data")
    DUE = "due", _("Due")
    UP_TO_DATE = "up_to_date", _("Up to date")
    NOT_EXPECTED = "not_expected", _("Not expected")


# Higher is worse: a row's score sorts the worst offenders first.
SEVERITY: dict[str, int] = {
    CellStatus.OVERDUE: 4,
    CellStatus.NO_DATA: 3,
    CellStatus.DUE: 2,
    CellStatus.UP_TO_DATE: 1,
    CellStatus.NOT_EXPECTED: 0,
}

# The grace after a period closes before its figure counts as due (the workflow's default due day is the 15th).
GRACE = timedelta(days=15)
# An "as of" figure with no period of its own is expected every quarter.
AS_OF_INTERVAL = timedelta(days=91)


@dataclass(frozen=True)
class LatestFigure:
    """The latest approved figure of one series (indicator × body) at the matrix's date."""

    indicator_id: int
    period_start: date | None
    period_end: date
    date_precision: str


class ComplianceRule(Protocol):
    def expects(self, *, body_id: int | None, responsible_body_ids: frozenset[int]) -> bool:
        """Is the body (None: national) expected to report on an item with these responsible bodies?"""
        ...

    def series_status(self, *, latest: LatestFigure, as_of: date) -> str:
        """The status of one indicator's series for a body, given its latest approved figure."""
        ...


def figure_interval(latest: LatestFigure) -> timedelta:
    """How long one period of this figure lasts, as its source dates it."""
    if latest.date_precision == DatePrecision.YEAR:
        return timedelta(days=365)
    if latest.date_precision == DatePrecision.MONTH:
        return timedelta(days=31)
    if latest.period_start is not None:
        return max(latest.period_end - latest.period_start + timedelta(days=1), timedelta(days=1))
    return AS_OF_INTERVAL


class InferredRule:
    """The rule used until reporting cadences exist; see the module docstring."""

    def expects(self, *, body_id: int | None, responsible_body_ids: frozenset[int]) -> bool:
        return body_id is None or body_id in responsible_body_ids

    def series_status(self, *, latest: LatestFigure, as_of: date) -> str:
        interval = figure_interval(latest)
        next_due = latest.period_end + interval + GRACE
        if as_of <= next_due:
            return CellStatus.UP_TO_DATE
        if as_of <= next_due + interval:
            return CellStatus.DUE
        return CellStatus.OVERDUE


def worst(statuses: list[str]) -> str:
    return max(statuses, key=SEVERITY.__getitem__)
