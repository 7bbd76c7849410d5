"""With a real Celery worker on real Redis (the test Redis DB): idempotent builds, and a worker killed
mid-build leaves no partial edition while the redelivered task publishes exactly one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import close_old_connections

from napportal.celery import app as celery_app
from reporting import services
from reporting.definitions import ReportParams
from reporting.models import EditionFile, EditionStatus, ReportEdition
from reporting.selectors import editions_published
from reporting.tasks import build_edition

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PARAMS = ReportParams("nap-2014", date(2017, 10, 1))
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_broker(settings):
    """Tasks go through Redis (not in-process) for this test; the test Redis DB starts empty."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = True
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def published_files(media_root: Path) -> list[Path]:
    return [p for p in (media_root / "reports").rglob("*") if p.is_file() and ".staging" not in p.parts]


def test_a_task_sent_twice_builds_one_edition(nacta_2017, media_root, real_broker):
    from celery.contrib.testing.worker import start_worker

    with start_worker(real_broker, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        first = services.edition_request(params=PARAMS)  # queues a build on commit
        second = services.edition_request(params=PARAMS)  # same parameters, same data: same edition
        assert first == second
        build_edition.delay(first.pk).get(timeout=60)
        build_edition.delay(first.pk).get(timeout=60)  # sent again after publication: nothing to do
        wait_for(lambda: ReportEdition.objects.get().status == EditionStatus.PUBLISHED, 60, "publication")
    edition = ReportEdition.objects.get()
    assert edition.attempts == 1
    assert EditionFile.objects.count() == 4
    assert len(published_files(media_root)) == 4


def _worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tests.reporting.crash_worker",
        "worker",
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "-n",
        f"{name}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_build_leaves_nothing_visible_and_the_retry_publishes_one(
    nacta_2017, media_root, real_broker, tmp_path
):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "napportal.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "PYTHONPATH": str(REPO),
    }
    pause_flag = tmp_path / "paused"
    edition = services.edition_request(params=PARAMS, queue=False)
    first = _worker({**env, "NAP_TEST_PAUSE_FILE": str(pause_flag)}, "doomed", tmp_path / "doomed.log")
    second = None
    try:
        build_edition.delay(edition.pk)
        staging = Path(wait_for(lambda: pause_flag.exists() and pause_flag.read_text(), 45, "the build to stage"))
        assert len(list(staging.iterdir())) == 4  # all four files are built, none published yet
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        edition.refresh_from_db()
        assert edition.status == EditionStatus.RUNNING
        assert not editions_published().exists()
        assert not EditionFile.objects.exists()
        assert published_files(media_root) == []

        second = _worker(env, "rescuer", tmp_path / "rescuer.log")
        wait_for(
            lambda: ReportEdition.objects.get(pk=edition.pk).status == EditionStatus.PUBLISHED,
            45,
            "the redelivered task to publish",
        )
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        for log in tmp_path.glob("*.log"):
            sys.stdout.write(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}\n")
    edition.refresh_from_db()
    assert edition.attempts == 2
    assert ReportEdition.objects.count() == 1
    assert EditionFile.objects.filter(edition=edition).count() == 4
    files = published_files(media_root)
    assert len(files) == 4 and len({f.parent for f in files}) == 1
