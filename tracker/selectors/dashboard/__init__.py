"""Reads behind the M&E dashboard, each in a fixed number of queries, by sub-domain:

- ``series``: the framework's items, each series' latest published figure with the one it follows, chart points;
- ``cards``: item cards, headlines and trends, latest assessments, pending counts;
- ``matrix``: the compliance matrix (its rules live in ``tracker.compliance``);
- ``backlog``: the review backlog and recent activity.

Every observation read starts at the policy's visible set, so no widget can show what the user may not see;
figures, trends, charts and the matrix then keep to *published* figures (``ObservationQuerySet``), which is
what counts for everyone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from tracker import permissions
from tracker.compliance import ComplianceRule
from tracker.models import AgendaItem, AuditEntry, Framework
from tracker.selectors.dashboard.backlog import Backlog, recent_activity, review_backlog
from tracker.selectors.dashboard.cards import (
    ChartData,
    Headline,
    ItemCard,
    Trend,
    item_cards,
    latest_assessments,
    pending_per_item,
    trend_between,
)
from tracker.selectors.dashboard.matrix import (
    MatrixCell,
    MatrixRow,
    cadence_rule,
    compliance_matrix,
    compliance_matrix_rows,
)
from tracker.selectors.dashboard.series import (
    DashboardItem,
    SeriesFigures,
    SeriesPoint,
    UserLike,
    chart_points,
    dashboard_frameworks,
    dashboard_items,
    default_framework,
    latest_per_series,
)


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

    items, their responsibilities and indicators (3), latest assessments (1), the latest figure of every series
    with the one it follows (1), chart points (1), pending submissions per item (1), reporting assignments with
    their status (1, unless a ``rule`` is given); reviewers add the backlog (2), and users the policy lets read
    the audit trail add recent activity (1). The matrix is built from what was read.
    """
    items = dashboard_items(framework=framework, category=category)
    indicators = [ind for row in items for ind in row.indicators]
    assessments = latest_assessments(items=items, as_of=as_of)
    series = latest_per_series(user, indicator_ids=[ind.pk for ind in indicators], as_of=as_of)
    points = chart_points(user, indicator_ids=[i.pk for i in indicators if i.is_numeric], as_of=as_of)
    pending = pending_per_item(user, item_ids=[row.item.pk for row in items])

    points_by_indicator: dict[int, list[SeriesPoint]] = defaultdict(list)
    for point in points:
        points_by_indicator[point.indicator_id].append(point)
    cards = item_cards(
        items=items,
        series=series,
        points=points_by_indicator,
        assessments=assessments,
        pending=pending,
        compare=compare,
    )
    charts = [ChartData(ind, points_by_indicator[ind.pk]) for ind in indicators if points_by_indicator.get(ind.pk)]
    backlog = review_backlog(user) if permissions.can(user, "review") else None
    activity = recent_activity() if permissions.can(user, "view_audit") else None
    return Dashboard(
        framework=framework,
        as_of=as_of,
        compare=compare,
        category=category,
        cards=cards,
        items=[row.item for row in items],
        matrix=compliance_matrix_rows(
            items=items, series=series, as_of=as_of, rule=rule or cadence_rule(user, items=items, as_of=as_of)
        ),
        charts=charts,
        backlog=backlog,
        activity=activity,
    )


__all__ = [
    "Backlog",
    "ChartData",
    "Dashboard",
    "DashboardItem",
    "Headline",
    "ItemCard",
    "MatrixCell",
    "MatrixRow",
    "SeriesFigures",
    "SeriesPoint",
    "Trend",
    "cadence_rule",
    "chart_points",
    "compliance_matrix",
    "compliance_matrix_rows",
    "dashboard",
    "dashboard_frameworks",
    "dashboard_items",
    "default_framework",
    "latest_assessments",
    "latest_per_series",
    "pending_per_item",
    "recent_activity",
    "review_backlog",
    "trend_between",
]
