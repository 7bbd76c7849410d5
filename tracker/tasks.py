"""Periodic work, scheduled by Celery beat (see CELERY_BEAT_SCHEDULE). Safe to run twice."""

from celery import shared_task
from django.utils import timezone

from tracker.services import notifications


@shared_task(name="tracker.send_reporting_reminders")
def send_reporting_reminders() -> int:
    return notifications.reminders_send(today=timezone.localdate())


@shared_task(name="tracker.send_review_digest")
def send_review_digest() -> int:
    return notifications.review_digest_send(today=timezone.localdate())


@shared_task(name="tracker.run_validation")
def run_validation(framework_id: int | None = None, as_of: str | None = None) -> int:
    """Every data-quality rule over the published figures, findings stored (the validation report). Safe to run
    twice: findings are matched by rule and key, so a second run only refreshes them. Returns the run's id."""
    from datetime import date

    from tracker.models import Framework
    from tracker.validation.services import validation_run

    framework = Framework.objects.get(pk=framework_id) if framework_id else None
    return validation_run(framework=framework, as_of=date.fromisoformat(as_of) if as_of else None).pk
