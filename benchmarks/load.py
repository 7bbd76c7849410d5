"""The volume benchmark: the portal under gunicorn on loopback, a bounded load, and the floors beside it.

    python -m benchmarks.load [--sizes seed,100k,1m] [--requests 40] [--clients 4] [--out benchmarks/RESULTS.md]

For each size it makes the synthetic data (``generate_synthetic``; "seed" removes it; a database that already
holds exactly that many synthetic rows is used as it is), starts gunicorn (production settings, gthread
workers, loopback), signs in an analyst (and a NACTA M&E reviewer, enrolled in TOTP, for the pages only reviewers
see as they do) by session cookie, and sends a fixed number of requests per page from
a few threads (stdlib ``http.client``, keep-alive). For each page it records p50/p95, requests/s, bytes per
response and queries per request (counted once in-process through Django's test client: the count is the
same on every request), and the floors measured in the same run: ``/healthz/`` through the same gunicorn and
middleware under the same load, and ``EXPLAIN ANALYZE`` of the page's slowest SQL statement. The report and
export jobs are timed in-process (build, HTML, PDF, XLSX with its appendix) and in a child process (the XLSX
export job of every approved row, with its peak memory). The machine's load average is recorded with each
size: other sessions share the cores.

Each size's figures go to ``benchmarks/results/<size>.json``; ``--out`` is then written from every size on
file, with the issue's targets and the 1M/100k ratios, so the sizes may run one at a time (and each in its
own database: ``DATABASE_URL``). Never point it at real data: ``generate_synthetic`` refuses a database with
real observations, and this module adds bench accounts and sessions.

``make bench`` runs this at seed, 100k and 1M, then the pytest-benchmark suite (``make bench-micro``). A smoke
run at seed size, a few requests per page against Django's live server, is part of ``make test``
(tests/test_bench_load.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
SIZES = {"seed": 0, "100k": 100_000, "1m": 1_000_000}
AS_OF = "2025-12-31"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    once: bool = False  # a long download: one request, timed whole
    clients: int | None = None  # concurrent clients, when the target names them
    min_requests: int = 0
    role: str = "analyst"  # whose session asks for it


PAGES: tuple[Page, ...] = (
    Page("healthz (floor)", "/healthz/"),
    Page("dashboard nap-2021", f"/dashboard/?framework=nap-2021&as_of={AS_OF}"),
    # NACTA M&E's dashboard carries their pending counts, backlog and recent activity: built on every request.
    Page("dashboard nap-2021, reviewer", f"/dashboard/?framework=nap-2021&as_of={AS_OF}", role="reviewer"),
    Page("review queue, reviewer", "/review/", role="reviewer"),
    Page("dashboard chart (JSON)", f"/dashboard/charts/nap2021-01-deaths-since-2001/?as_of={AS_OF}"),
    Page("item nap-2021/4", "/frameworks/nap-2021/items/4/"),
    Page("indicator page", "/indicators/nap2021-01-deaths-since-2001/"),
    Page("explorer default", "/explore/"),
    Page("status API nap-2021", f"/api/v1/status/?framework=nap-2021&as_of={AS_OF}"),
    Page(
        "status API nap-2021, 8 clients",
        f"/api/v1/status/?framework=nap-2021&as_of={AS_OF}",
        clients=8,
        min_requests=80,
    ),
    Page("status API nap-2014", f"/api/v1/status/?framework=nap-2014&as_of={AS_OF}"),
    Page("observations API p1", "/api/v1/observations/"),
    Page("observations API p21", "/api/v1/observations/"),  # path replaced by the 20th `next` link
    # As known on the as-of date (the default): the synthetic monthly returns are published the month after.
    Page("report page nap-2021", f"/reports/?framework=nap-2021&as_of={AS_OF}"),
    Page("report page nap-2014", f"/reports/?framework=nap-2014&as_of={AS_OF}"),
    Page("CSV export, all rows", "/explore/export.csv", once=True),
)

# The targets at 1M on this machine: p95 in ms (wall time for a job), KB per response, req/s.
TARGETS: dict[str, dict[str, float]] = {
    "dashboard nap-2021": {"p95": 150, "kb": 300},
    "dashboard nap-2021, reviewer": {"p95": 150, "kb": 300},
    "item nap-2021/4": {"p95": 100},
    "indicator page": {"p95": 100},
    "explorer default": {"p95": 100},
    "status API nap-2021": {"p95": 50},
    "status API nap-2021, 8 clients": {"rps": 100},
    "status API nap-2014": {"p95": 50},
    "observations API p1": {"p95": 40},
    "observations API p21": {"p95": 40},
    "report page nap-2021": {"p95": 1000},
    "report page nap-2014": {"p95": 1000},
    "CSV export, all rows": {"p95": 30_000},
    "report build nap-2021": {"p95": 1000},
    "report build nap-2014": {"p95": 1000},
    "report HTML nap-2021": {"p95": 1000},
    "report PDF nap-2021": {"p95": 15_000},
    "XLSX export job, all rows": {"p95": 120_000, "mb": 300},
}
# Pages and jobs whose work the issue bounds, so 1M may cost at most 1.5x 100k; exports grow with the rows.
UNBOUNDED = {
    "CSV export, all rows",
    "XLSX export job, all rows",
    "XLSX writer alone, same rows (floor)",
    "report XLSX + appendix nap-2021",
}
# Their "sizes" are the rows written (rows / 1024 under KB).
ROWS_NOT_BYTES = {"XLSX export job, all rows", "XLSX writer alone, same rows (floor)"}


@dataclass
class Result:
    name: str
    times: list[float] = field(default_factory=list)  # seconds per request
    sizes: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    wall: float = 0.0
    queries: int | None = None
    sql_ms: float | None = None  # EXPLAIN ANALYZE execution time of the slowest statement
    peak_mb: float | None = None  # peak resident memory of a job's process
    cold_ms: float | None = None  # one request right after the published data changed (nothing cached for it)

    def pct(self, q: float) -> float:
        """The ``q`` quantile in ms by nearest rank: the smallest time at least a ``q`` share of requests took no
        longer than (of 20, p95 is the 19th; it was the 20th, the slowest, until 2026-12-01)."""
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000 if ordered else 0.0

    @property
    def rps(self) -> float:
        return len(self.times) / self.wall if self.wall else 0.0

    @property
    def kb(self) -> float:
        return statistics.mean(self.sizes) / 1024 if self.sizes else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": ",".join(map(str, sorted(self.statuses))),
            "n": len(self.times),
            "p50": round(self.pct(0.5), 1),
            "p95": round(self.pct(0.95), 1),
            "rps": round(self.rps, 1),
            "kb": round(self.kb, 1),
            "queries": self.queries,
            "sql_ms": None if self.sql_ms is None else round(self.sql_ms, 1),
            "mb": None if self.peak_mb is None else round(self.peak_mb),
            "cold": None if self.cold_ms is None else round(self.cold_ms, 1),
        }


def load(base_url: str, path: str, *, name: str = "", requests: int, clients: int, cookie: str) -> Result:
    """``requests`` GETs of ``path`` from ``clients`` threads, each on its own keep-alive connection."""
    parts = urlsplit(base_url)
    result = Result(name or path)
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=600)
        headers = {"Cookie": cookie, "Host": "127.0.0.1", "Accept": "*/*"}
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
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


def follow_next(base_url: str, path: str, *, hops: int, cookie: str) -> str:
    """The path of the page ``hops`` ``next`` links after ``path`` of a DRF list (or the last one there is)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    for _hop in range(hops):
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1", "Accept": "application/json"})
        following = json.loads(conn.getresponse().read()).get("next")
        if not following:
            break
        split = urlsplit(following)
        path = f"{split.path}?{split.query}"
    conn.close()
    return path


