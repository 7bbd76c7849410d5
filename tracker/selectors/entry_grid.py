"""Reads of the entry grid: one body, one period of one cadence, every indicator the body owes on it.

Three queries whatever the body's history: the assignments with their last approved figure (the shared
``assignments_with_status`` selector, so the grid and My updates agree on "last approved"), the figures already
entered for the period, and the sources a reporter may cite.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from django.db.models import QuerySet

from tracker.cadence import Period, due_status, last_closed_period
from tracker.choices import Cadence, DatePrecision, ObservationState, Unit
from tracker.formatting import Figure, format_figure, format_period_label
from tracker.models import Body, Indicator, Observation, ReportingAssignment, Source
from tracker.permissions import UserLike
from tracker.selectors.workflow import AssignmentRow, assignments_with_status

S = ObservationState
EDITABLE = (S.DRAFT, S.RETURNED)

# How precisely a period of each cadence is dated: a month is a month, a year a year, a quarter its days.
CADENCE_PRECISION = {
    Cadence.MONTHLY: DatePrecision.MONTH,
    Cadence.QUARTERLY: DatePrecision.DAY,
    Cadence.ANNUAL: DatePrecision.YEAR,
}


def grid_period(cadence: str, *, today: date, end: date | None = None) -> Period:
    """The latest closed period of ``cadence``, or the closed period that contains ``end`` when one is asked
    for (a late return for an earlier month). A period that has not closed is never offered."""
    latest = last_closed_period(cadence, today)
    if end is None or end >= latest.end:
        return latest
    return last_closed_period(cadence, _period_containing(cadence, end).end + timedelta(days=1))


def _period_containing(cadence: str, day: date) -> Period:
    # The period after which ``day`` falls is the one that closed before the next period starts.
    if cadence == Cadence.MONTHLY:
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    elif cadence == Cadence.QUARTERLY:
        month = (day.month - 1) // 3 * 3 + 4
        nxt = date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    else:
        nxt = date(day.year + 1, 1, 1)
    return last_closed_period(cadence, nxt)


@dataclass(frozen=True)
class GridRow:
    """One indicator of the grid: what the body owes, its last approved figure and what is entered for the
    period (an open figure to continue, or the approved one that only a correction can change)."""

    owed: AssignmentRow
    status: str
    entered: Observation | None

    @property
    def indicator(self) -> Indicator:
        return self.owed.assignment.indicator

    @property
    def is_text(self) -> bool:
        return bool(self.indicator.unit == Unit.TEXT)

    @property
    def editable(self) -> bool:
        return self.entered is None or self.entered.state in EDITABLE

    @property
    def entered_figure(self) -> str:
        obs = self.entered
        if obs is None:
            return ""
        indicator = self.indicator
        return format_figure(Figure(obs.value, indicator.unit, indicator.scale, obs.value_qualifier, obs.text_value))


@dataclass(frozen=True)
class GridGroup:
    """The rows of one agenda item, under its framework's name."""

    framework: str
    item: str
    rows: list[GridRow]


@dataclass(frozen=True)
class Grid:
    body: Body
    cadence: str
    period: Period
    precision: str
    due: date
    groups: list[GridGroup]

    @property
    def cadence_label(self) -> str:
        return str(Cadence(self.cadence).label)

    @property
    def period_label(self) -> str:
        return format_period_label(self.period.start, self.period.end, self.precision)

    @property
    def rows(self) -> list[GridRow]:
        return [row for group in self.groups for row in group.rows]

    def row(self, indicator_id: int) -> GridRow | None:
        return next((r for r in self.rows if r.indicator.pk == indicator_id), None)


def entry_grid(*, user: UserLike, body: Body, cadence: str, period: Period, today: date) -> Grid:
    """The grid of ``body`` for ``period`` of ``cadence`` (two queries)."""
    assignments = ReportingAssignment.objects.filter(active=True, body=body, cadence=cadence)
    # The shared selector computes the last closed period from "today": the day after our period makes that
    # period ours; the due state is then judged against the real today.
    owed = assignments_with_status(assignments=assignments, today=period.end + timedelta(days=1))
    indicator_ids = [row.assignment.indicator_id for row in owed]
    entered: dict[int, Observation] = {}
    candidates = (
        Observation.objects.restrict(user, "view")
        .filter(
            body=body,
            indicator_id__in=indicator_ids,
            period_end=period.end,
            state__in=(S.DRAFT, S.RETURNED, S.SUBMITTED, S.VERIFIED, S.APPROVED),
        )
        # An open figure is what the reporter continues; else the newest approved one (a correction's draft
        # is open, so it wins over the figure it corrects).
        .order_by("indicator_id", "-pk")
    )
    for obs in candidates:
        current = entered.get(obs.indicator_id)
        if current is None or (current.state == S.APPROVED and obs.state != S.APPROVED):
            entered[obs.indicator_id] = obs
    rows = []
    for row in owed:
        found = entered.get(row.assignment.indicator_id)
        covered = found is not None and found.state in (S.SUBMITTED, S.VERIFIED, S.APPROVED)
        rows.append(GridRow(owed=row, status=due_status(covered=covered, due=row.due, today=today), entered=found))

    def place(r: GridRow) -> tuple[str, int, str]:
        item = r.indicator.item
        return (item.framework.slug, item.number, r.indicator.code)

    rows.sort(key=place)
    groups = [
        GridGroup(
            framework=str(members[0].indicator.item.framework.short_title or members[0].indicator.item.framework),
            item=f"{members[0].indicator.item.number}. {members[0].indicator.item.title}",
            rows=members,
        )
        for members in (list(g) for _key, g in groupby(rows, key=lambda r: r.indicator.item_id))
    ]
    due = owed[0].due if owed else period.end
    return Grid(
        body=body,
        cadence=cadence,
        period=period,
        precision=CADENCE_PRECISION[Cadence(cadence)],
        due=due,
        groups=groups,
    )


def citable_sources() -> QuerySet[Source]:
    """The sources the grid offers besides the body's own return (the same list as the single-figure form)."""
    return Source.objects.select_related("publisher").order_by("-published_on", "title")


def grids_for_assignments(rows: list[AssignmentRow]) -> list[tuple[Body, str, Period, str]]:
    """The distinct (body, cadence) grids behind My updates' assignment rows, worst status first."""
    seen: dict[tuple[int, str], tuple[Body, str, Period, str]] = {}
    for row in rows:  # already sorted overdue → due → up to date
        key = (row.assignment.body_id, row.assignment.cadence)
        if key not in seen:
            seen[key] = (row.assignment.body, row.assignment.cadence, row.period, row.status)
    return list(seen.values())


__all__ = ["CADENCE_PRECISION", "Grid", "GridGroup", "GridRow", "citable_sources", "entry_grid", "grid_period"]
