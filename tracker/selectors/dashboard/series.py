"""What every dashboard widget shares: the framework's items as typed rows, each series' latest figure with
the one it follows, and chart points — each read in one query, every observation read starting at the policy's
visible set and keeping to *published* figures (``ObservationQuerySet.published`` / ``latest_per_series``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q

from tracker import permissions
from tracker.choices import ItemCategory
from tracker.models import AgendaItem, Body, Framework, Indicator, LatestFigure, Observation, Responsibility
from tracker.models.querysets import ObservationQuerySet, newest_first

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


def visible_figures(user: UserLike) -> ObservationQuerySet:
    """The figures a dashboard read starts from: the policy's visible set. Every read here keeps to published
    (approved) figures, so when the policy admits every approved figure the restriction is left out: it would
    change no row, but it would make the series probe every history (``ObservationQuerySet.series_heads``)."""
    if permissions.sees_every_approved(user):
        return Observation.objects.all()
    return Observation.objects.restrict(user, "view")


def latest_per_series(
    user: UserLike, *, indicator_ids: list[int], as_of: date, series: Q | None = None, and_previous: bool = True
) -> dict[SeriesKey, SeriesFigures]:
    """The latest published figure of every (indicator, body) series the user may see at ``as_of``, with the
    figure it follows unless ``and_previous`` is false: one query (``ObservationQuerySet.latest_per_series``).
    ``series`` narrows the series read (e.g. ``Q(body__isnull=True)``: the national ones), so the rows read are
    those shown."""
    narrowing = Q(indicator_id__in=indicator_ids) & (series if series is not None else Q())
    rows = (
        visible_figures(user)
        .latest_per_series(as_of=as_of, and_previous=and_previous, series=narrowing)
        .select_related("indicator", "body", "source__publisher")
        .order_by("indicator_id", "body_id", *newest_first())
    )
    found: dict[SeriesKey, SeriesFigures] = {}
    for obs in rows:
        key = (obs.indicator_id, obs.body_id)
        seen = found.get(key)
        # Newest first within a series: its first row is the latest figure, the second the one it follows.
        found[key] = SeriesFigures(obs, None) if seen is None else SeriesFigures(seen.latest, obs)
    return found


@dataclass(frozen=True)
class SeriesHead:
    """What the matrix, the coverage lines and the choice of headline need of a series' latest figure: a row of
    plain values, not an observation with its joins (the dashboard reads one per series, thousands at volume)."""

    indicator_id: int
    body_id: int | None
    period_start: date | None
    period_end: date
    date_precision: str
    has_value: bool


def series_heads(user: UserLike, *, indicator_ids: list[int], as_of: date) -> list[SeriesHead]:
    """The latest published figure of every series of these indicators the user may see at ``as_of``, as plain
    values (one query), ordered by indicator then body (national last)."""
    rows = (
        visible_figures(user)
        .latest_per_series(as_of=as_of, series=Q(indicator_id__in=indicator_ids))
        .order_by("indicator_id", "body_id")
        .values_list("indicator_id", "body_id", "period_start", "period_end", "date_precision", "value")
    )
    return [
        SeriesHead(ind, body, start, end, precision, value is not None)
        for ind, body, start, end, precision, value in rows
    ]


def bodies_with_series(*, indicator_ids: list[int]) -> dict[int, Body]:
    """The bodies that have a series of these indicators (reference data, one query; at most every body)."""
    with_series = LatestFigure.objects.filter(indicator_id__in=indicator_ids, body__isnull=False).values("body_id")
    return {body.pk: body for body in Body.objects.filter(pk__in=with_series)}


def body_figures(user: UserLike, *, indicator: Indicator, as_of: date) -> list[Observation]:
    """Each body's latest published figure of one indicator at ``as_of`` (the dashboard's "figures by body",
    loaded when asked): one query, one row per body's series, by body name."""
    figures = list(
        visible_figures(user)
        .latest_per_series(as_of=as_of, series=Q(indicator_id=indicator.pk, body__isnull=False))
        .select_related("body", "source__publisher")
        .order_by("body__short_name", "body_id")
    )
    for obs in figures:
        obs.indicator = indicator  # what formats the figure (unit, scale), already read
    return figures


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