def slowest_sql(run: Callable[[], object]) -> tuple[int, float | None]:
    """Queries ``run`` makes and the EXPLAIN ANALYZE execution time of the slowest SELECT among them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    statements = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    if not statements:
        return len(captured.captured_queries), None
    slowest = max(statements, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + slowest["sql"])
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return len(captured.captured_queries), float(plan["Execution Time"])


def page_sql(path: str, user: object) -> tuple[int, float | None]:
    """Queries per request (Django's test client, in-process) and EXPLAIN ANALYZE time of the slowest one."""
    from django.test import Client

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return slowest_sql(lambda: client.get(path, HTTP_HOST="127.0.0.1"))


def timed(name: str, run: Callable[[], bytes | object], *, rounds: int = 1) -> Result:
    """``rounds`` in-process runs of ``run`` (a build or a render), then its queries and slowest SQL."""
    result = Result(name)
    started = time.perf_counter()
    for _round in range(rounds):
        begun = time.perf_counter()
        output = run()
        result.times.append(time.perf_counter() - begun)
        result.sizes.append(len(output) if isinstance(output, bytes | str) else 0)
        result.statuses.add(200)
    result.wall = time.perf_counter() - started
    result.queries, result.sql_ms = slowest_sql(run)
    return result


def report_jobs(*, rounds: int = 3, pdf: bool = True) -> list[Result]:
    """The report for nap-2021 and nap-2014 as of ``AS_OF``: build, HTML, PDF and XLSX (with its appendix)."""
    from datetime import date

    from django.utils import translation

    from reporting.builder import build_report
    from reporting.definitions import ReportParams
    from reporting.renderers import RENDERERS, EditionStamp

    as_of = date.fromisoformat(AS_OF)
    results = [
        timed(f"report build {slug}", partial(build_report, ReportParams(slug, as_of)), rounds=rounds)
        for slug in ("nap-2021", "nap-2014")
    ]
    report = build_report(ReportParams("nap-2021", as_of))
    stamp = EditionStamp.unpublished(report)
    formats = ["html", "xlsx", "pdf"] if pdf else ["html", "xlsx"]
    names = {"html": "report HTML", "xlsx": "report XLSX + appendix", "pdf": "report PDF"}
    with translation.override(report.params.language):
        for fmt in formats:
            run = RENDERERS[fmt]
            results.append(
                timed(
                    f"{names[fmt]} nap-2021",
                    partial(run, report, stamp),
                    rounds=rounds if fmt == "html" else 1,
                )
            )
    return results


XLSX_JOB_CHILD = """
import json, sys, time, uuid
import django
django.setup()
from django.contrib.auth import get_user_model
from tracker.services import export_jobs
user = get_user_model().objects.get(username=sys.argv[1])
job = export_jobs.ExportJob(id=uuid.uuid4().hex, user_id=user.pk, query="", total=0)
export_jobs._save(job)  # as export_job_start does, without queueing it for a worker
started = time.perf_counter()
job = export_jobs.export_job_run(job_id=job.id)
seconds = time.perf_counter() - started
# The process's own high-water mark (VmHWM, kB): wait4's ru_maxrss also counts the parent's resident size at
# the fork, which exec carries into the child's maximum (the benchmark's parent holds the 1M report by then).
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "rows": job.rows, "state": job.state, "peak_kb": hwm}))
"""


def xlsx_job(username: str, env: dict[str, str]) -> Result:
    """The XLSX export job of every approved row, run as the worker runs it, in a process of its own so that
    its peak resident memory is its own (the child's ``VmHWM``)."""
    result = Result("XLSX export job, all rows")
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own argv)
        [sys.executable, "-c", XLSX_JOB_CHILD, username], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, _usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    result.wall = time.perf_counter() - started
    if process.returncode == 0:
        done = json.loads(output)
        result.times.append(done["seconds"])
        result.sizes.append(done["rows"])  # rows, not bytes, for this one
        result.statuses.add(200 if done["state"] == "done" else 500)
        result.peak_mb = done["peak_kb"] / 1024
    else:
        result.statuses.add(500)
    return result


