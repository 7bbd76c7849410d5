"""Reads for pages, reports and the API: querysets already joined, so a page costs the same whatever the data.

What counts as published and which figure is a series' latest are decided once, by ``ObservationQuerySet``
(``published``, ``latest_per_series``, ``with_previous``) and ``AssessmentQuerySet.latest_per_item``; the
selectors here and in the sub-modules ask those methods and never rank figures themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from tracker import permissions
from tracker.choices import ResponsibilityRole
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    DataVersion,
    Framework,
    Indicator,
    LatestFigure,
    Observation,
    Responsibility,
)
from tracker.models.querysets import ASSESSMENT_NEWEST_FIRST
from tracker.selectors.histories import RECENT_NATIONAL, recent


def framework_list() -> QuerySet[Framework]:
    """Every framework with the number of its items and the framework it replaced."""
    return Framework.objects.select_related("supersedes", "superseded_by").annotate(item_count=Count("items"))


def framework_get(*, slug: str) -> Framework:
    """One framework by slug; raises ``Framework.DoesNotExist``."""
    return Framework.objects.select_related("supersedes", "superseded_by").get(slug=slug)


@dataclass(frozen=True)
class FrameworkItemRow:
    """An item of a framework's page: the item (annotated ``indicator_count``) and its lead bodies' roles."""

    item: AgendaItem
    lead_responsibilities: list[Responsibility]


def framework_items(*, framework: Framework) -> list[FrameworkItemRow]:
    """A framework's items in order, each with its lead responsibilities (body joined) and ``indicator_count``:
    two queries."""
    leads = Responsibility.objects.filter(role=ResponsibilityRole.LEAD).select_related("body").order_by("body__name")
    items = (
        AgendaItem.objects.filter(framework=framework)
        .annotate(indicator_count=Count("indicators"))
        .prefetch_related(Prefetch("responsibilities", queryset=leads))
        .order_by("number")
    )
    return [FrameworkItemRow(item=item, lead_responsibilities=list(item.responsibilities.all())) for item in items]


def indicators_reported_by_bodies(*, body_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each body, the ids of the indicators it reports on: those of the agenda items it leads or supports
    (``Responsibility``), and no others. One query whatever the number of bodies.

    A figure a body entered before its responsibility was recorded does not widen what it may enter: NACTA M&E
    adds the responsibility (the one validation's message says so)."""
    ids = sorted(set(body_ids))
    reported: dict[int, set[int]] = {body_id: set() for body_id in ids}
    assigned = Indicator.objects.filter(item__responsibilities__body_id__in=ids).values_list(
        "item__responsibilities__body_id", "id"
    )
    for body_id, indicator_id in assigned:
        reported[body_id].add(indicator_id)
    return reported


def indicators_reported_by(*, body: Body) -> QuerySet[Indicator]:
    """The indicators a body reports on (see ``indicators_reported_by_bodies``), in framework and item order."""
    return (
        Indicator.objects.filter(item__responsibilities__body=body)
        .distinct()
        .select_related("item__framework")
        .order_by("item__framework__adopted_on", "item__framework__slug", "item__number", "position", "code")
    )


@dataclass(frozen=True)
class IndicatorHistory:
    """An indicator on its item's page: its last national figures, newest first (source and publisher joined),
    and each body's latest figure (body and source joined), bodies by name."""

    indicator: Indicator
    history: list[Observation]
    bodies: list[Observation]


@dataclass(frozen=True)
class ItemPage:
    """What an agenda item's page shows."""

    item: AgendaItem  # with its framework
    responsibilities: list[Responsibility]  # body joined; by role, then body name
    indicators: list[IndicatorHistory]
    assessments: list[Assessment]  # newest first, with source and publisher
    crosswalk_forward: list[CrosswalkLink]  # later items continuing this one, with their frameworks
    crosswalk_back: list[CrosswalkLink]  # earlier items this one continues

    @property
    def lead_responsibilities(self) -> list[Responsibility]:
        return [r for r in self.responsibilities if r.role == ResponsibilityRole.LEAD]

    @property
    def supporting_responsibilities(self) -> list[Responsibility]:
        return [r for r in self.responsibilities if r.role == ResponsibilityRole.SUPPORTING]


