"""Reads behind the M&E dashboard (cards, compliance matrix, charts, review backlog), each in a fixed number
of queries.

Every observation read starts at ``Observation.objects.restrict(user, "view")``, so no widget can show what the
user may not see; figures, trends, charts and the compliance matrix then keep to *published* figures
(approved and not replaced by an approved correction), which is what counts for everyone. Only the review
widgets look at pending work, and only at the pending work the policy lets the user see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from tracker import permissions
from tracker.choices import Direction, ItemCategory, ObservationState, ResponsibilityRole
from tracker.compliance import SEVERITY, CadenceRule, CellFacts, CellStatus, ComplianceRule, LatestFigure
from tracker.models import (
    AgendaItem,
    Assessment,
    AuditEntry,
    Body,
    Framework,
    Indicator,
    Observation,
    ReportingAssignment,
    Responsibility,
)
from tracker.selectors import published_observations
from tracker.selectors.workflow import assignments_with_status

UserLike = permissions.UserLike

# --- Shared pieces ----------------------------------------------------------------------------------------


def dashboard_frameworks() -> list[Framework]:
    return list(Framework.objects.order_by("adopted_on", "slug"))


def default_framework(frameworks: list[Framework]) -> Framework | None:
    """The framework in force: the latest adopted one that nothing supersedes."""
    return frameworks[-1] if frameworks else None


@dataclass(frozen=True)
class Trend:
    """How the latest figure moved against the one before it, read with the indicator's direction."""

    change: str  # "up", "down", "steady"
    judgement: str  # "better", "worse", "" (neutral indicators, or no judgement possible)

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓"}.get(self.change, "→")


def trend_between(latest: Observation, previous: Observation | None, direction: str) -> Trend | None:
    """The movement from ``previous`` to ``latest``; None when the two are not comparable.

    Figures of different precision (a year against a month) measure different things, so they get no arrow.
    """
    if previous is None or latest.value is None or previous.value is None:
        return None
    if latest.date_precision != previous.date_precision:
        return None
    if latest.value == previous.value:
        return Trend("steady", "")
    change = "up" if latest.value > previous.value else "down"
    if direction == Direction.NEUTRAL:
        return Trend(change, "")
    better = (change == "up") == (direction == Direction.HIGHER_IS_BETTER)
    return Trend(change, "better" if better else "worse")


