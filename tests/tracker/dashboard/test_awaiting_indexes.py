"""Submissions awaiting review are a few percent of the rows: the review backlog, its oldest few and the pending
counts per item read them through partial indexes (obs_awaiting_idx, obs_awaiting_indicator_idx) instead of
every observation. At a million rows each of those queries took 0.1 s before, 5–30 ms after."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tracker.dashboard.conftest import bulk_observations
from tracker.selectors.dashboard.backlog import review_backlog
from tracker.selectors.dashboard.cards import pending_per_item

pytestmark = pytest.mark.django_db


def _plans(queries: list[dict]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_observation")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table: show which index serves the query
        plans = []
        for query in queries:
            if 'FROM "tracker_observation"' not in query["sql"]:
                continue  # the user's role and bodies, read once
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.parametrize("role", ["reviewer", "reporter"])
def test_the_backlog_and_the_pending_counts_read_the_awaiting_indexes(dash, users, role):
    bulk_observations(dash, 3000)  # one in ten submitted
    user = users[role]
    with CaptureQueriesContext(connection) as backlog:
        found = review_backlog(user)
    with CaptureQueriesContext(connection) as pending:
        counts = pending_per_item(user, item_ids=[dash.executions.item_id, dash.attacks.item_id])
    assert found.total > 0 and sum(counts.values()) > 0
    totals, oldest = _plans(backlog.captured_queries)
    assert "obs_awaiting_" in totals  # either partial index: both hold exactly the awaiting rows
    assert "obs_awaiting_idx" in oldest and "Sort" not in oldest.split("->")[1]  # oldest first, read in order
    (per_item,) = _plans(pending.captured_queries)
    assert "obs_awaiting_indicator_idx" in per_item
