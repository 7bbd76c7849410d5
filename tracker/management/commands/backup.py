"""``manage.py backup --out DIR`` or ``manage.py backup --root DIR --keep N``: database, media files, manifest.

With ``--root`` the backup goes to a new directory named after the time (UTC) under DIR, and only the N newest
complete backups there are kept: what a nightly job runs (see the README's Operations section).
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from napportal import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and the media files, with a manifest of SHA-256 sums."

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--out", type=Path, help="An empty (or new) directory for this backup.")
        where.add_argument("--root", type=Path, help="Put the backup in a new dated directory under this one.")
        parser.add_argument("--keep", type=int, default=0, help="With --root: keep only this many newest backups.")

    def handle(self, *args: Any, out: Path | None, root: Path | None, keep: int, **options: Any) -> None:
        if root is not None:
            out = root / datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
        assert out is not None
        try:
            result = backups.backup_create(out=out)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for name, digest in result.files.items():
            self.stdout.write(f"{digest}  {name}")
        self.stdout.write(self.style.SUCCESS(f"Backup complete: {result.directory}"))
        if root is not None and keep > 0:
            for gone in backups.backups_prune(root=root, keep=keep):
                self.stdout.write(f"Removed old backup {gone}")
