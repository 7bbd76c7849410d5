"""The report's core read: the latest approved figure of every indicator × body on or before a date.

A baseline for the window-function plan in STYLE.md; a PostgreSQL-only plan (DISTINCT ON, LATERAL) should
replace it behind the selector only if this number says it pays.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from tracker.choices import BodyKind, ItemCategory, ObservationState, Unit
from tracker.models import AgendaItem, Body, Framework, Indicator, Observation, Source

N_INDICATORS = 20
N_BODIES = 5
N_MONTHS = 50  # 20 × 5 × 50 = 5,000 observations
AS_OF = date(2020, 6, 30)


def month_end(index: int) -> date:
    year, month = divmod(index, 12)
    next_first = date(2017 + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date.fromordinal(next_first.toordinal() - 1)


@pytest.fixture
def observations(db):
    framework = Framework.objects.create(slug="bench", title="Benchmark framework", short_title="Bench")
    item = AgendaItem.objects.create(framework=framework, number=1, title="Item", category=ItemCategory.KINETIC)
    bodies = Body.objects.bulk_create(
        Body(slug=f"body-{i}", name=f"Body {i}", short_name=f"B{i}", kind=BodyKind.PROVINCE) for i in range(N_BODIES)
    )
    source = Source.objects.create(slug="bench-source", publisher=bodies[0], title="Monthly returns")
    indicators = Indicator.objects.bulk_create(
        Indicator(item=item, code=f"ind-{i}", name=f"Indicator {i}", unit=Unit.COUNT) for i in range(N_INDICATORS)
    )
    Observation.objects.bulk_create(
        Observation(
            indicator=indicator,
            body=body,
            period_end=month_end(m),
            date_precision="month",
            value=Decimal(m * 10),
            source=source,
            state=ObservationState.APPROVED,
        )
        for indicator in indicators
        for body in bodies
        for m in range(N_MONTHS)
    )
    return Observation.objects.all()


def latest_as_of(as_of: date) -> list[Observation]:
    # Only this benchmark's framework: the other benchmarks keep the seed committed for the whole session.
    ranked = (
        Observation.objects.filter(
            indicator__item__framework__slug="bench", state=ObservationState.APPROVED, period_end__lte=as_of
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("indicator_id"), F("body_id")], order_by=[F("period_end").desc()])
        )
        .select_related("indicator", "body", "source")
    )
    return list(ranked.filter(rank=1))


def test_latest_observation_per_indicator_and_body(benchmark, observations, django_assert_num_queries):
    with django_assert_num_queries(1):
        latest = latest_as_of(AS_OF)
    assert len(latest) == N_INDICATORS * N_BODIES
    assert {obs.period_end for obs in latest} == {AS_OF}

    benchmark(latest_as_of, AS_OF)
