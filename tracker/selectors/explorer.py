"""Reads behind the analyst explorer and the indicator page, each in a fixed number of queries.

Every read starts at ``Observation.objects.restrict(user, "view")``; the explorer's filters narrow it, never widen it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import QueryDict

from tracker import permissions
from tracker.choices import ObservationState, Unit
from tracker.filters import ObservationFilter
from tracker.models import Indicator, Observation
from tracker.selectors.charts import chart_points
from tracker.selectors.dashboard import SeriesPoint
from tracker.selectors.histories import HISTORY_PAGE, RECENT_PER_SERIES, Cursor, older_page, recent

UserLike = permissions.UserLike


# --- Indicator page ---------------------------------------------------------------------------------------


@dataclass
class IndicatorPage:
    indicator: Indicator
    earlier: list[Indicator]  # what this indicator continues (the 2014 series for a 2021 indicator)
    later: list[Indicator]  # what continues it
    history: list[Observation]  # approved figures of this indicator, newest first (see ``indicator_page``)
    crosswalk_history: list[Observation]  # the last approved figures of the linked indicators' series
    points: list[SeriesPoint]  # the chart: this indicator and the ones it is linked to, aggregated in SQL
    older: Cursor | None = None  # where the next page of the full history starts; None on its last page
    paged: bool = False  # a page of the full history (all series) rather than the last figures of each series
    truncated: bool = False  # the last figures of some series are not all it has


def indicator_page(*, user: UserLike, code: str, paged: bool = False, after: Cursor | None = None) -> IndicatorPage:
    """An indicator with bounded history and its crosswalk series both ways, in a fixed number of queries.

    By default the last ``RECENT_PER_SERIES`` approved figures of each series (superseded ones marked).
    ``paged``: the full history of the indicator, all series, ``HISTORY_PAGE`` figures at a time, newest
    first, after the cursor ``after``. The chart's points are aggregated in SQL either way.
    Raises ``Indicator.DoesNotExist``.
    """
    indicator = Indicator.objects.select_related("item__framework", "continues__item__framework").get(code=code)
    later = list(indicator.continued_by.select_related("item__framework").order_by("item__framework__adopted_on"))
    earlier = [indicator.continues] if indicator.continues is not None else []
    linked_ids = [i.pk for i in (*earlier, *later)]
    approved = (
        Observation.objects.restrict(user, "view")
        .filter(state=ObservationState.APPROVED)
        .with_superseded()
        .select_related("indicator__item__framework", "body", "source__publisher")
    )
    older: Cursor | None = None
    truncated = False
    if not paged:
        ids = [indicator.pk, *linked_ids]
        last = recent(
            indicators_where=f"i.id IN ({', '.join(['%s'] * len(ids))})",
            params=list(ids),
            limit=RECENT_PER_SERIES,
            published_only=False,
        )
        observations = list(approved.filter(last).order_by("-period_end", "-pk"))
        per_series = Counter((o.indicator_id, o.body_id) for o in observations if o.indicator_id == indicator.pk)
        truncated = any(n >= RECENT_PER_SERIES for n in per_series.values())
    else:
        observations, older = older_page(approved.filter(indicator_id=indicator.pk), after=after, size=HISTORY_PAGE)
    # A figure replaced by an approved correction stays in the history, marked ``is_superseded``.
    points = chart_points(user, indicator_ids=[indicator.pk, *linked_ids]) if indicator.unit != Unit.TEXT else []
    return IndicatorPage(
        indicator=indicator,
        earlier=earlier,
        later=later,
        history=[o for o in observations if o.indicator_id == indicator.pk],
        crosswalk_history=[o for o in observations if o.indicator_id != indicator.pk],
        points=points,
        older=older,
        paged=paged,
        truncated=truncated,
    )


# --- Explorer ---------------------------------------------------------------------------------------------


def export_selection(*, user: UserLike, params: QueryDict | None) -> tuple[ObservationFilter, QuerySet[Observation]]:
    """Exactly the explorer's selection for ``params``, approved figures only: exports never carry drafts or
    pending work. The view and the background export job both build it here."""
    filterset = ObservationFilter(params or None, queryset=explorer_observations(user=user), user=user)
    return filterset, filterset.qs.restrict(user, "export")


def explorer_observations(*, user: UserLike) -> QuerySet[Observation]:
    """Every observation the policy lets the user see, joined for the explorer table and the exports.

    The explorer's filters narrow this; they never widen it. Exports further keep approved figures only.
    """
    # A LEFT JOIN on the correction (unique supersedes_id), probed for the page's rows only; an EXISTS here
    # became a hashed subplan that read every approved row first (116 ms at 100k).
    superseded = Case(
        When(superseded_by__state=ObservationState.APPROVED, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        Observation.objects.restrict(user, "view")
        .select_related("indicator__item__framework", "body", "source__publisher")
        .annotate(is_superseded=superseded)
        .order_by("-period_end", "pk")
    )
