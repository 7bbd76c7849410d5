"""Getting an edition's build to a worker, whatever happens to the broker or the worker on the way.

- The outbox (``EditionDispatch``) is written in the transaction that queues the edition, so a request that
  committed always leaves a record of the build it owes.
- After the commit the build is published once, without Celery's publish retries and with short connection
  timeouts: while Redis is down the request answers at once ("queued, will start when the task queue is back")
  instead of hanging for 20 s.
- The worker removes the record in the transaction that marks the edition running, and renews the edition's
  heartbeat while it builds.
- The sweep (a beat task every minute) sends again every record not picked up within
  ``NAP_EDITION_RESEND_SECONDS`` (never sent, or sent into a Redis that lost it) and queues again every running
  edition whose heartbeat is older than ``NAP_EDITION_LEASE_SECONDS`` (its worker died). Building is
  idempotent, so a build sent twice still publishes one edition.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from reporting.models import EditionDispatch, EditionStatus, ReportEdition

logger = logging.getLogger(__name__)


def dispatch_put(*, edition: ReportEdition) -> None:
    """Record that ``edition``'s build must be sent, and send it once the transaction commits."""
    EditionDispatch.objects.update_or_create(edition=edition, defaults={"sent_at": None})
    edition_id = edition.pk
    transaction.on_commit(lambda: dispatch_send(edition_id=edition_id))


def dispatch_send(*, edition_id: int) -> bool:
    """Publish the build of ``edition_id``; True if the broker took it. Never raises for a broker outage."""
    from reporting.tasks import build_edition

    try:
        # retry=False: one attempt, bounded by the broker's connection timeouts; the sweep is the retry.
        build_edition.apply_async((edition_id,), retry=False)
    except Exception as exc:  # kombu and redis raise several types for an unreachable broker
        logger.warning("Edition %s: the task queue is unreachable (%s); the sweep will send it again", edition_id, exc)
        EditionDispatch.objects.filter(edition_id=edition_id).update(
            send_attempts=F("send_attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    EditionDispatch.objects.filter(edition_id=edition_id).update(
        sent_at=timezone.now(), send_attempts=F("send_attempts") + 1, last_error=""
    )
    return True


def lease_expired(edition: ReportEdition) -> bool:
    """A running edition whose worker has not been heard from for the lease: its worker died."""
    if edition.status != EditionStatus.RUNNING:
        return False
    alive_at = edition.heartbeat_at or edition.started_at
    lease = timedelta(seconds=settings.NAP_EDITION_LEASE_SECONDS)
    return alive_at is None or alive_at < timezone.now() - lease


def editions_sweep() -> dict[str, int]:
    """Queue again the editions of dead workers and send again the builds nobody picked up."""
    now = timezone.now()
    lease_cutoff = now - timedelta(seconds=settings.NAP_EDITION_LEASE_SECONDS)
    resend_cutoff = now - timedelta(seconds=settings.NAP_EDITION_RESEND_SECONDS)
    with transaction.atomic():
        dead = list(
            ReportEdition.objects.select_for_update(skip_locked=True)
            .filter(status=EditionStatus.RUNNING)
            .filter(Q(heartbeat_at__lt=lease_cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=lease_cutoff))
        )
        for edition in dead:
            logger.warning("Edition %s: its worker stopped answering; queued again", edition.pk)
            edition.status = EditionStatus.QUEUED
            edition.save(update_fields=["status"])
            EditionDispatch.objects.update_or_create(edition=edition, defaults={"sent_at": None})
    due = list(
        EditionDispatch.objects.filter(edition__status=EditionStatus.QUEUED)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=resend_cutoff))
        .order_by("created_at")
        .values_list("edition_id", flat=True)
    )
    sent = sum(1 for edition_id in due if dispatch_send(edition_id=edition_id))
    return {"requeued": len(dead), "due": len(due), "sent": sent}


class Heartbeat:
    """While a build runs, renew its edition's ``heartbeat_at`` every ``NAP_EDITION_HEARTBEAT_SECONDS``.

    A thread with its own database connection, opened only at the first beat (most builds end before it) and
    closed when the build ends.
    """

    def __init__(self, edition_id: int) -> None:
        self.edition_id = edition_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"edition-{edition_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        interval = settings.NAP_EDITION_HEARTBEAT_SECONDS
        try:
            while not self._stop.wait(interval):
                ReportEdition.objects.filter(pk=self.edition_id, status=EditionStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed beat only risks a second, idempotent build
            logger.exception("Edition %s: heartbeat failed", self.edition_id)
        finally:
            connection.close()
