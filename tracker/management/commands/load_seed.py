"""`manage.py load_seed [--dir fixtures]`: load the reference and seed data; safe to run twice."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.seeding import SeedError, seed_load


class Command(BaseCommand):
    help = "Load frameworks, bodies, indicators and sourced figures from YAML fixtures. All or nothing; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures",
            help="Fixture directory (default: fixtures/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = seed_load(directory=options["dir"])
        except SeedError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for model, tally in result.tallies.items():
            self.stdout.write(f"{model}: {tally.created} created, {tally.updated} updated, {tally.unchanged} unchanged")
        self.stdout.write(
            self.style.SUCCESS("Seed data loaded." if result.changed else "Seed data already up to date.")
        )
