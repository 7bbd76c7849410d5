"""The authorization matrix, generated from a declarative table.

Every role × every operation × own body / other body × every state. The expectation is computed from the
rules below (written from the issue, not from tracker/permissions.py); the test asserts no unexpected
success, 404 for what a role may not see and 403 for a forbidden action on what it may see.

Operations are data: the API (issue 6) adds its operations to ``OPERATIONS`` with the same shape.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import reverse

from tracker import audit, permissions, services
from tracker.choices import ObservationState as S
from tracker.choices import Role
from tracker.exceptions import StaleVersion
from tracker.models import AuditEntry, Evidence, Observation
from tracker.models import UserRole as UserRoleModel
from tracker.services import ObservationInput

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROLES: list[str | None] = [Role.REPORTER, Role.REVIEWER, Role.ANALYST, Role.ADMINISTRATOR, None]
EDITABLE = {S.DRAFT, S.RETURNED}
# What NACTA M&E decides on in these bodies (none requires provincial verification): a submitted figure, or one a
# province verified before its body stopped asking for it (tests/tracker/workflow/test_verification.py).
AWAITING = {S.SUBMITTED, S.VERIFIED}


# --- The rules, as the issue states them -------------------------------------------------------------------
def sees(role: str | None, own: bool, state: str) -> bool:
    """Reporters see their bodies' work and approved data; reviewers and administrators see everything;
    analysts and users without a role see approved data only."""
    if role in (Role.REVIEWER, Role.ADMINISTRATOR):
        return True
    if role in (Role.REPORTER, Role.VERIFIER):  # a provincial verifier sees their bodies' work as reporters do
        return own or state == S.APPROVED
    return state == S.APPROVED


ALLOWED: dict[str, Callable[[str | None, bool, str], bool]] = {
    "view": lambda role, own, state: True,
    "view_evidence": lambda role, own, state: True,
    "edit": lambda role, own, state: role == Role.REPORTER and own and state in EDITABLE,
    "submit": lambda role, own, state: role == Role.REPORTER and own and state in EDITABLE,
    "attach_evidence": lambda role, own, state: role == Role.REPORTER and own and state in EDITABLE,
    "approve": lambda role, own, state: role == Role.REVIEWER and state in AWAITING,
    "return": lambda role, own, state: role == Role.REVIEWER and state in AWAITING,
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
        "body": obs.body_id or "",
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


# --- The dimensions the first table lacked --------------------------------------------------------------------
# Actors: a reporter of Punjab, a reporter of Punjab and Sindh, a reviewer, an analyst, an administrator, no role.
# Figures: for Punjab, for Sindh, or national (no body); entered by someone else or by the actor themselves.
ACTORS = ["reporter", "reporter-of-two", Role.REVIEWER, Role.ANALYST, Role.ADMINISTRATOR, "no-role"]
TARGETS = ["punjab", "sindh", "national"]
AUTHORS = ["someone-else", "self"]


def _actor(kind, world, make_user):
    if kind == "reporter":
        return make_user(Role.REPORTER, world.punjab), Role.REPORTER, {"punjab"}
    if kind == "reporter-of-two":
        return make_user(Role.REPORTER, world.punjab, world.sindh), Role.REPORTER, {"punjab", "sindh"}
    if kind == "verifier":
        return make_user(Role.VERIFIER, world.punjab), Role.VERIFIER, {"punjab"}
    role = None if kind == "no-role" else kind
    return make_user(role), role, set()


def _body(target, world):
    return None if target == "national" else getattr(world, target)


def allowed_with_author(role, own, state, action, self_authored):
    """The rules of the issues, with the author: a reviewer edits only what they entered and never approves
    it; a reporter's "own" is any of their bodies, never a national figure."""
    editable = state in EDITABLE
    writes = (role == Role.REPORTER and own) or (role == Role.REVIEWER and self_authored)
    sees_drafts = role in (Role.REVIEWER, Role.ADMINISTRATOR) or (role == Role.REPORTER and own)
    return {
        "view": True,
        "view_evidence": True,
        "edit": editable and writes,
        "submit": editable and writes,
        "attach_evidence": editable and writes,
        "approve": role == Role.REVIEWER and state in AWAITING and not self_authored,
        "return": role == Role.REVIEWER and state in AWAITING,
        "correct": state == S.APPROVED and (role == Role.REVIEWER or (role == Role.REPORTER and own)),
        # The conversation: read by whoever sees drafts, written while the figure is open.
        "view_comments": sees_drafts,
        "comment": state != S.APPROVED and (role == Role.REVIEWER or (role == Role.REPORTER and own)),
        "remove_evidence": editable and sees_drafts,
        "verify": False,  # no body here asks for provincial verification
        "export": state == S.APPROVED and role in (Role.REVIEWER, Role.ANALYST, Role.ADMINISTRATOR),
    }[action]


