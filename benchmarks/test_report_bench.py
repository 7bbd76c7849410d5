"""The status report: building it from the database, then rendering it as PDF, XLSX and CSV.

Each benchmark runs on the seed and on the seed plus 10,000 synthetic observations (``dataset``); the query
count is checked once at each size before timing, so a slower run is never a run that queries more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.utils import translation

from benchmarks.data import AS_OF, COMPARE, Dataset
from reporting.builder import Report, build_report
from reporting.definitions import ReportParams
from reporting.renderers import render_csv, render_pdf, render_xlsx
from tracker.formatting import INTERNATIONAL


def params(framework: str, compare: date | None = None) -> ReportParams:
    return ReportParams(framework=framework, as_of=AS_OF, compare=compare, number_style=INTERNATIONAL, language="en")


@pytest.mark.benchmark(group="build_report")
@pytest.mark.parametrize("compare", [None, COMPARE], ids=["as-of", "compared"])
@pytest.mark.parametrize("framework", ["nap-2014", "nap-2021"])
def test_build_report(benchmark, dataset: Dataset, db, framework, compare, django_assert_num_queries):
    report_params = params(framework, compare)
    with django_assert_num_queries(8 if compare is None else 9):
        report = build_report(report_params)
    assert report.rows and any(row.cells for row in report.rows)

    benchmark.pedantic(build_report, args=(report_params,), rounds=3, warmup_rounds=1)


@pytest.fixture
def report(dataset: Dataset, db) -> Report:
    """NAP 2021 as of the end of 2025 compared with a year before: the report NACTA M&E asks for most."""
    return build_report(params("nap-2021", COMPARE))


def _in_language(render: Callable[[Report], bytes]) -> Callable[[Report], bytes]:
    # As ``render_report_files`` does: the renderers read their headings in the report's language.
    def run(report: Report) -> bytes:
        with translation.override(report.params.language):
            return render(report)

    return run


@pytest.mark.benchmark(group="render_report")
@pytest.mark.parametrize(
    "render, magic, rounds",
    [(render_pdf, b"%PDF", 2), (render_xlsx, b"PK", 5), (render_csv, b"\xef\xbb\xbfframework,", 10)],
    ids=["pdf", "xlsx", "csv"],
)
def test_render_report(benchmark, report: Report, render, magic, rounds):
    content = benchmark.pedantic(_in_language(render), args=(report,), rounds=rounds, warmup_rounds=0)
    assert content.startswith(magic)
