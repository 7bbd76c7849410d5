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

from dataclasses import dataclass
from datetime import date

from tracker import permissions
from tracker.compliance import ComplianceRule
from tracker.models import AgendaItem, AuditEntry, Framework
from tracker.selectors.dashboard.backlog import Backlog, recent_activity, review_backlog
from tracker.selectors.dashboard.cards import (
    ChartData,
    Coverage,
    Headline,
    ItemCard,
    Trend,
    coverage_per_indicator,
    headline_series,
    item_cards,
    latest_assessments,
    pending_per_item,
    series_q,
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
    SeriesHead,
    SeriesPoint,
    UserLike,
    bodies_with_series,
    body_figures,
    dashboard_frameworks,
    dashboard_items,
    default_framework,
    latest_per_series,
    series_heads,
    visible_figures,
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


@dataclass
class DashboardWork:
    """What the dashboard shows beside the published figures, read for each reader on every request: pending
    submissions per item (``None``: the reader sees none), the review backlog and recent activity."""

    pending: dict[int, int] | None
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

    items, their responsibilities and indicators (3), latest assessments (1), the latest figure of every series as
    plain values (1: the matrix, the coverage lines, the charts), the bodies that have series (1), each
    indicator's headline series with the figure it follows (1) and its figure at the comparison date (1) and
    reporting assignments with their status (1, unless a ``rule`` is given). Published figures only: the same
    for everyone of the user's ``permissions.published_audience`` (what is unpublished is ``dashboard_work``'s).
    Each body's figure is not on the page: it loads per indicator on demand (``body_figures``), so the page's
    size is bounded by the number of indicators and bodies, not of series.
    """
    items = dashboard_items(framework=framework, category=category)
    indicators = [ind for row in items for ind in row.indicators]
    indicator_ids = [ind.pk for ind in indicators]
    assessments = latest_assessments(items=items, as_of=as_of)
    heads = series_heads(user, indicator_ids=indicator_ids, as_of=as_of)
    shown = series_q(headline_series(heads))
    series = latest_per_series(user, indicator_ids=indicator_ids, as_of=as_of, series=shown)
    # The comparison needs the headline series' figure at ``compare``, not every point of every chart (the charts
    # load one by one from their own endpoint, tracker.views.dashboard.dashboard_chart).
    compared = (
        latest_per_series(user, indicator_ids=indicator_ids, as_of=compare, series=shown, and_previous=False)
        if compare
        else {}
    )
    cards = item_cards(
        items=items,
        series=series,
        compared=compared,
        coverage=coverage_per_indicator(heads),
        assessments=assessments,
        compare=compare,
    )
    charted = {head.indicator_id for head in heads if head.has_value}
    charts = [ChartData(ind) for ind in indicators if ind.is_numeric and ind.pk in charted]
    return Dashboard(
        framework=framework,
        as_of=as_of,
        compare=compare,
        category=category,
        cards=cards,
        items=[row.item for row in items],
        matrix=compliance_matrix_rows(
            items=items,
            heads=heads,
            series_bodies=bodies_with_series(indicator_ids=indicator_ids),
            as_of=as_of,
            rule=rule or cadence_rule(user, items=items, as_of=as_of),
        ),
        charts=charts,
    )


def dashboard_work(*, user: UserLike, framework: Framework, category: str = "") -> DashboardWork:
    """The reader's own part of the dashboard, never cached: submissions awaiting review per item of
    ``framework`` (1, for users who see unpublished figures), the backlog (2, for reviewers) and recent
    activity (1, for readers of the audit trail). Each reads the few rows awaiting review through their
    partial indexes, or the latest audit entries."""
    pending = None
    if permissions.can(user, "see_unapproved"):
        items = AgendaItem.objects.filter(framework=framework)
        if category:
            items = items.filter(category=category)
        pending = pending_per_item(user, item_ids=items.values("pk"))
    return DashboardWork(
        pending=pending,
        backlog=review_backlog(user) if permissions.can(user, "review") else None,
        activity=recent_activity() if permissions.can(user, "view_audit") else None,
    )


__all__ = [
    "Backlog",
    "ChartData",
    "Coverage",
    "Dashboard",
    "DashboardItem",
    "DashboardWork",
    "Headline",
    "ItemCard",
    "MatrixCell",
    "MatrixRow",
    "SeriesFigures",
    "SeriesHead",
    "SeriesPoint",
    "Trend",
    "bodies_with_series",
    "body_figures",
    "cadence_rule",
    "compliance_matrix",
    "compliance_matrix_rows",
    "coverage_per_indicator",
    "dashboard",
    "dashboard_frameworks",
    "dashboard_items",
    "dashboard_work",
    "default_framework",
    "headline_series",
    "latest_assessments",
    "latest_per_series",
    "pending_per_item",
    "recent_activity",
    "review_backlog",
    "series_heads",
    "series_q",
    "trend_between",
    "visible_figures",
]
