"""Report editions over the API: request (eager Celery in tests), list, one edition, download with its checksum."""

import base64
import hashlib
from datetime import date, timedelta

import pytest

from reporting import services
from reporting.definitions import ReportParams
from reporting.models import EditionStatus, ReportEdition
from tracker.choices import ObservationState as S

URL = "/api/v1/report-editions/"
REQUEST = {"framework": "nap-2014", "as_of": "2017-10-01"}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def figures(world, make_obs):
    make_obs(S.APPROVED, body=None, period_end=date(2017, 9, 30), period_start=None, date_precision="day")


def _publish(params, capture):
    with capture(execute=True):
        edition = services.edition_request(params=params)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    return edition


def test_post_builds_a_published_edition_with_files(
    figures, media_root, reviewer, api_as, django_capture_on_commit_callbacks
):
    client = api_as(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, REQUEST, format="json")
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["parameters"]["framework"] == "nap-2014" and created["parameters"]["as_of"] == "2017-10-01"
    assert response["Location"].endswith(f"{URL}{created['id']}/")
    edition = ReportEdition.objects.get()
    assert edition.requested_by == reviewer

    detail = client.get(f"{URL}{created['id']}/").json()
    assert detail["status"] == "published" and detail["published_at"]
    assert sorted(f["format"] for f in detail["files"]) == ["csv", "html", "pdf", "xlsx"]
    for file in detail["files"]:
        assert len(file["sha256"]) == 64 and file["size"] > 0
        assert file["url"] == f"http://testserver{URL}{edition.pk}/files/{file['format']}/"


def test_post_is_idempotent_like_the_service(figures, media_root, reviewer, api_as, django_capture_on_commit_callbacks):
    client = api_as(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, REQUEST, format="json").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(URL, {**REQUEST, "scope": "national"}, format="json")
    assert again.status_code == 202 and again.json()["id"] == first
    assert again.json()["status"] == "published"
    assert ReportEdition.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"as_of": "2017-10-01"}, "framework"),
        ({"framework": "nap-2099", "as_of": "2017-10-01"}, "framework"),
        ({"framework": "nap-2014", "as_of": "2017-13-01"}, "as_of"),
        ({**REQUEST, "scope": "atlantis"}, "scope"),
        ({**REQUEST, "number_style": "roman"}, "number_style"),
        ({**REQUEST, "language": "fr"}, "language"),
        ({**REQUEST, "compare": "2018-01-01"}, "non_field_errors"),
        ({**REQUEST, "as_of": 20171001}, "as_of"),
        ({**REQUEST, "known_on": "2017-09-30"}, "non_field_errors"),  # before the as-of date
        ({**REQUEST, "known_on": "2018-01-01", "hindsight": True}, "non_field_errors"),
    ],
)
def test_post_refuses_bad_parameters(payload, field, world, media_root, reviewer, api_as):
    response = api_as(reviewer).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["message"] and field in body["errors"]
    assert ReportEdition.objects.count() == 0


@pytest.mark.parametrize(
    ("extra", "known_on", "hindsight"),
    [({}, "2017-10-01", False), ({"known_on": "2018-01-01"}, "2018-01-01", False), ({"hindsight": True}, None, True)],
)
def test_post_records_the_knowledge_date_the_as_of_date_by_default(
    extra, known_on, hindsight, figures, media_root, reviewer, api_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(reviewer).post(URL, {**REQUEST, **extra}, format="json")
    assert response.status_code == 202, response.content
    created = response.json()
    assert (created["known_on"], created["parameters"]["known_on"]) == (known_on, known_on)
    assert created["parameters"]["hindsight"] is hindsight
    edition = ReportEdition.objects.get()
    assert (edition.known_on.isoformat() if edition.known_on else None) == known_on


def test_list_newest_first_with_files_of_published_only(
    figures, media_root, analyst, api_as, django_capture_on_commit_callbacks
):
    older = _publish(ReportParams("nap-2014", date(2017, 10, 1)), django_capture_on_commit_callbacks)
    queued = services.edition_request(params=ReportParams("nap-2014", date(2017, 11, 1)), queue=False)
    data = api_as(analyst).get(URL).json()
    assert [e["id"] for e in data["results"]] == [queued.pk, older.pk]
    assert data["results"][0]["status"] == "queued" and data["results"][0]["files"] == []
    assert len(data["results"][1]["files"]) == 4
    only_queued = api_as(analyst).get(URL, {"status": "queued"}).json()
    assert [e["id"] for e in only_queued["results"]] == [queued.pk]


@pytest.mark.parametrize("fmt", ["html", "pdf", "xlsx", "csv"])
def test_download_serves_the_portals_file_with_its_checksum(
    fmt, figures, media_root, analyst, api_as, client_as, django_capture_on_commit_callbacks
):
    edition = _publish(ReportParams("nap-2014", date(2017, 10, 1)), django_capture_on_commit_callbacks)
    response = api_as(analyst).get(f"{URL}{edition.pk}/files/{fmt}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    digest = hashlib.sha256(content).hexdigest()
    stored = edition.files.get(format=fmt)
    assert digest == stored.sha256 == response["X-Checksum-SHA256"]
    assert response["Digest"] == "sha-256=" + base64.b64encode(bytes.fromhex(digest)).decode()
    assert response["Content-Disposition"].startswith("attachment;") and f".{fmt}" in response["Content-Disposition"]
    portal = client_as(analyst).get(f"/reports/editions/{edition.pk}/{fmt}/")
    assert b"".join(portal.streaming_content) == content


def test_download_of_an_unpublished_edition_or_unknown_format_is_404(
    figures, media_root, analyst, api_as, django_capture_on_commit_callbacks
):
    published = _publish(ReportParams("nap-2014", date(2017, 10, 1)), django_capture_on_commit_callbacks)
    queued = services.edition_request(params=ReportParams("nap-2014", date(2017, 11, 1)), queue=False)
    client = api_as(analyst)
    for path in (f"{queued.pk}/files/pdf/", f"{published.pk}/files/docx/", "999999/files/pdf/", "abc/files/pdf/"):
        response = client.get(f"{URL}{path}")
        assert response.status_code == 404, path
        assert response.json()["status"] == 404


# Auth (3: token, knox's expiry sweep, the role for the second-factor check) + count, page, the page's files.
LIST_QUERIES = 3 + 3


@pytest.mark.parametrize("n", [2, 25])
def test_list_query_count_is_flat(n, world, make_obs, media_root, analyst, api_as, django_assert_num_queries):
    from reporting.models import EditionFile

    for i in range(n):
        edition = services.edition_request(
            params=ReportParams("nap-2014", date(2017, 1, 1) + timedelta(days=i)), queue=False
        )
        edition.status, edition.published_at = EditionStatus.PUBLISHED, edition.created_at
        edition.save()
        EditionFile.objects.bulk_create(
            EditionFile(edition=edition, format=f, path=f"x/{f}", size=1, sha256="0" * 64) for f in ("pdf", "csv")
        )
    client = api_as(analyst)
    client.get("/api/v1/frameworks/")  # the token's last use is written at most once a minute: not in the count
    for size in (5, 50):
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(URL, {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(n, size)
