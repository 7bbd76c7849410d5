"""The import over the API (multipart) and on its page: dry run, commit, refusals in the one error format."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.tracker.imports.test_imports import csv_bytes, row
from tracker.models import AuditEntry, Observation


def upload(content: bytes, name: str = "figures.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_api_dry_run_then_commit(world, reporter, api_as):
    client = api_as(reporter)
    content = csv_bytes([row(world)])
    before = (Observation.objects.count(), AuditEntry.objects.count())

    dry = client.post("/api/v1/imports/", {"file": upload(content)}, format="multipart")
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True and dry.json()["counts"]["create"] == 1
    assert (Observation.objects.count(), AuditEntry.objects.count()) == before

    done = client.post("/api/v1/imports/", {"file": upload(content), "dry_run": "false"}, format="multipart")
    assert done.status_code == 201 and done.json()["committed"] is True
    assert Observation.objects.get().state == "draft"

    again = client.post("/api/v1/imports/", {"file": upload(content), "dry_run": "false"}, format="multipart")
    assert again.status_code == 201 and again.json()["counts"] == {"create": 0, "unchanged": 1, "error": 0, "empty": 0}
    assert Observation.objects.count() == 1


def test_api_commit_with_errors_is_400_and_writes_nothing(world, reporter, api_as):
    content = csv_bytes([row(world), row(world, value="lots", period_end="2023-12-31", period_start="2023-01-01")])
    response = api_as(reporter).post(
        "/api/v1/imports/", {"file": upload(content), "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and "Nothing was imported" in body["message"]
    assert list(body["errors"]) == ["row 3"] and body["errors"]["row 3"][0].startswith("value: ")
    assert not Observation.objects.exists()


def test_api_refused_file_is_400_on_the_file_field(world, reporter, api_as):
    content = "indicator;value\n".encode("utf-16")
    response = api_as(reporter).post("/api/v1/imports/", {"file": upload(content)}, format="multipart")
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["errors"]["file"][0]


@pytest.fixture
def page_client(reporter):
    client = Client()
    client.force_login(reporter)
    return client


def test_page_checks_then_commits_the_same_file(world, reporter, page_client):
    page = page_client.get("/imports/")
    assert page.status_code == 200 and b"punjab.xlsx" in page.content
    checked = page_client.post("/imports/", {"file": upload(csv_bytes([row(world)])), "submit_for_review": "on"})
    assert checked.status_code == 200
    assert checked.context["counts"]["create"] == 1
    assert not Observation.objects.exists()
    token = checked.context["token"]

    committed = page_client.post(f"/imports/{token}/commit/")
    assert committed.status_code == 302
    assert Observation.objects.get().state == "submitted"
    # The check is used once.
    assert page_client.post(f"/imports/{token}/commit/").status_code == 302
    assert Observation.objects.count() == 1


def test_page_shows_a_refusal_on_the_file(world, reporter, page_client):
    response = page_client.post("/imports/", {"file": upload(b"\xff\xfe\x00bad")})
    assert response.status_code == 200
    assert "not UTF-8" in str(response.context["form"].errors["file"])


def test_page_template_download_only_for_own_bodies(world, reporter, page_client):
    own = page_client.get("/imports/template/punjab.csv")
    assert own.status_code == 200 and own["Content-Type"].startswith("text/csv")
    assert page_client.get("/imports/template/sindh.csv").status_code == 403
    assert page_client.get("/imports/template/nowhere.xlsx").status_code == 404


def test_another_users_pending_check_cannot_be_committed(world, reporter, other_reporter, page_client):
    checked = page_client.post("/imports/", {"file": upload(csv_bytes([row(world)]))})
    other = Client()
    other.force_login(other_reporter)
    other.post(f"/imports/{checked.context['token']}/commit/")
    assert not Observation.objects.exists()
