"""Stored learnt ranges (``LearntBound``): a whole run computes a figure's median and MAD once and reads them
back on later runs, instead of windowing every series again (the learnt range was a third of the run's CPU).

A figure's bounds depend only on the published figures before it in its series; the triggers of migration 0018
delete them when that history changes (a new, corrected, withdrawn or deleted figure at or before it). A run
computes the figures without a row — on the first run all of them, later only the tails of the changed
series — with the same SQL the cold path uses, so the stored floats are the ones a cold run compares against.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from tracker.validation.robust import median_mad_sql

TABLE = "tracker_learntbound"
UNLEARNT = "nap_validation_unlearnt"


def kept() -> bool:
    """Whether bounds are stored: only where migration 0019's triggers forget them when a history changes
    (PostgreSQL). Elsewhere (SQLite, the embedded default) every run learns them afresh."""
    return connection.vendor == "postgresql"


def lock() -> None:
    """Hold off approvals' invalidations until the run commits (call before reading the figures): a bound
    computed from this run's snapshot must not be stored after a trigger has forgotten it."""
    if not kept():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")


def learn_missing(cte: str, params: list[Any], history: int) -> int:
    """Compute and store the bounds of the figures in ``fig`` (``cte``) that have none for ``history``; returns
    how many figures were learnt. Figures with fewer than ``history`` predecessors get a row without bounds."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {UNLEARNT}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {UNLEARNT} ON COMMIT DROP AS WITH {cte} "
            f"SELECT id, indicator_id, body_id, period_end FROM fig WHERE NOT EXISTS "
            f"(SELECT 1 FROM {TABLE} b WHERE b.observation_id = fig.id AND b.history = %s)",
            [*params, history],
        )
        missing = cursor.rowcount
        if not missing:
            return 0
        cursor.execute(f"ANALYZE {UNLEARNT}")
        learnt = median_mad_sql(history, candidates_only=False, judged=f"id IN (SELECT id FROM {UNLEARNT})")
        columns = "observation_id, history, indicator_id, body_id, period_end, median, mad"
        cursor.execute(
            f"INSERT INTO {TABLE} ({columns}) WITH {cte}, learnt AS ({learnt}) "
            "SELECT id, %s, indicator_id, body_id, period_end, median, mad FROM learnt ON CONFLICT DO NOTHING",
            [*params, history],
        )
        cursor.execute(
            f"INSERT INTO {TABLE} ({columns}) SELECT id, %s, indicator_id, body_id, period_end, NULL, NULL "
            f"FROM {UNLEARNT} ON CONFLICT DO NOTHING",
            [history],
        )
    return missing


def stored_sql(*, since: bool) -> str:
    """A SELECT over ``fig`` like ``median_mad_sql``'s, from the stored bounds (parameters: the history, then
    the previous run's start and date with ``since``)."""
    judged = "AND (fig.approved_at >= %s OR fig.period_end > %s)" if since else ""
    return (
        "SELECT fig.id, fig.indicator_id, fig.body_id, fig.period_start, fig.period_end, fig.value, "
        "fig.value_qualifier, fig.approved_at, fig.is_candidate, b.median, b.mad "
        f"FROM fig JOIN {TABLE} b ON b.observation_id = fig.id AND b.history = %s "
        f"WHERE b.median IS NOT NULL {judged}"
    )
