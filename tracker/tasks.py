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