def test_the_table_names_every_action_of_the_policy():
    assert set(permissions.OBSERVATION_ACTIONS) == {
        "view",
        "view_evidence",
        "edit",
        "submit",
        "attach_evidence",
        "approve",
        "return",
        "correct",
        "comment",
        "view_comments",
        "remove_evidence",
        "verify",
        "export",
    }


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("author", AUTHORS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", ACTORS)
def test_policy_and_restrict_by_author_and_national_figures(kind, target, author, state, world, make_user, make_obs):
    """can(), is_visible() and restrict(action) answer as the table does, for every action."""
    actor, role, bodies = _actor(kind, world, make_user)
    other = make_user(Role.REVIEWER)
    obs = make_obs(state, body=_body(target, world), created_by=actor if author == "self" else other)
    own = target in bodies
    visible = sees(role, own, state)
    assert permissions.is_visible(actor, obs) is visible
    for action in permissions.OBSERVATION_ACTIONS:
        expected = visible and allowed_with_author(role, own, state, action, author == "self")
        assert permissions.can(actor, action, obs) is expected, action
        assert Observation.objects.restrict(actor, action).filter(pk=obs.pk).exists() is expected, action


# The pages, for the new dimensions only (the first matrix covers a reporter of one body and others' entries).
PAGE_CASES = [
    (Role.REVIEWER, "national", "self"),
    (Role.REVIEWER, "punjab", "self"),
    (Role.REVIEWER, "national", "someone-else"),
    ("reporter-of-two", "sindh", "someone-else"),
    ("reporter-of-two", "national", "someone-else"),
    ("reporter", "national", "someone-else"),
    (Role.ANALYST, "national", "someone-else"),
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize(("kind", "target", "author"), PAGE_CASES, ids=lambda v: str(v))
def test_pages_by_author_and_national_figures(
    kind, target, author, state, operation, world, make_user, make_obs, client_as_enrolled, media
):
    actor, role, bodies = _actor(kind, world, make_user)
    other = make_user(Role.REVIEWER)
    author_user = actor if author == "self" else other
    obs = make_obs(state, body=_body(target, world), created_by=author_user)
    evidence = Evidence(
        observation=obs,
        original_name="a.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0",
        uploaded_by=author_user,
    )
    evidence.file.save("fixed.pdf", ContentFile(PDF), save=False)
    evidence.save()
    client = client_as_enrolled(actor)
    before = AuditEntry.objects.exclude(action__startswith="user.").count()

    response = getattr(client, operation.method)(operation.url(obs, evidence), operation.data(obs, world))

    own = target in bodies
    if not sees(role, own, state):
        expected = 404
    elif allowed_with_author(role, own, state, operation.action, author == "self"):
        expected = operation.success
    else:
        expected = 403
    assert response.status_code == expected, (kind, target, author, state, operation.name, response.status_code)
    after = AuditEntry.objects.exclude(action__startswith="user.").count()
    assert after == before + (1 if expected == operation.success and operation.writes else 0)


# --- Stale versions through the services: every role, every versioned action, every author ---------------------
# The provincial verifier too: the bodies here ask for verification, so the verifier of Punjab is one who may
# verify and return Punjab's figures (and nobody else's).
STALE_ACTORS = [*ACTORS, "verifier"]
SECRET = "an-earlier-note-only-editors-may-read"
VERSIONED_SERVICES = {
    "edit": lambda actor, obs, world: services.observation_update(
        actor=actor,
        observation_id=obs.pk,
        version=1,
        data=ObservationInput(
            indicator=obs.indicator, body=obs.body, period_end=obs.period_end, source=obs.source, value=Decimal(5)
        ),
    ),
    "submit": lambda actor, obs, world: services.observation_submit(actor=actor, observation_id=obs.pk, version=1),
    "verify": lambda actor, obs, world: services.observation_verify(actor=actor, observation_id=obs.pk, version=1),
    "approve": lambda actor, obs, world: services.observation_approve(actor=actor, observation_id=obs.pk, version=1),
    "return": lambda actor, obs, world: services.observation_return(
        actor=actor, observation_id=obs.pk, version=1, reason="Why?"
    ),
}


def _writes(role, own, self_authored):
    return (role == Role.REPORTER and own) or (role == Role.REVIEWER and self_authored)


WHO_MAY = {  # who may ever do the action to the figure, whatever its state: else 403 before the version
    "edit": _writes,
    "submit": _writes,
    "verify": lambda role, own, self_authored: role == Role.VERIFIER and own and not self_authored,
    "approve": lambda role, own, self_authored: role == Role.REVIEWER and not self_authored,
    "return": lambda role, own, self_authored: role == Role.REVIEWER or (role == Role.VERIFIER and own),
}


@pytest.mark.parametrize("action", list(VERSIONED_SERVICES))
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("author", AUTHORS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", STALE_ACTORS)
def test_a_stale_version_never_tells_history_to_anyone_but_an_editor(
    kind, target, author, state, action, world, make_user, make_obs
):
    for body in (world.punjab, world.sindh):
        body.requires_verification = True
        body.save(update_fields=["requires_verification"])
    actor, role, bodies = _actor(kind, world, make_user)
    other = make_user(Role.REVIEWER)
    obs = make_obs(state, body=_body(target, world), created_by=actor if author == "self" else other, version=3)
    audit.record(
        actor=other, action="observation.update", obj=obs, before={"note": ""}, after={"note": SECRET, "version": 3}
    )
    own, self_authored = target in bodies, author == "self"

    with pytest.raises((Http404, PermissionDenied, StaleVersion)) as refused:
        VERSIONED_SERVICES[action](actor, obs, world)

    if not sees(role, own, state):
        assert refused.type is Http404
    elif not WHO_MAY[action](role, own, self_authored):
        assert refused.type is PermissionDenied
        assert SECRET not in str(refused.value)
    else:
        stale = refused.value
        assert isinstance(stale, StaleVersion)
        editor = _writes(role, own, self_authored)
        assert stale.disclosed is editor
        assert ("note" in stale.changes) is editor
        if not editor:
            assert SECRET not in stale.message and not stale.changes


# --- The admin site: only the administrator role reaches it, and observations are read-only there -------------
ADMIN_OPERATIONS = {
    "changelist": ("get", lambda obs: reverse("admin:tracker_observation_changelist"), 200),
    "change page": ("get", lambda obs: reverse("admin:tracker_observation_change", args=[obs.pk]), 200),
    "change save": ("post", lambda obs: reverse("admin:tracker_observation_change", args=[obs.pk]), 403),
    "add": ("get", lambda obs: reverse("admin:tracker_observation_add"), 403),
    "delete": ("post", lambda obs: reverse("admin:tracker_observation_delete", args=[obs.pk]), 403),
}


@pytest.mark.parametrize("op", list(ADMIN_OPERATIONS))
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no-role")
def test_admin_site_by_role(role, op, world, make_obs, client_as_enrolled):
    """Accounts made as the portal makes them (the services give the administrator its group and staff status);
    everyone else is sent to the admin's sign-in; nobody changes an observation there."""
    email = f"{role or 'norole'}@admin-matrix.example.org"
    if role is None:
        actor = services.user_create(actor=None, email=email, role=Role.ANALYST, password="x" * 12)
        UserRoleModel.objects.filter(user=actor).delete()
    else:
        bodies = [world.punjab] if role == Role.REPORTER else []
        actor = services.user_create(actor=None, email=email, role=role, bodies=bodies, password="x" * 12)
    obs = make_obs(S.SUBMITTED, body=world.punjab)
    method, url, status = ADMIN_OPERATIONS[op]
    data = {"value": "1", "post": "yes"} if method == "post" else {}
    response = getattr(client_as_enrolled(actor), method)(url(obs), data)
    if role == Role.ADMINISTRATOR:
        assert response.status_code == status
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    obs_after = Observation.objects.get(pk=obs.pk)
    assert (obs_after.value, obs_after.version, obs_after.state) == (obs.value, 1, S.SUBMITTED)
