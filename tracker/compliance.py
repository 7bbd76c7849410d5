"""Is a body's reporting on an agenda item up to date? The rules behind the dashboard's compliance matrix.

``CadenceRule`` (the dashboard's rule) reads the reporting cadence: a body is expected on an item when it has
active ``ReportingAssignment`` rows on the item's indicators, and the cell's status is the one My updates shows
for those assignments (``tracker.cadence``: the last closed period of each assignment's cadence, due on its due
day; the worst of the item's assignments wins), or *no data* while the body has published nothing for one.

Where no assignment says anything, ``InferredRule`` infers it from the data itself:

- national figures (no body): NACTA M&E enters them and nobody is assigned to them, so they always follow it;
- items none of whose indicators has an assignment (reference data not yet given a cadence);

and it reads:

- a body is *expected* on an item when it is a lead or supporting body of the item; national figures are
  expected on every item;
- a figure stays *up to date* until the period after it has closed and a grace period has passed; it is then
  *due*, and *overdue* once a second period has closed. The period is the figure's own: a year-precise figure
  covers a year, a month-precise one a month, an explicit start–end its span; an "as of" figure (a running
  total on a day) is expected quarterly, NACTA's usual rhythm.

A rule answers ``cell_status`` for each body × item cell and names the ``row_bodies`` it expects beyond the
item's responsible bodies; ``compliance_matrix`` takes any such rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.choices import DatePrecision, DueStatus

if TYPE_CHECKING:
    from tracker.models import Body
    from tracker.selectors.workflow import AssignmentRow


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


@dataclass(frozen=True)
class CellFacts:
    """What the matrix knows about one body × item cell when it asks a rule for its status."""

    body_id: int | None  # None: national figures
    item_id: int
    responsible_body_ids: frozenset[int]
    figures: tuple[LatestFigure, ...]  # the latest published figure of each of the body's series on the item


class ComplianceRule(Protocol):
    def cell_status(self, cell: CellFacts, *, as_of: date) -> str:
        """The cell's ``CellStatus`` at ``as_of``."""
        ...

    def row_bodies(self) -> Iterable[Body]:
        """Bodies the rule expects somewhere, so they get a row even without responsibilities or figures."""
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
    """The rule read from the figures themselves; see the module docstring."""

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

    def cell_status(self, cell: CellFacts, *, as_of: date) -> str:
        if cell.figures:
            return worst([self.series_status(latest=figure, as_of=as_of) for figure in cell.figures])
        if self.expects(body_id=cell.body_id, responsible_body_ids=cell.responsible_body_ids):
            return CellStatus.NO_DATA
        return CellStatus.NOT_EXPECTED

    def row_bodies(self) -> Iterable[Body]:
        return ()


_DUE_TO_CELL: dict[str, str] = {
    DueStatus.UP_TO_DATE: CellStatus.UP_TO_DATE,
    DueStatus.DUE: CellStatus.DUE,
    DueStatus.OVERDUE: CellStatus.OVERDUE,
}


def assignment_cell_status(row: AssignmentRow) -> str:
    """One assignment's status as a matrix cell says it: My updates' due status, or no data if never reported."""
    if row.last_period_end is None:
        return CellStatus.NO_DATA
    return _DUE_TO_CELL[row.status]


class CadenceRule:
    """The rule read from reporting assignments; see the module docstring.

    ``rows`` are ``selectors.workflow.assignments_with_status`` at the matrix's as-of date, computed over the
    figures the viewer may see (``selectors.dashboard.cadence_rule`` reads them in one query); the rule itself
    reads nothing.
    """

    def __init__(self, rows: Iterable[AssignmentRow], *, fallback: ComplianceRule | None = None) -> None:
        self.fallback: ComplianceRule = fallback or InferredRule()
        self._statuses: dict[tuple[int, int], list[str]] = defaultdict(list)
        self._bodies: dict[int, Body] = {}
        for row in rows:
            assignment = row.assignment
            self._statuses[(assignment.body_id, assignment.indicator.item_id)].append(assignment_cell_status(row))
            self._bodies[assignment.body_id] = assignment.body
        self.assigned_item_ids = frozenset(item_id for _, item_id in self._statuses)

    def cell_status(self, cell: CellFacts, *, as_of: date) -> str:
        if cell.body_id is None or cell.item_id not in self.assigned_item_ids:
            return self.fallback.cell_status(cell, as_of=as_of)
        # The item has a cadence: a body without an assignment on it is not expected, whatever it published.
        statuses = self._statuses.get((cell.body_id, cell.item_id))
        return worst(statuses) if statuses else CellStatus.NOT_EXPECTED

    def row_bodies(self) -> Iterable[Body]:
        return [*self._bodies.values(), *self.fallback.row_bodies()]


def worst(statuses: list[str]) -> str:
    return max(statuses, key=SEVERITY.__getitem__)