XLSX_FLOOR_CHILD = """
import itertools, json, sys, tempfile, time
import django
django.setup()
import xlsxwriter
from tracker import exports
from tracker.models import Observation
# Rows of the export's own shape, built before the clock starts and written again and again: XlsxWriter alone.
rows = list(itertools.islice(exports.export_rows(Observation.objects.order_by("pk")), 1, 5001))
with tempfile.TemporaryDirectory() as folder:
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(f"{folder}/floor.xlsx", exports.XLSX_OPTIONS)
    sheet = workbook.add_worksheet("Observations")
    for line, row in zip(range(1, int(sys.argv[1]) + 1), itertools.cycle(rows)):
        sheet.write_row(line, 0, row)
    workbook.close()
    print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def xlsx_floor(rows: int, env: dict[str, str]) -> Result:
    """The XLSX job's floor: XlsxWriter writing ``rows`` rows of the export's shape from memory, with the job's
    options, in a process of its own — no query, no row building. The job cannot be faster than this."""
    result = Result("XLSX writer alone, same rows (floor)")
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own argv)
        [sys.executable, "-c", XLSX_FLOOR_CHILD, str(rows)], cwd=ROOT, env=env, capture_output=True, check=False
    )
    result.wall = time.perf_counter() - started
    if done.returncode == 0:
        result.times.append(json.loads(done.stdout)["seconds"])
        result.sizes.append(rows)
        result.statuses.add(200)
    else:
        result.statuses.add(500)
    return result


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
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_MEDIA_ROOT=env.get("DJANGO_MEDIA_ROOT") or tempfile.mkdtemp(prefix="nap-bench-media-"),
        NAP_API_RATE="1000000/minute",
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


def _load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _met(name: str, row: dict[str, Any]) -> str:
    target = TARGETS.get(name)
    if not target:
        return ""
    checks = []
    if "p95" in target:
        checks.append(row["p95"] <= target["p95"])
    if "kb" in target:
        checks.append(row["kb"] <= target["kb"])
    if "rps" in target:
        checks.append(row["rps"] >= target["rps"])
    if "mb" in target and row.get("mb") is not None:
        checks.append(row["mb"] <= target["mb"])
    return "yes" if all(checks) else "**no**"


def _target_text(name: str) -> str:
    target = TARGETS.get(name, {})
    parts = []
    if "p95" in target:
        parts.append(f"≤{target['p95']:,.0f} ms")
    if "kb" in target:
        parts.append(f"≤{target['kb']:,.0f} KB")
    if "rps" in target:
        parts.append(f"≥{target['rps']:,.0f} req/s")
    if "mb" in target:
        parts.append(f"≤{target['mb']:,.0f} MB")
    return ", ".join(parts)


def table(size: dict[str, Any], *, compare: dict[str, Any] | None = None) -> str:
    """One size's section of RESULTS.md; ``compare`` (the 100k run) adds the 1M/100k ratio of p95."""
    before = {row["name"]: row for row in compare["rows"]} if compare else {}
    rows = [
        f"### {size['size']}: {size['observations']:,} observations",
        "",
        f"Run {size['started']}; load average (1, 5, 15 min) {size['load_start']} at the start, "
        f"{size['load_end']} at the end; synthetic data {size['generated']}.",
        "",
        "| page or job | status | n | p50 ms | p95 ms | first after a change ms | req/s | KB | queries "
        "| slowest SQL ms | peak MB | target " + ("| met | 1M/100k p95 |" if compare else "| met |"),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if compare else ""),
    ]
    for row in size["rows"]:
        cells = [
            row["name"],
            row["status"],
            str(row["n"]),
            f"{row['p50']:,.0f}",
            f"{row['p95']:,.0f}",
            "—" if row.get("cold") is None else f"{row['cold']:,.0f}",
            f"{row['rps']:.1f}",
            f"{row['kb'] * 1024:,.0f} rows" if row["name"] in ROWS_NOT_BYTES else f"{row['kb']:,.1f}",
            "—" if row["queries"] is None else str(row["queries"]),
            "—" if row["sql_ms"] is None else f"{row['sql_ms']:,.1f}",
            "—" if row.get("mb") is None else f"{row['mb']:,}",
            _target_text(row["name"]),
            _met(row["name"], row),
        ]
        if compare:
            earlier = before.get(row["name"])
            ratio = row["p95"] / earlier["p95"] if earlier and earlier["p95"] else None
            text = "—" if ratio is None else f"{ratio:.2f}"
            if ratio is not None and row["name"] not in UNBOUNDED and ratio > 1.5:
                text = f"**{text}**"
            cells.append(text)
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def write_results(out: Path, *, command: str, directory: Path = RESULTS_DIR) -> str:
    """RESULTS.md from every size on file, smallest first."""
    runs = {
        name: json.loads((directory / f"{name}.json").read_text())
        for name in SIZES
        if (directory / f"{name}.json").exists()
    }
    sections = [
        "# Volume benchmark results",
        "",
        f"`{command}` (``make bench``); gunicorn gthread on loopback, production settings, "
        f"{os.cpu_count()} cores **shared with other sessions**: the load average is recorded with each size, "
        "and absolute times move with it; compare rows within one run. Jobs (report build and renders, XLSX "
        "export job) are timed in-process or in a child process on the same database. `n` is the number of "
        "requests (or rounds); the XLSX job's size is the rows it wrote. Targets are the issue's, at 1M.",
        "",
    ]
    for name, run in runs.items():
        sections.append(table(run, compare=runs.get("100k") if name == "1m" else None))
    notes = directory / "NOTES.md"  # the reading of the figures, kept by hand beside them
    if notes.exists():
        sections.append(notes.read_text())
    text = "\n".join(sections)
    out.write_text(text)
    return text


