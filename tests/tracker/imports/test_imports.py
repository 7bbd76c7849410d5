"""Bulk import: each refusal, all-or-nothing commit, idempotent re-import, dry run writes nothing, 10,000 rows."""

import csv
import io
import time
import zipfile
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from tracker import imports
from tracker.choices import ItemCategory, Unit
from tracker.imports.reading import COLUMNS
from tracker.models import AgendaItem, AuditEntry, Indicator, Observation

# The shared world's Punjab reports NAP 2014's executions and status (the API tests' responsibilities) and
# leads NAP 2021 item 1 (executions and attacks): a template lists each once.
PUNJABS_INDICATORS = {"executions-2014", "status", "executions", "attacks"}


def row(world, **cells):
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        indicator=world.old_executions.code,
        unit="count",
        body="punjab",
        period_end="2024-12-31",
        period_start="2024-01-01",
        date_precision="year",
        value="120",
        source=world.status_2017.slug,
    )
    values.update(cells)
    return values


def csv_bytes(rows, columns=COLUMNS, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, formula_in=None):
    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append([r[c] for c in COLUMNS])
    if formula_in:
        ws[formula_in] = "=1+1"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts():
    return Observation.objects.count(), AuditEntry.objects.count()


def check(world, reporter, content, name="upload.csv"):
    return imports.check_rows(actor=reporter, rows=imports.read_upload(name=name, content=content))


def commit(reporter, content, name="upload.csv", submit=False):
    return imports.import_commit(actor=reporter, rows=imports.read_upload(name=name, content=content), submit=submit)


# --- Refusals of the whole file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns, fragment",
    [
        ([c for c in COLUMNS if c != "value"], "missing column(s): value"),
        ([*COLUMNS, "comment"], "unknown column(s): comment"),
        (["indicator", "indicator", *COLUMNS[1:]], "repeated column(s): indicator"),
    ],
)
def test_wrong_or_missing_columns_are_refused(world, reporter, columns, fragment):
    with pytest.raises(imports.ImportRefused) as refusal:
        imports.read_upload(name="x.csv", content=csv_bytes([row(world)], columns=columns))
    assert fragment in refusal.value.message


def test_non_utf8_csv_is_refused(world, reporter):
    content = csv_bytes([row(world, note="Quetta — Balochistan")], encoding="cp1252")
    with pytest.raises(imports.ImportRefused, match="not UTF-8"):
        imports.read_upload(name="x.csv", content=content)


def test_files_over_the_limit_are_refused(world, reporter, settings):
    settings.NAP_IMPORT_MAX_BYTES = 1000
    with pytest.raises(imports.ImportRefused, match="the limit is"):
        imports.read_upload(name="x.csv", content=csv_bytes([row(world)] * 20))


def _with_macros(content: bytes, *, content_type: bool) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if content_type and item.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            target.writestr(item, data)
        if not content_type:
            target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    return out.getvalue()


@pytest.mark.parametrize("content_type", [False, True], ids=["vbaProject.bin", "xlsm content type"])
def test_workbooks_with_macros_are_refused(world, reporter, content_type):
    content = _with_macros(xlsx_bytes([row(world)]), content_type=content_type)
    with pytest.raises(imports.ImportRefused, match="macros"):
        imports.read_upload(name="figures.xlsx", content=content)


def test_a_file_that_is_not_a_workbook_is_refused(world, reporter):
    with pytest.raises(imports.ImportRefused, match="not an XLSX"):
        imports.read_upload(name="figures.xlsx", content=b"PK\x03\x04garbage")


# --- Refusals of rows: reported with row number and column; commit writes nothing --------------------------


def _other_items_indicator(world):
    item = AgendaItem.objects.create(framework=world.nap2014, number=2, title="Other", category=ItemCategory.KINETIC)
    return Indicator.objects.create(item=item, code="not-punjabs", name="Not Punjab's", unit=Unit.COUNT)


ROW_REFUSALS = {
    "unknown indicator": ({"indicator": "no-such-indicator"}, "indicator", "Unknown indicator"),
    "another body's indicator": ({"indicator": "not-punjabs"}, "indicator", "neither lead nor supporting"),
    "another body": ({"body": "sindh"}, "body", "You do not report for Sindh"),
    "non-numeric value": ({"value": "about 700"}, "value", "is not a number"),
    "negative count": ({"value": "-3"}, "value", "cannot be negative"),
    "future date": (
        {"period_start": "", "date_precision": "day", "period_end": (date.today() + timedelta(days=3)).isoformat()},
        "period_end",
        "after today",
    ),
    "unit mismatch": ({"unit": "percent"}, "unit", "is measured in count"),
    "bad date": ({"period_end": "31/12/2024"}, "period_end", "YYYY-MM-DD"),
    "year not ending on 31 December": ({"period_end": "2024-06-30"}, "period_end", "31 December"),
    "unknown source": ({"source": "no-such-source"}, "source", "Unknown source"),
}


@pytest.mark.parametrize("case", list(ROW_REFUSALS))
def test_each_row_refusal_is_reported_and_nothing_is_written(case, world, reporter):
    _other_items_indicator(world)
    cells, column, fragment = ROW_REFUSALS[case]
    content = csv_bytes([row(world, period_end="2023-12-31", period_start="2023-01-01"), row(world, **cells)])
    before = counts()

    result = commit(reporter, content)

    assert counts() == before
    assert result.has_errors
    errors = [line for line in result.lines() if line["outcome"] == imports.ERROR]
    assert any(e["row"] == 3 and e["column"] == column and fragment in e["message"] for e in errors), errors
    assert result.lines()[0] == {"row": 2, "outcome": "create", "column": "", "message": "", "observation": None}


