"""Backups that restore: the database (``pg_dump`` custom format), the media files (report editions, evidence)
as a tar, and a manifest with the SHA-256 of each, written last.

A backup directory is complete only once ``manifest.json`` exists and every file matches its sum; ``restore``
checks that before touching anything, and restores only into an empty database and an empty media directory,
so it can never merge a backup into live data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar"
FORMAT_VERSION = 1


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why, for an operator."""


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    files: dict[str, str]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore from Django's settings (the password in the environment)."""
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError("Backups need PostgreSQL (DATABASE_URL); this database is not.")
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def backup_create(*, out: Path) -> BackupResult:
    """Write a complete backup into ``out`` (created; must be empty)."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"{out} is not empty; give a new directory for each backup.")
    args, env = _pg_environment()
    _run(
        [
            settings.NAP_PG_DUMP,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(out / DATABASE_FILE),
            *args,
        ],
        env,
    )
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(out / MEDIA_FILE, "w") as archive:
        if media.is_dir():
            for entry in sorted(media.iterdir()):
                archive.add(entry, arcname=entry.name)
    files = {name: sha256_of(out / name) for name in (DATABASE_FILE, MEDIA_FILE)}
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "database": settings.DATABASES["default"]["NAME"],
        "files": files,
    }
    # The manifest last, written whole then renamed: its presence means every file above is complete.
    partial = out / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2))
    partial.replace(out / MANIFEST)
    return BackupResult(directory=out, files=files)


def backup_verify(directory: Path) -> dict[str, Any]:
    """The manifest of a complete, undamaged backup; raises ``BackupError`` otherwise."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: the backup is partial (or not a backup).")
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{manifest_path} is damaged.") from None
    if set(files) != {DATABASE_FILE, MEDIA_FILE}:
        raise BackupError(f"{manifest_path} does not list the database and the media files.")
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            raise BackupError(f"{name} is missing: the backup is partial.")
        if sha256_of(path) != expected:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the backup is damaged.")
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        (tables,) = cursor.fetchone()
    return tables == 0


def backup_restore(*, directory: Path) -> dict[str, Any]:
    """Restore a verified backup into the (empty) configured database and (empty) media directory."""
    manifest = backup_verify(directory)
    if not _database_is_empty():
        raise BackupError(
            f"The database {settings.DATABASES['default']['NAME']} is not empty. Restore into a new, empty database."
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"The media directory {media} is not empty. Restore into an empty one.")
    connection.close()  # pg_restore works through its own connection
    args, env = _pg_environment()
    _run(
        [
            settings.NAP_PG_RESTORE,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(directory / DATABASE_FILE),
        ],
        env,
    )
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / MEDIA_FILE) as archive:
        archive.extractall(media, filter="data")  # no absolute paths, links out or device files
    return manifest


def backups_prune(*, root: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest complete backups under ``root``; returns what was deleted.

    Only directories with a manifest count: an incomplete backup (the one being written, or a failed one) is
    never taken for a good one, nor deleted here.
    """
    complete = sorted((d for d in root.iterdir() if (d / MANIFEST).is_file()), key=lambda d: d.name, reverse=True)
    doomed = complete[keep:]
    for directory in doomed:
        shutil.rmtree(directory)
    return doomed
