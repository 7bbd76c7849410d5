"""Bounded histories: the last figures of a series, and older ones a page at a time.

An item or indicator page showed every approved figure of every series of its indicators (2.5 MB of HTML and
16 s at a million observations; with the last 24 figures of all 39 series of each indicator it still was).
Now the item page shows each indicator's last ``RECENT_NATIONAL`` national figures and one row per body (its
latest figure, from the ``LatestFigure`` read model), and the indicator page shows one series at a time,
``HISTORY_PAGE`` figures per page behind a keyset cursor over (period end, approval time, id), so no page
reads more rows than it shows.

The recent figures come from one index probe per series: a LATERAL ``LIMIT`` over ``observation_latest_idx``
(indicator, body, state, period end) (``body_id IS NULL`` needs its own branch: ``=`` never matches NULL, and
``IS NOT DISTINCT FROM`` cannot use the index).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from django.db import connection
from django.db.models import DateTimeField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from tracker.choices import ObservationState
from tracker.models import Observation

RECENT_NATIONAL = 12  # national figures per indicator on the item page
RECENT_LINKED = 12  # figures of each linked indicator's series on the indicator page
HISTORY_PAGE = 50  # figures per page of a series' history

ALL_SERIES: Literal["all"] = "all"
# Which series ``recent`` probes: every one (national and each body), the national one (None) or one body's.
SeriesChoice = Literal["all"] | int | None

_PROBE = """
    SELECT o.id FROM tracker_observation o
    WHERE o.indicator_id = i.id AND {body} AND o.state = %s {published}
    ORDER BY o.period_end DESC, o.id DESC
    LIMIT %s
"""
_NOT_SUPERSEDED = """AND NOT EXISTS (
        SELECT 1 FROM tracker_observation c WHERE c.supersedes_id = o.id AND c.state = %s)"""


def recent(
    *,
    indicators_where: str,
    params: list[object],
    limit: int,
    published_only: bool = True,
    series: SeriesChoice = ALL_SERIES,
) -> Q:
    """A filter for the last ``limit`` approved figures of the ``series`` (see ``SeriesChoice``) of the
    indicators ``i`` that match ``indicators_where`` (SQL over ``tracker_indicator i``, e.g. ``i.id = ANY(%s)``,
    with ``params``); ``published_only`` leaves out figures replaced by an approved correction. It runs as a
    subquery of the query it filters, so it costs no query of its own."""
    approved = ObservationState.APPROVED.value
    published = _NOT_SUPERSEDED if published_only else ""
    body_params: list[object]
    probe_params: list[object] = [approved, *([approved] if published_only else []), limit]
    if connection.vendor != "postgresql":
        # SQLite (the embedded `make run` default) has no LATERAL: rank every figure of these indicators.
        body_sql, body_params = "1 = 1", []
        if series is None:
            body_sql = "o.body_id IS NULL"
        elif series != ALL_SERIES:
            body_sql, body_params = "o.body_id = %s", [series]
        sql = f"""
            SELECT id FROM (
                SELECT o.id, ROW_NUMBER() OVER (
                    PARTITION BY o.indicator_id, o.body_id ORDER BY o.period_end DESC, o.id DESC) AS position
                FROM tracker_observation o JOIN tracker_indicator i ON i.id = o.indicator_id
                WHERE {indicators_where} AND {body_sql} AND o.state = %s {published}
            ) ranked WHERE position <= %s
        """  # noqa: S608 (the formatted parts are our own constants; values are parameters)
        return Q(pk__in=RawSQL(sql, [*params, *body_params, *probe_params]))  # noqa: S611 (as above)
    # (FROM clause, the probe's body condition, its parameters) of each branch of the union.
    branches: list[tuple[str, str, list[object]]] = []
    if series == ALL_SERIES:
        branches.append(("tracker_indicator i CROSS JOIN tracker_body b", "o.body_id = b.id", []))
    elif series is not None:
        branches.append(("tracker_indicator i", "o.body_id = %s", [series]))
    if series == ALL_SERIES or series is None:
        branches.append(("tracker_indicator i", "o.body_id IS NULL", []))
    sql = " UNION ALL ".join(
        f"SELECT r.id FROM {tables} CROSS JOIN LATERAL ({_PROBE.format(body=body, published=published)}) r "  # noqa: S608 (our own constants; values are parameters)
        f"WHERE {indicators_where}"
        for tables, body, _params in branches
    )
    all_params = [value for _t, _b, body_params in branches for value in (*body_params, *probe_params, *params)]
    return Q(pk__in=RawSQL(sql, all_params))  # noqa: S611 (as above)


def superseded_among(ids: Iterable[int]) -> set[int]:
    """Which of these figures an approved correction replaces: one query over the unique index on
    ``supersedes``, whatever the page shows (an ``EXISTS`` annotation may become a hashed subplan that reads
    every correction first)."""
    return set(
        Observation.objects.filter(supersedes_id__in=sorted(set(ids)), state=ObservationState.APPROVED).values_list(
            "supersedes_id", flat=True
        )
    )


def mark_superseded(observations: Sequence[Observation]) -> Sequence[Observation]:
    """Set ``is_superseded`` on each figure (what ``with_superseded`` annotates), in one query."""
    replaced = superseded_among(o.pk for o in observations) if observations else set()
    for observation in observations:
        observation.is_superseded = observation.pk in replaced  # type: ignore[attr-defined]
    return observations


# --- Keyset paging over one series ---------------------------------------------------------------------

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # stands for "not recorded" in the order: older than any approval


@dataclass(frozen=True)
class Cursor:
    """A row's place in a history, newest first: period end, then approval time (a figure approved before
    the portal recorded it counts as oldest), then id. Written in a link as ``<date>.<microseconds>.<id>``."""

    period_end: date
    approved_at: datetime
    pk: int

    @classmethod
    def of(cls, observation: Observation) -> Cursor:
        return cls(observation.period_end, observation.approved_at or _NEVER, observation.pk)

    def __str__(self) -> str:
        micros = (self.approved_at - _NEVER) // timedelta(microseconds=1)
        return f"{self.period_end.isoformat()}.{micros}.{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor a link carries; None for none or a malformed one (the first page is shown)."""
        if not text:
            return None
        try:
            day, micros, pk = text.split(".")
            return cls(date.fromisoformat(day), _NEVER + timedelta(microseconds=int(micros)), int(pk))
        except (ValueError, OverflowError):
            return None


