"""The benchmarks' data sizes and dates, and the synthetic observations added to the seed."""

from __future__ import annotations

import random
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from tracker.choices import DatePrecision, ObservationState, Unit, ValueQualifier
from tracker.models import Indicator, Observation, Responsibility, Source

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
N_SYNTHETIC = 10_000
SYNTHETIC_SOURCE = "benchmark-synthetic-returns"
# Synthetic figures are monthly, January 2015 to December 2025; benchmarks read as of the end of 2025, and
# compare with the end of 2024.
FIRST_YEAR, N_MONTHS = 2015, 132
AS_OF = date(2025, 12, 31)
COMPARE = date(2024, 12, 31)
SEED, SEED_10K = "seed", "seed+10k"


@dataclass(frozen=True)
class Dataset:
    name: str
    observations: int  # approved observations in the database


def synthetic_observations(n: int, *, source: Source) -> list[Observation]:
    """``n`` approved monthly figures spread over every seeded indicator: national ones, and for each indicator
    the bodies that lead or support its item (the bodies that report on it), as a province's returns would be."""
    rng = random.Random(2021)
    indicators = list(Indicator.objects.order_by("code"))
    reporters: dict[int, list[int | None]] = {ind.item_id: [None] for ind in indicators}
    for item_id, body_id in Responsibility.objects.values_list("item_id", "body_id").order_by("item_id", "body_id"):
        reporters.setdefault(item_id, [None]).append(body_id)
    now = timezone.now()
    rows = []
    for i in range(n):
        indicator = indicators[i % len(indicators)]
        year, month = divmod(rng.randrange(N_MONTHS), 12)
        year += FIRST_YEAR
        month += 1
        unit = indicator.unit
        value: Decimal | None
        if unit == Unit.TEXT:
            value = None
        elif unit == Unit.PERCENT_CHANGE:
            value = Decimal(rng.randint(-95, 95))
        elif unit == Unit.PERCENT:
            value = Decimal(rng.randint(0, 100))
        else:
            value = Decimal(rng.randint(0, 2_000_000))
        rows.append(
            Observation(
                indicator=indicator,
                body_id=rng.choice(reporters[indicator.item_id]),
                period_start=date(year, month, 1),
                period_end=date(year, month, monthrange(year, month)[1]),
                date_precision=DatePrecision.MONTH,
                value=value,
                value_qualifier=rng.choice([ValueQualifier.EXACT, ValueQualifier.EXACT, ValueQualifier.ABOUT]),
                text_value=f"Synthetic status {i}" if value is None else "",
                source=source,
                state=ObservationState.APPROVED,
                approved_at=now,
            )
        )
    return rows
