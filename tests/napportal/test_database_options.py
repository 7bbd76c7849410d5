"""The portal's PostgreSQL connections run without JIT: at a million observations the planner's cost estimates
sent O(series) report and status queries to LLVM, which took longer to compile them than they took to run."""

from django.db import connection


def test_connections_run_without_jit(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
