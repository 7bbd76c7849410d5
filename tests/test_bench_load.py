"""Smoke run of the volume benchmark (benchmarks/load.py) at seed size: every page it loads answers 200 under a
few concurrent requests against Django's live server, with its queries and the EXPLAIN ANALYZE floor of its
slowest statement; the report jobs and the XLSX export job (in a child process, with its peak memory) run; and
RESULTS.md is written from the size's figures. The full run (100k, 1M) is ``make bench``, not part of
``make test``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from benchmarks import load
from tracker.seeding import seed_load

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_volume_benchmark_runs_every_page_and_job_at_seed_size(live_server, tmp_path):
    seed_load(directory=Path(settings.BASE_DIR) / "fixtures")
    pages = [dataclasses.replace(page, min_requests=0) for page in load.PAGES]
    sessions = load.bench_sessions(pages)
    assert sorted(sessions) == ["analyst", "reviewer"]
    user = sessions["analyst"][0]
    results = load.run_pages(live_server.url, pages, sessions=sessions, requests=2, clients=2, warm_up=0)

    assert [r.name for r in results] == [p.name for p in load.PAGES]
    for result, page in zip(results, load.PAGES, strict=True):
        assert result.statuses == {200}, page.name
        assert len(result.times) == (1 if page.once else 2)
        assert result.pct(0.95) >= result.pct(0.5) > 0
        if not page.once:
            assert result.queries and result.queries >= 1, page.name
            assert result.sql_ms is not None, page.name  # the floor: EXPLAIN ANALYZE of its slowest SELECT
            assert result.cold_ms and result.cold_ms > 0, page.name  # the first request after a data change
    named = {r.name: r for r in results}
    assert named["dashboard nap-2021"].kb > 10 and named["status API nap-2021"].kb > 1
    # The reviewer's pages are theirs (the enrolment gate would have redirected them: a 302, not a 200).
    assert named["dashboard nap-2021, reviewer"].kb > named["dashboard nap-2021"].kb  # backlog and activity
    assert named["review queue, reviewer"].kb > 1
    assert named["CSV export, all rows"].sizes[0] > 1000

    jobs = load.report_jobs(rounds=1, pdf=False)  # the PDF takes seconds even at seed: make bench only
    assert [j.name for j in jobs] == [
        "report build nap-2021",
        "report build nap-2014",
        "report HTML nap-2021",
        "report XLSX + appendix nap-2021",
    ]
    # As known on the as-of date (no hindsight): the build needs no query for the sources published later.
    assert jobs[0].queries == 7 and jobs[3].sizes[0] > 1000
    env = load._environment() | {"DATABASE_URL": _database_url()}
    # 600 MB resident in this process while the job runs: the job's peak is its own, not the parent's at fork.
    ballast = b"\x01" * (600 << 20)
    xlsx = load.xlsx_job(user.get_username(), env)
    del ballast
    assert xlsx.statuses == {200} and xlsx.sizes[0] > 0  # rows written
    assert xlsx.peak_mb and 30 < xlsx.peak_mb < 500
    # The floor beside it: the same rows written by XlsxWriter alone, from memory.
    floor = load.xlsx_floor(xlsx.sizes[0], env)
    assert floor.statuses == {200} and floor.sizes == xlsx.sizes and 0 < floor.times[0] < xlsx.times[0]

    run = {
        "size": "seed",
        "observations": 63,
        "started": "now",
        "generated": "seed",
        "load_start": "0",
        "load_end": "0",
        "rows": [r.summary() for r in [*results, *jobs, xlsx, floor]],
    }
    (tmp_path / "seed.json").write_text(json.dumps(run))
    text = load.write_results(tmp_path / "RESULTS.md", command="smoke", directory=tmp_path)
    assert (tmp_path / "RESULTS.md").read_text() == text
    assert "### seed: 63 observations" in text
    assert "| dashboard nap-2021 | 200 | 2 |" in text
    assert "≤150 ms, ≤300 KB" in text


def test_results_compare_1m_with_100k_and_flag_a_missed_target(tmp_path):
    def run(size, p95):
        rows = [
            {"name": "dashboard nap-2021", "status": "200", "n": 20, "p50": p95 / 2, "p95": p95, "rps": 9.0,
             "kb": 120.0, "queries": 12, "sql_ms": 3.0, "mb": None, "cold": 400.0},
            {"name": "CSV export, all rows", "status": "200", "n": 1, "p50": p95 * 10, "p95": p95 * 10, "rps": 0.1,
             "kb": 9000.0, "queries": None, "sql_ms": None, "mb": None},
        ]  # fmt: skip
        return {"size": size, "observations": 1, "started": "", "generated": "", "load_start": "", "load_end": "",
                "rows": rows}  # fmt: skip

    (tmp_path / "100k.json").write_text(json.dumps(run("100k", 100)))
    (tmp_path / "1m.json").write_text(json.dumps(run("1m", 200)))
    text = load.write_results(tmp_path / "RESULTS.md", command="x", directory=tmp_path)
    assert (
        "| dashboard nap-2021 | 200 | 20 | 100 | 200 | 400 | 9.0 | 120.0 | 12 | 3.0 | — | ≤150 ms, ≤300 KB | **no** "
        "| **2.00** |" in text
    )
    assert (
        "| CSV export, all rows | 200 | 1 | 2,000 | 2,000 | — | 0.1 | 9,000.0 | — | — | — | ≤30,000 ms | yes | 2.00 |"
        in text
    )


def _database_url() -> str:
    """The test database, for the export job's child process (it reads ``DATABASE_URL``)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_percentiles_are_by_nearest_rank():
    result = load.Result("page", times=[ms / 1000 for ms in range(20, 0, -1)])  # 1..20 ms, in any order
    assert (result.pct(0.5), result.pct(0.95), result.pct(1.0)) == (10.0, 19.0, 20.0)
    assert load.Result("one", times=[0.005]).pct(0.95) == 5.0 and load.Result("none").pct(0.95) == 0.0