def test_duplicate_rows_inside_the_file_are_refused(world, reporter):
    content = csv_bytes([row(world), row(world, note="again")])
    before = counts()
    result = commit(reporter, content)
    assert counts() == before
    (error,) = [line for line in result.lines() if line["outcome"] == imports.ERROR]
    assert error["row"] == 3 and "Repeats row 2" in error["message"]


def test_formulas_where_values_are_expected_are_refused(world, reporter):
    content = xlsx_bytes([row(world)], formula_in="H2")  # column H = value
    before = counts()
    result = commit(reporter, content, name="figures.xlsx")
    assert counts() == before
    (error,) = [line for line in result.lines() if line["outcome"] == imports.ERROR]
    assert (error["row"], error["column"]) == (2, "value") and "formula" in error["message"]


def test_a_different_value_for_an_existing_observation_is_refused(world, reporter, make_obs):
    existing = make_obs("draft", created_by=reporter)  # 2024, value 100
    result = commit(reporter, csv_bytes([row(world, value="101")]))
    (error,) = [line for line in result.lines() if line["outcome"] == imports.ERROR]
    assert f"#{existing.pk}" in error["message"]
    assert Observation.objects.count() == 1


# --- Outcomes that succeed -----------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_each_row(world, reporter, make_obs):
    make_obs("approved", value=120)
    content = csv_bytes(
        [
            row(world),  # same as the approved one: unchanged
            row(world, period_start="2023-01-01", period_end="2023-12-31"),  # new
            row(world, value="", period_end="", source="", period_start="", date_precision=""),  # template line
        ]
    )
    before = counts()
    result = check(world, reporter, content)
    assert counts() == before
    assert [line["outcome"] for line in result.lines()] == ["unchanged", "create", "empty"]
    assert result.counts() == {"create": 1, "unchanged": 1, "error": 0, "empty": 1}


def test_commit_creates_drafts_with_one_audit_entry_each_and_reimport_changes_nothing(world, reporter):
    content = csv_bytes([row(world, period_start=f"{y}-01-01", period_end=f"{y}-12-31") for y in (2021, 2022, 2023)])
    obs_before, audit_before = counts()

    result = commit(reporter, content)

    assert result.counts()["create"] == 3
    created = Observation.objects.filter(created_by=reporter)
    assert created.count() == 3 and set(created.values_list("state", flat=True)) == {"draft"}
    entries = AuditEntry.objects.filter(action="observation.import")
    assert entries.count() == 3 == AuditEntry.objects.count() - audit_before
    assert {e.object_id for e in entries} == {str(o.pk) for o in created}

    again = commit(reporter, content)
    assert again.counts() == {"create": 0, "unchanged": 3, "error": 0, "empty": 0}
    assert counts() == (obs_before + 3, audit_before + 3)


def test_import_as_submitted(world, reporter):
    commit(reporter, csv_bytes([row(world)]), submit=True)
    obs = Observation.objects.get()
    assert obs.state == "submitted" and obs.submitted_at is not None


def test_template_round_trip_through_xlsx(world, reporter):
    template = imports.template_xlsx(body=world.punjab)
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == list(COLUMNS)
    codes = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)} - {None}
    assert codes == PUNJABS_INDICATORS
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == world.old_executions.code:
            for col, value in (
                ("E", "2024-01-01"),
                ("F", "2024-12-31"),
                ("G", "year"),
                ("H", 98300000),
                ("K", world.status_2017.slug),
            ):
                ws[f"{col}{r}"] = value
    out = io.BytesIO()
    wb.save(out)
    result = commit(reporter, out.getvalue(), name="filled.xlsx")
    assert result.counts() == {"create": 1, "unchanged": 0, "error": 0, "empty": len(PUNJABS_INDICATORS) - 1}
    assert Observation.objects.get().value == 98300000


def test_csv_template_lists_the_bodys_indicators(world):
    text = imports.template_csv(body=world.punjab).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == list(COLUMNS)
    assert {line[0] for line in lines[1:]} == PUNJABS_INDICATORS


@pytest.mark.parametrize("n", [100, 10_000])
def test_large_file_imports_in_one_transaction_with_flat_query_count(n, world, reporter):
    start = date.today() - timedelta(days=n + 1)
    rows = [
        row(
            world,
            period_start="",
            date_precision="day",
            period_end=(start + timedelta(days=i)).isoformat(),
            value=str(i),
        )
        for i in range(n)
    ]
    content = csv_bytes(rows)
    began = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = commit(reporter, content)
    elapsed = time.monotonic() - began
    assert result.counts()["create"] == n
    assert Observation.objects.count() == n == AuditEntry.objects.filter(action="observation.import").count()
    # Loads (indicators, bodies, sources, scope, existing rows), locks of bodies and indicators, the one
    # validation's recorded-data rules (responsibilities and figures of the same periods) in the check and again
    # in the service, then inserts in batches of 1,000 for observations and for audit entries.
    batches = -(-n // 1000)
    assert len(queries) == 16 + 2 * batches, [q["sql"][:80] for q in queries.captured_queries]
    assert elapsed < 60
    print(f"import of {n} rows: {elapsed:.2f} s")
