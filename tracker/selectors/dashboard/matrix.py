"""The dashboard's compliance matrix: bodies × agenda items, each cell up to date / due / overdue / no data.

The rules that decide a cell live in ``tracker.compliance``; this module reads what they need (the latest
published figure of each series, the reporting assignments) and lays the cells out, worst offenders first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from tracker.compliance import SEVERITY, CadenceRule, CellFacts, CellStatus, ComplianceRule, LatestFigure
from tracker.models import AgendaItem, Body, Framework, Observation, ReportingAssignment
from tracker.selectors.dashboard.series import (
    DashboardItem,
    SeriesHead,
    UserLike,
    bodies_with_series,
    dashboard_items,
    series_heads,
)
from tracker.selectors.workflow import assignments_with_status


@dataclass
class MatrixCell:
    item: AgendaItem
    status: str
    latest_end: date | None = None

    @property
    def label(self) -> str:
        return str(CellStatus(self.status).label)


@dataclass
class MatrixRow:
    body: Body | None  # None: national figures
    cells: list[MatrixCell]

    @property
    def score(self) -> tuple[int, ...]:
        counts: dict[str, int] = defaultdict(int)
        for cell in self.cells:
            counts[cell.status] += 1
        return tuple(counts[s] for s in sorted(SEVERITY, key=SEVERITY.__getitem__, reverse=True))


def compliance_matrix(
    *, user: UserLike, framework: Framework, as_of: date, category: str = "", rule: ComplianceRule | None = None
) -> list[MatrixRow]:
    """Bodies × agenda items, each cell up to date / due / overdue / no data, worst offenders first.

    Six queries (items, responsibilities, indicators, latest figures, their bodies, assignments). The rule is the
    reporting cadence unless another is given (see ``tracker.compliance``).
    """
    items = dashboard_items(framework=framework, category=category)
    ids = [ind.pk for row in items for ind in row.indicators]
    heads = series_heads(user, indicator_ids=ids, as_of=as_of)
    rule = rule or cadence_rule(user, items=items, as_of=as_of)
    return compliance_matrix_rows(
        items=items, heads=heads, series_bodies=bodies_with_series(indicator_ids=ids), as_of=as_of, rule=rule
    )


def cadence_rule(user: UserLike, *, items: list[DashboardItem], as_of: date) -> CadenceRule:
    """The cadence rule for these items at ``as_of``: one query.

    A period counts as reported only by a published figure the user may see, dated by ``as_of``, so the matrix
    agrees with the cards and never reflects a submission still under review.
    """
    reported = Observation.objects.restrict(user, "view").published().filter(period_end__lte=as_of)
    rows = assignments_with_status(
        assignments=ReportingAssignment.objects.filter(active=True, indicator__item__in=[row.item for row in items]),
        today=as_of,
        reported=reported,
    )
    return CadenceRule(rows)


def compliance_matrix_rows(
    *,
    items: list[DashboardItem],
    heads: list[SeriesHead],
    series_bodies: dict[int, Body],
    as_of: date,
    rule: ComplianceRule,
) -> list[MatrixRow]:
    """Build the matrix from already-read items, latest figures and the bodies that have series (no query)."""
    item_of_indicator = {ind.pk: row.item.pk for row in items for ind in row.indicators}
    responsible = {row.item.pk: frozenset(r.body_id for r in row.responsibilities) for row in items}
    bodies: dict[int, Body] = {}
    for row in items:
        for r in row.responsibilities:
            bodies[r.body_id] = r.body
    for body in rule.row_bodies():
        bodies.setdefault(body.pk, body)
    # (body, item) -> the newest figure of each of the body's series on the item.
    figures: dict[tuple[int | None, int], list[LatestFigure]] = defaultdict(list)
    newest: dict[tuple[int | None, int], date] = {}
    for head in heads:
        if head.body_id is not None:
            bodies.setdefault(head.body_id, series_bodies[head.body_id])
        key = (head.body_id, item_of_indicator[head.indicator_id])
        figures[key].append(LatestFigure(head.indicator_id, head.period_start, head.period_end, head.date_precision))
        newest[key] = max(newest.get(key, head.period_end), head.period_end)

    rows: list[MatrixRow] = []
    body_keys: list[int | None] = [None, *sorted(bodies, key=lambda pk: bodies[pk].name)]
    for body_id in body_keys:
        cells = []
        for row in items:
            key = (body_id, row.item.pk)
            facts = CellFacts(
                body_id=body_id,
                item_id=row.item.pk,
                responsible_body_ids=responsible[row.item.pk],
                figures=tuple(figures.get(key, ())),
            )
            status = rule.cell_status(facts, as_of=as_of)
            cells.append(MatrixCell(item=row.item, status=status, latest_end=newest.get(key)))
        rows.append(MatrixRow(body=bodies[body_id] if body_id is not None else None, cells=cells))
    # Stable sort: equal scores keep national first, then bodies by name.
    rows.sort(key=lambda row: row.score, reverse=True)
    return rows
