"""Deterministic synthetic observations on top of the seed, for measuring the portal at real volume.

``manage.py generate_synthetic --observations N [--seed 42]`` writes N observations spread over every series
(each seeded indicator × national and each body: 57 × 39 = 2,223 series on the seed), monthly periods for two
series in three over the ten years to December 2025 and daily ones for the rest (and for whatever a series
holds beyond 120 months), about 5 % drafts and submissions and 1 % corrections that supersede an approved
figure. Rows go in with PostgreSQL's COPY (a million in well under three minutes); Django's ``bulk_create``
takes ten times as long. The rows carry synthetic sources, so a second run replaces them and the refusal
below can tell them apart from real data.

Like real returns, each month's figures come from their own source, published on the 10th of the month after
(``source_for``): a status "as known on" a date then finds figures known on it, as it would with real data,
instead of none at all.
"""

from __future__ import annotations

import io
import random
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from tracker.choices import DatePrecision, ObservationState, Unit, ValueQualifier
from tracker.models import Body, Indicator, Observation, Source
from tracker.services.latest_figures import latest_figures_rebuild

SYNTHETIC_SOURCE = "synthetic-volume-data"  # the slug of every synthetic source starts with it
PUBLISHED_DAY = 10  # a month's synthetic return is published on this day of the following month
LAST_DAY = date(2025, 12, 31)
YEARS = 10
MONTHS = YEARS * 12
DAYS = YEARS * 365
CHUNK = 50_000  # rows per COPY round trip
COLUMNS = (
    "id",
    "indicator_id",
    "body_id",
    "period_start",
    "period_end",
    "date_precision",
    "value",
    "value_qualifier",
    "text_value",
    "quote",
    "note",
    "editorial_note",
    "state",
    "version",
    "supersedes_id",
    "correction_reason",
    "return_reason",
    "created_at",
    "updated_at",
    "submitted_at",
    "approved_at",
    "source_id",
)


class RealDataPresent(Exception):
    """The database holds observations that are neither seeded nor synthetic: generating would mix them."""


@dataclass(frozen=True)
class GenerationResult:
    observations: int
    series: int
    replaced: int


def _month_period(months_back: int) -> tuple[date, date]:
    year, month = divmod(LAST_DAY.year * 12 + LAST_DAY.month - 1 - months_back, 12)
    month += 1
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _value(rng: random.Random, unit: str) -> str:
    if unit == Unit.PERCENT_CHANGE:
        return str(rng.randint(-95, 95))
    if unit == Unit.PERCENT:
        return str(rng.randint(0, 100))
    return str(rng.randint(0, 2_000_000))


def _field(value: object) -> str:
    # COPY's text format: \N is NULL; our own strings hold no tab, newline or backslash.
    return "\\N" if value is None else str(value)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _sources(publisher: Body) -> dict[int, int]:
    """One synthetic source per month of the ten years (month index -> source id), each published on the
    ``PUBLISHED_DAY`` of the month after."""
    first = _month_index(LAST_DAY) - MONTHS + 1
    wanted = {}
    for index in range(first, first + MONTHS):
        year, month = divmod(index, 12)
        published_year, published_month = divmod(index + 1, 12)
        wanted[index] = Source(
            slug=f"{SYNTHETIC_SOURCE}-{year}-{month + 1:02d}",
            publisher=publisher,
            title=f"Synthetic monthly return {year}-{month + 1:02d} (not real figures)",
            published_on=date(published_year, published_month + 1, PUBLISHED_DAY),
        )
    Source.objects.bulk_create(wanted.values(), ignore_conflicts=True)
    ids = dict(Source.objects.filter(slug__startswith=SYNTHETIC_SOURCE).values_list("slug", "pk"))
    return {index: ids[source.slug] for index, source in wanted.items()}


