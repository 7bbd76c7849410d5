"""Writes of the reporting app: request, build and publish editions; notify subscribers; subscribe.

An edition's files are rendered in a staging directory, moved into place with one rename, and only then
is the edition marked published, in one transaction: a half-built edition is never listed nor served.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reporting import dispatch
from reporting.builder import build_report
from reporting.definitions import FORMATS, ReportParams
from reporting.models import EditionDispatch, EditionFile, EditionStatus, ReportEdition, ReportSubscription
from reporting.renderers import render_report_files
from tracker import audit
from tracker.models import Framework

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Sent after an edition's files are staged and before they are published; a test uses it to crash a worker
# at the worst moment. Receivers get ``edition`` and ``directory``.
edition_staged = Signal()

REPORTS_DIR = "reports"
STAGING_DIR = ".staging"


def reports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / REPORTS_DIR


def edition_request(
    *, params: ReportParams, requested_by: User | None = None, schedule_name: str = "", queue: bool = True
) -> ReportEdition:
    """The edition for ``params`` and the data as they are now, created (and queued) only if there is none.

    Raises ``ReportParamsError`` for parameters that describe no report. A failed edition asked for again is
    queued again; a queued one is queued once more (building is idempotent, a lost message costs nothing).
    ``queue=False`` leaves the build to the caller (the command builds in its own process).
    """
    report = build_report(params)
    fingerprint = report.fingerprint
    lookup = {"params_hash": params.digest, "data_fingerprint": fingerprint}
    with transaction.atomic():
        edition = ReportEdition.objects.select_for_update().filter(**lookup).first()
        written = False
        if edition is None:
            try:
                with transaction.atomic():
                    edition = ReportEdition.objects.create(
                        framework=Framework.objects.get(slug=params.framework),
                        as_of=params.as_of,
                        scope=params.scope,
                        parameters=params.to_json(),
                        snapshot=report.to_json(),
                        requested_by=requested_by,
                        schedule_name=schedule_name,
                        **lookup,
                    )
                written = True
            except IntegrityError:
                # Someone asked for the same edition at the same moment: theirs is ours.
                edition = ReportEdition.objects.select_for_update().get(**lookup)
        if edition.status == EditionStatus.FAILED or dispatch.lease_expired(edition):
            # Failed, or "running" on a worker that died: asking again queues it again.
            edition.status = EditionStatus.QUEUED
            edition.failure_reason = ""
            edition.save(update_fields=["status", "failure_reason"])
            written = True  # queued again: a write as much as a new edition
        if written and requested_by is not None:
            # A person's request is audited beside the edition it queues; schedules are named on the edition.
            audit.record(actor=requested_by, action="report_edition.request", obj=edition, after=params.to_json())
        if edition.status == EditionStatus.QUEUED and queue:
            # The outbox row commits with the request; the message goes after the commit (and again, from the
            # sweep, if the broker is down or loses it).
            dispatch.dispatch_put(edition=edition)
    return edition


def edition_build(*, edition_id: int) -> ReportEdition:
    """Build and publish an edition. Safe to run twice or concurrently: the first to publish wins, a later
    run finds it published and does nothing, a loser removes its own files."""
    with transaction.atomic():
        edition = ReportEdition.objects.select_for_update().get(pk=edition_id)
        if edition.status == EditionStatus.PUBLISHED:
            return edition
        edition.status = EditionStatus.RUNNING
        edition.attempts += 1
        edition.started_at = edition.heartbeat_at = timezone.now()
        edition.failure_reason = ""
        edition.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "failure_reason"])
        EditionDispatch.objects.filter(edition=edition).delete()  # picked up: nothing left to send

    with dispatch.Heartbeat(edition.pk):
        return _build_and_publish(edition)


def _build_and_publish(edition: ReportEdition) -> ReportEdition:
    _remove_stale_staging()
    params = ReportParams.from_json(edition.parameters)
    report = build_report(params)
    if report.fingerprint != edition.data_fingerprint:
        # The data changed while the edition waited: publish nothing stale, ask for the edition of the new data.
        edition_fail(edition_id=edition.pk, reason=_("The data changed before the build; a new edition was requested."))
        edition_request(params=params, requested_by=edition.requested_by, schedule_name=edition.schedule_name)
        edition.refresh_from_db()
        return edition

    staging = reports_root() / STAGING_DIR / f"{edition.pk}-{uuid.uuid4().hex}"
    rendered = render_report_files(report, FORMATS, staging)
    edition_staged.send(sender=ReportEdition, edition=edition, directory=staging)

    final = reports_root() / params.framework / str(edition.pk) / uuid.uuid4().hex
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, final)  # one rename: the files appear together or not at all
    try:
        with transaction.atomic():
            locked = ReportEdition.objects.select_for_update().get(pk=edition.pk)
            if locked.status == EditionStatus.PUBLISHED:
                shutil.rmtree(final, ignore_errors=True)
                return locked
            EditionFile.objects.bulk_create(
                EditionFile(
                    edition=locked,
                    format=f.format,
                    path=str((final / f.path.name).relative_to(settings.MEDIA_ROOT)),
                    size=f.size,
                    sha256=f.sha256,
                )
                for f in rendered
            )
            locked.status = EditionStatus.PUBLISHED
            locked.published_at = timezone.now()
            locked.save(update_fields=["status", "published_at"])
            transaction.on_commit(lambda: _queue_notify(locked.pk), robust=True)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    return locked


def _queue_notify(edition_id: int) -> None:
    from reporting.tasks import notify_subscribers

    notify_subscribers.delay(edition_id)


def _remove_stale_staging() -> None:
    """Staging directories older than the hard time limit belong to builds that died; no live build is older."""
    staging_root = reports_root() / STAGING_DIR
    if not staging_root.is_dir():
        return
    limit = time.time() - 2 * int(settings.CELERY_TASK_TIME_LIMIT or 900)
    for directory in staging_root.iterdir():
        if directory.stat().st_mtime < limit:
            shutil.rmtree(directory, ignore_errors=True)


def edition_fail(*, edition_id: int, reason: str) -> ReportEdition:
    """Record why a build failed; a published edition is never marked failed."""
    with transaction.atomic():
        edition = ReportEdition.objects.select_for_update().get(pk=edition_id)
        if edition.status != EditionStatus.PUBLISHED:
            edition.status = EditionStatus.FAILED
            edition.failure_reason = reason[:2000]
            edition.save(update_fields=["status", "failure_reason"])
    return edition


def edition_notify_subscribers(*, edition_id: int) -> int:
    """Email each subscriber of the edition's framework once, with a link to the edition. Returns the count."""
    with transaction.atomic():
        edition = ReportEdition.objects.select_for_update().select_related("framework").get(pk=edition_id)
        if edition.status != EditionStatus.PUBLISHED or edition.notified_at is not None:
            return 0
        recipients = list(
            ReportSubscription.objects.filter(framework=edition.framework, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        link = settings.NAP_SITE_URL.rstrip("/") + reverse("reporting:edition-detail", args=[edition.pk])
        with translation.override(edition.parameters.get("language") or settings.LANGUAGE_CODE):
            heading = edition.snapshot.get("heading", "")
            subject = _("New status report: %(framework)s, %(heading)s") % {
                "framework": edition.framework.short_title,
                "heading": heading,
            }
            body = _(
                "A new edition of the %(framework)s status report is published.\n\n%(heading)s\n\n"
                "Read it and download the files here (you will be asked to sign in):\n%(link)s\n"
            ) % {"framework": edition.framework.title, "heading": heading, "link": link}
        messages = [
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address])
            for address in recipients
        ]
        if messages:
            get_connection().send_messages(messages)
        edition.notified_at = timezone.now()
        edition.save(update_fields=["notified_at"])
    return len(messages)


def subscription_set(*, user: User, framework: Framework, subscribed: bool) -> bool:
    """Subscribe ``user`` to ``framework``'s report editions, or unsubscribe. Returns the new state."""
    with transaction.atomic():
        if subscribed:
            ReportSubscription.objects.get_or_create(user=user, framework=framework)
        else:
            ReportSubscription.objects.filter(user=user, framework=framework).delete()
    return subscribed
