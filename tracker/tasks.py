"""Periodic work, scheduled by Celery beat (see CELERY_BEAT_SCHEDULE), and export jobs. Safe to run twice."""

from celery import shared_task
from django.utils import timezone

from tracker.services import export_jobs, notifications


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


# A million-row workbook takes minutes on a busy worker: longer limits than the default, still below the
# broker's visibility timeout (an hour), so Redis never hands a running job to a second worker.
@shared_task(name="tracker.export_xlsx_job", acks_late=True, soft_time_limit=1800, time_limit=1900)
def export_xlsx_job(job_id: str) -> int:
    return export_jobs.export_job_run(job_id=job_id).rows


@shared_task(name="tracker.run_validation")
def run_validation(framework_id: int | None = None, as_of: str | None = None) -> int:
    """Every data-quality rule over the published figures, findings stored (the validation report). Safe to run
    twice: findings are matched by rule and key, so a second run only refreshes them. Returns the run's id."""
    from datetime import date

    from tracker.models import Framework
    from tracker.validation.services import validation_run

    framework = Framework.objects.get(pk=framework_id) if framework_id else None
    return validation_run(framework=framework, as_of=date.fromisoformat(as_of) if as_of else None).pk
