"""`manage.py generate_synthetic --observations N [--seed 42] [--force]`: volume data on top of the seed."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.synthetic import RealDataPresent, synthetic_generate


class Command(BaseCommand):
    help = (
        "Replace the synthetic observations with N deterministic ones (COPY). Refuses on a database with real "
        "observations beyond the seed unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--observations", type=int, required=True, help="How many observations to write.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42): same seed, same data.")
        parser.add_argument("--force", action="store_true", help="Write even beside real observations.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["observations"] < 0:
            raise CommandError("--observations must be zero or more.")
        started = time.monotonic()
        try:
            result = synthetic_generate(
                observations=options["observations"], seed=options["seed"], force=options["force"]
            )
        except (RealDataPresent, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.observations} synthetic observations over {result.series} series "
                f"({result.replaced} earlier ones replaced) in {time.monotonic() - started:.1f} s."
            )
        )
