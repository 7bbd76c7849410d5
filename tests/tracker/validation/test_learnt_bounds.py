"""Stored learnt ranges: a whole run reads them back, and a change in the middle of a series (a late figure, a
correction, a withdrawn or deleted figure) gives the later figures exactly the findings a cold run gives."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tracker.choices import ObservationState, RuleKind
from tracker.models import LearntBound, Observation
from tracker.validation.engine import evaluate
from tracker.validation.figures import Scope

pytestmark = pytest.mark.django_db

START = date(2015, 1, 1)


def run(rule):
    """A whole run's learnt-range findings, comparable across runs."""
    drafts = evaluate(scope=Scope(as_of=date(2030, 1, 1)), rules=[rule])
    return sorted((d.key, d.observation_id, repr(sorted(d.params.items()))) for d in drafts)


def cold(rule):
    LearntBound.objects.all().delete()
    return run(rule)


def history(vworld, fig, world, rng, *, n=40):
    """Three series of random figures (ties on a date included), with a few outliers."""
    figures = []
    for body in (None, world.punjab, world.sindh):
        day = START
        for _ in range(n):
            day += timedelta(days=rng.choice((0, 1, 7, 30)))
            value = rng.randint(90, 110) if rng.random() > 0.15 else rng.randint(0, 1000)
            figures.append(fig(vworld.operations, value, body=body, on=day))
    return figures


@pytest.mark.parametrize("seed", range(6))
def test_a_warm_run_after_changes_in_the_middle_of_series_equals_a_cold_run(vworld, fig, rule, world, seed):
    rng = random.Random(seed)
    r = rule(RuleKind.RANGE, mad_k=rng.choice((1, 2, 3)), history=rng.choice((4, 5, 8)))
    figures = history(vworld, fig, world, rng)
    first = run(r)
    assert first, "random histories with outliers make findings"
    stored = LearntBound.objects.count()
    assert stored == len(figures)  # every figure learnt once, with or without enough history
    assert run(r) == first  # read back: the same findings

    middle = [f for f in figures if START + timedelta(days=60) < f.period_end][:10]
    changes = [
        # A late figure in the middle of a series (inserted approved).
        lambda: fig(vworld.operations, rng.randint(0, 1000), body=middle[0].body, on=middle[0].period_end),
        # A correction approved as an insert, and one submitted then approved by an update (moved a day).
        lambda: fig(
            vworld.operations, rng.randint(0, 1000), body=middle[1].body, on=middle[1].period_end, supersedes=middle[1]
        ),
        lambda: Observation.objects.filter(
            pk=fig(
                vworld.operations,
                rng.randint(0, 1000),
                body=middle[2].body,
                on=middle[2].period_end + timedelta(days=1),
                state=ObservationState.SUBMITTED,
                supersedes=middle[2],
            ).pk
        ).update(state=ObservationState.APPROVED, approved_at=timezone.now()),
        # A figure withdrawn from publication, and one deleted outright.
        lambda: Observation.objects.filter(pk=middle[3].pk).update(state=ObservationState.RETURNED),
        lambda: Observation.objects.filter(pk=middle[4].pk).delete(),
    ]
    for change in changes:
        before = LearntBound.objects.count()
        change()
        # Forgotten from the change on, not the whole table: the warm run learns only the series' tail.
        assert 0 < LearntBound.objects.count() < before
        warm = run(r)
        assert warm == cold(r)


def test_a_draft_or_an_unrelated_edit_keeps_the_stored_bounds(vworld, fig, rule, world):
    r = rule(RuleKind.RANGE, mad_k=3, history=4)
    figures = history(vworld, fig, world, random.Random(1), n=10)
    run(r)
    fig(vworld.operations, 5, body=world.punjab, on=START, state=ObservationState.DRAFT)
    Observation.objects.filter(pk=figures[3].pk).update(note="checked against the gazette")
    assert LearntBound.objects.count() == len(figures)


def test_a_run_reads_stored_bounds_instead_of_windowing_the_series(vworld, fig, rule, world):
    r = rule(RuleKind.RANGE, mad_k=3, history=4)
    history(vworld, fig, world, random.Random(2), n=10)
    first = run(r)
    # Stored bounds are what the run compares against: a wrong stored median changes the findings.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_learntbound SET median = -1e9, mad = 1 WHERE median IS NOT NULL")
    assert run(r) != first
    assert cold(r) == first