@dataclass(frozen=True)
class HistoryPage:
    """A page of a series' history, newest first, and the cursors of the pages either side (None: none)."""

    rows: Sequence[Observation]
    newer: Cursor | None  # link ``?before=`` this
    older: Cursor | None  # link ``?after=`` this


def history_page(
    queryset: QuerySet[Observation],
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = HISTORY_PAGE,
) -> HistoryPage:
    """Up to ``size`` rows of ``queryset`` (one series, newest first): the first page, the page after the
    cursor ``after`` (older rows) or the one before ``before`` (newer rows). One query of ``size`` + 1 rows;
    the bound on the period end lets ``observation_latest_idx`` start the scan at the cursor, so a deep page
    reads no more than the first."""
    qs = queryset.annotate(approved_key=Coalesce("approved_at", Value(_NEVER, output_field=DateTimeField())))
    if before is not None:
        newer = (
            Q(period_end__gt=before.period_end)
            | Q(period_end=before.period_end, approved_key__gt=before.approved_at)
            | Q(period_end=before.period_end, approved_key=before.approved_at, pk__gt=before.pk)
        )
        rows = list(
            qs.filter(Q(period_end__gte=before.period_end) & newer).order_by("period_end", "approved_key", "pk")[
                : size + 1
            ]
        )
        more = len(rows) > size
        rows = rows[:size][::-1]
        return HistoryPage(
            rows=rows,
            newer=Cursor.of(rows[0]) if more and rows else None,
            older=Cursor.of(rows[-1]) if rows else None,
        )
    if after is not None:
        older = (
            Q(period_end__lt=after.period_end)
            | Q(period_end=after.period_end, approved_key__lt=after.approved_at)
            | Q(period_end=after.period_end, approved_key=after.approved_at, pk__lt=after.pk)
        )
        qs = qs.filter(Q(period_end__lte=after.period_end) & older)
    rows = list(qs.order_by("-period_end", "-approved_key", "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return HistoryPage(
        rows=rows,
        newer=Cursor.of(rows[0]) if after is not None and rows else None,
        older=Cursor.of(rows[-1]) if more and rows else None,
    )
