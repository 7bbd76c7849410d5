"""The dashboard's item cards and charts: each indicator's headline figure, its trend against the figure it
follows, the item's latest assessment and the submissions waiting on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from tracker.choices import Direction, ObservationState, ResponsibilityRole
from tracker.models import AgendaItem, Assessment, Body, Indicator, Observation
from tracker.selectors.dashboard.series import (
    DashboardItem,
    SeriesFigures,
    SeriesKey,
    SeriesPoint,
    UserLike,
)


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
class ChartData:
    indicator: Indicator
    points: list[SeriesPoint] = field(default_factory=list)


def latest_assessments(*, items: list[DashboardItem], as_of: date) -> dict[int, Assessment]:
    """Each item's latest assessment made on or before ``as_of`` (``AssessmentQuerySet.latest_per_item``, the
    report's rule too): one query."""
    latest = Assessment.objects.filter(item__in=[row.item for row in items]).latest_per_item(as_of=as_of)
    return {a.item_id: a for a in latest}


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


def item_cards(
    *,
    items: list[DashboardItem],
    series: dict[SeriesKey, SeriesFigures],
    points: dict[int, list[SeriesPoint]],
    assessments: dict[int, Assessment],
    pending: dict[int, int],
    compare: date | None,
) -> list[ItemCard]:
    """Build the cards from what the dashboard read (no query)."""
    by_indicator: dict[int, list[SeriesFigures]] = {}
    for (indicator_id, _body_id), figures in series.items():
        by_indicator.setdefault(indicator_id, []).append(figures)
    return [
        ItemCard(
            item=row.item,
            assessment=assessments.get(row.item.pk),
            lead_bodies=[r.body for r in row.responsibilities if r.role == ResponsibilityRole.LEAD],
            headlines=[
                headline(ind, by_indicator.get(ind.pk, []), points.get(ind.pk, []), compare) for ind in row.indicators
            ],
            pending=pending.get(row.item.pk, 0),
        )
        for row in items
    ]


def headline(
    indicator: Indicator, series: list[SeriesFigures], points: list[SeriesPoint], compare: date | None
) -> Headline:
    """National series first; otherwise the series with the most recent figure."""
    result = Headline(indicator=indicator)
    if not series:
        return result
    national = [figures for figures in series if figures.latest.body_id is None]
    chosen = national[0] if national else max(series, key=lambda figures: figures.latest.period_end)
    result.latest = chosen.latest
    result.previous = chosen.previous
    result.trend = trend_between(chosen.latest, chosen.previous, indicator.direction)
    if compare is not None:
        same_series = [p for p in points if p.body_id == chosen.latest.body_id and p.period_end <= compare]
        # Only a different, earlier figure is a comparison; the same one twice says nothing.
        if same_series and same_series[-1].period_end != chosen.latest.period_end:
            result.compared = same_series[-1]
    return result
