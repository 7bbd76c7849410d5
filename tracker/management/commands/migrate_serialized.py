"""``migrate`` that several containers may start at once: one applies the migrations, the others wait.

Every web container runs it before gunicorn (docker-compose.yml). Django's own ``migrate`` is not safe to run
concurrently, so on PostgreSQL it takes a session-level advisory lock first; the containers that waited then
find nothing left to apply. On other databases (SQLite in development) it is plain ``migrate``.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

# Any constant works as long as nothing else in the database uses it; this one spells "NAPMIGR" in ASCII.
MIGRATION_LOCK_KEY = 0x4E41504D494752


class Command(BaseCommand):
    help = "Apply migrations, holding a PostgreSQL advisory lock so that concurrent containers take turns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive")

    def handle(self, *args: Any, database: str, interactive: bool, **options: Any) -> None:
        connection = connections[database]
        migrate_options = {
            "database": database,
            "interactive": interactive,
            "verbosity": options["verbosity"],
            "stdout": self.stdout,
            "stderr": self.stderr,
        }
        if connection.vendor != "postgresql":
            call_command("migrate", **migrate_options)
            call_command("createcachetable", database=database)
            return
        with connection.cursor() as cursor:
            self.stdout.write("Waiting for the migration lock ...")
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
            try:
                call_command("migrate", **migrate_options)
                # The cache's fallback table (napportal.cache), used while Redis is unreachable.
                call_command("createcachetable", database=database)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
