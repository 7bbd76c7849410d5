"""Celery tasks: they take ids, call a service, and are safe to run twice.

Time limits stay below the broker's visibility timeout (checked by ``reporting.checks``): a task still
running when Redis redelivers it would be built twice at once.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from reporting import dispatch, services
from reporting.definitions import NATIONAL, ReportParams
from reporting.models import ReportEdition

logger = logging.getLogger(__name__)

BUILD_SOFT_TIME_LIMIT = 300
BUILD_TIME_LIMIT = 360
BUILD_MAX_RETRIES = 3


class EditionBuildTask(Task):
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Retries exhausted (or an error not worth retrying): record the reason on the edition."""
        edition_id = args[0] if args else kwargs.get("edition_id")
        if edition_id is not None and ReportEdition.objects.filter(pk=edition_id).exists():
            services.edition_fail(edition_id=edition_id, reason=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=EditionBuildTask,
    bind=True,
    name="reporting.build_edition",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ReportEdition.DoesNotExist,),
    max_retries=BUILD_MAX_RETRIES,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    soft_time_limit=BUILD_SOFT_TIME_LIMIT,
    time_limit=BUILD_TIME_LIMIT,
)
def build_edition(self: Task, edition_id: int) -> str:
    edition = services.edition_build(edition_id=edition_id)
    return str(edition.status)


@shared_task(
    name="reporting.notify_subscribers", acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=30
)
def notify_subscribers(edition_id: int) -> int:
    return services.edition_notify_subscribers(edition_id=edition_id)


@shared_task(name="reporting.scheduled_status_report", acks_late=True)
def scheduled_status_report(framework: str, scope: str = NATIONAL, schedule: str = "") -> int:
    """What django-celery-beat runs: the report as of today, one edition however often it fires."""
    params = ReportParams(framework=framework, as_of=timezone.localdate(), scope=scope)
    edition = services.edition_request(params=params, schedule_name=schedule or f"schedule {framework}")
    return edition.pk


@shared_task(name="reporting.sweep_editions", acks_late=True, ignore_result=True)
def sweep_editions() -> dict[str, int]:
    """Every minute (beat): builds not picked up are sent again, editions of dead workers queued again."""
    return dispatch.editions_sweep()
