import threading
from io import StringIO

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection, connections

from tracker.management.commands.migrate_serialized import MIGRATION_LOCK_KEY


@pytest.fixture
def other_container():
    """A second PostgreSQL session, as another web container starting at the same time would have."""
    session = psycopg2.connect(**connection.get_connection_params())
    session.autocommit = True
    yield session.cursor()
    session.close()


@pytest.mark.django_db(transaction=True)
def test_waits_for_the_lock_held_by_another_container_then_migrates(other_container):
    other_container.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
    out = StringIO()

    def migrate() -> None:
        try:
            call_command("migrate_serialized", "--no-input", stdout=out)
        finally:
            connections.close_all()

    thread = threading.Thread(target=migrate)
    thread.start()
    try:
        thread.join(timeout=1.0)
        assert thread.is_alive(), "migrate ran while another session held the migration lock"
        assert "No migrations to apply" not in out.getvalue()
    finally:
        other_container.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
        thread.join(timeout=30)

    assert not thread.is_alive()
    assert "No migrations to apply" in out.getvalue()
    # Released afterwards: the next container gets the lock at once.
    other_container.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
    assert other_container.fetchone() == (True,)
    other_container.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
