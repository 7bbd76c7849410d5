"""The latest-value read model equals the reference definition of a published series, on random histories.

Histories are drawn by hypothesis: figures of two indicators for the national series and two bodies, random
period ends (ties included), approval times (some never approved: drafts and submissions) and corrections of
approved figures, themselves approved or not. Each approval refreshes the read model as the workflow service
does; at the end the read model, and a full rebuild, must both equal a plain-Python reference.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import BodyFactory, IndicatorFactory, SourceFactory
from tracker.choices import ObservationState
from tracker.models import LatestFigure, Observation, Source
from tracker.services.latest_figures import latest_figures_rebuild, latest_figures_refresh

pytestmark = pytest.mark.django_db

figure = st.fixed_dictionaries(
    {
        "indicator": st.integers(0, 1),
        "body": st.integers(0, 2),  # 0 = national
        "day": st.integers(0, 6),  # few days: many ties on period end
        "approved": st.booleans(),
        "approved_after": st.integers(0, 5),  # minutes: ties on approval time too
        "correct": st.sampled_from([None, "approved", "draft"]),
    }
)


def reference(observations: list[Observation]) -> dict[tuple[int, int | None], tuple[int, int | None]]:
    """Latest and previous published figure per series, by the definition in plain Python."""
    corrected = {o.supersedes_id for o in observations if o.supersedes_id and o.state == ObservationState.APPROVED}
    published = [o for o in observations if o.state == ObservationState.APPROVED and o.pk not in corrected]
    series: dict[tuple[int, int | None], list[Observation]] = {}
    for obs in published:
        series.setdefault((obs.indicator_id, obs.body_id), []).append(obs)
    result = {}
    for key, rows in series.items():
        rows.sort(key=lambda o: (o.period_end, o.approved_at is not None, o.approved_at or timezone.now(), o.pk))
        rows.reverse()
        result[key] = (rows[0].pk, rows[1].pk if len(rows) > 1 else None)
    return result


def read_model(indicators) -> dict[tuple[int, int | None], tuple[int, int | None]]:
    rows = LatestFigure.objects.filter(indicator__in=indicators)
    return {(r.indicator_id, r.body_id): (r.latest_id, r.previous_id) for r in rows}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(figure, max_size=25))
def test_read_model_equals_the_reference_on_random_histories(db, history):
    # Each example gets its own indicators (the database keeps earlier examples' rows within the test).
    indicators = IndicatorFactory.create_batch(2, unit="count")
    bodies = [None, *BodyFactory.create_batch(2)]
    source = Source.objects.get(pk=SourceFactory.create().pk)
    start = timezone.now()
    for entry in history:
        approved = entry["approved"]
        obs = Observation.objects.create(
            indicator=indicators[entry["indicator"]],
            body=bodies[entry["body"]],
            period_end=date(2024, 1, 1) + timedelta(days=entry["day"]),
            value=Decimal(entry["day"]),
            source=source,
            state=ObservationState.APPROVED if approved else ObservationState.SUBMITTED,
            approved_at=start + timedelta(minutes=entry["approved_after"]) if approved else None,
        )
        if approved:
            latest_figures_refresh(series=[(obs.indicator_id, obs.body_id)])
        if approved and entry["correct"]:
            correction_approved = entry["correct"] == "approved"
            Observation.objects.create(
                indicator=obs.indicator,
                body=obs.body,
                period_end=obs.period_end,
                value=Decimal(entry["day"] + 1),
                source=source,
                supersedes=obs,
                state=ObservationState.APPROVED if correction_approved else ObservationState.DRAFT,
                approved_at=start + timedelta(minutes=9) if correction_approved else None,
            )
            if correction_approved:
                latest_figures_refresh(series=[(obs.indicator_id, obs.body_id)])
    expected = reference(list(Observation.objects.filter(indicator__in=indicators)))
    assert read_model(indicators) == expected
    latest_figures_rebuild()
    assert read_model(indicators) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(figure, min_size=1, max_size=30), withdrawn=st.sets(st.integers(0, 29), max_size=5))
def test_the_triggers_alone_keep_the_read_model_under_bulk_statements(db, history, withdrawn):
    """Rows written, changed and deleted many per statement (as imports, bulk loads and the admin do), with no
    service refreshing anything: the statement-level triggers keep the read model equal to the reference."""
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's")
    indicators = IndicatorFactory.create_batch(2, unit="count")
    bodies = [None, *BodyFactory.create_batch(2)]
    source = Source.objects.get(pk=SourceFactory.create().pk)
    start = timezone.now()

    def row(entry, **extra):
        approved = entry["approved"]
        return Observation(
            indicator=indicators[entry["indicator"]],
            body=bodies[entry["body"]],
            period_end=date(2024, 1, 1) + timedelta(days=entry["day"]),
            value=Decimal(entry["day"]),
            source=source,
            state=ObservationState.APPROVED if approved else ObservationState.SUBMITTED,
            approved_at=start + timedelta(minutes=entry["approved_after"]) if approved else None,
            **extra,
        )

    # One INSERT for the whole history, one for its corrections (some moved to the other body).
    figures = Observation.objects.bulk_create([row(entry) for entry in history])
    corrections = [
        row({**entry, "body": (entry["body"] + 1) % 3, "approved": entry["correct"] == "approved"}, supersedes=obs)
        for entry, obs in zip(history, figures, strict=True)
        if entry["approved"] and entry["correct"]
    ]
    Observation.objects.bulk_create(corrections)
    expected = reference(list(Observation.objects.filter(indicator__in=indicators)))
    assert read_model(indicators) == expected

    # One UPDATE withdrawing some approvals, one moving every figure of indicator 0 to day 9, one DELETE.
    chosen = [obs.pk for index, obs in enumerate(figures) if index in withdrawn]
    Observation.objects.filter(pk__in=chosen).update(state=ObservationState.RETURNED, approved_at=None)
    Observation.objects.filter(indicator=indicators[0]).update(period_end=date(2024, 1, 10))
    assert read_model(indicators) == reference(list(Observation.objects.filter(indicator__in=indicators)))
    Observation.objects.filter(indicator=indicators[1], supersedes__isnull=True, superseded_by__isnull=True).delete()
    assert read_model(indicators) == reference(list(Observation.objects.filter(indicator__in=indicators)))


def test_one_bulk_insert_into_one_series_recomputes_it_once(db):
    """10,000 approved figures of one series in one INSERT: the read model follows in well under a second of
    trigger work (the per-row trigger took minutes), and points at the newest."""
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's")
    indicator = IndicatorFactory.create(unit="count")
    source = Source.objects.get(pk=SourceFactory.create().pk)
    approved_at = timezone.now()
    figures = [
        Observation(
            indicator=indicator,
            period_end=date(2000, 1, 1) + timedelta(days=day),
            value=Decimal(day),
            source=source,
            state=ObservationState.APPROVED,
            approved_at=approved_at,
        )
        for day in range(10_000)
    ]
    inserted_before = _read_model_inserts()
    created = Observation.objects.bulk_create(figures, batch_size=10_000)
    # One recompute of the one series, not 10,000.
    assert _read_model_inserts() - inserted_before == 1
    latest = LatestFigure.objects.get(indicator=indicator)
    assert (latest.latest_id, latest.previous_id) == (created[-1].pk, created[-2].pk)


def _read_model_inserts() -> int:
    """Rows inserted into the read model as this backend counts them. Function call statistics need
    track_functions, so the read model's row versions are counted instead, as a difference: since PostgreSQL 15
    the "current transaction" counts also hold earlier transactions' counts until the backend reports them (at
    most once a second, when idle outside a transaction), so a test right after another saw 113 or 214."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_ins FROM pg_stat_xact_user_tables WHERE relname = 'tracker_latestfigure'")
        (inserted,) = cursor.fetchone()
    return int(inserted)
