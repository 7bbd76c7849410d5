"""`manage.py rebuild_latest_figures`: recompute the latest-value read model from the published figures."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from tracker.services.latest_figures import latest_figures_rebuild


class Command(BaseCommand):
    help = "Recompute the latest and previous published figure of every series (the read model), in one transaction."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        series = latest_figures_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{series} series in {time.monotonic() - started:.1f} s."))
