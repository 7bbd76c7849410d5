"""Volume check of the validation rules: ``python manage.py shell < benchmarks/validation_volume.py`` with
``NAP_BENCH_ROWS`` (default 100000) adds that many approved figures in one SQL statement (seed indicators ×
the eight jurisdictions and the national level, one figure per series and day), times the whole-database run
and each rule, then removes the rows again. Run it against a development database, never production."""

import os
import time
from datetime import date

from django.db import connection, transaction

from tracker.choices import Accumulation, Cadence, Unit
from tracker.models import Body, Indicator, Observation, ReportingAssignment, Source
from tracker.validation.checks import CHECKS, Context
from tracker.validation.engine import active_rules, evaluate
from tracker.validation.figures import Scope, materialized

ROWS = int(os.environ.get("NAP_BENCH_ROWS", "100000"))
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

indicators = list(Indicator.objects.exclude(unit=Unit.TEXT).values_list("pk", "accumulation"))
bodies = [None, *Body.objects.filter(slug__in=SLUGS).values_list("pk", flat=True)]
days = max(1, ROWS // (len(indicators) * len(bodies)))
source = Source.objects.get_or_create(
    slug="bench-validation", defaults={"publisher": Body.objects.get(slug="nacta"), "title": "Bench"}
)[0]
stock_ids = [pk for pk, acc in indicators if acc == Accumulation.RUNNING_TOTAL]
t0 = time.perf_counter()
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
        FROM unnest(%s::bigint[]) AS i CROSS JOIN unnest(%s::bigint[]) AS b CROSS JOIN generate_series(0, %s - 1) AS g
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
    with transaction.atomic():
        t = time.perf_counter()
        with materialized(Scope(as_of=date(2030, 1, 1))) as whole:
            print(f"  published figures read once              {time.perf_counter() - t:6.2f} s")
            for rule in active_rules():
                t = time.perf_counter()
                found = CHECKS[rule.kind](rule, whole, ctx)
                print(f"  {rule.slug:40} {time.perf_counter() - t:6.2f} s  {len(found)} findings")
    t = time.perf_counter()
    found = evaluate(scope=Scope(as_of=date(2030, 1, 1)))
    print(f"whole run: {time.perf_counter() - t:.2f} s, {len(found)} findings")
finally:
    # Raw DELETE: the ORM would collect a million rows into memory to cascade them.
    with transaction.atomic(), connection.cursor() as cursor:
        ReportingAssignment.objects.filter(indicator_id__in=[pk for pk, _ in indicators[:20]]).delete()
        cursor.execute("DELETE FROM tracker_observation WHERE source_id = %s", [source.pk])
        source.delete()
