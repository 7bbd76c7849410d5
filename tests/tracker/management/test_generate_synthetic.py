"""generate_synthetic: deterministic volume data on top of the seed, loaded with COPY, never beside real data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import ObservationFactory, SourceFactory
from tracker.choices import ObservationState
from tracker.models import LatestFigure, Observation, Source
from tracker.seeding import seed_load
from tracker.synthetic import SYNTHETIC_SOURCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db) -> None:
    seed_load(directory=Path(settings.BASE_DIR) / "fixtures")


def _synthetic() -> list[tuple]:
    return list(
        Observation.objects.filter(source__slug__startswith=SYNTHETIC_SOURCE)
        .order_by("pk")
        .values_list("indicator__code", "body__slug", "period_end", "date_precision", "value", "state")
    )


def test_writes_the_rows_asked_for_deterministically_and_replaces_them_on_a_second_run(seeded) -> None:
    seeded_rows = Observation.objects.count()
    call_command("generate_synthetic", "--observations", "5000", "--seed", "7")
    first = _synthetic()
    assert len(first) == 5000
    call_command("generate_synthetic", "--observations", "5000", "--seed", "7")
    assert _synthetic() == first
    assert Observation.objects.count() == seeded_rows + 5000
    call_command("generate_synthetic", "--observations", "5000", "--seed", "8")
    assert _synthetic() != first


def test_replaces_rows_of_an_earlier_layouts_synthetic_source(seeded) -> None:
    # Before monthly sources, every synthetic row hung on one source named by the bare prefix.
    old = SourceFactory.create(slug=SYNTHETIC_SOURCE)
    ObservationFactory.create_batch(3, source=old, state=ObservationState.APPROVED)
    seeded_rows = Observation.objects.count() - 3
    call_command("generate_synthetic", "--observations", "2000")
    assert not Observation.objects.filter(source=old).exists()
    assert Observation.objects.count() == seeded_rows + 2000


def test_mixes_states_periods_and_corrections_as_real_returns_do(seeded) -> None:
    call_command("generate_synthetic", "--observations", "20000")
    rows = Observation.objects.filter(source__slug__startswith=SYNTHETIC_SOURCE)
    states = Counter(rows.values_list("state", flat=True))
    unapproved = states[ObservationState.DRAFT] + states[ObservationState.SUBMITTED]
    assert 0.03 * 20000 < unapproved < 0.07 * 20000
    assert set(rows.values_list("date_precision", flat=True)) == {"month", "day"}
    corrections = rows.filter(supersedes__isnull=False)
    assert corrections.count() > 50
    # A correction supersedes an approved figure of the same series, and nothing is corrected twice.
    assert not corrections.exclude(supersedes__state=ObservationState.APPROVED).exists()
    for correction in corrections.select_related("supersedes")[:50]:
        assert correction.supersedes is not None
        assert correction.indicator_id == correction.supersedes.indicator_id
    for obs in rows.order_by("?")[:200]:
        obs.full_clean(exclude=["supersedes"])  # the model's own rules hold for COPY-loaded rows
    # The sequence moved past the copied ids: the ORM can still insert.
    ObservationFactory(state=ObservationState.DRAFT)


def test_refuses_a_database_with_real_observations_unless_forced(seeded) -> None:
    ObservationFactory(state=ObservationState.APPROVED)
    with pytest.raises(CommandError, match="neither seeded nor synthetic"):
        call_command("generate_synthetic", "--observations", "100")
    assert not Observation.objects.filter(source__slug__startswith=SYNTHETIC_SOURCE).exists()
    call_command("generate_synthetic", "--observations", "100", "--force")
    assert Observation.objects.filter(source__slug__startswith=SYNTHETIC_SOURCE).count() == 100


def test_leaves_the_planner_statistics_of_every_table_it_wrote(seeded) -> None:
    # Unanalysed, the 120 new monthly sources looked like one row to the planner: the report's listing query
    # chose a nested loop and took 15 s instead of 0.7 s at 100k observations.
    call_command("generate_synthetic", "--observations", "2000")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('tracker_observation', 'tracker_source', 'tracker_latestfigure')"
        )
        estimated = dict(cursor.fetchall())
    assert estimated["tracker_source"] >= Source.objects.count()
    assert estimated["tracker_observation"] >= 2000
    assert estimated["tracker_latestfigure"] >= LatestFigure.objects.count() > 0
