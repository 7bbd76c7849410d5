"""Reads of the domain: querysets already filtered and joined for the page or report that uses them."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from tracker.choices import ObservationState
from tracker.models import Assessment, Body, Framework, Indicator, Observation


def current_observations_as_of(*, framework: Framework, as_of: date, body: Body | None = None) -> QuerySet[Observation]:
    """Every current observation that feeds ``framework``'s report on ``as_of``, ranked within its series.

    "Current" means approved and not superseded by an approved correction: a correction replaces the figure
    it corrects for every as-of date, so an earlier report regenerated after a correction shows the corrected
    figure. The series of an indicator includes the other framework's indicator linked to it by ``continues``
    (either way), so a 2021 report as of 2017 shows the 2014 figure and a 2014 report as of 2024 the 2021 one.
    ``series_id`` is the id of this framework's indicator, ``rank`` 1 the latest figure of the series,
    ``via_crosswalk`` true for a figure of the other framework. ``body`` ``None`` means national figures
    (observations without a reporting body).
    """
    own = Q(indicator__item__framework=framework)
    # A later indicator feeds the earlier one it continues (a 2014 report as of 2024), and an earlier indicator
    # feeds the later one that continues it (a 2021 report as of 2017).
    continues_ours = Q(indicator__continues__item__framework=framework)
    continuing = Indicator.objects.filter(continues=OuterRef("indicator_id"), item__framework=framework)
    corrected = Observation.objects.filter(supersedes=OuterRef("pk"), state=ObservationState.APPROVED)
    # An earlier indicator continued by two of this framework's indicators feeds the first one only.
    series = Case(
        When(own, then=F("indicator_id")),
        When(continues_ours, then=F("indicator__continues_id")),
        default=Subquery(continuing.order_by("position", "pk").values("pk")[:1]),
        output_field=IntegerField(),
    )
    queryset = Observation.objects.filter(
        own | continues_ours | Exists(continuing),
        state=ObservationState.APPROVED,
        period_end__lte=as_of,
    ).exclude(Exists(corrected))
    queryset = queryset.filter(body=body) if body is not None else queryset.filter(body__isnull=True)
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
    Runs as one window query on SQLite and PostgreSQL alike.
    """
    # Q() because the window annotation is not part of the declared return type.
    return current_observations_as_of(framework=framework, as_of=as_of, body=body).filter(Q(rank=1))


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
