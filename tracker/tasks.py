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


@shared_task(name="tracker.send_notice_mail")
def send_notice_mail(user_id: int) -> int:
    """Queued on commit of each notice: mails the recipient's batch now if the interval allows."""
    return notifications.notice_mail_send(user_id=user_id, now=timezone.now())


@shared_task(name="tracker.send_due_notice_mails")
def send_due_notice_mails() -> int:
    """Every few minutes: batches the interval held back and sends that failed."""
    return notifications.notice_mails_send_due(now=timezone.now())


@shared_task(name="tracker.send_daily_notice_mails")
def send_daily_notice_mails() -> int:
    return notifications.notice_mails_send_due(now=timezone.now(), daily_run=True)
