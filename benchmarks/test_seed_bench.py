"""``seed_load`` on an empty database and on one where the seed is already loaded (the idempotent path)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from benchmarks.data import FIXTURES
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Observation,
    Responsibility,
    Source,
)
from tracker.seeding import SeedResult, seed_load

SEEDED_MODELS = [Body, Source, Framework, AgendaItem, Responsibility, CrosswalkLink, Indicator, Observation, Assessment]


def empty_seeded_tables() -> None:
    """Empty every table the seed writes, inside the benchmark's transaction (PostgreSQL's TRUNCATE is
    transactional, so the session's committed data come back when the test rolls back)."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in SEEDED_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


@pytest.mark.benchmark(group="seed_load")
def test_seed_load_empty_database(benchmark, seeded, db):
    empty_seeded_tables()
    savepoints: list[str] = []

    def setup() -> tuple[tuple[()], dict[str, Any]]:
        savepoints.append(transaction.savepoint())
        return (), {"directory": FIXTURES}

    def teardown(**kwargs: Any) -> None:
        # Back to the empty tables, so every round loads into an empty database.
        transaction.savepoint_rollback(savepoints.pop())

    result: SeedResult = benchmark.pedantic(seed_load, setup=setup, teardown=teardown, rounds=3)

    assert result.tally(Observation).created > 0
    assert not result.tally(Observation).unchanged


@pytest.mark.benchmark(group="seed_load")
def test_seed_load_already_loaded(benchmark, seeded, db):
    result: SeedResult = benchmark.pedantic(seed_load, kwargs={"directory": FIXTURES}, rounds=3)

    assert not result.changed
    assert result.tally(Observation).unchanged > 0
