"""No stuck editions: the build owed is recorded with the request (outbox), a broker outage answers at once and
is made good by the sweep, and an edition whose worker died is queued again by the sweep or by asking again."""

import time
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from reporting import dispatch, services
from reporting.definitions import ReportParams
from reporting.models import EditionDispatch, EditionFile, EditionStatus, ReportEdition
from reporting.tasks import build_edition, sweep_editions

PARAMS = ReportParams("nap-2014", date(2017, 10, 1))
REPORT_POST = {"framework": "nap-2014", "as_of": "2017-10-01", "scope": "national", "number_style": "south_asian"}


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing fails as it does against a Redis that refuses connections (the fault test does it for real)."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(build_edition, "apply_async", refuse)
    return monkeypatch


def test_the_request_and_its_outbox_record_commit_together(nacta_2017, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        edition = services.edition_request(params=PARAMS)
        assert EditionDispatch.objects.filter(edition=edition, sent_at=None).exists()
    assert len(callbacks) == 1  # the send, after the commit
    callbacks[0]()  # the eager build runs and picks the record up
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    assert not EditionDispatch.objects.exists()


def test_broker_down_answers_at_once_and_the_sweep_builds_it_once_back(
    nacta_2017, media_root, staff_client, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("reporting:generate"), REPORT_POST)
    assert time.monotonic() - started < 5
    assert response.status_code == 302
    assert "will start when the task queue is back" in staff_client.get(response["Location"]).content.decode()
    edition = ReportEdition.objects.get()
    assert edition.status == EditionStatus.QUEUED
    record = EditionDispatch.objects.get(edition=edition)
    assert record.sent_at is None and record.send_attempts == 1 and "Connection refused" in record.last_error

    assert sweep_editions() == {"requeued": 0, "due": 1, "sent": 0}  # still down: kept, tried again later
    broker_down.undo()
    assert sweep_editions() == {"requeued": 0, "due": 1, "sent": 1}  # back: sent, built (in-process), published
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED and edition.attempts == 1
    assert EditionFile.objects.filter(edition=edition).count() == 4
    assert sweep_editions() == {"requeued": 0, "due": 0, "sent": 0}


def test_a_sent_build_nobody_picked_up_is_sent_again(nacta_2017, media_root, broker_down, settings):
    edition = services.edition_request(params=PARAMS, queue=False)
    EditionDispatch.objects.create(edition=edition, sent_at=timezone.now() - timedelta(seconds=10), send_attempts=1)
    broker_down.undo()
    assert sweep_editions()["due"] == 0  # sent recently: a worker may yet take it
    EditionDispatch.objects.update(sent_at=timezone.now() - timedelta(seconds=settings.NAP_EDITION_RESEND_SECONDS + 1))
    assert sweep_editions() == {"requeued": 0, "due": 1, "sent": 1}
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED


def _stuck_running(edition, *, silent_for: int) -> None:
    ReportEdition.objects.filter(pk=edition.pk).update(
        status=EditionStatus.RUNNING,
        attempts=1,
        started_at=timezone.now() - timedelta(seconds=silent_for),
        heartbeat_at=timezone.now() - timedelta(seconds=silent_for),
    )


def test_the_sweep_queues_again_an_edition_whose_worker_died(nacta_2017, media_root, settings):
    edition = services.edition_request(params=PARAMS, queue=False)
    _stuck_running(edition, silent_for=5)
    assert sweep_editions() == {"requeued": 0, "due": 0, "sent": 0}  # alive: its heartbeat is recent
    _stuck_running(edition, silent_for=settings.NAP_EDITION_LEASE_SECONDS + 1)
    assert sweep_editions() == {"requeued": 1, "due": 1, "sent": 1}
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED and edition.attempts == 2
    assert EditionFile.objects.filter(edition=edition).count() == 4


def test_asking_again_while_stuck_builds_it(
    nacta_2017, media_root, staff, settings, django_capture_on_commit_callbacks
):
    edition = services.edition_request(params=PARAMS, queue=False)
    _stuck_running(edition, silent_for=settings.NAP_EDITION_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.edition_request(params=PARAMS, requested_by=staff)
    assert again.pk == edition.pk
    again.refresh_from_db()
    assert again.status == EditionStatus.PUBLISHED


def test_asking_again_while_a_live_worker_builds_changes_nothing(nacta_2017, media_root, staff):
    edition = services.edition_request(params=PARAMS, queue=False)
    _stuck_running(edition, silent_for=1)
    services.edition_request(params=PARAMS, requested_by=staff)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.RUNNING and not EditionDispatch.objects.exists()


def test_the_heartbeat_renews_a_running_edition(transactional_db, nacta_2017, media_root, settings):
    settings.NAP_EDITION_HEARTBEAT_SECONDS = 0.05
    edition = services.edition_request(params=PARAMS, queue=False)
    _stuck_running(edition, silent_for=600)
    with dispatch.Heartbeat(edition.pk):
        time.sleep(0.5)
    edition.refresh_from_db()
    assert not dispatch.lease_expired(edition)
    assert edition.heartbeat_at is not None and timezone.now() - edition.heartbeat_at < timedelta(seconds=2)
