"""Volume check of the validation rules: ``python manage.py shell < benchmarks/validation_volume.py`` with
``NAP_BENCH_ROWS`` (default 100000) adds that many approved figures in one SQL statement (seed indicators ×
the eight jurisdictions and the national level, one figure per series and day), times the whole-database run
and each rule, then removes the rows again. ``NAP_BENCH_ROWS=0`` adds nothing and times the database as it is
(after ``manage.py generate_synthetic --observations 1000000``, say); ``NAP_BENCH_KEEP=1`` leaves the added rows
in place for the next run (which removes them unless asked again). Run it against a development database, never
production.

Each line gives the wall time and the CPU time spent in the database backend and in Python, with the load
average before and after: the machine is shared, and the CPU time is what changes with the code.
"""

import os
import time
from datetime import date
from typing import Any

from django.db import connection, transaction

from tracker.choices import Accumulation, Cadence, Unit
from tracker.models import Body, Indicator, Observation, ReportingAssignment, Source
from tracker.validation.checks import CHECKS, Context
from tracker.validation.engine import active_rules, evaluate
from tracker.validation.figures import Scope, materialized

ROWS = int(os.environ.get("NAP_BENCH_ROWS", "100000"))
KEEP = os.environ.get("NAP_BENCH_KEEP") == "1"
SLUGS = [
    "punjab",
    "sindh",
    "khyber-pakhtunkhwa",
    "balochistan",
    "gilgit-baltistan",
    "azad-jammu-kashmir",
    "islamabad-capital-territory",
    "merged-districts",
]

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (the server runs on this machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Timer:
    def __enter__(self) -> "Timer":
        self.started = (time.perf_counter(), backend_cpu(), time.process_time())
        return self

    def __exit__(self, *exc: Any) -> None:
        wall, db, py = self.started
        self.wall = time.perf_counter() - wall
        self.db = backend_cpu() - db
        self.py = time.process_time() - py

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall, CPU {self.db:5.2f} s database + {self.py:5.2f} s Python"


def load() -> str:
    return "load average " + " ".join(f"{n:.2f}" for n in os.getloadavg()) + f" on {os.cpu_count()} cores"


indicators = list(Indicator.objects.exclude(unit=Unit.TEXT).values_list("pk", "accumulation"))
bodies = [None, *Body.objects.filter(slug__in=SLUGS).values_list("pk", flat=True)]
days = max(1, ROWS // (len(indicators) * len(bodies)))
source = Source.objects.get_or_create(
    slug="bench-validation", defaults={"publisher": Body.objects.get(slug="nacta"), "title": "Bench"}
)[0]
stock_ids = [pk for pk, acc in indicators if acc == Accumulation.RUNNING_TOTAL]
t0 = time.perf_counter()
inserted = 0
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT count(*) FILTER (WHERE state = 'approved' AND value IS NOT NULL), count(*) FROM tracker_observation"
    )
    numeric, total = cursor.fetchone()
    print(f"before: {numeric} approved numeric figures of {total} observations")
if ROWS:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tracker_observation (indicator_id, body_id, period_start, period_end, date_precision, value,
                value_qualifier, text_value, source_id, quote, note, editorial_note, state, version, correction_reason,
                return_reason, created_at, updated_at, approved_at, submitted_at)
            SELECT i, b, NULL, DATE '1990-01-01' + g, 'day',
                   CASE WHEN i = ANY(%s) THEN g * 10 + (random() * 8)::int - CASE WHEN g %% 997 = 500 THEN 50 ELSE 0 END
                        ELSE 100 + (random() * 20)::int + CASE WHEN g %% 1009 = 7 THEN 5000 ELSE 0 END END,
                   'exact', '', %s, '', '', '', 'approved', 1, '', '', now(), now(), now(), now()
            FROM unnest(%s::bigint[]) AS i CROSS JOIN unnest(%s::bigint[]) AS b
                CROSS JOIN generate_series(0, %s - 1) AS g
            """,
            [stock_ids, source.pk, [pk for pk, _ in indicators], bodies, days],
        )
        inserted = cursor.rowcount
        cursor.execute("ANALYZE tracker_observation")
for pk, _ in indicators[:20]:
    for body in bodies[1:]:
        ReportingAssignment.objects.get_or_create(indicator_id=pk, body_id=body, defaults={"cadence": Cadence.MONTHLY})
print(
    f"inserted {inserted} rows ({len(indicators)} indicators x {len(bodies)} bodies x {days} days) "
    f"in {time.perf_counter() - t0:.1f} s; table has {Observation.objects.count()} rows"
)
try:
    ctx = Context.load()
    print(load())
    with transaction.atomic():
        with Timer() as t, materialized(Scope(as_of=date(2030, 1, 1))) as whole:
            pass
        print(f"  {'published figures read once':40} {t}")
        for rule in active_rules():
            with Timer() as t:
                found = CHECKS[rule.kind](rule, whole, ctx)
            print(f"  {rule.slug:40} {t}  {len(found)} findings")
    # A new session, as a run gets: ``temp_buffers`` can only grow before a session's first temporary table.
    connection.close()
    with Timer() as t:
        found = evaluate(scope=Scope(as_of=date(2030, 1, 1)))
    print(f"whole run: {t}, {len(found)} findings")
    print(load())
finally:
    # Raw DELETE: the ORM would collect a million rows into memory to cascade them.
    with transaction.atomic(), connection.cursor() as cursor:
        ReportingAssignment.objects.filter(indicator_id__in=[pk for pk, _ in indicators[:20]]).delete()
        if not KEEP:
            cursor.execute("DELETE FROM tracker_observation WHERE source_id = %s", [source.pk])
            source.delete()
