"""Races on real PostgreSQL: threads started together by a barrier, each with its own connection."""

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from tracker import services
from tracker.choices import ObservationState as S
from tracker.choices import Role
from tracker.exceptions import WorkflowError
from tracker.models import AuditEntry, Observation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released at the same instant; returns each result or exception."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_simultaneous_approvals_one_wins(world, reporter, make_user, make_obs):
    reviewers = [make_user(Role.REVIEWER) for _ in range(20)]
    obs = make_obs(S.SUBMITTED, created_by=reporter)

    results = run_together(
        20, lambda i: services.observation_approve(actor=reviewers[i], observation_id=obs.pk, version=obs.version)
    )

    successes = [r for r in results if isinstance(r, Observation)]
    refusals = [r for r in results if isinstance(r, WorkflowError)]
    assert len(successes) == 1
    assert len(refusals) == 19, [r for r in results if not isinstance(r, Observation | WorkflowError)]
    assert all("Someone else saved" in r.message for r in refusals)
    obs.refresh_from_db()
    assert (obs.state, obs.version, obs.approved_by) == (S.APPROVED, 2, successes[0].approved_by)
    assert AuditEntry.objects.filter(action="observation.approve").count() == 1


def test_concurrent_edits_from_the_same_version_one_wins_nothing_lost(world, reporter, make_user, make_obs):
    colleagues = [reporter] + [make_user(Role.REPORTER, world.punjab) for _ in range(7)]
    obs = make_obs(S.DRAFT, created_by=reporter)

    def edit(i: int) -> Observation:
        data = services.ObservationInput(
            indicator=world.old_executions,
            body=world.punjab,
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            date_precision="year",
            value=Decimal(200 + i),
            source=world.status_2017,
        )
        return services.observation_update(actor=colleagues[i], observation_id=obs.pk, version=1, data=data)

    results = run_together(8, edit)
    winners = [r for r in results if isinstance(r, Observation)]
    assert len(winners) == 1
    assert sum(isinstance(r, WorkflowError) for r in results) == 7
    obs.refresh_from_db()
    # The saved value is the winner's, and the audit trail holds exactly that one edit.
    assert obs.value == winners[0].value and obs.version == 2
    entry = AuditEntry.objects.get(action="observation.update")
    assert Decimal((entry.after or {})["value"]) == obs.value


def test_approve_racing_a_return_ends_consistent(world, reporter, reviewer, second_reviewer, make_obs):
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    calls = [
        lambda: services.observation_approve(actor=reviewer, observation_id=obs.pk, version=1),
        lambda: services.observation_return(actor=second_reviewer, observation_id=obs.pk, version=1, reason="No"),
    ]
    results = run_together(2, lambda i: calls[i]())
    assert sum(isinstance(r, Observation) for r in results) == 1
    obs.refresh_from_db()
    assert obs.state in (S.APPROVED, S.RETURNED) and obs.version == 2
    assert AuditEntry.objects.filter(object_id=str(obs.pk)).count() == 1
