"""Bounded histories: the last figures of each series, and older ones a page at a time.

An item or indicator page showed every approved figure of its indicators (44 MB of HTML at a million
observations). Now a page shows the last ``RECENT_PER_SERIES`` figures of each series (indicator × body,
national included) and links to older figures, which the indicator page lists ``HISTORY_PAGE`` at a time
behind a keyset cursor (period end and id of the last row shown), so no page reads more rows than it shows.

The recent figures come from one index probe per series: a LATERAL ``LIMIT`` over ``observation_latest_idx``
(indicator, body, state, period end) for every body and for the national series (``body_id IS NULL`` needs
its own branch: ``=`` never matches NULL, and ``IS NOT DISTINCT FROM`` cannot use the index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from tracker.choices import ObservationState
from tracker.models import Observation

RECENT_PER_SERIES = 24
HISTORY_PAGE = 50

_PROBE = """
    SELECT o.id FROM tracker_observation o
    WHERE o.indicator_id = i.id AND {body} AND o.state = %s {published}
    ORDER BY o.period_end DESC, o.id DESC
    LIMIT %s
"""
_NOT_SUPERSEDED = """AND NOT EXISTS (
        SELECT 1 FROM tracker_observation c WHERE c.supersedes_id = o.id AND c.state = %s)"""


def recent(
    *, indicators_where: str, params: list[object], limit: int = RECENT_PER_SERIES, published_only: bool = True
) -> Q:
    """A filter for the last ``limit`` approved figures of every series of the indicators ``i`` that match
    ``indicators_where`` (SQL over ``tracker_indicator i``, e.g. ``i.id = ANY(%s)``, with ``params``);
    ``published_only`` leaves out figures replaced by an approved correction. It runs as a subquery of the
    query it filters, so it costs no query of its own."""
    approved = ObservationState.APPROVED.value
    published = _NOT_SUPERSEDED if published_only else ""
    probe_params: list[object] = [approved, *([approved] if published_only else []), limit]
    sql = f"""
        SELECT r.id FROM tracker_indicator i
        CROSS JOIN tracker_body b
        CROSS JOIN LATERAL ({_PROBE.format(body="o.body_id = b.id", published=published)}) r
        WHERE {indicators_where}
        UNION ALL
        SELECT r.id FROM tracker_indicator i
        CROSS JOIN LATERAL ({_PROBE.format(body="o.body_id IS NULL", published=published)}) r
        WHERE {indicators_where}
    """  # noqa: S608 (the formatted parts are our own constants; values are parameters)
    if connection.vendor != "postgresql":
        # SQLite (the embedded `make run` default) has no LATERAL: rank every figure of these indicators.
        sql = f"""
            SELECT id FROM (
                SELECT o.id, ROW_NUMBER() OVER (
                    PARTITION BY o.indicator_id, o.body_id ORDER BY o.period_end DESC, o.id DESC) AS position
                FROM tracker_observation o JOIN tracker_indicator i ON i.id = o.indicator_id
                WHERE {indicators_where} AND o.state = %s {published}
            ) ranked WHERE position <= %s
        """  # noqa: S608 (as above)
        return Q(pk__in=RawSQL(sql, [*params, *probe_params]))  # noqa: S611 (as above)
    return Q(pk__in=RawSQL(sql, [*probe_params, *params, *probe_params, *params]))  # noqa: S611 (as above)


@dataclass(frozen=True)
class Cursor:
    """Where a page of older figures starts: after the row with this period end and id (newest first)."""

    period_end: date
    pk: int

    def __str__(self) -> str:
        return f"{self.period_end.isoformat()}.{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        day, _sep, pk = text.partition(".")
        try:
            return cls(date.fromisoformat(day), int(pk))
        except ValueError:
            return None


def older_page(
    queryset: QuerySet[Observation], *, after: Cursor | None, size: int = HISTORY_PAGE
) -> tuple[list[Observation], Cursor | None]:
    """Up to ``size`` rows of ``queryset`` (newest first) after the cursor, and the cursor of the next page
    (None on the last): one query of ``size`` + 1 rows, over ``obs_approved_ind_idx``."""
    if after is not None:
        queryset = queryset.filter(Q(period_end__lt=after.period_end) | Q(period_end=after.period_end, pk__lt=after.pk))
    rows = list(queryset.order_by("-period_end", "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (Cursor(rows[-1].period_end, rows[-1].pk) if more and rows else None)