def _prepare(size: str, env: dict[str, str]) -> str:
    """The database at ``size``: synthetic data generated unless exactly that many are there already."""
    from tracker.models import Observation
    from tracker.synthetic import SYNTHETIC_SOURCE

    wanted = SIZES[size]
    have = Observation.objects.filter(source__slug__startswith=SYNTHETIC_SOURCE).count()
    if have == wanted:
        return f"already in the database ({have:,} rows)"
    started = time.monotonic()
    _manage("generate_synthetic", "--observations", str(wanted), env=env)
    return f"generated in {time.monotonic() - started:.0f} s"


def _bench_user(role: str = "analyst") -> tuple[Any, str]:
    """An account of ``role`` (``bench-<role>``) and a session cookie for it. Roles that must have a second factor
    get a TOTP authenticator, as enrolment would give them, so the enrolment gate lets them through."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from tracker import permissions
    from tracker.accounts.factors import has_second_factor
    from tracker.models import UserRole

    user, _created = get_user_model().objects.get_or_create(
        username=f"bench-{role}", defaults={"email": f"bench-{role}@bench.invalid"}
    )
    UserRole.objects.update_or_create(user=user, defaults={"role": role})
    if permissions.needs_second_factor(user) and not has_second_factor(user):
        TOTP.activate(user, generate_totp_secret())
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return user, f"sessionid={session.session_key}"


def bench_sessions(pages: Iterable[Page]) -> dict[str, tuple[Any, str]]:
    """An account and a session cookie for the analyst (the export job's owner) and each role ``pages`` name."""
    return {role: _bench_user(role) for role in sorted({"analyst", *(page.role for page in pages)})}


def _new_data_version() -> None:
    """Replace the data version as an approval does, without changing any figure: every cached answer is old."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tracker_dataversion SET token = gen_random_uuid() WHERE id = 1")


def run_pages(
    base: str,
    pages: Iterable[Page],
    *,
    sessions: dict[str, tuple[Any, str]],
    requests: int,
    clients: int,
    warm_up: int = 2,
) -> list[Result]:
    """Every page, asked by its role's session (``bench_sessions``): its first request after a data change, then
    under load (after ``warm_up`` requests per client), then its queries and slowest SQL in-process."""
    results = []
    for page in pages:
        user, cookie = sessions[page.role]
        path = page.path
        if page.name.endswith(" p21"):
            path = follow_next(base, page.path, hops=20, cookie=cookie)
        if page.once:
            result = load(base, path, name=page.name, requests=1, clients=1, cookie=cookie)
        else:
            # The first request after a change of the published data: what a reader waits for once per change
            # (pages of published figures are cached under the data version, tracker.page_cache).
            _new_data_version()
            cold = load(base, path, requests=1, clients=1, cookie=cookie)
            if warm_up:
                # As many connections as the load opens, so every gunicorn worker has served the page once (a
                # worker's first request of a page compiles its templates: once per worker, not per request).
                concurrent = page.clients or clients
                load(base, path, requests=warm_up * concurrent, clients=concurrent, cookie=cookie)
            result = load(
                base,
                path,
                name=page.name,
                requests=max(requests, page.min_requests),
                clients=page.clients or clients,
                cookie=cookie,
            )
            result.queries, result.sql_ms = page_sql(path, user)
            result.cold_ms = cold.pct(0.5)
        results.append(result)
        print(json.dumps(result.summary()), flush=True)
    return results


def _chosen(name: str, only: str) -> bool:
    """Whether ``--only`` (comma-separated parts of names; empty: everything) picks a page or job."""
    return not only or any(part.strip().lower() in name.lower() for part in only.split(","))


def bench_size(size: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    from tracker.models import Observation

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    generated = _prepare(size, env)
    load_start = _load_average()
    pages = [page for page in PAGES if _chosen(page.name, args.only)]
    sessions = bench_sessions(pages)
    port = _free_port()
    gunicorn = subprocess.Popen(  # noqa: S603 (our own argv)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "napportal.wsgi",
            *("--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "gthread"),
            *("--threads", "4", "--timeout", "600", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait(port, gunicorn)
        results = run_pages(
            f"http://127.0.0.1:{port}", pages, sessions=sessions, requests=args.requests, clients=args.clients
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=60)
    jobs: list[Result] = []
    if _chosen("report build", args.only) or _chosen("report HTML", args.only) or _chosen("report PDF", args.only):
        jobs += report_jobs()
    if _chosen("XLSX export job, all rows", args.only):
        jobs.append(xlsx_job(sessions["analyst"][0].get_username(), env))
        if jobs[-1].sizes:
            jobs.append(xlsx_floor(jobs[-1].sizes[0], env))
    for result in jobs:
        results.append(result)
        print(json.dumps(result.summary()), flush=True)
    return {
        "size": size,
        "observations": Observation.objects.count(),
        "started": started,
        "generated": generated,
        "load_start": load_start,
        "load_end": _load_average(),
        "rows": [r.summary() for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="seed,100k,1m", help="comma-separated: seed, 100k, 1m")
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="where each size's JSON goes")
    parser.add_argument("--only", default="", help="comma-separated parts of page or job names to run (default: all)")
    args = parser.parse_args(argv)
    env = _environment()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    _manage("migrate", "--no-input", "-v0", env=env)
    _manage("load_seed", env=env)
    _manage("collectstatic", "--no-input", "-v0", env=env)  # production settings serve a hashed manifest
    args.results.mkdir(parents=True, exist_ok=True)
    for size in args.sizes.split(","):
        run = bench_size(size, args, env)
        (args.results / f"{size}.json").write_text(json.dumps(run, indent=1) + "\n")
    command = f"python -m benchmarks.load --requests {args.requests} --clients {args.clients} --workers {args.workers}"
    write_results(args.out, command=command, directory=args.results)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
