"""Observation endpoints: drafts through the services, versions and 409, the error format, cursor pages."""

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from tracker.choices import ObservationState as S
from tracker.models import AuditEntry, Observation


def payload(world, body="punjab", **extra):
    data = {
        "indicator": world.old_executions.code,
        "body": body,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "120",
        "value_qualifier": "about",
        "source": world.status_2017.slug,
        "quote": "about 120",
    }
    data.update(extra)
    return data


def test_create_is_a_draft_by_its_author(world, reporter, api_as):
    response = api_as(reporter).post("/api/v1/observations/", payload(world), format="json")
    assert response.status_code == 201, response.content
    obs = Observation.objects.get(pk=response.json()["id"])
    assert (obs.state, obs.version, obs.approved_by, obs.created_by, obs.supersedes) == (
        S.DRAFT,
        1,
        None,
        reporter,
        None,
    )
    assert obs.value == 120 and obs.value_qualifier == "about"
    entry = AuditEntry.objects.get(object_id=str(obs.pk))
    assert (entry.action, entry.actor) == ("observation.create", reporter)


def test_fields_the_workflow_sets_are_refused_with_a_message_and_nothing_is_written(world, reporter, api_as):
    data = payload(world, state="approved", version=7, approved_by=1, created_by=99, supersedes=1, colour="red")
    client = api_as(reporter)  # creating its token is audited; count after that
    before = (Observation.objects.count(), AuditEntry.objects.count())
    response = client.post("/api/v1/observations/", data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    for name in ("state", "approved_by", "created_by", "supersedes"):
        assert errors[name] == ["Set by the workflow; clients cannot set it."]
    assert errors["colour"] == ["Unknown field for this operation."]
    assert "version" in errors  # a create takes no version: it starts at 1
    assert (Observation.objects.count(), AuditEntry.objects.count()) == before


def test_create_for_a_body_outside_scope_is_refused_with_a_message(world, reporter, api_as):
    response = api_as(reporter).post("/api/v1/observations/", payload(world, body="sindh"), format="json")
    assert response.status_code == 403
    assert response.json() == {"status": 403, "message": "You do not report for Sindh.", "errors": {}}
    assert not Observation.objects.exists()


def test_invalid_input_lists_field_errors(world, reporter, api_as):
    response = api_as(reporter).post(
        "/api/v1/observations/", payload(world, value=12, period_end="31/12/2024", indicator="nope"), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["message"]
    assert set(body["errors"]) == {"value", "period_end", "indicator"}


def test_model_rules_come_back_as_field_errors(world, reporter, api_as):
    response = api_as(reporter).post("/api/v1/observations/", payload(world, value="-5"), format="json")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_stale_version_is_409_with_what_changed(world, reporter, api_as, make_obs):
    obs = make_obs(S.DRAFT, created_by=reporter)
    client = api_as(reporter)
    first = client.put(f"/api/v1/observations/{obs.pk}/", payload(world, value="125", version=1), format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    audit_before = AuditEntry.objects.count()

    stale = client.put(f"/api/v1/observations/{obs.pk}/", payload(world, value="130", version=1), format="json")

    assert stale.status_code == 409
    body = stale.json()
    assert body["status"] == 409 and "version 1, now 2" in body["message"]
    assert body["current_version"] == 2
    assert body["changes"]["value"]["now"] in ("125", "125.0000", 125)
    obs.refresh_from_db()
    assert obs.value == 125 and obs.version == 2
    assert AuditEntry.objects.count() == audit_before


def test_patch_changes_only_what_it_names(world, reporter, api_as, make_obs):
    obs = make_obs(S.DRAFT, created_by=reporter, note="keep", quote="about 100")
    response = api_as(reporter).patch(f"/api/v1/observations/{obs.pk}/", {"version": 1, "value": "101"}, format="json")
    assert response.status_code == 200, response.content
    obs.refresh_from_db()
    assert (obs.value, obs.note, obs.quote, obs.version) == (101, "keep", "about 100", 2)


def test_full_workflow_over_the_api(world, reporter, reviewer, api_as):
    rep, rev = api_as(reporter), api_as(reviewer)
    obs = rep.post("/api/v1/observations/", payload(world), format="json").json()
    obs = rep.post(f"/api/v1/observations/{obs['id']}/submit/", {"version": obs["version"]}, format="json").json()
    assert obs["state"] == S.SUBMITTED
    returned = rev.post(
        f"/api/v1/observations/{obs['id']}/return/",
        {"version": obs["version"], "reason": "Which source?"},
        format="json",
    ).json()
    assert (returned["state"], returned["return_reason"]) == (S.RETURNED, "Which source?")
    fixed = rep.put(
        f"/api/v1/observations/{obs['id']}/", payload(world, value="121", version=returned["version"]), format="json"
    ).json()
    again = rep.post(f"/api/v1/observations/{obs['id']}/submit/", {"version": fixed["version"]}, format="json").json()
    approved = rev.post(f"/api/v1/observations/{obs['id']}/approve/", {"version": again["version"]}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == S.APPROVED
    correction = rep.post(
        f"/api/v1/observations/{obs['id']}/correct/", payload(world, value="122", reason="Errata"), format="json"
    )
    assert correction.status_code == 201
    assert (correction.json()["supersedes"], correction.json()["state"]) == (obs["id"], S.DRAFT)
    # Approved data is never edited in place.
    edit = rep.put(
        f"/api/v1/observations/{obs['id']}/", payload(world, version=approved.json()["version"]), format="json"
    )
    assert edit.status_code == 403


def test_reviewer_cannot_approve_own_entry(world, reviewer, api_as):
    client = api_as(reviewer)
    obs = client.post("/api/v1/observations/", payload(world), format="json").json()
    obs = client.post(f"/api/v1/observations/{obs['id']}/submit/", {"version": 1}, format="json").json()
    response = client.post(f"/api/v1/observations/{obs['id']}/approve/", {"version": obs["version"]}, format="json")
    assert response.status_code == 403
    assert "yourself" in response.json()["message"]


def test_no_credentials_is_401_in_the_error_format(world):
    response = APIClient().get("/api/v1/observations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"status": 401, "message": response.json()["message"], "errors": {}}


def test_unknown_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nap_not-a-real-token")
    assert client.get("/api/v1/frameworks/").status_code == 401


def test_session_auth_needs_csrf_for_writes(world, reporter):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reporter)
    assert client.get("/api/v1/observations/").status_code == 200
    response = client.post("/api/v1/observations/", payload(world), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_throttled_requests_get_429_in_the_error_format(world, reporter, api_as, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    client = api_as(reporter)
    codes = [client.get("/api/v1/frameworks/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = client.get("/api/v1/frameworks/")
    assert response.json()["status"] == 429 and "Retry-After" in response


def test_cursor_pages_cover_everything_once_in_a_stable_order(world, reporter, api_as, make_obs):
    for i in range(120):
        make_obs(S.APPROVED, period_end=date(2020, 1, 1) + timedelta(days=i), date_precision="day", period_start=None)
    client = api_as(reporter)
    seen, url = [], "/api/v1/observations/?page_size=50"
    while url:
        page = client.get(url).json()
        seen += [o["id"] for o in page["results"]]
        url = page["next"]
    assert len(seen) == 120 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_filters(world, reporter, api_as, make_obs):
    make_obs(S.APPROVED, body=world.punjab)
    sindh = make_obs(S.APPROVED, body=world.sindh)
    client = api_as(reporter)
    ids = [o["id"] for o in client.get("/api/v1/observations/?body=sindh&framework=nap-2014").json()["results"]]
    assert ids == [sindh.pk]
    bad = client.get("/api/v1/observations/?state=final")
    assert bad.status_code == 400 and "state" in bad.json()["errors"]


def test_malformed_id_is_the_apis_404(world, reporter, api_as):
    response = api_as(reporter).post("/api/v1/observations/1.5/submit/", {"version": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_schema_and_docs_are_served_without_a_cdn(client, user, path):
    # The schema and the documentation pages are for signed-in users alike (the schema answers the API's 401).
    assert client.get(path).status_code == (401 if path == "/api/schema/" else 302)
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    text = response.content.decode()
    assert "cdn." not in text and "unpkg" not in text and "jsdelivr" not in text
    assert "fonts.googleapis" not in text  # a closed network: Redoc uses the system fonts


def test_a_list_page_renders_each_observation_as_the_serializer_does(world, reviewer, api_as, make_obs):
    # The list reads plain values (no model instances); each row must equal the serializer's rendering of
    # the observation: national and body figures, text and decimal values, a correction and its original.
    from decimal import Decimal

    from tracker.api.serializers import ObservationSerializer

    original = make_obs(S.APPROVED, body=None, value=Decimal("1234.5"), period_start=None)
    make_obs(S.DRAFT, supersedes=original, correction_reason="Typo", value=Decimal("1235"))
    make_obs(S.APPROVED, indicator=world.old_status, value=None, text_value="Under way", body=world.sindh)
    make_obs(S.SUBMITTED, period_start=date(2017, 1, 1), period_end=date(2017, 6, 30))
    rows = api_as(reviewer).get("/api/v1/observations/", {"page_size": 3}).json()["results"]
    expected = Observation.objects.filter(pk__in=[row["id"] for row in rows]).order_by("-id")
    assert len(rows) == 3
    assert rows == [ObservationSerializer(obs).data for obs in expected]
