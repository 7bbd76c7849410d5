"""Backups that restore: back up, restore into a fresh database and media directory, and find the same rows,
the same audit trail and report files that still match their editions' checksums; damaged or partial backups
and non-empty targets are refused before anything is changed."""

import hashlib
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import sql

from napportal import backups
from reporting import services
from reporting.definitions import ReportParams
from reporting.models import EditionStatus

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]


def _connect(name: str):
    db = settings.DATABASES["default"]
    return psycopg2.connect(
        dbname=name, host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None
    )


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards."""
    name = f"nap_restore_{uuid.uuid4().hex[:10]}"
    admin = _connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def restore(directory: Path, database: str, media: Path) -> subprocess.CompletedProcess[str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{database}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "napportal.settings.test",
        "DATABASE_URL": url,
        "DJANGO_MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(directory)], cwd=REPO, env=env, capture_output=True, text=True
    )


def row_counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [t for (t,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def audit_digest(conn) -> str:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT id, at, actor_id, action, object_type, object_id, before::text, after::text, reason "
            "FROM tracker_auditentry ORDER BY id"
        )
        return hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()


def edition_files(conn) -> list[tuple[int, str, str, str]]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT edition_id, format, path, sha256 FROM reporting_editionfile ORDER BY id")
        return cursor.fetchall()


def test_backup_restores_into_a_fresh_database(nacta_2017, staff, media_root, tmp_path, fresh_database):
    edition = services.edition_request(params=ReportParams("nap-2014", date(2017, 10, 1)), requested_by=staff)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED  # built in-process at commit (autocommit here)
    out = tmp_path / "backup"
    call_command("backup", out=out)
    assert {p.name for p in out.iterdir()} == {"database.dump", "media.tar", "manifest.json"}

    restored_media = tmp_path / "restored-media"
    result = restore(out, fresh_database, restored_media)
    assert result.returncode == 0, result.stderr

    original, copy = _connect(settings.DATABASES["default"]["NAME"]), _connect(fresh_database)
    try:
        counts = row_counts(original)
        assert counts["tracker_observation"] > 0 and counts["tracker_auditentry"] > 0
        assert row_counts(copy) == counts
        assert audit_digest(copy) == audit_digest(original)
        files = edition_files(copy)
        assert files == edition_files(original) and len(files) == 4
        for _edition, _fmt, path, digest in files:
            assert hashlib.sha256((restored_media / path).read_bytes()).hexdigest() == digest
        # The append-only trigger came back too: the restored audit trail refuses an update.
        with copy.cursor() as cursor, pytest.raises(psycopg2.Error):
            cursor.execute("UPDATE tracker_auditentry SET action = 'x'")
    finally:
        original.close()
        copy.close()


def test_restore_refuses_damaged_partial_or_a_non_empty_target(nacta_2017, media_root, tmp_path, fresh_database):
    out = tmp_path / "backup"
    backups.backup_create(out=out)
    target_media = tmp_path / "restored-media"

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name in ("database.dump", "media.tar", "manifest.json"):
        (damaged / name).write_bytes((out / name).read_bytes())
    with (damaged / "database.dump").open("r+b") as dump:
        dump.seek(100)
        dump.write(b"\x00\xff")
    result = restore(damaged, fresh_database, target_media)
    assert result.returncode != 0 and "damaged" in result.stderr

    (damaged / "manifest.json").unlink()
    result = restore(damaged, fresh_database, target_media)
    assert result.returncode != 0 and "partial" in result.stderr

    with _connect(fresh_database) as copy:
        assert row_counts(copy) == {}  # nothing was restored by the refusals

    # The live test database is not empty: restoring over it is refused.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(out))
    connection.ensure_connection()


def test_retention_keeps_the_newest_complete_backups(tmp_path):
    for name in ("2026-01-01T000000Z", "2026-01-02T000000Z", "2026-01-03T000000Z"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
    (tmp_path / "2026-01-04T000000Z").mkdir()  # being written: no manifest yet
    gone = backups.backups_prune(root=tmp_path, keep=2)
    assert [p.name for p in gone] == ["2026-01-01T000000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2026-01-02T000000Z",
        "2026-01-03T000000Z",
        "2026-01-04T000000Z",
    ]