def item_detail(*, user: permissions.UserLike, framework_slug: str, number: int) -> ItemPage:
    """An agenda item with everything its page shows, in a fixed number of queries reading a bounded number of
    rows: each indicator's last ``RECENT_NATIONAL`` published national figures (an index probe per indicator)
    and its bodies' latest figures from the ``LatestFigure`` read model (one row per body series); the
    indicator page pages through the rest, one series at a time. Published figures only, which every signed-in
    user may see; bodies only those the policy shows ``user`` (each links to its series on the indicator page,
    which asks the same). Raises ``AgendaItem.DoesNotExist``."""
    last = recent(
        indicators_where="i.item_id = (SELECT a.id FROM tracker_agendaitem a JOIN tracker_framework f "
        "ON f.id = a.framework_id WHERE f.slug = %s AND a.number = %s)",
        params=[framework_slug, number],
        limit=RECENT_NATIONAL,
        series=None,
    )
    history = Observation.objects.filter(last).select_related("source__publisher").order_by("-period_end", "-pk")
    indicators = Indicator.objects.order_by("position", "code").prefetch_related(
        Prefetch("observations", queryset=history)
    )
    responsibilities = Responsibility.objects.select_related("body").order_by("role", "body__name")
    assessments = Assessment.objects.select_related("source__publisher").order_by(*ASSESSMENT_NEWEST_FIRST)
    forward = CrosswalkLink.objects.select_related("to_item__framework").order_by("to_item__number")
    back = CrosswalkLink.objects.select_related("from_item__framework").order_by("from_item__number")
    item = (
        AgendaItem.objects.select_related("framework")
        .prefetch_related(
            Prefetch("responsibilities", queryset=responsibilities),
            Prefetch("indicators", queryset=indicators),
            Prefetch("assessments", queryset=assessments),
            Prefetch("links_forward", queryset=forward),
            Prefetch("links_back", queryset=back),
        )
        .get(framework__slug=framework_slug, number=number)
    )
    indicators_by_id = {ind.pk: ind for ind in item.indicators.all()}
    by_indicator: dict[int, list[Observation]] = {}
    latest = (
        LatestFigure.objects.filter(indicator__item=item, body__in=permissions.visible_bodies(user))
        .select_related("latest__body", "latest__source__publisher")
        .order_by("body__name", "body_id")
    )
    for figure in latest:
        figure.latest.indicator = indicators_by_id[figure.indicator_id]  # formatting reads its unit and scale
        figure.latest.is_superseded = False  # type: ignore[attr-defined]  # a published figure, by definition
        by_indicator.setdefault(figure.indicator_id, []).append(figure.latest)
    entries: list[IndicatorHistory] = []
    for ind in indicators_by_id.values():
        recent_national = list(ind.observations.all())
        for observation in recent_national:
            # Published figures only: none is superseded. Set, so the template's lookup does not fail (a failed
            # attribute lookup costs Django's template engine a dir() of the model instance).
            observation.is_superseded = False  # type: ignore[attr-defined]
        entries.append(IndicatorHistory(ind, recent_national, by_indicator.get(ind.pk, [])))
    return ItemPage(
        item=item,
        responsibilities=list(item.responsibilities.all()),
        indicators=entries,
        assessments=list(item.assessments.all()),
        crosswalk_forward=list(item.links_forward.all()),
        crosswalk_back=list(item.links_back.all()),
    )


def latest_figures(
    *, framework: Framework, as_of: date, body: Body | None = None, known_on: date | None = None
) -> QuerySet[Observation]:
    """The latest published figure of each series of ``framework`` on ``as_of`` (over the crosswalk; only
    ``body``'s series when given), joined for the report and the API. Rows carry ``series_id`` and
    ``via_crosswalk`` (see ``ObservationQuerySet.series_figures``). ``known_on``: only figures whose source
    was published by then (``ObservationQuerySet.published``); ``None``: with hindsight."""
    base = Observation.objects.all() if body is None else Observation.objects.filter(body=body)
    return base.latest_per_series(as_of=as_of, crosswalk=framework, known_on=known_on).select_related(
        "indicator__item__framework", "body", "source__publisher"
    )


def latest_assessments(*, framework: Framework, as_of: date, known_on: date | None = None) -> QuerySet[Assessment]:
    """The latest assessment of each agenda item of ``framework`` made on or before ``as_of``; with ``known_on``
    only those published by then and NACTA M&E's own (``None``: with hindsight)."""
    return (
        Assessment.objects.filter(item__framework=framework)
        .known_on(known_on)
        .latest_per_item(as_of=as_of)
        .select_related("source__publisher")
    )


# The columns of a status row (``status_as_of``), read with ``values()``: no model instances, no nested objects.
STATUS_FIELDS = (
    "pk",
    "series_id",
    "via_crosswalk",
    "indicator__code",
    "indicator__unit",
    "indicator__scale",
    "body__slug",
    "body__short_name",
    "body__name",
    "value",
    "value_qualifier",
    "text_value",
    "period_start",
    "period_end",
    "date_precision",
    "source__slug",
    "source__publisher__slug",
    "source__title",
    "source__published_on",
    "source__date_precision",
    "source__url",
    "source__reference",
)
SERIES_INDICATOR_FIELDS = ("pk", "code", "name", "unit", "position", "item__number", "item__title")


@dataclass(frozen=True)
class StatusRow:
    """One row of the status as of a date: a series' latest figure (``figure``: ``STATUS_FIELDS``) and the
    indicator of ``framework`` it stands for (``series_indicator``: ``SERIES_INDICATOR_FIELDS``), which differs
    from the figure's own indicator for a figure carried over the crosswalk."""

    figure: dict[str, Any]
    series_indicator: dict[str, Any]


def status_as_of(
    *, framework: Framework, as_of: date, body: Body | None = None, known_on: date | None = None
) -> list[StatusRow]:
    """The latest approved figure of every indicator series of ``framework`` on ``as_of``, in report order.

    The rows of ``Observation.objects.latest_per_series`` over the crosswalk (what the report reads, through
    ``latest_figures``), as plain values: at a thousand rows, building model instances and serializing them
    object by object cost more than the query. Two queries whatever the data size. Order: item, indicator
    position, national figure first, then bodies by name.
    """
    indicators = {
        row["pk"]: row for row in Indicator.objects.filter(item__framework=framework).values(*SERIES_INDICATOR_FIELDS)
    }
    figures = latest_figures(framework=framework, as_of=as_of, body=body, known_on=known_on).values(*STATUS_FIELDS)
    rows = [StatusRow(figure=figure, series_indicator=indicators[figure["series_id"]]) for figure in figures]
    rows.sort(
        key=lambda row: (
            row.series_indicator["item__number"],
            row.series_indicator["position"],
            row.series_indicator["code"],
            row.figure["body__slug"] is not None,
            row.figure["body__name"] or "",
            row.figure["pk"],
        )
    )
    return rows


def data_version() -> str | None:
    """The token of published data (``DataVersion``): it changes in the transaction of every write that can
    change a published answer. None when the row is missing (a database flushed whole, as transactional tests
    do, until its next write puts it back): then nothing may be cached."""
    token = DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    return None if token is None else token.hex
