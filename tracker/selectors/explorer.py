"""Reads behind the analyst explorer and the indicator page, each in a fixed number of queries.

Every read starts at ``Observation.objects.restrict(user, "view")``; the explorer's filters narrow it, never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tracker import permissions
from tracker.choices import ObservationState, Unit
from tracker.models import Indicator, Observation
from tracker.models.querysets import is_superseded
from tracker.selectors.dashboard import SeriesPoint

UserLike = permissions.UserLike


# --- Indicator page ---------------------------------------------------------------------------------------


@dataclass
class IndicatorPage:
    indicator: Indicator
    earlier: list[Indicator]  # what this indicator continues (the 2014 series for a 2021 indicator)
    later: list[Indicator]  # what continues it
    history: list[Observation]  # every approved figure of this indicator, newest first
    crosswalk_history: list[Observation]  # approved figures of the linked indicators, newest first
    points: list[SeriesPoint]  # the chart: this indicator and the ones it is linked to


def indicator_page(*, user: UserLike, code: str) -> IndicatorPage:
    """An indicator with its full approved history and its crosswalk series both ways: four queries.

    Raises ``Indicator.DoesNotExist``.
    """
    indicator = Indicator.objects.select_related("item__framework", "continues__item__framework").get(code=code)
    later = list(indicator.continued_by.select_related("item__framework").order_by("item__framework__adopted_on"))
    earlier = [indicator.continues] if indicator.continues is not None else []
    linked_ids = [i.pk for i in (*earlier, *later)]
    # A figure replaced by an approved correction stays in the history, marked ``is_superseded``.
    observations = list(
        Observation.objects.restrict(user, "view")
        .filter(indicator_id__in=[indicator.pk, *linked_ids], state=ObservationState.APPROVED)
        .with_superseded()
        .select_related("indicator__item__framework", "body", "source__publisher")
        .order_by("-period_end", "-pk")
    )
    published = {obs.pk for obs in observations if not is_superseded(obs)}
    points: list[SeriesPoint] = []
    for obs in reversed(observations):
        if obs.value is None or obs.pk not in published:
            continue
        points.append(
            SeriesPoint(
                indicator_id=obs.indicator_id,
                body_id=obs.body_id,
                body_label=obs.body.short_name if obs.body else "",
                period_start=obs.period_start,
                period_end=obs.period_end,
                date_precision=obs.date_precision,
                value=obs.value,
                qualifier=obs.value_qualifier,
                source=f"{obs.source.publisher.short_name}: {obs.source.title}",
            )
        )
    return IndicatorPage(
        indicator=indicator,
        earlier=earlier,
        later=later,
        history=[o for o in observations if o.indicator_id == indicator.pk],
        crosswalk_history=[o for o in observations if o.indicator_id != indicator.pk],
        points=points if indicator.unit != Unit.TEXT else [],
    )


# --- Explorer ---------------------------------------------------------------------------------------------


def explorer_observations(*, user: UserLike) -> QuerySet[Observation]:
    """Every observation the policy lets the user see, joined for the explorer table and the exports.

    The explorer's filters narrow this; they never widen it. Exports further keep approved figures only.
    """
    return (
        Observation.objects.restrict(user, "view")
        .select_related("indicator__item__framework", "body", "source__publisher")
        .with_superseded()
        .order_by("-period_end", "pk")
    )
