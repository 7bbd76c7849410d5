"""``manage.py restore DIR``: restore a backup made by ``manage.py backup`` into an empty database.

Refuses, before changing anything, a backup without its manifest (partial), with a file that does not match
its SHA-256 (damaged), a database that has tables, or a media directory that has files.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from napportal import backups


class Command(BaseCommand):
    help = "Restore a backup (database and media files) into an empty database and media directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            manifest = backups.backup_restore(directory=directory)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest['created_at']} from {directory}"))
