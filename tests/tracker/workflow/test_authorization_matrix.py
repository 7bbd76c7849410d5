"""The authorization matrix, generated from a declarative table.

Every role × every operation × own body / other body × every state. The expectation is computed from the
rules below (written from the issue, not from tracker/permissions.py); the test asserts no unexpected
success, 404 for what a role may not see and 403 for a forbidden action on what it may see.

Operations are data: the API (issue 6) adds its operations to ``OPERATIONS`` with the same shape.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tracker import permissions
from tracker.choices import ObservationState as S
from tracker.choices import Role
from tracker.models import AuditEntry, Evidence, Observation

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROLES: list[str | None] = [Role.REPORTER, Role.REVIEWER, Role.ANALYST, Role.ADMINISTRATOR, None]
EDITABLE = {S.DRAFT, S.RETURNED}


# --- The rules, as the issue states them -------------------------------------------------------------------
def sees(role: str | None, own: bool, state: str) -> bool:
    """Reporters see their bodies' work and approved data; reviewers and administrators see everything;
    analysts and users without a role see approved data only."""
    if role in (Role.REVIEWER, Role.ADMINISTRATOR):
        return True
    if role == Role.REPORTER:
        return own or state == S.APPROVED
    return state == S.APPROVED


ALLOWED: dict[str, Callable[[str | None, bool, str], bool]] = {
    "view": lambda role, own, state: True,
    "view_evidence": lambda role, own, state: True,
    "edit": lambda role, own, state: role == Role.REPORTER and own and state in EDITABLE,
    "submit": lambda role, own, state: role == Role.REPORTER and own and state in EDITABLE,
    "attach_evidence": lambda role, own, state: role == Role.REPORTER and own and state in EDITABLE,
    "approve": lambda role, own, state: role == Role.REVIEWER and state == S.SUBMITTED,
    "return": lambda role, own, state: role == Role.REVIEWER and state == S.SUBMITTED,
    "correct": lambda role, own, state: (
        state == S.APPROVED and (role == Role.REVIEWER or (role == Role.REPORTER and own))
    ),
}


def expected_status(role: str | None, own: bool, state: str, action: str, success: int) -> int:
    if not sees(role, own, state):
        return 404
    return success if ALLOWED[action](role, own, state) else 403


# --- The operations ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    name: str
    action: str  # the policy action it exercises
    method: str
    url: Callable[[Observation, Evidence], str]
    data: Callable[[Observation, Any], dict[str, Any]] = lambda obs, world: {}
    success: int = 200
    writes: bool = False  # a successful call appends exactly one audit entry
    extra: dict[str, Any] = field(default_factory=dict)


def _form_data(obs: Observation, world: Any) -> dict[str, Any]:
    return {
        "indicator": obs.indicator_id,
        "body": obs.body_id,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "150",
        "value_qualifier": "exact",
        "source": obs.source_id,
        "version": obs.version,
        "reason": "Figure revised by the source",
    }


def _url(name: str) -> Callable[[Observation, Evidence], str]:
    return lambda obs, ev: reverse(name, args=[obs.pk])


OPERATIONS = [
    Operation("detail page", "view", "get", _url("tracker:observation-detail")),
    Operation(
        "evidence download",
        "view_evidence",
        "get",
        lambda obs, ev: reverse("tracker:evidence-download", args=[obs.pk, ev.pk]),
    ),
    Operation("edit form", "edit", "get", _url("tracker:observation-edit")),
    Operation("edit save", "edit", "post", _url("tracker:observation-edit"), _form_data, 302, writes=True),
    Operation(
        "submit", "submit", "post", _url("tracker:observation-submit"), lambda o, w: {"version": o.version}, 302, True
    ),
    Operation(
        "approve",
        "approve",
        "post",
        _url("tracker:observation-approve"),
        lambda o, w: {"version": o.version},
        302,
        True,
    ),
    Operation(
        "return",
        "return",
        "post",
        _url("tracker:observation-return"),
        lambda o, w: {"version": o.version, "reason": "Please cite the page"},
        302,
        True,
    ),
    Operation("correct form", "correct", "get", _url("tracker:observation-correct")),
    Operation("correct save", "correct", "post", _url("tracker:observation-correct"), _form_data, 302, writes=True),
    Operation(
        "evidence upload",
        "attach_evidence",
        "post",
        _url("tracker:evidence-upload"),
        lambda o, w: {"file": ContentFile(PDF, name="scan.pdf")},
        302,
        True,
    ),
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("own", [True, False], ids=["own-body", "other-body"])
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no-role")
def test_matrix(role, own, state, operation, world, make_user, make_obs, client_as_enrolled, media):
    actor = make_user(role, world.punjab) if role == Role.REPORTER else make_user(role)
    body = world.punjab if own else world.sindh
    author = make_user(Role.REPORTER, body)
    obs = make_obs(state, body=body, created_by=author)
    evidence = Evidence(
        observation=obs,
        original_name="a.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0",
        uploaded_by=author,
    )
    evidence.file.save("fixed.pdf", ContentFile(PDF), save=False)
    evidence.save()
    client = client_as_enrolled(actor)
    audit_before = AuditEntry.objects.exclude(action__startswith="user.").count()

    # The policy object answers as the table says...
    expected_visible = sees(role, own, state)
    assert permissions.is_visible(actor, obs) is expected_visible
    assert permissions.can(actor, operation.action, obs) is (
        expected_visible and ALLOWED[operation.action](role, own, state)
    )

    # ...and so does the page.
    url = operation.url(obs, evidence)
    response = getattr(client, operation.method)(url, operation.data(obs, world))
    expected = expected_status(role, own, state, operation.action, operation.success)
    assert response.status_code == expected, (role, own, state, operation.name, response.status_code)

    audit_after = AuditEntry.objects.exclude(action__startswith="user.").count()
    obs_after = Observation.objects.get(pk=obs.pk)
    if expected == operation.success and operation.writes:
        assert audit_after == audit_before + 1, "a successful write appends exactly one audit entry"
    else:
        assert audit_after == audit_before, "a refused or read-only call writes nothing"
        assert (obs_after.state, obs_after.version, obs_after.value) == (obs.state, obs.version, obs.value)


# --- Pages without an object -------------------------------------------------------------------------------
PAGES: dict[str, set[str | None]] = {
    "tracker:my-updates": {Role.REPORTER},
    "tracker:review-queue": {Role.REVIEWER},
    "tracker:audit-log": {Role.REVIEWER, Role.ADMINISTRATOR},
    "tracker:observation-create": {Role.REPORTER, Role.REVIEWER},
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no-role")
def test_pages_by_role(role, page, world, make_user, client_as_enrolled, client):
    actor = make_user(role, world.punjab) if role == Role.REPORTER else make_user(role)
    response = client_as_enrolled(actor).get(reverse(page))
    assert response.status_code == (200 if role in PAGES[page] else 403)
    anonymous = client.get(reverse(page))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


# --- Lists never leak ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no-role")
def test_restrict_view_is_the_table(role, world, make_user, make_obs):
    actor = make_user(role, world.punjab) if role == Role.REPORTER else make_user(role)
    expected = set()
    for state in S:
        for own, body in ((True, world.punjab), (False, world.sindh)):
            obs = make_obs(state, body=body)
            if sees(role, own, state):
                expected.add(obs.pk)
    national_draft = make_obs(S.DRAFT, body=None)
    if role in (Role.REVIEWER, Role.ADMINISTRATOR):
        expected.add(national_draft.pk)
    assert set(Observation.objects.restrict(actor, "view").values_list("pk", flat=True)) == expected


def test_review_queue_and_my_updates_list_only_what_is_in_scope(
    world, reporter, reviewer, make_obs, client_as_enrolled
):
    mine = make_obs(S.RETURNED, body=world.punjab, return_reason="Check the source")
    theirs = make_obs(S.DRAFT, body=world.sindh, note="sindh-secret")
    submitted = make_obs(S.SUBMITTED, body=world.sindh)
    page = client_as_enrolled(reporter).get(reverse("tracker:my-updates")).content.decode()
    assert reverse("tracker:observation-detail", args=[mine.pk]) in page
    assert "Check the source" in page
    assert reverse("tracker:observation-detail", args=[theirs.pk]) not in page
    queue = client_as_enrolled(reviewer).get(reverse("tracker:review-queue")).content.decode()
    assert f'value="{submitted.pk}:{submitted.version}"' in queue
    assert f'value="{theirs.pk}:' not in queue


def test_reviewer_cannot_approve_own_entry_through_the_page(world, reviewer, client_as_enrolled, make_obs):
    obs = make_obs(S.SUBMITTED, body=None, created_by=reviewer)
    client = client_as_enrolled(reviewer)
    response = client.post(reverse("tracker:observation-approve", args=[obs.pk]), {"version": obs.version})
    assert response.status_code == 403
    assert Observation.objects.get(pk=obs.pk).state == S.SUBMITTED


def test_evidence_of_another_bodys_draft_is_404(world, reporter, other_reporter, make_obs, client_as, media):
    obs = make_obs(S.DRAFT, body=world.sindh, created_by=other_reporter)
    ev = Evidence(
        observation=obs,
        original_name="x.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0",
        uploaded_by=other_reporter,
    )
    ev.file.save("y.pdf", ContentFile(PDF), save=False)
    ev.save()
    assert client_as(reporter).get(reverse("tracker:evidence-download", args=[obs.pk, ev.pk])).status_code == 404
    # The same evidence id under another observation's URL is not found either.
    mine = make_obs(S.DRAFT, body=world.punjab)
    assert client_as(reporter).get(reverse("tracker:evidence-download", args=[mine.pk, ev.pk])).status_code == 404