def _rows(n: int, *, seed: int, first_id: int, sources: dict[int, int]) -> Iterator[list[object]]:
    """The synthetic rows in id order; deterministic for a given ``n`` and ``seed`` (ids aside)."""
    rng = random.Random(seed)
    indicators = list(Indicator.objects.order_by("code").values_list("pk", "unit"))
    bodies: list[int | None] = [None, *Body.objects.order_by("slug").values_list("pk", flat=True)]
    series = [(ind, unit, body) for ind, unit in indicators for body in bodies]
    now = timezone.now().isoformat()
    next_id = first_id
    base, extra = divmod(n, len(series))
    for index, (indicator_id, unit, body_id) in enumerate(series):
        quota = base + (1 if index < extra else 0)
        monthly = min(quota, MONTHS) if index % 3 else 0
        daily = quota - monthly
        step = max(1, DAYS // daily) if daily else 1
        periods: list[tuple[date, date, str]] = [(*_month_period(k), DatePrecision.MONTH) for k in range(monthly)]
        for k in range(daily):
            day = LAST_DAY - timedelta(days=(k * step) % DAYS)
            periods.append((day, day, DatePrecision.DAY))
        last_approved: int | None = None
        for start, end, precision in periods:
            roll = rng.random()
            state = ObservationState.APPROVED
            if roll < 0.025:
                state = ObservationState.DRAFT
            elif roll < 0.05:
                state = ObservationState.SUBMITTED
            supersedes = None
            if roll > 0.99 and last_approved is not None:
                # A correction of the previous approved figure of this series (approved itself).
                supersedes, last_approved = last_approved, None
            text = ""
            value: str | None = None
            if unit == Unit.TEXT:
                text = f"Synthetic status {next_id}"
            else:
                value = _value(rng, unit)
            approved = state == ObservationState.APPROVED
            yield [
                next_id,
                indicator_id,
                body_id,
                start,
                end,
                precision,
                value,
                rng.choice((ValueQualifier.EXACT, ValueQualifier.EXACT, ValueQualifier.ABOUT)).value,
                text,
                "",
                "",
                "",
                state.value,
                2 if approved else 1,
                supersedes,
                "Synthetic correction" if supersedes else "",
                "",
                now,
                now,
                now if state != ObservationState.DRAFT else None,
                now if approved else None,
                sources[_month_index(end)],
            ]
            if approved and supersedes is None:
                last_approved = next_id
            next_id += 1


def _copy(cursor: object, lines: list[str]) -> None:
    buffer = io.StringIO("".join(lines))
    cursor.copy_expert(  # type: ignore[attr-defined]
        f"COPY tracker_observation ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT text)", buffer
    )


def synthetic_generate(*, observations: int, seed: int = 42, force: bool = False) -> GenerationResult:
    """Replace the synthetic observations with ``observations`` new ones, in one transaction.

    Refuses (``RealDataPresent``) when the database has observations that are neither seeded nor synthetic,
    unless ``force``: volume data beside real figures would show on every page and in every report.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("generate_synthetic loads with PostgreSQL's COPY.")
    publisher = Body.objects.filter(slug="nacta").first() or Body.objects.order_by("pk").first()
    if publisher is None or not Indicator.objects.exists():
        raise RuntimeError("Load the seed first (manage.py load_seed).")
    with transaction.atomic():
        sources = _sources(publisher)
        synthetic = Q(source__slug__startswith=SYNTHETIC_SOURCE)
        real = Observation.objects.filter(seed_key__isnull=True).exclude(synthetic).count()
        if real and not force:
            raise RealDataPresent(
                f"{real} observations are neither seeded nor synthetic; pass --force to add synthetic data anyway."
            )
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE tracker_observation IN SHARE ROW EXCLUSIVE MODE")
            # The read model's row triggers would recompute a series per copied row: off for the load, on
            # again before the transaction ends, then one rebuild (below).
            # ALTER TABLE refuses while deferred key checks are pending: run them now, before each ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("ALTER TABLE tracker_observation DISABLE TRIGGER tracker_latestfigure_insert")
            cursor.execute("ALTER TABLE tracker_observation DISABLE TRIGGER tracker_latestfigure_delete")
            # Corrections first would not help: the self-reference is deferrable, one DELETE removes them all.
            # Every synthetic source's rows, not only this run's months: a database generated by an earlier
            # layout (one source for all rows) would otherwise keep its rows beside the new ones.
            every_synthetic = list(
                Source.objects.filter(slug__startswith=SYNTHETIC_SOURCE).values_list("pk", flat=True)
            )
            cursor.execute("DELETE FROM tracker_observation WHERE source_id = ANY(%s)", [every_synthetic])
            replaced = cursor.rowcount
            cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM tracker_observation")
            first_id = cursor.fetchone()[0]
            lines: list[str] = []
            written = 0
            for row in _rows(observations, seed=seed, first_id=first_id, sources=sources):
                lines.append("\t".join(map(_field, row)) + "\n")
                if len(lines) >= CHUNK:
                    _copy(cursor, lines)
                    written += len(lines)
                    lines = []
            if lines:
                _copy(cursor, lines)
                written += len(lines)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE tracker_observation ENABLE TRIGGER tracker_latestfigure_insert")
            cursor.execute("ALTER TABLE tracker_observation ENABLE TRIGGER tracker_latestfigure_delete")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tracker_observation', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM tracker_observation))"
            )
        series = Indicator.objects.count() * (Body.objects.count() + 1)
        latest_figures_rebuild()  # COPY bypasses the services: recompute the read model in the same transaction
    with connection.cursor() as cursor:
        # Every table the load wrote: with the new monthly sources unanalysed, the planner took the source
        # table for one row and the report's listing query ran 15 s instead of 0.7 s at 100k.
        cursor.execute("ANALYZE tracker_observation, tracker_source, tracker_latestfigure")
    return GenerationResult(observations=written, series=series, replaced=replaced)
