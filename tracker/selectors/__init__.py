"""Reads for pages, reports and the API: querysets already joined, so a page costs the same whatever the data.

Visibility is decided here (today: only approved, current observations are published on read pages), so the
permission policy can narrow these querysets per user without touching the views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from tracker.choices import ObservationState, ResponsibilityRole
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Observation,
    Responsibility,
)
from tracker.selectors.histories import recent


def framework_list() -> QuerySet[Framework]:
    """Every framework with the number of its items and the framework it replaced."""
    return Framework.objects.select_related("supersedes", "superseded_by").annotate(item_count=Count("items"))


def framework_get(*, slug: str) -> Framework:
    """One framework by slug; raises ``Framework.DoesNotExist``."""
    return Framework.objects.select_related("supersedes", "superseded_by").get(slug=slug)


def framework_items(*, framework: Framework) -> QuerySet[AgendaItem]:
    """A framework's items in order, each with ``lead_responsibilities`` (body joined) and ``indicator_count``."""
    leads = Responsibility.objects.filter(role=ResponsibilityRole.LEAD).select_related("body").order_by("body__name")
    return (
        AgendaItem.objects.filter(framework=framework)
        .annotate(indicator_count=Count("indicators"))
        .prefetch_related(Prefetch("responsibilities", queryset=leads, to_attr="lead_responsibilities"))
        .order_by("number")
    )


def published_observations(queryset: QuerySet[Observation] | None = None) -> QuerySet[Observation]:
    """What counts everywhere (read pages, reports, dashboards, charts): approved, and not replaced by an
    approved correction. ``queryset`` narrows it first, e.g. to what the policy lets a user see."""
    base = Observation.objects.all() if queryset is None else queryset
    return base.filter(state=ObservationState.APPROVED).exclude(superseded_by__state=ObservationState.APPROVED)


