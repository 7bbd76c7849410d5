"""The dashboard's item cards and charts: each indicator's headline figure, its trend against the figure it
follows, the item's latest assessment and the submissions waiting on it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from tracker.choices import AWAITING_DECISION_STATES, Direction, ResponsibilityRole
from tracker.comparison import not_comparable_reason
from tracker.models import AgendaItem, Assessment, Body, Indicator, Observation
from tracker.selectors.dashboard.series import (
    DashboardItem,
    SeriesFigures,
    SeriesHead,
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
    if latest.date_precision != previous.date_precision or not_comparable_reason(previous, latest):
        return None
    if latest.value == previous.value:
        return Trend("steady", "")
    change = "up" if latest.value > previous.value else "down"
    if direction == Direction.NEUTRAL:
        return Trend(change, "")
    better = (change == "up") == (direction == Direction.HIGHER_IS_BETTER)
    return Trend(change, "better" if better else "worse")


@dataclass(frozen=True)
class Coverage:
    """How many bodies' series of an indicator have a figure at the dashboard's date, and the newest of them:
    the card's one line in place of every body's figure (those load on demand, ``dashboard_bodies``)."""

    bodies: int
    latest: SeriesHead | None


@dataclass
class Headline:
    """An indicator's headline on a card: its latest figure (national first), trend and the figure compared."""

    indicator: Indicator
    latest: Observation | None = None
    previous: Observation | None = None
    trend: Trend | None = None
    compared: SeriesPoint | None = None
    # The bodies' series, counted, so a province's newer figure is never hidden behind the national one (the
    # figures themselves load when the card's "figures by body" opens).
    coverage: Coverage = field(default_factory=lambda: Coverage(0, None))


@dataclass
class ItemCard:
    item: AgendaItem
    assessment: Assessment | None
    lead_bodies: list[Body]
    headlines: list[Headline]


@dataclass
class ChartData:
    indicator: Indicator
    points: list[SeriesPoint] = field(default_factory=list)


def latest_assessments(*, items: list[DashboardItem], as_of: date) -> dict[int, Assessment]:
    """Each item's latest assessment made on or before ``as_of`` (``AssessmentQuerySet.latest_per_item``, the
    report's rule too): one query."""
    latest = Assessment.objects.filter(item__in=[row.item for row in items]).latest_per_item(as_of=as_of)
    return {a.item_id: a for a in latest}


def pending_per_item(user: UserLike, *, item_ids: Iterable[int] | QuerySet[Any]) -> dict[int, int]:
    """Submissions awaiting review (submitted or verified) per item, among those the user may see (a reporter:
    their bodies')."""
    rows = (
        Observation.objects.restrict(user, "view")
        .filter(state__in=AWAITING_DECISION_STATES, indicator__item_id__in=item_ids)
        .values("indicator__item_id")
        .annotate(n=Count("pk"))
        .values_list("indicator__item_id", "n")
    )
    return dict(rows)


def headline_series(heads: list[SeriesHead]) -> list[SeriesKey]:
    """The series each indicator's headline shows: the national one, otherwise the body's series with the most
    recent figure (the first by body id at equal dates). No query."""
    chosen: dict[int, SeriesHead] = {}
    for head in heads:
        best = chosen.get(head.indicator_id)
        if best is None or (best.body_id is not None and (head.body_id is None or head.period_end > best.period_end)):
            chosen[head.indicator_id] = head
    return [(head.indicator_id, head.body_id) for head in chosen.values()]


def series_q(keys: list[SeriesKey]) -> Q:
    """These (indicator, body) series as a narrowing of ``latest_per_series``; none when ``keys`` is empty.

    National series are one ``IN`` term and each body's series one more (a flat OR: combining ``Q``s one by one
    copies the tree each time, which cost a tenth of the page at volume)."""
    national = [indicator_id for indicator_id, body_id in keys if body_id is None]
    terms = [Q(indicator_id__in=national, body__isnull=True)] if national else []
    terms += [Q(indicator_id=indicator_id, body_id=body_id) for indicator_id, body_id in keys if body_id is not None]
    return Q(*terms, _connector=Q.OR) if terms else Q(pk__in=[])


def coverage_per_indicator(heads: list[SeriesHead]) -> dict[int, Coverage]:
    """Per indicator: the number of bodies' series with a figure, and the newest of those figures. No query."""
    counts: dict[int, int] = {}
    newest: dict[int, SeriesHead] = {}
    for head in heads:
        if head.body_id is None:
            continue
        counts[head.indicator_id] = counts.get(head.indicator_id, 0) + 1
        best = newest.get(head.indicator_id)
        if best is None or head.period_end > best.period_end:
            newest[head.indicator_id] = head
    return {ind: Coverage(n, newest.get(ind)) for ind, n in counts.items()}


def item_cards(
    *,
    items: list[DashboardItem],
    series: dict[SeriesKey, SeriesFigures],
    compared: dict[SeriesKey, SeriesFigures],
    coverage: dict[int, Coverage],
    assessments: dict[int, Assessment],
    compare: date | None,
) -> list[ItemCard]:
    """Build the cards from what the dashboard read (no query): ``series`` holds each headline's series."""
    by_indicator: dict[int, list[SeriesFigures]] = {}
    for (indicator_id, _body_id), figures in series.items():
        by_indicator.setdefault(indicator_id, []).append(figures)
    return [
        ItemCard(
            item=row.item,
            assessment=assessments.get(row.item.pk),
            lead_bodies=[r.body for r in row.responsibilities if r.role == ResponsibilityRole.LEAD],
            headlines=[
                headline(ind, by_indicator.get(ind.pk, []), compared, compare, coverage.get(ind.pk))
                for ind in row.indicators
            ],
        )
        for row in items
    ]


def headline(
    indicator: Indicator,
    series: list[SeriesFigures],
    compared: dict[SeriesKey, SeriesFigures],
    compare: date | None,
    coverage: Coverage | None = None,
) -> Headline:
    """National series first; otherwise the series with the most recent figure."""
    result = Headline(indicator=indicator)
    if coverage is not None:
        result.coverage = coverage
    if not series:
        return result
    national = [figures for figures in series if figures.latest.body_id is None]
    chosen = national[0] if national else max(series, key=lambda figures: figures.latest.period_end)
    result.latest = chosen.latest
    result.previous = chosen.previous
    result.trend = trend_between(chosen.latest, chosen.previous, indicator.direction)
    earlier = compared.get((indicator.pk, chosen.latest.body_id)) if compare is not None else None
    obs = earlier.latest if earlier is not None else None
    value = obs.value if obs is not None else None
    # Only a different, earlier figure is a comparison; the same one twice says nothing.
    if obs is not None and value is not None and obs.period_end != chosen.latest.period_end:
        result.compared = SeriesPoint(
            indicator_id=obs.indicator_id,
            body_id=obs.body_id,
            body_label=obs.body.short_name if obs.body else "",
            period_start=obs.period_start,
            period_end=obs.period_end,
            date_precision=obs.date_precision,
            value=value,
            qualifier=obs.value_qualifier,
            source=f"{obs.source.publisher.short_name}: {obs.source.title}",
        )
    return result