def _latest_two_per_series(user: UserLike, *, indicator_ids: list[int], as_of: date) -> list[Observation]:
    """The two latest published figures of every (indicator, body) series at ``as_of``: one query."""
    ranked = (
        published_observations(Observation.objects.restrict(user, "view"))
        .filter(indicator_id__in=indicator_ids, period_end__lte=as_of)
        .annotate(
            series_rank=Window(
                RowNumber(),
                partition_by=[F("indicator_id"), F("body_id")],
                order_by=[F("period_end").desc(), F("approved_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(series_rank__lte=2)
        .select_related("indicator", "body", "source__publisher")
        .order_by("indicator_id", "body_id", "series_rank")
    )
    return list(ranked)


# --- Dashboard --------------------------------------------------------------------------------------------


@dataclass
class Headline:
    """An indicator's headline on a card: its latest figure (national first), trend and the figure compared."""

    indicator: Indicator
    latest: Observation | None = None
    previous: Observation | None = None
    trend: Trend | None = None
    compared: SeriesPoint | None = None


@dataclass
class ItemCard:
    item: AgendaItem
    assessment: Assessment | None
    lead_bodies: list[Body]
    headlines: list[Headline]
    pending: int = 0


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


@dataclass
class SeriesPoint:
    """One approved value on a chart, with what its tooltip says."""

    indicator_id: int
    body_id: int | None
    body_label: str
    period_start: date | None
    period_end: date
    date_precision: str
    value: Decimal
    qualifier: str
    source: str


@dataclass
class ChartData:
    indicator: Indicator
    points: list[SeriesPoint] = field(default_factory=list)


@dataclass
class Backlog:
    """Submissions waiting for review, by how long they have waited."""

    total: int
    under_week: int
    week_to_month: int
    over_month: int
    oldest_submitted_at: datetime | None
    oldest: list[Observation]


@dataclass
class Dashboard:
    framework: Framework
    as_of: date
    compare: date | None
    category: str
    cards: list[ItemCard]
    items: list[AgendaItem]
    matrix: list[MatrixRow]
    charts: list[ChartData]
    backlog: Backlog | None
    activity: list[AuditEntry] | None


def dashboard(
    *,
    user: UserLike,
    framework: Framework,
    as_of: date,
    compare: date | None = None,
    category: str = "",
    rule: ComplianceRule | None = None,
) -> Dashboard:
    """Everything the M&E dashboard shows, scoped by the policy, in a fixed number of queries whatever the data:

    items, their responsibilities and indicators (3), latest assessments (1), the two latest figures of every
    series (1), chart points (1), pending submissions per item (1), reporting assignments with their status
    (1, unless a ``rule`` is given); reviewers add the backlog (2), and users the policy lets read the audit
    trail add recent activity (1). The matrix is built from what was read.
    """
    items = dashboard_items(framework=framework, category=category)
    indicators = [ind for item in items for ind in item.indicator_list]  # type: ignore[attr-defined]
    indicator_ids = [ind.pk for ind in indicators]
    assessments = latest_assessments(items=items, as_of=as_of)
    latest = _latest_two_per_series(user, indicator_ids=indicator_ids, as_of=as_of)
    points = chart_points(user, indicator_ids=[i.pk for i in indicators if i.is_numeric], as_of=as_of)
    pending = pending_per_item(user, item_ids=[item.pk for item in items])

    by_series: dict[tuple[int, int | None], list[Observation]] = defaultdict(list)
    for obs in latest:
        by_series[(obs.indicator_id, obs.body_id)].append(obs)
    points_by_indicator: dict[int, list[SeriesPoint]] = defaultdict(list)
    for point in points:
        points_by_indicator[point.indicator_id].append(point)

    cards = [
        ItemCard(
            item=item,
            assessment=assessments.get(item.pk),
            lead_bodies=[r.body for r in item.responsibility_list if r.role == ResponsibilityRole.LEAD],  # type: ignore[attr-defined]
            headlines=[
                _headline(ind, by_series, points_by_indicator.get(ind.pk, []), compare)
                for ind in item.indicator_list  # type: ignore[attr-defined]
            ],
            pending=pending.get(item.pk, 0),
        )
        for item in items
    ]
    charts = [ChartData(ind, points_by_indicator[ind.pk]) for ind in indicators if points_by_indicator.get(ind.pk)]
    backlog = review_backlog(user) if permissions.can(user, "review") else None
    activity = recent_activity() if permissions.can(user, "view_audit") else None
    return Dashboard(
        framework=framework,
        as_of=as_of,
        compare=compare,
        category=category,
        cards=cards,
        items=items,
        matrix=compliance_matrix_rows(
            items=items, latest=latest, as_of=as_of, rule=rule or cadence_rule(user, items=items, as_of=as_of)
        ),
        charts=charts,
        backlog=backlog,
        activity=activity,
    )


def dashboard_items(*, framework: Framework, category: str = "") -> list[AgendaItem]:
    """The framework's items (optionally one category) with ``responsibility_list`` and ``indicator_list``."""
    qs = AgendaItem.objects.filter(framework=framework).select_related("framework").order_by("number")
    if category in ItemCategory.values:
        qs = qs.filter(category=category)
    return list(
        qs.prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("body").order_by("role", "body__name"),
                to_attr="responsibility_list",
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("position", "code"),
                to_attr="indicator_list",
            ),
        )
    )


def latest_assessments(*, items: list[AgendaItem], as_of: date) -> dict[int, Assessment]:
    """Each item's latest assessment made on or before ``as_of``: one query."""
    ranked = (
        Assessment.objects.filter(item__in=items, as_of__lte=as_of)
        .annotate(rank=Window(RowNumber(), partition_by=[F("item_id")], order_by=[F("as_of").desc(), F("pk").desc()]))
        .filter(rank=1)
    )
    return {a.item_id: a for a in ranked}


def chart_points(user: UserLike, *, indicator_ids: list[int], as_of: date | None = None) -> list[SeriesPoint]:
    """Every published value of these indicators up to ``as_of``, oldest first: one query of plain values."""
    qs = published_observations(Observation.objects.restrict(user, "view")).filter(
        indicator_id__in=indicator_ids, value__isnull=False
    )
    if as_of is not None:
        qs = qs.filter(period_end__lte=as_of)
    rows = qs.order_by("indicator_id", "period_end", "pk").values_list(
        "indicator_id",
        "body_id",
        "body__short_name",
        "period_start",
        "period_end",
        "date_precision",
        "value",
        "value_qualifier",
        "source__publisher__short_name",
        "source__title",
    )
    return [
        SeriesPoint(
            indicator_id=ind,
            body_id=body_id,
            body_label=body or "",
            period_start=start,
            period_end=end,
            date_precision=precision,
            value=value,
            qualifier=qualifier,
            source=f"{publisher}: {title}",
        )
        for ind, body_id, body, start, end, precision, value, qualifier, publisher, title in rows
        if value is not None  # the query already excludes them; this tells the type checker
    ]


def pending_per_item(user: UserLike, *, item_ids: list[int]) -> dict[int, int]:
    """Submissions awaiting review per item, among those the user may see (a reporter: their bodies')."""
    rows = (
        Observation.objects.restrict(user, "view")
        .filter(state=ObservationState.SUBMITTED, indicator__item_id__in=item_ids)
        .values("indicator__item_id")
        .annotate(n=Count("pk"))
        .values_list("indicator__item_id", "n")
    )
    return dict(rows)


def _headline(
    indicator: Indicator,
    by_series: dict[tuple[int, int | None], list[Observation]],
    points: list[SeriesPoint],
    compare: date | None,
) -> Headline:
    """National series first; otherwise the series with the most recent figure."""
    series = [(body_id, obs) for (ind_id, body_id), obs in by_series.items() if ind_id == indicator.pk]
    headline = Headline(indicator=indicator)
    if not series:
        return headline
    national = [obs for body_id, obs in series if body_id is None]
    chosen = national[0] if national else max((obs for _, obs in series), key=lambda o: o[0].period_end)
    headline.latest = chosen[0]
    headline.previous = chosen[1] if len(chosen) > 1 else None
    headline.trend = trend_between(chosen[0], headline.previous, indicator.direction)
    if compare is not None:
        same_series = [p for p in points if p.body_id == chosen[0].body_id and p.period_end <= compare]
        # Only a different, earlier figure is a comparison; the same one twice says nothing.
        if same_series and same_series[-1].period_end != chosen[0].period_end:
            headline.compared = same_series[-1]
    return headline


# --- Compliance matrix ------------------------------------------------------------------------------------


def compliance_matrix(
    *, user: UserLike, framework: Framework, as_of: date, category: str = "", rule: ComplianceRule | None = None
) -> list[MatrixRow]:
    """Bodies × agenda items, each cell up to date / due / overdue / no data, worst offenders first.

    Five queries (items, responsibilities, indicators, latest figures, assignments). The rule is the reporting
    cadence unless another is given (see ``tracker.compliance``).
    """
    items = dashboard_items(framework=framework, category=category)
    ids = [ind.pk for item in items for ind in item.indicator_list]  # type: ignore[attr-defined]
    latest = _latest_two_per_series(user, indicator_ids=ids, as_of=as_of)
    rule = rule or cadence_rule(user, items=items, as_of=as_of)
    return compliance_matrix_rows(items=items, latest=latest, as_of=as_of, rule=rule)


def cadence_rule(user: UserLike, *, items: list[AgendaItem], as_of: date) -> CadenceRule:
    """The cadence rule for these items at ``as_of``: one query.

    A period counts as reported only by a published figure the user may see, dated by ``as_of``, so the matrix
    agrees with the cards and never reflects a submission still under review.
    """
    reported = published_observations(Observation.objects.restrict(user, "view")).filter(period_end__lte=as_of)
    rows = assignments_with_status(
        assignments=ReportingAssignment.objects.filter(active=True, indicator__item__in=items),
        today=as_of,
        reported=reported,
    )
    return CadenceRule(rows)


def compliance_matrix_rows(
    *, items: list[AgendaItem], latest: list[Observation], as_of: date, rule: ComplianceRule
) -> list[MatrixRow]:
    """Build the matrix from already-read items and latest figures (no query)."""
    item_of_indicator = {ind.pk: item.pk for item in items for ind in item.indicator_list}  # type: ignore[attr-defined]
    responsible = {item.pk: frozenset(r.body_id for r in item.responsibility_list) for item in items}  # type: ignore[attr-defined]
    bodies: dict[int, Body] = {}
    for item in items:
        for r in item.responsibility_list:  # type: ignore[attr-defined]
            bodies[r.body_id] = r.body
    for body in rule.row_bodies():
        bodies.setdefault(body.pk, body)
    # (body, item) -> the newest figure of each of the body's series on the item.
    figures: dict[tuple[int | None, int], list[LatestFigure]] = defaultdict(list)
    newest: dict[tuple[int | None, int], date] = {}
    for obs in latest:
        if getattr(obs, "series_rank", 1) != 1:
            continue
        if obs.body_id is not None and obs.body is not None:
            bodies.setdefault(obs.body_id, obs.body)
        key = (obs.body_id, item_of_indicator[obs.indicator_id])
        figures[key].append(LatestFigure(obs.indicator_id, obs.period_start, obs.period_end, obs.date_precision))
        newest[key] = max(newest.get(key, obs.period_end), obs.period_end)

    rows: list[MatrixRow] = []
    body_keys: list[int | None] = [None, *sorted(bodies, key=lambda pk: bodies[pk].name)]
    for body_id in body_keys:
        cells = []
        for item in items:
            key = (body_id, item.pk)
            facts = CellFacts(
                body_id=body_id,
                item_id=item.pk,
                responsible_body_ids=responsible[item.pk],
                figures=tuple(figures.get(key, ())),
            )
            status = rule.cell_status(facts, as_of=as_of)
            cells.append(MatrixCell(item=item, status=status, latest_end=newest.get(key)))
        rows.append(MatrixRow(body=bodies[body_id] if body_id is not None else None, cells=cells))
    # Stable sort: equal scores keep national first, then bodies by name.
    rows.sort(key=lambda row: row.score, reverse=True)
    return rows


# --- Review backlog and activity --------------------------------------------------------------------------

BACKLOG_LIST_SIZE = 10
ACTIVITY_SIZE = 15


def review_backlog(user: UserLike, *, now: datetime | None = None) -> Backlog:
    """Pending submissions the user may see, by age, and the oldest few: two queries."""
    now = now or timezone.now()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    pending = Observation.objects.restrict(user, "view").filter(state=ObservationState.SUBMITTED)
    agg: dict[str, Any] = pending.aggregate(
        total=Count("pk"),
        under_week=Count("pk", filter=Q(submitted_at__gt=week)),
        over_month=Count("pk", filter=Q(submitted_at__lte=month)),
        oldest=Min("submitted_at"),
    )
    oldest = list(
        pending.select_related("indicator__item__framework", "body", "created_by").order_by("submitted_at", "pk")[
            :BACKLOG_LIST_SIZE
        ]
    )
    return Backlog(
        total=agg["total"],
        under_week=agg["under_week"],
        week_to_month=agg["total"] - agg["under_week"] - agg["over_month"],
        over_month=agg["over_month"],
        oldest_submitted_at=agg["oldest"],
        oldest=oldest,
    )


def recent_activity(*, limit: int = ACTIVITY_SIZE) -> list[AuditEntry]:
    """The latest audit entries, newest first. Only for users the policy lets read the audit trail."""
    return list(AuditEntry.objects.order_by("-at", "-id")[:limit])
