"""Reminders before and after the due date, and the reviewers' daily digest: one email per person."""

from datetime import date

import pytest
from celery.result import EagerResult
from django.core import mail

from napportal.celery import app as celery_app
from tracker import tasks
from tracker.choices import Cadence, Role
from tracker.choices import ObservationState as S
from tracker.models import Indicator, NotificationLog, ReportingAssignment
from tracker.services import notifications


@pytest.fixture
def assignments(world):
    second = Indicator.objects.create(item=world.old_item, code="arrests", name="Arrests", unit="count")
    return [
        ReportingAssignment.objects.create(
            indicator=world.old_executions, body=world.punjab, cadence=Cadence.MONTHLY, due_day=10
        ),
        ReportingAssignment.objects.create(indicator=second, body=world.punjab, cadence=Cadence.MONTHLY, due_day=10),
        ReportingAssignment.objects.create(indicator=second, body=world.sindh, cadence=Cadence.QUARTERLY, due_day=20),
    ]


def test_reminder_before_the_due_date_one_email_per_reporter(assignments, world, reporter, make_user):
    colleague = make_user(Role.REPORTER, world.punjab)
    make_user(Role.REPORTER, world.sindh)  # Sindh's quarterly figure is not due yet
    make_user(Role.ANALYST)
    today = date(2025, 4, 8)  # March figures are due on 10 April
    assert notifications.reminders_send(today=today) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reporter.email, colleague.email])
    message = mail.outbox[0]
    assert "Executions" in message.body and "Arrests" in message.body and "due on 10 Apr 2025" in message.body
    assert message.subject == "[NAP Portal] 2 figures to report"
    # Running again the same day, or the next, sends nothing new.
    assert notifications.reminders_send(today=today) == 0
    assert notifications.reminders_send(today=date(2025, 4, 9)) == 0
    assert len(mail.outbox) == 2


def test_no_reminder_too_early_or_when_reported(assignments, world, reporter, make_obs):
    assert notifications.reminders_send(today=date(2025, 4, 2)) == 0  # eight days before the due date
    make_obs(S.SUBMITTED, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31), date_precision="month")
    make_obs(
        S.APPROVED,
        indicator=assignments[1].indicator,
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        date_precision="month",
    )
    assert notifications.reminders_send(today=date(2025, 4, 8)) == 0
    assert mail.outbox == []


def test_overdue_reminder_is_sent_once(assignments, world, reporter):
    notifications.reminders_send(today=date(2025, 4, 8))
    assert notifications.reminders_send(today=date(2025, 4, 11)) == 1
    assert "overdue since 10 Apr 2025" in mail.outbox[-1].body
    assert notifications.reminders_send(today=date(2025, 4, 20)) == 0
    assert NotificationLog.objects.filter(kind="reminder").count() == 4


def test_daily_digest_one_email_per_reviewer(world, reporter, reviewer, make_user, make_obs):
    second = make_user(Role.REVIEWER)
    for year in (2021, 2022, 2023):
        make_obs(S.SUBMITTED, created_by=reporter, period_start=date(year, 1, 1), period_end=date(year, 12, 31))
    make_obs(S.DRAFT, created_by=reporter)
    assert notifications.review_digest_send(today=date(2025, 4, 8)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reviewer.email, second.email])
    body = mail.outbox[0].body
    assert "3 update(s) wait for review" in body and body.count("Executions") == 3
    assert notifications.review_digest_send(today=date(2025, 4, 8)) == 0
    assert notifications.review_digest_send(today=date(2025, 4, 9)) == 2


def test_no_digest_when_nothing_waits(world, reviewer):
    assert notifications.review_digest_send(today=date(2025, 4, 8)) == 0


@pytest.fixture
def celery_worker_on_redis():
    """A real Celery worker consuming from the Redis broker (REDIS_URL), in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_reminders_and_digest_through_a_real_worker(world, reporter, reviewer, make_obs, celery_worker_on_redis):
    # Last year's annual figure was due on 1 January: overdue (or, on 1 January itself, due today).
    ReportingAssignment.objects.create(
        indicator=world.old_executions, body=world.punjab, cadence=Cadence.ANNUAL, due_day=1
    )
    make_obs(S.SUBMITTED, created_by=reporter)

    result = tasks.send_reporting_reminders.delay()
    assert not isinstance(result, EagerResult)  # it went through Redis to the worker
    assert result.get(timeout=30) == 1
    assert tasks.send_review_digest.delay().get(timeout=30) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reporter.email, reviewer.email])
    # Safe to run twice: the second round sends nothing.
    assert tasks.send_reporting_reminders.delay().get(timeout=30) == 0
    assert tasks.send_review_digest.delay().get(timeout=30) == 0
    assert len(mail.outbox) == 2
