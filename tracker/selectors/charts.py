"""Chart points, aggregated in SQL: what a chart can show, not every figure ever approved.

A chart 300 pixels wide cannot show 17,000 daily figures of one series; sending them made the dashboard 44 MB
at a million observations. So each series (indicator × body) gives at most one point per month over the ten
years up to the as-of date and one per year before that: the latest published figure of the month (or year),
the one a table of that month would show. ``DISTINCT ON`` picks it inside PostgreSQL over
``observation_latest_idx``; a chart reads at most 120 + (older years) points per series.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Case, DateField, QuerySet, When
from django.db.models.functions import Trunc

from tracker import permissions
from tracker.models import Observation
from tracker.models.querysets import newest_first, oldest_first
from tracker.selectors.dashboard.series import SeriesPoint
from tracker.selectors.histories import ALL_SERIES, SeriesChoice

UserLike = permissions.UserLike
MONTHLY_YEARS = 10


def _ten_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - MONTHLY_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year - MONTHLY_YEARS, day=28)


def chart_points(
    user: UserLike, *, indicator_ids: list[int], as_of: date | None = None, series: SeriesChoice = ALL_SERIES
) -> list[SeriesPoint]:
    """The chart points of these indicators up to ``as_of`` (see the module), oldest first per indicator:
    one query, at most one row per series per month. ``series``: every series, the national one (None) or
    one body's (its id)."""
    qs = (
        Observation.objects.restrict(user, "view")
        .published()
        .filter(indicator_id__in=indicator_ids, value__isnull=False)
    )
    if series != ALL_SERIES:
        qs = qs.filter(body__isnull=True) if series is None else qs.filter(body_id=series)
    bucket: Case | Trunc
    if as_of is not None:
        qs = qs.filter(period_end__lte=as_of)
        cutoff = _ten_years_before(as_of)
        bucket = Case(
            When(period_end__gt=cutoff, then=Trunc("period_end", "month", output_field=DateField())),
            default=Trunc("period_end", "year", output_field=DateField()),
            output_field=DateField(),
        )
    else:
        bucket = Trunc("period_end", "month", output_field=DateField())
    if connection.vendor != "postgresql":
        return _points_in_python(qs, as_of)
    rows = (
        qs.annotate(bucket=bucket)
        # The bucket's latest figure by THE tie-break of observations (a figure with no approval time last).
        .order_by("indicator_id", "body_id", "bucket", *newest_first())
        .distinct("indicator_id", "body_id", "bucket")
        .values_list(
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
            "bucket",  # DISTINCT ON names it, so it is selected too
        )
    )
    points = [
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
        for ind, body_id, body, start, end, precision, value, qualifier, publisher, title, _bucket in rows
        if value is not None  # the query already excludes them; this tells the type checker
    ]
    points.sort(key=lambda p: (p.indicator_id, p.period_end))
    return points


def _points_in_python(qs: QuerySet[Observation], as_of: date | None) -> list[SeriesPoint]:
    """The same buckets without DISTINCT ON (SQLite, the embedded `make run` default): every row is read."""
    cutoff = _ten_years_before(as_of) if as_of is not None else None
    chosen: dict[tuple[int, int | None, date], Observation] = {}
    for obs in qs.select_related("body", "source__publisher").order_by(*oldest_first()):
        recent_enough = cutoff is None or obs.period_end > cutoff
        bucket = obs.period_end.replace(day=1) if recent_enough else obs.period_end.replace(month=1, day=1)
        chosen[(obs.indicator_id, obs.body_id, bucket)] = obs  # later rows win: the latest of the bucket
    points = [
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
        for obs in chosen.values()
        if obs.value is not None
    ]
    points.sort(key=lambda p: (p.indicator_id, p.period_end))
    return points
