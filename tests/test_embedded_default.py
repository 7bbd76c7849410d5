"""The embedded default works end to end: what `make run` does (a fresh SQLite database migrated, the seed loaded,
the demo accounts created; no Redis, so tasks run in-process), then every role's pages and the workflow walked
with the test client (``tests/embedded_walk.py``).

In subprocesses, so they get SQLite and the development settings rather than the suite's PostgreSQL: the
PostgreSQL-only SQL of the tuned paths is exactly what must not reach the embedded default.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return done.stdout


def test_make_run_on_sqlite_serves_every_role_and_the_workflow(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(Path.home()),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "napportal.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",  # as unset: local-memory cache, Celery tasks in-process
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    # The Makefile's `run` target, but for the server.
    _run(["manage.py", "migrate", "--no-input", "-v0"], env)
    _run(["manage.py", "load_seed"], env)
    accounts = _run(["manage.py", "create_demo_accounts", "--base-url", "http://127.0.0.1:8000"], env)
    assert "punjab@napportal.local" in accounts
    walked = _run(["-m", "tests.embedded_walk"], env)
    assert "WALK OK" in walked
