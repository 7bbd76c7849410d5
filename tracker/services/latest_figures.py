"""Keeps the latest-value read model (``LatestFigure``) equal to the reference definition of a published series.

``latest_figures_refresh`` runs inside the approval's transaction (``services.observations``), so a reader never
sees an approved figure that the read model does not know; ``latest_figures_rebuild`` recomputes every row
(``manage.py rebuild_latest_figures``, after ``load_seed`` and ``generate_synthetic``, or to repair). Both use
the one ordering: newest period end, then latest approval (never approved last), then highest id.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F, Q

from tracker.choices import ObservationState
from tracker.models import LatestFigure, Observation

Series = tuple[int, int | None]  # (indicator id, body id or None for the national series)
ORDERING = (F("period_end").desc(), F("approved_at").desc(nulls_last=True), F("pk").desc())


def latest_figures_refresh(*, series: Iterable[Series]) -> None:
    """Recompute the read model's rows of these series from their published figures (two rows read each)."""
    with transaction.atomic():
        for indicator_id, body_id in set(series):
            # The national series is body IS NULL (``body_id=None`` would say the same, less plainly).
            same_body = Q(body__isnull=True) if body_id is None else Q(body_id=body_id)
            top = list(
                Observation.objects.filter(same_body, state=ObservationState.APPROVED, indicator_id=indicator_id)
                .exclude(superseded_by__state=ObservationState.APPROVED)
                .order_by(*ORDERING)
                .values_list("pk", "period_end")[:2]
            )
            if not top:
                LatestFigure.objects.filter(same_body, indicator_id=indicator_id).delete()
                continue
            # Delete and insert rather than update_or_create: the row is small and its series key has NULLs.
            LatestFigure.objects.filter(same_body, indicator_id=indicator_id).delete()
            LatestFigure.objects.create(
                indicator_id=indicator_id,
                body_id=body_id,
                latest_id=top[0][0],
                latest_period_end=top[0][1],
                previous_id=top[1][0] if len(top) > 1 else None,
            )


_REBUILD = """
    INSERT INTO tracker_latestfigure (indicator_id, body_id, latest_id, previous_id, latest_period_end)
    SELECT indicator_id, body_id,
           MAX(CASE WHEN rank = 1 THEN id END), MAX(CASE WHEN rank = 2 THEN id END),
           MAX(CASE WHEN rank = 1 THEN period_end END)
    FROM (
        SELECT o.id, o.indicator_id, o.body_id, o.period_end,
               ROW_NUMBER() OVER (PARTITION BY o.indicator_id, o.body_id
                                  ORDER BY o.period_end DESC, o.approved_at IS NULL, o.approved_at DESC,
                                           o.id DESC) AS rank
        FROM tracker_observation o
        WHERE o.state = %(approved)s
          AND NOT EXISTS (SELECT 1 FROM tracker_observation c WHERE c.supersedes_id = o.id AND c.state = %(approved)s)
    ) ranked
    WHERE rank <= 2
    GROUP BY indicator_id, body_id
"""


def latest_figures_rebuild() -> int:
    """Recompute every row in one statement (a window over the published figures; seconds at a million rows).
    Returns the number of series."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE tracker_latestfigure IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM tracker_latestfigure")
        cursor.execute(_REBUILD, {"approved": ObservationState.APPROVED.value})
        return cursor.rowcount
