"""The import's dry run shows the data-quality findings of the rows it would create, on the page and in the
API, at the same number of queries for a few rows or many."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tracker.imports.test_imports import csv_bytes, row
from tracker import imports
from tracker.choices import Accumulation, RuleKind
from tracker.validation.entry import import_findings

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_total(world, make_obs, rule):
    world.old_executions.accumulation = Accumulation.RUNNING_TOTAL
    world.old_executions.save()
    rule(RuleKind.STOCK, name="A running total does not fall")
    make_obs("approved", value=120, period_start=None, period_end="2023-12-31", date_precision="day")
    return world.old_executions


def lines(world, *values, daily=False):
    def end(n):
        return (date(2024, 1, 1) + timedelta(days=n)).isoformat() if daily else f"{2024 + n}-12-31"

    return csv_bytes(
        [
            row(world, value=str(v), period_start="", period_end=end(n), date_precision="day")
            for n, v in enumerate(values)
        ]
    )


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("figures.csv", content, content_type="text/csv")


def test_the_page_dry_run_shows_the_findings(running_total, world, reporter, client_as):
    response = client_as(reporter).post("/imports/", {"file": upload(lines(world, 130, 90))})
    page = response.content.decode()
    assert response.context["counts"]["create"] == 2
    [finding] = response.context["findings"]
    assert finding.row == 3 and finding.severity == "warning"
    assert 'data-testid="import-findings"' in page and "falls from 130 (31 Dec 2024) to 90" in page


def test_the_api_dry_run_lists_the_findings(running_total, world, reporter, api_as):
    dry = api_as(reporter).post("/api/v1/imports/", {"file": upload(lines(world, 100))}, format="multipart")
    assert dry.status_code == 200
    [finding] = dry.json()["findings"]
    assert finding["row"] == 2 and "falls from 120 (31 Dec 2023) to 100" in finding["message"]


@pytest.mark.parametrize("n_rows", [2, 60])
def test_checking_import_rows_costs_the_same_whatever_their_number(running_total, world, reporter, n_rows):
    check = imports.check_rows(
        actor=reporter,
        rows=imports.read_upload(name="x.csv", content=lines(world, *range(1000 + n_rows, 1000, -1), daily=True)),
    )
    with CaptureQueriesContext(connection) as queries:
        findings = import_findings(check)
    assert len(findings) == n_rows - 1  # every row after the first falls
    assert len(queries) == 5  # rules, parts, indicators, bodies, one statement for the one rule


def test_rows_imported_for_review_carry_their_findings_to_the_queue(running_total, world, reporter):
    from tracker.models import Finding, Observation

    imports.import_commit(
        actor=reporter, rows=imports.read_upload(name="x.csv", content=lines(world, 130, 90)), submit=True
    )
    fallen = Observation.objects.get(value=90)
    [finding] = Finding.objects.filter(on_submission=True)
    assert finding.observation == fallen and fallen.state == "submitted"
