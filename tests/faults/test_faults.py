"""Fault tests: each starts its own Redis or PostgreSQL (tests.faults.servers), breaks it, and checks what a
user or the data would see. The app runs in subprocesses pointed at the throwaway servers, as in production
(tasks through Redis, a real Celery worker); the test database holds the report data they build from."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from reporting.models import EditionDispatch, EditionFile, EditionStatus, ReportEdition
from tests.faults.servers import ThrowawayPostgres, ThrowawayRedis, free_port, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
OCT17 = date(2017, 10, 1)
LEASE_SECONDS = 4
SWEEP_SECONDS = 1
# A Celery worker's start-up (imports, connecting) on the 2-core machine the suite shares.
WORKER_START_SECONDS = 10


def app_env(*, redis_url: str, media_root: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    test_db = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "napportal.settings.test",
        "DATABASE_URL": database_url or test_db,
        "REDIS_URL": redis_url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "PYTHONPATH": str(REPO),
        # Compressed timings: a heartbeat a second, a worker silent for 4 s is dead.
        "NAP_EDITION_HEARTBEAT_SECONDS": "1",
        "NAP_EDITION_LEASE_SECONDS": str(LEASE_SECONDS),
        **extra,
    }


def script(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.scripts", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


@contextmanager
def worker(env: dict[str, str], name: str, log: Path, **extra: str) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "celery", "-A", "tests.reporting.crash_worker", "worker", "--pool", "solo"]
    command += ["--loglevel", "INFO", "-n", f"{name}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat"]
    process = subprocess.Popen(command, cwd=REPO, env={**env, **extra}, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        sys.stdout.write(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}\n")


@contextmanager
def sweeper(env: dict[str, str], every: float) -> Iterator[None]:
    """The beat's job, compressed: the sweep every ``every`` seconds in its own process."""
    code = (
        "import time, tests.faults.scripts as s; s._setup(); from reporting.dispatch import editions_sweep\n"
        f"while True:\n    editions_sweep(); time.sleep({every})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


def edition(pk: int) -> ReportEdition:
    close_old_connections()
    return ReportEdition.objects.get(pk=pk)


def test_an_edition_asked_for_while_redis_is_down_is_built_once_it_is_back(nacta_2017, media_root, tmp_path):
    redis = ThrowawayRedis()  # its port, with nothing listening: Redis is down
    env = app_env(redis_url=redis.url, media_root=media_root)
    pk_text, seconds = script(env, "request").split()
    pk = int(pk_text)
    assert float(seconds) < 5, f"the request took {seconds} s with Redis down"
    assert edition(pk).status == EditionStatus.QUEUED
    record = EditionDispatch.objects.get(edition_id=pk)
    assert record.sent_at is None and record.send_attempts == 1 and record.last_error
    assert '"sent": 0' in script(env, "sweep")  # still down: kept for later

    redis.start()  # back, and empty (as after a restart that lost the queue)
    try:
        with worker(env, "w", tmp_path / "worker.log"), sweeper(env, every=SWEEP_SECONDS):
            wait_until(lambda: edition(pk).status == EditionStatus.PUBLISHED, 90, "the edition to be published")
            time.sleep(3)  # more sweeps: nothing is sent or built again
        published = edition(pk)
        assert published.attempts == 1
        assert ReportEdition.objects.count() == 1 and EditionFile.objects.filter(edition_id=pk).count() == 4
        assert not EditionDispatch.objects.exists()
    finally:
        redis.stop()


def test_an_edition_whose_worker_was_killed_completes_after_the_sweep(nacta_2017, media_root, tmp_path):
    redis = ThrowawayRedis().start()
    # A visibility timeout of an hour: Redis will not redeliver the killed build in this test; only the sweep can.
    env = app_env(redis_url=redis.url, media_root=media_root, NAP_TEST_VISIBILITY_TIMEOUT="3600")
    pause = tmp_path / "paused"
    try:
        with worker(env, "doomed", tmp_path / "doomed.log", NAP_TEST_PAUSE_FILE=str(pause)) as doomed:
            pk = int(script(env, "request").split()[0])
            wait_until(lambda: pause.exists() and pause.read_text(), 60, "the build to stage its files")
            assert edition(pk).status == EditionStatus.RUNNING
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
        killed_at, killed_clock = time.monotonic(), timezone.now()
        with worker(env, "rescuer", tmp_path / "rescuer.log"), sweeper(env, every=SWEEP_SECONDS):
            wait_until(lambda: edition(pk).status == EditionStatus.PUBLISHED, 60, "the sweep to rescue the build")
        rescued_after = time.monotonic() - killed_at
        published = edition(pk)
        assert published.attempts == 2
        # The second build began within the lease and one sweep of the kill (plus the rescuer's start-up on a
        # shared machine), not after the broker's hour-long visibility timeout.
        assert published.started_at is not None
        restarted_after = (published.started_at - killed_clock).total_seconds()
        assert restarted_after < LEASE_SECONDS + SWEEP_SECONDS + WORKER_START_SECONDS, restarted_after
        assert EditionFile.objects.filter(edition_id=pk).count() == 4
        files = [p for p in (media_root / "reports").rglob("*") if p.is_file() and ".staging" not in p.parts]
        assert len(files) == 4 and len({f.parent for f in files}) == 1
        sys.stdout.write(
            f"rebuilt from {restarted_after:.1f} s, published {rescued_after:.1f} s after the kill "
            f"(lease {LEASE_SECONDS} s, sweep every {SWEEP_SECONDS} s)\n"
        )
    finally:
        redis.stop()


def test_postgres_restarted_under_concurrent_writes_loses_and_doubles_nothing(db, tmp_path):
    postgres = ThrowawayPostgres().start()
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=postgres.port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE nap")
        admin.close()
        # The schema of the test database (tables, constraints, the audit trail's trigger), without its data.
        db_settings = settings.DATABASES["default"]
        schema = subprocess.run(
            ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "-h", str(db_settings["HOST"]),
             "-p", str(db_settings["PORT"]), "-U", str(db_settings["USER"]), db_settings["NAME"]],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres",
             "nap"],
            input=schema, capture_output=True, text=True, check=True,
        )  # fmt: skip

        env = app_env(
            redis_url=f"redis://127.0.0.1:{free_port()}/0",  # unused by these writes; never the shared Redis
            media_root=tmp_path / "media",
            database_url=postgres.url("nap"),
        )
        writers = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.scripts", "writer", "8", "8"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(3)
        postgres.restart()
        restarted_at = time.monotonic()
        stdout, stderr = writers.communicate(timeout=60)
        assert writers.returncode == 0, stderr[-3000:]
        acknowledged = [line.split()[1] for line in stdout.splitlines() if line.startswith("ACK ")]

        check = psycopg2.connect(host="127.0.0.1", port=postgres.port, user="postgres", dbname="nap")
        with check.cursor() as cursor:
            cursor.execute("SELECT object_id FROM tracker_auditentry WHERE action = 'fault.write'")
            stored = Counter(row[0] for row in cursor.fetchall())
        check.close()
        assert len(acknowledged) > 50 and time.monotonic() > restarted_at
        missing = set(acknowledged) - set(stored)
        twice = {token: n for token, n in stored.items() if n > 1}
        assert not missing, f"{len(missing)} acknowledged writes lost"
        assert not twice, f"written twice: {twice}"
        sys.stdout.write(f"{len(acknowledged)} acknowledged writes, {len(stored)} stored, none lost or doubled\n")
    finally:
        postgres.stop()
