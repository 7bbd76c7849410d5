"""Import rows that carry their source in place, national rows for NACTA M&E, qualifiers by label or code; a
multi-body file in one go, then again with no change; 10,000 rows with in-place sources in one transaction."""

import csv
import io
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.tracker.workflow.conftest import enrol_totp
from tracker import imports
from tracker.choices import BodyKind, ValueQualifier
from tracker.imports.reading import COLUMNS
from tracker.models import AuditEntry, Body, Observation, Source


def csv_file(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for cells in rows:
        writer.writerow({**dict.fromkeys(COLUMNS, ""), **cells})
    return out.getvalue().encode()


def run(actor, content, *, commit):
    rows = imports.read_upload(name="f.csv", content=content)
    if commit:
        return imports.import_commit(actor=actor, rows=rows)
    return imports.check_rows(actor=actor, rows=rows)


def base(world, **cells):
    return {
        "indicator": world.old_executions.code,
        "unit": "count",
        "period_start": "2016-01-01",
        "period_end": "2016-12-31",
        "date_precision": "year",
        "value": "100",
        **cells,
    }


DAWN = {
    "source_publisher": "Dawn",
    "source_title": "Punjab CTD year in review",
    "source_date": "2017-01",
    "source_url": "https://www.dawn.com/news/1300000",
}
PUNJAB_REPORT = {
    "source_publisher": "punjab",
    "source_title": "Punjab Home Department annual report 2016",
    "source_date": "2017",
    "source_url": "",
    "source_reference": "Home Department, Lahore; printed annual report, p. 14",
}


@pytest.fixture
def file_rows(world):
    return [
        base(world, body="punjab", value="28500", value_qualifier="more than", **DAWN),
        base(world, body="sindh", value="7000", value_qualifier="more_than", **DAWN),
        base(world, body="punjab", period_start="2015-01-01", period_end="2015-12-31", value="900", **PUNJAB_REPORT),
        # National rows: the body left empty.
        base(world, body="", value="61000", value_qualifier="About", source=world.status_2017.slug),
        base(world, body="", period_start="2015-01-01", period_end="2015-12-31", value="50000", **DAWN),
    ]


def test_a_multi_body_file_with_new_sources_and_national_rows_imports_then_reimports_unchanged(
    world, reviewer, file_rows
):
    enrol_totp(reviewer)
    content = csv_file(file_rows)
    dry = run(reviewer, content, commit=False)
    assert not dry.has_errors, [line for line in dry.lines() if line["outcome"] == "error"]
    assert (dry.counts()["create"], dry.new_sources) == (5, 2)
    assert not Source.objects.filter(title=DAWN["source_title"]).exists(), "a dry run writes nothing"

    result = run(reviewer, content, commit=True)
    assert not result.has_errors and result.counts()["create"] == 5
    dawn = Source.objects.get(title=DAWN["source_title"])
    assert dawn.publisher.kind == BodyKind.OTHER_PUBLISHER and dawn.publisher.name == "Dawn"
    assert (dawn.published_on, dawn.date_precision) == (date(2017, 1, 1), "month")
    report = Source.objects.get(title=PUNJAB_REPORT["source_title"])
    assert report.publisher == world.punjab and report.date_precision == "year"
    national = Observation.objects.filter(body__isnull=True).order_by("period_end")
    assert [(o.value, o.value_qualifier, o.source) for o in national] == [
        (50000, ValueQualifier.EXACT, dawn),
        (61000, ValueQualifier.ABOUT, world.status_2017),
    ]
    assert set(Observation.objects.filter(body__isnull=False).values_list("body__slug", "value_qualifier")) == {
        ("punjab", "more_than"),
        ("sindh", "more_than"),
        ("punjab", "exact"),
    }
    assert AuditEntry.objects.filter(action="source.create").count() == 2

    counts = (Observation.objects.count(), Source.objects.count(), Body.objects.count(), AuditEntry.objects.count())
    again = run(reviewer, content, commit=True)
    assert not again.has_errors and again.counts() == {"create": 0, "unchanged": 5, "error": 0, "empty": 0}
    assert again.new_sources == 0
    assert (
        Observation.objects.count(),
        Source.objects.count(),
        Body.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def test_national_rows_are_for_me_only(world, reporter):
    result = run(reporter, csv_file([base(world, body="", source=world.status_2017.slug)]), commit=False)
    assert [(line["column"], line["message"]) for line in result.lines()] == [
        ("body", "Only NACTA M&E enters national figures.")
    ]


def test_an_unknown_indicator_says_who_can_add_it(world, reporter):
    result = run(
        reporter,
        csv_file([base(world, body="punjab", indicator="drones", source=world.status_2017.slug)]),
        commit=False,
    )
    [line] = result.lines()
    assert "added by NACTA M&E or a portal administrator" in line["message"]
    assert "Propose an indicator" in line["message"]
    # The page it names exists and is open to the reporter who read the message.
    assert reverse("tracker:proposal-create") in line["message"]


@pytest.mark.parametrize(
    "cells, column",
    [
        ({**DAWN, "source_title": ""}, "source_title"),
        ({**DAWN, "source_date": "Jan 2017"}, "source_date"),
        ({**DAWN, "source_publisher": ""}, "source_publisher"),
        ({**DAWN, "source_url": "dawn.com"}, "source_url"),
        ({}, "source"),
    ],
)
def test_an_incomplete_source_in_place_is_refused_on_its_column(world, reporter, cells, column):
    result = run(reporter, csv_file([base(world, body="punjab", **cells)]), commit=False)
    assert result.has_errors and column in {line["column"] for line in result.lines()}, result.lines()


def test_ten_thousand_rows_with_in_place_sources_commit_in_one_transaction(world, reviewer):
    n = 10_000
    start = date.today() - timedelta(days=n + 1)
    sources = [
        {**DAWN, "source_title": f"Dawn daily {k}", "source_url": f"https://www.dawn.com/news/{k}"} for k in range(20)
    ]
    bodies = ["punjab", "sindh", ""]
    rows = [
        base(
            world,
            body=bodies[i % 3],
            period_start="",
            date_precision="day",
            period_end=(start + timedelta(days=i // 3 * 3 + i % 3)).isoformat(),
            value=str(i),
            value_qualifier="more than" if i % 2 else "",
            **sources[i % 20],
        )
        for i in range(n)
    ]
    content = csv_file(rows)
    began, cpu = time.monotonic(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = run(reviewer, content, commit=True)
    elapsed, cpu = time.monotonic() - began, time.process_time() - cpu
    assert not result.has_errors, result.lines()[:3]
    assert Observation.objects.count() == n and Source.objects.filter(title__startswith="Dawn daily").count() == 20
    print(f"\n10,000 rows with 20 in-place sources: {elapsed:.2f} s wall, {cpu:.2f} s CPU, {len(queries)} queries")
    # Bounded queries, one transaction; the time (8.4 s measured under load, target < 10 s) is a benchmark's
    # business, not a timed assertion that a loaded CI machine would make flaky.
    assert len(queries) < 200


# Locks, loads (scope, indicators, bodies, sources, publishers, the figures of the periods named), the one
# validation's recorded-data rules in the check and again in the service, the new publishers and sources with
# their slugs and audit entries, then the observations and their audit entries: one insert each per 1,000 rows.
IMPORT_QUERIES = 30


@pytest.mark.parametrize("n", [10, 1000])
def test_the_imports_query_count_does_not_grow_with_rows_or_new_sources(n, world, reviewer, django_assert_num_queries):
    """Every row carries its source in place; half as many new sources as rows, from five new publishers."""
    start = date.today() - timedelta(days=n + 1)
    rows = [
        base(
            world,
            body=["punjab", "sindh", ""][i % 3],
            period_start="",
            date_precision="day",
            period_end=(start + timedelta(days=i)).isoformat(),
            value=str(i),
            **{
                **DAWN,
                "source_publisher": f"Weekly {i % 5}",
                "source_title": f"Report {i // 2}",
                "source_url": f"https://weekly.example.org/{i // 2}",
            },
        )
        for i in range(n)
    ]
    parsed = imports.read_upload(name="f.csv", content=csv_file(rows))
    with django_assert_num_queries(IMPORT_QUERIES):
        result = imports.import_commit(actor=reviewer, rows=parsed)
    assert not result.has_errors, result.lines()[:3]
    assert Observation.objects.count() == n
    assert Source.objects.filter(title__startswith="Report ").count() == n // 2
    assert Body.objects.filter(name__startswith="Weekly ").count() == 5
    assert AuditEntry.objects.filter(action="source.create").count() == n // 2
