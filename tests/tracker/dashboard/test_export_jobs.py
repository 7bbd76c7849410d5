"""Large XLSX exports run as a Celery job: progress page, a link for the owner only, an email with the link."""

import io
from datetime import date, datetime, time

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from tests.tracker.dashboard.conftest import bulk_observations
from tracker import exports
from tracker.choices import ObservationState
from tracker.selectors.explorer import explorer_observations
from tracker.services import export_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def figures(dash, obs):
    obs(value=450, end=date(2024, 12, 31))
    obs(value=300, end=date(2023, 12, 31))
    obs(dash.attacks, value=20, body=dash.punjab, end=date(2024, 6, 30), precision="day")
    obs(dash.attacks, value=99, body=dash.punjab, state=ObservationState.DRAFT)


def test_an_export_over_the_threshold_is_a_job_with_a_progress_page_a_link_and_an_email(
    as_role, users, figures, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "EXPORT_JOB_THRESHOLD", 2)
    client = as_role("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/explore/export.xlsx?framework=nap-2021")
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="export-job-file"' in html and "3 approved observations" in html
    download = client.get(f"{job_url}file/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="nap-observations-')
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book["Observations"].max_row == 1 + 3  # header and the approved figures, never the draft
    (message,) = mail.outbox
    assert message.to == [users["analyst"].email]
    assert job_url in message.body
    # Someone else's job is not there for them: 404, never a file.
    other = as_role("reviewer")
    assert other.get(job_url).status_code == 404
    assert other.get(f"{job_url}file/").status_code == 404


def test_under_the_threshold_the_file_comes_at_once(as_role, figures):
    response = as_role("analyst").get("/explore/export.xlsx")
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


def test_a_running_job_shows_its_progress_and_polls(as_role, users, figures):
    from django.http import QueryDict

    job = export_jobs.ExportJob(
        id="a" * 32, user_id=users["analyst"].pk, query=QueryDict("").urlencode(), total=200, state="running", rows=50
    )
    export_jobs._save(job)
    html = as_role("analyst").get(f"/explore/exports/{job.id}/").content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert '<progress max="100" value="25">' in html
    assert "50 of 200 rows" in html


def test_the_writer_reports_progress_every_chunk(users, figures, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 1)
    heard: list[int] = []
    rows = explorer_observations(user=users["analyst"]).filter(state=ObservationState.APPROVED)
    written = exports.xlsx_write(rows, io.BytesIO(), filters=[], title="t", progress=heard.append)
    assert written == 3
    assert heard == [1, 2, 3]


def test_the_jobs_workbook_opens_with_every_row_numbers_as_numbers_and_dates_as_dates(users, dash, figures):
    bulk_observations(dash, 300)  # 270 approved, and 3 from ``figures``
    job = export_jobs.ExportJob(id="b" * 32, user_id=users["analyst"].pk, query="", total=273)
    export_jobs._save(job)
    done = export_jobs.export_job_run(job_id=job.id)
    assert (done.state, done.rows) == (export_jobs.DONE, 273)
    with default_storage.open(done.path, "rb") as stored:
        book = load_workbook(io.BytesIO(stored.read()), read_only=True)
    header, *rows = book["Observations"].iter_rows(values_only=True)
    assert header[0] == "Observation id" and len(header) == 26
    approved = explorer_observations(user=users["analyst"]).filter(state=ObservationState.APPROVED)
    assert [row[0] for row in rows] == list(approved.values_list("pk", flat=True))
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    first = approved.select_related("source")[0]
    cells = by_id[first.pk]
    assert cells["Value"] == first.value and isinstance(cells["Value"], int | float)
    assert cells["Period end"] == datetime.combine(first.period_end, time())
    assert isinstance(cells["Approved at"], datetime)
    assert cells["Source"] == first.source.title
    selection = list(book["Selection"].iter_rows(values_only=True))
    assert selection[1][0] == "Exported at" and isinstance(selection[1][1], datetime)
    assert selection[2] == ("Observations exported", 273)


def test_rows_beyond_a_sheets_limit_go_on_in_the_next_sheet_none_lost(users, dash, figures, monkeypatch):
    """Excel (and XlsxWriter, silently) stop at 1,048,576 rows a sheet: a longer selection continues on
    "Observations (2)" and after, each sheet with its header. Shown here with a limit of 3 rows a sheet."""
    bulk_observations(dash, 10)  # 9 approved, and 3 from ``figures``
    monkeypatch.setattr(exports, "SHEET_ROWS", 3)
    job = export_jobs.ExportJob(id="c" * 32, user_id=users["analyst"].pk, query="", total=12)
    export_jobs._save(job)
    done = export_jobs.export_job_run(job_id=job.id)
    with default_storage.open(done.path, "rb") as stored:
        book = load_workbook(io.BytesIO(stored.read()), read_only=True)
    names = [f"Observations ({n})" for n in range(2, 7)]
    assert book.sheetnames == ["Observations", *names, "Selection"]
    ids = []
    for name in ["Observations", *names]:
        header, *rows = book[name].iter_rows(values_only=True)
        assert header[0] == "Observation id" and len(rows) == 2
        ids += [row[0] for row in rows]
    approved = explorer_observations(user=users["analyst"]).filter(state=ObservationState.APPROVED)
    assert ids == list(approved.values_list("pk", flat=True)) and len(ids) == done.rows == 12
    assert list(book["Selection"].iter_rows(values_only=True))[2] == ("Observations exported", 12)


def test_an_empty_selection_still_has_its_header(users, dash):
    content = exports.xlsx_bytes(explorer_observations(user=users["analyst"]).none(), filters=[], title="t")
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["Observations", "Selection"]
    assert [row[0] for row in book["Observations"].iter_rows(values_only=True)] == ["Observation id"]
