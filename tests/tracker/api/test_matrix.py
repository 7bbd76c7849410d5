"""The authorization matrix over the API, generated from data: role × operation × own/other body × state.

The expected answer comes from the rules as the issues state them, written out here independently of
``tracker.permissions``: other bodies' unapproved objects answer 404, a forbidden action on a visible object
403, and nothing else succeeds. Every success writes exactly one audit entry; every refusal writes none.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from tracker import services
from tracker.choices import ObservationState as S
from tracker.choices import Role
from tracker.models import Body
from tracker.services import ObservationInput

ROLES = [Role.REPORTER, Role.REVIEWER, Role.ANALYST, Role.ADMINISTRATOR]
BODIES = ["own", "other"]  # relative to the reporter (Punjab); the other body is Sindh


def _payload(world, body, **extra):
    return {
        "indicator": world.old_executions.code,
        "body": body.slug,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "130",
        "source": world.status_2017.slug,
        **extra,
    }


OPERATIONS = {
    "retrieve": lambda c, o, w: c.get(f"/api/v1/observations/{o.pk}/"),
    "update": lambda c, o, w: c.put(
        f"/api/v1/observations/{o.pk}/", _payload(w, o.body, version=o.version), format="json"
    ),
    "patch": lambda c, o, w: c.patch(
        f"/api/v1/observations/{o.pk}/", {"version": o.version, "note": "n"}, format="json"
    ),
    "submit": lambda c, o, w: c.post(f"/api/v1/observations/{o.pk}/submit/", {"version": o.version}, format="json"),
    "approve": lambda c, o, w: c.post(f"/api/v1/observations/{o.pk}/approve/", {"version": o.version}, format="json"),
    "return": lambda c, o, w: c.post(
        f"/api/v1/observations/{o.pk}/return/", {"version": o.version, "reason": "Source?"}, format="json"
    ),
    "correct": lambda c, o, w: c.post(
        f"/api/v1/observations/{o.pk}/correct/", _payload(w, o.body, reason="Errata"), format="json"
    ),
}
WRITES = set(OPERATIONS) - {"retrieve"}


def expected_status(role: str, body: str, state: str, op: str) -> int:
    """The rules of issue 3, restated. The objects were entered by the reporters, never by the reviewer."""
    visible = (
        role in (Role.REVIEWER, Role.ADMINISTRATOR) or state == S.APPROVED or (role == Role.REPORTER and body == "own")
    )
    if not visible:
        return 404
    own_reporter = role == Role.REPORTER and body == "own"
    editable = state in (S.DRAFT, S.RETURNED)
    allowed = {
        "retrieve": True,
        "update": own_reporter and editable,
        "patch": own_reporter and editable,
        "submit": own_reporter and editable,
        "approve": role == Role.REVIEWER and state in (S.SUBMITTED, S.VERIFIED),
        "return": role == Role.REVIEWER and state in (S.SUBMITTED, S.VERIFIED),
        "correct": state == S.APPROVED and (role == Role.REVIEWER or own_reporter),
    }[op]
    if not allowed:
        return 403
    return 201 if op == "correct" else 200


@pytest.mark.parametrize("op", list(OPERATIONS))
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("role", ROLES)
def test_observation_operation(
    role,
    body,
    state,
    op,
    world,
    reporter,
    other_reporter,
    users,
    make_obs,
    api_as,
    audit_rows,
):
    actor = users[role]
    owner, target_body = (reporter, world.punjab) if body == "own" else (other_reporter, world.sindh)
    obs = make_obs(state, body=target_body, created_by=owner)
    client = api_as(actor)
    before = audit_rows()

    response = OPERATIONS[op](client, obs, world)

    expected = expected_status(role, body, state, op)
    assert response.status_code == expected, response.content
    payload = response.json()
    if expected >= 400:
        assert payload["status"] == expected and payload["message"]
        assert audit_rows() == before
        obs.refresh_from_db()
        assert (obs.state, obs.version) == (state, 1)
    elif op in WRITES:
        assert audit_rows() == before + 1


CREATE_EXPECTED = {
    # role: (own body, other body, national figure)
    Role.REPORTER: (201, 403, 403),
    Role.REVIEWER: (201, 201, 201),
    Role.ANALYST: (403, 403, 403),
    Role.ADMINISTRATOR: (403, 403, 403),
}


@pytest.mark.parametrize("target", ["own", "other", "national"])
@pytest.mark.parametrize("role", ROLES)
def test_create(role, target, world, users, api_as, audit_rows):
    actor = users[role]
    data = _payload(world, world.punjab if target == "own" else world.sindh)
    if target == "national":
        data["body"] = None
    client = api_as(actor)  # creating the token writes its own audit entry
    before = audit_rows()
    response = client.post("/api/v1/observations/", data, format="json")
    expected = CREATE_EXPECTED[role][["own", "other", "national"].index(target)]
    assert response.status_code == expected, response.content
    assert audit_rows() == before + (1 if expected == 201 else 0)
    if expected == 201:
        assert response.json()["state"] == S.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_assessment_create(role, world, users, api_as, audit_rows):
    actor = users[role]
    client = api_as(actor)
    before = audit_rows()
    response = client.post(
        "/api/v1/assessments/",
        {"item": world.old_item.pk, "as_of": "2024-12-31", "rating": "satisfactory"},
        format="json",
    )
    expected = 201 if role == Role.REVIEWER else 403
    assert response.status_code == expected, response.content
    assert audit_rows() == before + (1 if expected == 201 else 0)


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("role", ROLES)
def test_import_template(role, body, world, users, api_as):
    actor = users[role]
    slug = world.punjab.slug if body == "own" else world.sindh.slug
    response = api_as(actor).get(f"/api/v1/imports/template/?body={slug}&format=csv")
    allowed = role == Role.REVIEWER or (role == Role.REPORTER and body == "own")
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_visible(role, body, state, world, reporter, other_reporter, users, make_obs, api_as):
    actor = users[role]
    owner, target_body = (reporter, world.punjab) if body == "own" else (other_reporter, world.sindh)
    obs = make_obs(state, body=target_body, created_by=owner)
    ids = [o["id"] for o in api_as(actor).get("/api/v1/observations/").json()["results"]]
    assert (obs.pk in ids) == (expected_status(role, body, state, "retrieve") == 200)


# Status and report editions: approved data only, so every role reads them; generating is the policy's
# ``generate_report`` (reviewers, administrators). Files are served for published editions only.
GENERATORS = {Role.REVIEWER, Role.ADMINISTRATOR}
REPORT_OPERATIONS = {
    "status": lambda c, e: c.get("/api/v1/status/?framework=nap-2014&as_of=2024-12-31"),
    "status_body": lambda c, e: c.get("/api/v1/status/?framework=nap-2014&as_of=2024-12-31&body=sindh"),
    "edition_list": lambda c, e: c.get("/api/v1/report-editions/"),
    "edition_retrieve": lambda c, e: c.get(f"/api/v1/report-editions/{e['published'].pk}/"),
    "edition_retrieve_queued": lambda c, e: c.get(f"/api/v1/report-editions/{e['queued'].pk}/"),
    "edition_create": lambda c, e: c.post(
        "/api/v1/report-editions/", {"framework": "nap-2014", "as_of": "2024-06-30"}, format="json"
    ),
    "edition_create_existing": lambda c, e: c.post(
        "/api/v1/report-editions/", {"framework": "nap-2014", "as_of": "2024-12-31"}, format="json"
    ),
    "edition_file": lambda c, e: c.get(f"/api/v1/report-editions/{e['published'].pk}/files/pdf/"),
    "edition_file_unpublished": lambda c, e: c.get(f"/api/v1/report-editions/{e['queued'].pk}/files/pdf/"),
}


def expected_report_status(role: str, op: str) -> int:
    if op.startswith("edition_create"):
        return 202 if role in GENERATORS else 403
    if op == "edition_file_unpublished":
        return 404
    return 200


@pytest.fixture
def editions(world, make_obs, settings, tmp_path, django_capture_on_commit_callbacks):
    from datetime import date

    from reporting import services
    from reporting.definitions import ReportParams

    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_obs(S.APPROVED, body=world.sindh)
    with django_capture_on_commit_callbacks(execute=True):
        published = services.edition_request(params=ReportParams("nap-2014", date(2024, 12, 31)))
    queued = services.edition_request(params=ReportParams("nap-2014", date(2024, 1, 31)), queue=False)
    return {"published": published, "queued": queued}


@pytest.mark.parametrize("op", list(REPORT_OPERATIONS))
@pytest.mark.parametrize("role", ROLES)
def test_report_operation(role, op, users, editions, api_as, audit_rows, django_capture_on_commit_callbacks):
    from reporting.models import ReportEdition

    client = api_as(users[role])
    before, count = audit_rows(), ReportEdition.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = REPORT_OPERATIONS[op](client, editions)
    expected = expected_report_status(role, op)
    assert response.status_code == expected, response.content
    if expected >= 400:
        payload = response.json()
        assert payload["status"] == expected and payload["message"]
    new_edition = op == "edition_create" and expected == 202
    assert ReportEdition.objects.count() == count + (1 if new_edition else 0)
    assert audit_rows() == before + (1 if new_edition else 0)
    if op == "status_body":
        assert [row["body"] for row in response.json()["results"]] == ["sindh"]


@pytest.mark.parametrize("op", list(REPORT_OPERATIONS))
def test_report_operation_anonymous(op, editions):
    from rest_framework.test import APIClient

    response = REPORT_OPERATIONS[op](APIClient(), editions)
    assert response.status_code == 401 and response.json()["status"] == 401


# --- Stale versions: every role × every versioned action, on an observation with a history -----------------
# The history carries things only its editors may learn: an earlier value and note, a return reason, the
# approver. A stale request must never hand them to anyone else, whatever it is refused with.
SECRET_NOTE = "note-only-the-editors-saw"
SECRET_REASON = "reason-only-the-reporter-reads"
# Every role, the provincial verifier (of Punjab) included; the bodies ask for verification once the history is
# written, so the verifier is one who may verify and return its body's figures.
STALE_ROLES = [*ROLES, Role.VERIFIER]
VERSIONED = ["update", "patch", "submit", "verify", "approve", "return"]
STALE_OPERATIONS = {
    "update": lambda c, o, w: c.put(f"/api/v1/observations/{o.pk}/", _payload(w, o.body, version=1), format="json"),
    "patch": lambda c, o, w: c.patch(f"/api/v1/observations/{o.pk}/", {"version": 1, "note": "n"}, format="json"),
    "submit": lambda c, o, w: c.post(f"/api/v1/observations/{o.pk}/submit/", {"version": 1}, format="json"),
    "verify": lambda c, o, w: c.post(f"/api/v1/observations/{o.pk}/verify/", {"version": 1}, format="json"),
    "approve": lambda c, o, w: c.post(f"/api/v1/observations/{o.pk}/approve/", {"version": 1}, format="json"),
    "return": lambda c, o, w: c.post(
        f"/api/v1/observations/{o.pk}/return/", {"version": 1, "reason": "Source?"}, format="json"
    ),
}
# Who is one who may do the operation to the figure in some state (else 403 before any version is compared).
MAY_ACT = {
    "update": lambda role, own: role == Role.REPORTER and own,
    "patch": lambda role, own: role == Role.REPORTER and own,
    "submit": lambda role, own: role == Role.REPORTER and own,
    "verify": lambda role, own: role == Role.VERIFIER and own,
    "approve": lambda role, own: role == Role.REVIEWER,
    "return": lambda role, own: role == Role.REVIEWER or (role == Role.VERIFIER and own),
}


def _with_history(world, state, owner, body, approver):
    """Created, edited with a note, submitted, returned with a reason, submitted and approved, as far as
    ``state`` (draft: version 2, submitted 3, returned 4, approved 6), each step through the services."""
    data = ObservationInput(
        indicator=world.old_executions, body=body, period_end=date(2024, 12, 31), source=world.status_2017
    )
    obs = services.observation_create_draft(actor=owner, data=replace(data, value=Decimal(100)))
    obs = services.observation_update(
        actor=owner, observation_id=obs.pk, version=obs.version, data=replace(data, value=Decimal(90), note=SECRET_NOTE)
    )
    steps = [
        (S.SUBMITTED, lambda o: services.observation_submit(actor=owner, observation_id=o.pk, version=o.version)),
        (
            S.RETURNED,
            lambda o: services.observation_return(
                actor=approver, observation_id=o.pk, version=o.version, reason=SECRET_REASON
            ),
        ),
        (S.SUBMITTED, lambda o: services.observation_submit(actor=owner, observation_id=o.pk, version=o.version)),
        (S.APPROVED, lambda o: services.observation_approve(actor=approver, observation_id=o.pk, version=o.version)),
    ]
    for reached, step in steps:
        if obs.state == state:
            break
        obs = step(obs)
        assert obs.state == reached
    assert obs.state == state
    return obs


@pytest.mark.parametrize("op", VERSIONED)
@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED])
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("role", STALE_ROLES)
def test_stale_version_never_reveals_history(
    role, body, state, op, world, reporter, other_reporter, users, second_reviewer, api_as, audit_rows
):
    """404 outside the scope, 403 to whoever may never do this, 409 otherwise; the changed fields and their
    earlier values only to the figure's editors (its body's reporter). An analyst's stale approve of an
    approved figure is a 403 that says nothing of its history."""
    owner, target_body = (reporter, world.punjab) if body == "own" else (other_reporter, world.sindh)
    obs = _with_history(world, state, owner, target_body, second_reviewer)
    Body.objects.filter(pk__in=[world.punjab.pk, world.sindh.pk]).update(requires_verification=True)
    client = api_as(users[role])
    before = audit_rows()

    response = STALE_OPERATIONS[op](client, obs, world)

    own = body == "own"
    sees_own = role in (Role.REPORTER, Role.VERIFIER) and own
    visible = role in (Role.REVIEWER, Role.ADMINISTRATOR) or state == S.APPROVED or sees_own
    expected = 404 if not visible else 409 if MAY_ACT[op](role, own) else 403
    assert response.status_code == expected, (response.status_code, response.content)
    assert audit_rows() == before
    payload = response.json()
    editor = role == Role.REPORTER and own
    if expected == 409:
        assert bool(payload["changes"]) is editor
    else:
        assert "changes" not in payload
    if not editor:
        text = response.content.decode()
        assert SECRET_NOTE not in text and SECRET_REASON not in text and "approved_by" not in text
        assert second_reviewer.email not in text


def test_analysts_stale_approve_of_an_approved_figure_is_403_without_history(
    world, reporter, analyst, second_reviewer, api_as
):
    obs = _with_history(world, S.APPROVED, reporter, world.punjab, second_reviewer)
    response = api_as(analyst).post(f"/api/v1/observations/{obs.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 403
    assert set(response.json()) == {"status", "message", "errors"}