def indicators_reported_by_bodies(*, body_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each body, the ids of the indicators it reports on (two queries whatever the number of bodies).

    A body reports on the indicators of the agenda items it leads or supports (``Responsibility``), and on any
    indicator it already has observations for: the plan's assignments are partly the portal's reading, and a
    body that has reported a figure before keeps reporting it.
    """
    ids = sorted(set(body_ids))
    reported: dict[int, set[int]] = {body_id: set() for body_id in ids}
    assigned = Indicator.objects.filter(item__responsibilities__body_id__in=ids).values_list(
        "item__responsibilities__body_id", "id"
    )
    observed = Observation.objects.filter(body_id__in=ids).values_list("body_id", "indicator_id").distinct()
    for body_id, indicator_id in [*assigned, *observed]:
        reported[body_id].add(indicator_id)
    return reported


def indicators_reported_by(*, body: Body) -> QuerySet[Indicator]:
    """The indicators a body reports on (see ``indicators_reported_by_bodies``), in framework and item order."""
    return (
        Indicator.objects.filter(Q(item__responsibilities__body=body) | Q(observations__body=body))
        .distinct()
        .select_related("item__framework")
        .order_by("item__framework__adopted_on", "item__framework__slug", "item__number", "position", "code")
    )


def item_detail(*, framework_slug: str, number: int) -> AgendaItem:
    """An agenda item with everything its page shows, in a fixed number of queries.

    Attached lists: ``responsibility_list`` (body joined), ``indicator_list`` each with ``history`` (the last
    ``RECENT_PER_SERIES`` published observations of each series, newest first, with body, source and
    publisher), ``assessment_list`` (newest first, with source),
    ``crosswalk_forward`` / ``crosswalk_back`` (linked items with their frameworks). Raises
    ``AgendaItem.DoesNotExist``.
    """
    # The last figures of each series only (the indicator page pages through the rest): a probe per series.
    last = recent(
        indicators_where="i.item_id = (SELECT a.id FROM tracker_agendaitem a JOIN tracker_framework f "
        "ON f.id = a.framework_id WHERE f.slug = %s AND a.number = %s)",
        params=[framework_slug, number],
    )
    history = (
        Observation.objects.filter(last).select_related("body", "source__publisher").order_by("-period_end", "-pk")
    )
    indicators = Indicator.objects.order_by("position", "code").prefetch_related(
        Prefetch("observations", queryset=history, to_attr="history")
    )
    responsibilities = Responsibility.objects.select_related("body").order_by("role", "body__name")
    assessments = Assessment.objects.select_related("source__publisher").order_by("-as_of", "-pk")
    forward = CrosswalkLink.objects.select_related("to_item__framework").order_by("to_item__number")
    back = CrosswalkLink.objects.select_related("from_item__framework").order_by("from_item__number")
    return (
        AgendaItem.objects.select_related("framework")
        .prefetch_related(
            Prefetch("responsibilities", queryset=responsibilities, to_attr="responsibility_list"),
            Prefetch("indicators", queryset=indicators, to_attr="indicator_list"),
            Prefetch("assessments", queryset=assessments, to_attr="assessment_list"),
            Prefetch("links_forward", queryset=forward, to_attr="crosswalk_forward"),
            Prefetch("links_back", queryset=back, to_attr="crosswalk_back"),
        )
        .get(framework__slug=framework_slug, number=number)
    )


def current_observations_as_of(*, framework: Framework, as_of: date, body: Body | None = None) -> QuerySet[Observation]:
    """Every current observation that feeds ``framework``'s report on ``as_of``, ranked within its series.

    "Current" means approved and not superseded by an approved correction: a correction replaces the figure
    it corrects for every as-of date, so an earlier report regenerated after a correction shows the corrected
    figure. The series of an indicator includes the other framework's indicator linked to it by ``continues``
    (either way), so a 2021 report as of 2017 shows the 2014 figure and a 2014 report as of 2024 the 2021 one.
    ``series_id`` is the id of this framework's indicator, ``rank`` 1 the latest figure of the series,
    ``via_crosswalk`` true for a figure of the other framework. With ``body`` only that body's figures; without,
    every figure, national ones and those a named body reported (each body its own series).
    """
    own = Q(indicator__item__framework=framework)
    # A later indicator feeds the earlier one it continues (a 2014 report as of 2024), and an earlier indicator
    # feeds the later one that continues it (a 2021 report as of 2017).
    continues_ours = Q(indicator__continues__item__framework=framework)
    continuing = Indicator.objects.filter(continues=OuterRef("indicator_id"), item__framework=framework)
    # An earlier indicator continued by two of this framework's indicators feeds the first one only.
    series = Case(
        When(own, then=F("indicator_id")),
        When(continues_ours, then=F("indicator__continues_id")),
        default=Subquery(continuing.order_by("position", "pk").values("pk")[:1]),
        output_field=IntegerField(),
    )
    queryset = published_observations().filter(own | continues_ours | Exists(continuing), period_end__lte=as_of)
    if body is not None:
        queryset = queryset.filter(body=body)
    return (
        queryset.annotate(
            series_id=series,
            via_crosswalk=Case(When(own, then=Value(False)), default=Value(True), output_field=BooleanField()),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("series_id"), F("body_id")],
                # On a tie the figure of this framework wins over the crosswalk, then the later approval.
                order_by=[
                    F("period_end").desc(),
                    F("via_crosswalk").asc(),
                    F("approved_at").desc(nulls_last=True),
                    F("pk").desc(),
                ],
            )
        )
        .select_related("indicator__item__framework", "body", "source__publisher")
    )


def latest_observations_as_of(*, framework: Framework, as_of: date, body: Body | None = None) -> QuerySet[Observation]:
    """The latest current observation of each indicator series of ``framework`` dated on or before ``as_of``.

    One row per (series, body); see :func:`current_observations_as_of` for what "current" and "series" mean.
    Equal to :func:`latest_observations_as_of_reference` (tests/tracker/test_latest_status.py), but read from
    the latest-value read model (``LatestFigure``, O(series) rows) instead of ranking every approved figure:
    a series whose latest figure is dated on or before ``as_of`` takes it from there, any other one probes its
    own history once over ``observation_latest_idx``. Four queries.
    """
    picks = _latest_pks_as_of(framework=framework, as_of=as_of, body=body)
    return (
        current_observations_as_of(framework=framework, as_of=as_of, body=body).filter(pk__in=picks).filter(Q(rank=1))
    )


def latest_observations_as_of_reference(
    *, framework: Framework, as_of: date, body: Body | None = None
) -> QuerySet[Observation]:
    """The reference definition: one window query ranking every current figure (reads the whole table)."""
    # Q() because the window annotation is not part of the declared return type.
    return current_observations_as_of(framework=framework, as_of=as_of, body=body).filter(Q(rank=1))


def _latest_pks_as_of(*, framework: Framework, as_of: date, body: Body | None) -> list[int]:
    """Ids of the latest current figure of every (series, body) of ``framework`` at ``as_of`` (two queries)."""
    from tracker.models import LatestFigure

    # The framework's series: its own indicators, the other framework's indicators they continue, and those
    # that continue them (an earlier indicator continued twice feeds the first one only).
    series_of: dict[int, tuple[int, bool]] = {}  # indicator id -> (series id, via the crosswalk)
    candidates = Indicator.objects.filter(
        Q(item__framework=framework)
        | Q(continues__item__framework=framework)
        | Q(continued_by__item__framework=framework)
    ).distinct()
    rows = list(candidates.values_list("pk", "item__framework_id", "continues_id", "position"))
    own = {pk for pk, fw, _c, _p in rows if fw == framework.pk}
    for pk, _fw, _continues, _position in rows:
        if pk in own:
            series_of[pk] = (pk, False)
    continued: dict[int, list[tuple[int, int]]] = defaultdict(list)  # earlier indicator -> [(position, own id)]
    for pk, fw, continues, position in rows:
        if fw == framework.pk and continues is not None:
            continued[continues].append((position, pk))
    for pk, _fw, continues, _position in rows:
        if pk in own:
            continue
        if continues is not None and continues in own:
            series_of[pk] = (continues, True)
        elif continued.get(pk):
            series_of[pk] = (min(continued[pk])[1], True)

    published = published_observations().filter(period_end__lte=as_of)
    order = (F("period_end").desc(), F("approved_at").desc(nulls_last=True), F("pk").desc())
    national_probe = published.filter(indicator_id=OuterRef("indicator_id"), body__isnull=True).order_by(*order)
    body_probe = published.filter(indicator_id=OuterRef("indicator_id"), body_id=OuterRef("body_id")).order_by(*order)
    figures = LatestFigure.objects.filter(indicator_id__in=list(series_of))
    if body is not None:
        figures = figures.filter(body=body)
    picked = figures.annotate(
        pick=Case(
            When(latest_period_end__lte=as_of, then=F("latest_id")),
            When(body__isnull=True, then=Subquery(national_probe.values("pk")[:1])),
            default=Subquery(body_probe.values("pk")[:1]),
            output_field=IntegerField(),
        )
    ).values_list("indicator_id", "body_id", "pick")
    picks = [(indicator_id, body_id, pk) for indicator_id, body_id, pk in picked if pk is not None]
    details = {
        pk: (period_end, approved_at)
        for pk, period_end, approved_at in Observation.objects.filter(pk__in=[p for _i, _b, p in picks]).values_list(
            "pk", "period_end", "approved_at"
        )
    }
    best: dict[tuple[int, int | None], tuple[tuple[object, ...], int]] = {}
    for indicator_id, body_id, pk in picks:
        series_id, via_crosswalk = series_of[indicator_id]
        period_end, approved_at = details[pk]
        # The window's order: newest period, this framework's figure before the crosswalk's, latest approval.
        key = (period_end, not via_crosswalk, approved_at is not None, approved_at or period_end, pk)
        if (series_id, body_id) not in best or key > best[(series_id, body_id)][0]:
            best[(series_id, body_id)] = (key, pk)
    return [pk for _key, pk in best.values()]


def latest_assessments_as_of(*, framework: Framework, as_of: date) -> QuerySet[Assessment]:
    """The latest assessment of each agenda item of ``framework`` made on or before ``as_of``."""
    return (
        Assessment.objects.filter(item__framework=framework, as_of__lte=as_of)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("item_id")],
                order_by=[F("as_of").desc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .select_related("source__publisher")
    )


def status_as_of(*, framework: Framework, as_of: date, body: Body | None = None) -> list[Observation]:
    """The latest approved figure of every indicator series of ``framework`` on ``as_of``, in report order.

    The rows of :func:`latest_observations_as_of` (the report's own selector), each with ``series_indicator``:
    this framework's indicator the figure stands for (with its item), which differs from ``indicator`` for a
    figure carried over the crosswalk. Two queries whatever the data size. Order: item, indicator position,
    national figure first, then bodies by name.
    """
    indicators = {i.pk: i for i in Indicator.objects.filter(item__framework=framework).select_related("item")}
    rows = list(latest_observations_as_of(framework=framework, as_of=as_of, body=body))
    for row in rows:
        row.series_indicator = indicators[row.series_id]  # type: ignore[attr-defined]
    rows.sort(
        key=lambda o: (
            o.series_indicator.item.number,  # type: ignore[attr-defined]
            o.series_indicator.position,  # type: ignore[attr-defined]
            o.series_indicator.code,  # type: ignore[attr-defined]
            o.body is not None,
            o.body.name if o.body else "",
            o.pk,
        )
    )
    return rows
