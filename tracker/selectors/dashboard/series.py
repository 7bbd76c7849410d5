"""What every dashboard widget shares: the framework's items as typed rows, each series' latest figure with
the one it follows, and chart points — each read in one query, every observation read starting at the policy's
visible set and keeping to *published* figures (``ObservationQuerySet.published`` / ``latest_per_series``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from tracker import permissions
from tracker.choices import ItemCategory
from tracker.models import AgendaItem, Framework, Indicator, Observation, Responsibility
from tracker.models.querysets import newest_first

UserLike = permissions.UserLike
SeriesKey = tuple[int, int | None]  # (indicator id, body id); body None: the national series


def dashboard_frameworks() -> list[Framework]:
    return list(Framework.objects.order_by("adopted_on", "slug"))


def default_framework(frameworks: list[Framework]) -> Framework | None:
    """The framework in force: the latest adopted one that nothing supersedes."""
    return frameworks[-1] if frameworks else None


@dataclass(frozen=True)
class DashboardItem:
    """An agenda item with its responsibilities (body joined; by role, then body name) and its indicators (in
    order), as the cards and the matrix read them."""

    item: AgendaItem
    responsibilities: list[Responsibility]
    indicators: list[Indicator]


def dashboard_items(*, framework: Framework, category: str = "") -> list[DashboardItem]:
    """The framework's items (optionally one category) with their responsibilities and indicators: 3 queries."""
    qs = AgendaItem.objects.filter(framework=framework).select_related("framework").order_by("number")
    if category in ItemCategory.values:
        qs = qs.filter(category=category)
    items = qs.prefetch_related(
        Prefetch(
            "responsibilities", queryset=Responsibility.objects.select_related("body").order_by("role", "body__name")
        ),
        Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code")),
    )
    return [
        DashboardItem(
            item=item, responsibilities=list(item.responsibilities.all()), indicators=list(item.indicators.all())
        )
        for item in items
    ]


@dataclass(frozen=True)
class SeriesFigures:
    """A series' latest published figure at the dashboard's date and the one it follows (for the trend)."""

    latest: Observation
    previous: Observation | None


def latest_per_series(user: UserLike, *, indicator_ids: list[int], as_of: date) -> dict[SeriesKey, SeriesFigures]:
    """The latest published figure of every (indicator, body) series the user may see at ``as_of``, with the
    figure it follows: one query (``ObservationQuerySet.latest_per_series``)."""
    rows = (
        Observation.objects.restrict(user, "view")
        .filter(indicator_id__in=indicator_ids)
        .latest_per_series(as_of=as_of, and_previous=True)
        .select_related("indicator", "body", "source__publisher")
        .order_by("indicator_id", "body_id", *newest_first())
    )
    series: dict[SeriesKey, SeriesFigures] = {}
    for obs in rows:
        key = (obs.indicator_id, obs.body_id)
        found = series.get(key)
        # Newest first within a series: its first row is the latest figure, the second the one it follows.
        series[key] = SeriesFigures(obs, None) if found is None else SeriesFigures(found.latest, obs)
    return series


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


def chart_points(user: UserLike, *, indicator_ids: list[int], as_of: date | None = None) -> list[SeriesPoint]:
    """Every published value of these indicators up to ``as_of``, oldest first: one query of plain values."""
    qs = (
        Observation.objects.restrict(user, "view")
        .published()
        .filter(indicator_id__in=indicator_ids, value__isnull=False)
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
