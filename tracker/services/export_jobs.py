"""Large exports as background jobs: the workbook is written by Celery, the user sees progress and gets a link.

An XLSX file is written whole before its first byte can leave (the format is a zip), so a big selection would
hold a web worker for minutes and hit the proxy's timeout. Above ``EXPORT_JOB_THRESHOLD`` rows the view starts
a job instead: its state (owner, rows written, file) lives in the cache for a day, the file on the media
volume that web and worker containers share, and the owner alone may see either. The task takes the job id,
the user id and the explorer's query string, and builds the selection exactly as the view would.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker import exports, permissions
from tracker.selectors.explorer import export_selection

JOB_TTL = 24 * 60 * 60
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class ExportJob:
    id: str
    user_id: int
    query: str
    total: int
    state: str = QUEUED
    rows: int = 0
    path: str = ""
    error: str = ""

    @property
    def percent(self) -> int:
        return 100 if self.state == DONE else min(99, self.rows * 100 // self.total) if self.total else 0


def _key(job_id: str) -> str:
    return f"tracker:export-job:{job_id}"


def _save(job: ExportJob) -> None:
    cache.set(_key(job.id), asdict(job), JOB_TTL)


def export_job_get(*, user: User, job_id: str) -> ExportJob:
    """The user's own job; anyone else's (or an unknown or expired one) answers 404."""
    data = cache.get(_key(job_id))
    if not data or data["user_id"] != getattr(user, "pk", None):
        raise Http404(_("No such export."))
    return ExportJob(**data)


def export_job_start(*, user: User, query: QueryDict, total: int) -> ExportJob:
    """Queue the XLSX export of the explorer selection ``query`` for ``user`` (who may export)."""
    from tracker.tasks import export_xlsx_job

    permissions.require(user, "export")
    job = ExportJob(id=uuid.uuid4().hex, user_id=user.pk, query=query.urlencode(), total=total)
    _save(job)
    transaction.on_commit(lambda: export_xlsx_job.delay(job.id))
    return job


def export_job_run(*, job_id: str) -> ExportJob:
    """Write the job's workbook, updating its progress every few thousand rows; mail the owner a link."""
    data = cache.get(_key(job_id))
    if not data:
        raise LookupError(f"export job {job_id} expired")
    job = ExportJob(**data)
    if job.state == DONE:
        return job  # run twice: nothing to do
    user = get_user_model().objects.get(pk=job.user_id)
    permissions.require(user, "export")  # the role may have changed since the job was queued
    job.state, job.rows = RUNNING, 0
    _save(job)
    filterset, observations = export_selection(user=user, params=QueryDict(job.query))

    def progress(rows: int) -> None:
        job.rows = rows
        _save(job)

    try:
        # Written to a local temporary file first (the zip is written with seeks), then stored: the storage
        # creates the folder and may be shared or remote.
        with tempfile.TemporaryFile(suffix=".xlsx") as scratch:
            job.rows = exports.xlsx_write(
                observations,
                scratch,
                filters=filterset.applied,
                title=_("NAP Portal: observations (approved figures)"),
                progress=progress,
            )
            scratch.seek(0)
            path = default_storage.save(f"exports/{job.id}.xlsx", File(scratch))
    except Exception as exc:
        job.state, job.error = FAILED, type(exc).__name__
        _save(job)
        raise
    job.state, job.path = DONE, path
    _save(job)
    if user.email:
        url = settings.NAP_SITE_URL.rstrip("/") + reverse("tracker:export-job", args=[job.id])
        context = {"user": user, "job": job, "url": url, "hours": JOB_TTL // 3600}
        send_mail(
            subject=render_to_string("tracker/email/export_ready_subject.txt", context).strip(),
            message=render_to_string("tracker/email/export_ready_message.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    return job
