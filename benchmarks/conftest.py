"""Data for the benchmarks: the seed, and the seed plus 10,000 synthetic approved observations.

The data are written once per session and committed (outside any test's transaction), so setting them up is
never part of a measurement; each benchmark still runs inside its own transaction, rolled back afterwards.
``dataset`` is a session-scoped parametrized fixture, so pytest runs every benchmark on "seed" first, then
adds the synthetic rows once and runs them all again on "seed+10k"; the ids carry the size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from benchmarks.data import (
    AS_OF,
    FIXTURES,
    N_SYNTHETIC,
    SEED,
    SEED_10K,
    SYNTHETIC_SOURCE,
    Dataset,
    synthetic_observations,
)
from tracker.choices import ObservationState, Role
from tracker.models import Body, Observation, Source, UserRole
from tracker.seeding import seed_load


@pytest.fixture(scope="session")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        seed_load(directory=FIXTURES)


@pytest.fixture(scope="session", params=[SEED, SEED_10K])
def dataset(request: pytest.FixtureRequest, seeded: None, django_db_blocker: Any) -> Iterator[Dataset]:
    with django_db_blocker.unblock():
        if request.param == SEED:
            yield Dataset(SEED, Observation.objects.filter(state=ObservationState.APPROVED).count())
            return
        source = Source.objects.create(
            slug=SYNTHETIC_SOURCE,
            publisher=Body.objects.get(slug="nacta"),
            title="Synthetic monthly returns (benchmark data)",
            published_on=AS_OF,
        )
        rows = synthetic_observations(N_SYNTHETIC, source=source)
        for row in rows:
            row.clean()  # the model's own rules (period, value or text); bulk_create skips them
        Observation.objects.bulk_create(rows, batch_size=2000)
        try:
            yield Dataset(SEED_10K, Observation.objects.filter(state=ObservationState.APPROVED).count())
        finally:
            Observation.objects.filter(source=source).delete()
            source.delete()


@pytest.fixture
def make_user(db: None) -> Callable[[str], Any]:
    """A user with ``role``, inside the benchmark's transaction."""

    def make(role: str) -> Any:
        user = get_user_model().objects.create_user(
            username=f"bench-{role}", email=f"{role}@bench.example.org", password=None
        )
        UserRole.objects.create(user=user, role=role)
        return user

    return make


@pytest.fixture
def reviewer(make_user: Callable[[str], Any]) -> Any:
    return make_user(Role.REVIEWER)


@pytest.fixture
def analyst(make_user: Callable[[str], Any]) -> Any:
    return make_user(Role.ANALYST)
