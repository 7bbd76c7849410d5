"""The volume benchmark: the portal under gunicorn on loopback, a bounded load, and the floors beside it.

    python -m benchmarks.load [--sizes seed,100k,1m] [--requests 40] [--clients 4] [--out benchmarks/RESULTS.md]

For each size it (re)generates the synthetic data (``generate_synthetic``; "seed" removes it), starts gunicorn
(production settings, gthread workers, loopback), signs in an analyst by session cookie, and sends a fixed
number of requests per page from a few threads (stdlib ``http.client``, keep-alive). It prints and writes
p50/p95, requests/s, bytes per response and queries per request (counted once in-process through Django's
test client: the count is the same on every request), and for each page the floors measured in the same run:
``/healthz/`` through the same gunicorn and middleware under the same load, and ``EXPLAIN ANALYZE`` of the
page's slowest SQL statement. The database is ``DATABASE_URL``'s: never point it at real data.

``make bench`` runs the pytest-benchmark suite; this module is its volume part (``make bench-load``). A smoke
run at seed size, a few requests per page against Django's live server, is in tests/test_bench_load.py.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"seed": 0, "100k": 100_000, "1m": 1_000_000}
AS_OF = "2025-12-31"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    once: bool = False  # a long download: one request, timed whole


PAGES: tuple[Page, ...] = (
    Page("healthz (floor)", "/healthz/"),
    Page("dashboard nap-2021", f"/dashboard/?framework=nap-2021&as_of={AS_OF}"),
    Page("item nap-2021/4", "/frameworks/nap-2021/items/4/"),
    Page("indicator page", "/indicators/nap2021-01-deaths-since-2001/"),
    Page("explorer default", "/explore/"),
    Page("status API nap-2021", f"/api/v1/status/?framework=nap-2021&as_of={AS_OF}"),
    Page("status API nap-2014", f"/api/v1/status/?framework=nap-2014&as_of={AS_OF}"),
    Page("report nap-2021", f"/reports/?framework=nap-2021&as_of={AS_OF}"),
    Page("observations API p1", "/api/v1/observations/"),
    Page("CSV export, all rows", "/explore/export.csv", once=True),
)


@dataclass
class Result:
    page: Page
    times: list[float] = field(default_factory=list)  # seconds per request
    sizes: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    wall: float = 0.0
    queries: int | None = None
    sql_ms: float | None = None  # EXPLAIN ANALYZE execution time of the slowest statement

    def pct(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    @property
    def rps(self) -> float:
        return len(self.times) / self.wall if self.wall else 0.0


def load(base_url: str, page: Page, *, requests: int, clients: int, cookie: str) -> Result:
    """``requests`` GETs of ``page`` from ``clients`` threads, each on its own keep-alive connection."""
    parts = urlsplit(base_url)
    result = Result(page)
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=300)
        headers = {"Cookie": cookie, "Host": "127.0.0.1", "Accept": "*/*"}
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            started = time.perf_counter()
            conn.request("GET", page.path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                result.times.append(elapsed)
                result.sizes.append(len(body))
                result.statuses.add(response.status)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result


def page_sql(page: Page, user: object) -> tuple[int, float | None]:
    """Queries per request (Django's test client, in-process) and EXPLAIN ANALYZE time of the slowest one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as captured:
        client.get(page.path, HTTP_HOST="127.0.0.1")
    statements = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if not statements:
        return len(captured.captured_queries), None
    slowest = max(statements, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + slowest["sql"])
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return len(captured.captured_queries), float(plan["Execution Time"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="napportal.settings.production",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        NAP_API_RATE="100000/minute",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 (our own argv)


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz/ within 60 s")


def table(size: str, observations: int, results: Iterable[Result]) -> str:
    rows = [
        f"### {size}: {observations:,} observations",
        "",
        "| page | status | p50 ms | p95 ms | req/s | KB/response | queries | slowest SQL (EXPLAIN ANALYZE) ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        kb = statistics.mean(r.sizes) / 1024 if r.sizes else 0
        sql = f"{r.sql_ms:.1f}" if r.sql_ms is not None else "—"
        queries = str(r.queries) if r.queries is not None else "—"
        status = ",".join(map(str, sorted(r.statuses)))
        rows.append(
            f"| {r.page.name} | {status} | {r.pct(0.5):.0f} | {r.pct(0.95):.0f} | {r.rps:.1f} | {kb:.1f} | "
            f"{queries} | {sql} |"
        )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="seed,100k", help="comma-separated: seed, 100k, 1m")
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    env = _environment()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from tracker.choices import Role
    from tracker.models import Observation, UserRole

    _manage("migrate", "--no-input", "-v0", env=env)
    _manage("load_seed", env=env)
    _manage("collectstatic", "--no-input", "-v0", env=env)  # production settings serve a hashed manifest
    user, _created = get_user_model().objects.get_or_create(
        username="bench-analyst", defaults={"email": "bench-analyst@bench.invalid"}
    )
    UserRole.objects.get_or_create(user=user, defaults={"role": Role.ANALYST})
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    cookie = f"sessionid={session.session_key}"
    load_line = os.getloadavg()
    sections = [
        "# Volume benchmark results",
        "",
        f"`python -m benchmarks.load --sizes {args.sizes} --requests {args.requests} --clients {args.clients} "
        f"--workers {args.workers}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; gunicorn gthread "
        f"on loopback, production settings; load average at start {load_line[0]:.1f} on {os.cpu_count()} cores "
        "(a shared machine: absolute times are noisy, compare rows within one run).",
        "",
    ]
    for size in args.sizes.split(","):
        started = time.monotonic()
        _manage("generate_synthetic", "--observations", str(SIZES[size]), env=env)
        generated = time.monotonic() - started
        port = _free_port()
        gunicorn = subprocess.Popen(  # noqa: S603 (our own argv)
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "napportal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            _wait(port, gunicorn)
            results = []
            for page in PAGES:
                base = f"http://127.0.0.1:{port}"
                if page.once:
                    result = load(base, page, requests=1, clients=1, cookie=cookie)
                else:
                    load(base, page, requests=2, clients=1, cookie=cookie)  # warm up
                    result = load(base, page, requests=args.requests, clients=args.clients, cookie=cookie)
                    result.queries, result.sql_ms = page_sql(page, user)
                results.append(result)
                print(table(size, 0, [result]).splitlines()[-1], flush=True)
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        observations = Observation.objects.count()
        sections.append(table(size, observations, results))
        sections.append(f"Synthetic data generated in {generated:.1f} s.\n")
    args.out.write_text("\n".join(sections))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
