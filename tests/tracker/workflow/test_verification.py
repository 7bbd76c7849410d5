"""Provincial verification (optional per body, off by default): draft → submitted → verified → approved, each
step returnable with a reason; the verifier role in the one policy; the matrix of who may do what."""

from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tests.factories import BodyFactory
from tracker import permissions, services
from tracker.choices import ObservationState as S
from tracker.choices import Role
from tracker.models import AuditEntry, Body, Evidence, Notice, NoticeKind, Observation, ObservationComment
from tracker.services import notifications


@pytest.fixture
def verifying(world):
    world.punjab.requires_verification = True
    world.punjab.save(update_fields=["requires_verification"])
    return world.punjab


@pytest.fixture
def verifier(make_user, world):
    return make_user(Role.VERIFIER, world.punjab, email="secretariat@punjab.example.org")


@pytest.fixture
def sindh_verifier(make_user, world):
    return make_user(Role.VERIFIER, world.sindh, email="secretariat@sindh.example.org")


def test_verification_is_off_by_default(db):
    assert Body._meta.get_field("requires_verification").default is False
    assert BodyFactory.create().requires_verification is False


def _fresh(obs):
    obs.refresh_from_db()
    return obs


def test_the_whole_loop_with_notices_and_one_mail_batch_each(
    verifying,
    reporter,
    verifier,
    reviewer,
    make_obs,
    client_as,
    client_as_enrolled,
    django_capture_on_commit_callbacks,
    settings,
):
    """reporter submits → verifier returns with a reason → reporter replies and resubmits → verifier
    verifies → reviewer approves; each party is told; mails counted per recipient, none twice on retry."""
    draft = make_obs(S.DRAFT, created_by=reporter)
    rep, ver, rev = client_as(reporter), client_as_enrolled(verifier), client_as_enrolled(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        rep.post(reverse("tracker:observation-submit", args=[draft.pk]), {"version": draft.version})
    obs = _fresh(draft)
    assert obs.state == S.SUBMITTED
    # NACTA M&E cannot approve before the province has verified.
    assert rev.post(reverse("tracker:observation-approve", args=[obs.pk]), {"version": obs.version}).status_code == 403
    queue = rev.get(reverse("tracker:review-queue")).content.decode()
    assert "Awaiting provincial verification" in queue
    with django_capture_on_commit_callbacks(execute=True):
        ver.post(
            reverse("tracker:observation-return", args=[obs.pk]),
            {"version": obs.version, "reason": "Attach the apex committee minutes."},
        )
    obs = _fresh(obs)
    assert obs.state == S.RETURNED
    assert Notice.objects.get(recipient=reporter).kind == NoticeKind.RETURNED
    with django_capture_on_commit_callbacks(execute=True):
        rep.post(reverse("tracker:comment-create", args=[obs.pk]), {"text": "Minutes of 12 March attached."})
        rep.post(reverse("tracker:observation-submit", args=[obs.pk]), {"version": obs.version})
    obs = _fresh(obs)
    assert obs.state == S.SUBMITTED
    assert Notice.objects.get(recipient=verifier).kind == NoticeKind.REPLY
    with django_capture_on_commit_callbacks(execute=True):
        ver.post(reverse("tracker:observation-verify", args=[obs.pk]), {"version": obs.version})
    obs = _fresh(obs)
    assert obs.state == S.VERIFIED
    with django_capture_on_commit_callbacks(execute=True):
        rev.post(reverse("tracker:observation-approve", args=[obs.pk]), {"version": obs.version})
    obs = _fresh(obs)
    assert obs.state == S.APPROVED
    kinds = list(Notice.objects.filter(recipient=reporter).order_by("pk").values_list("kind", flat=True))
    assert kinds == [NoticeKind.RETURNED, NoticeKind.VERIFIED, NoticeKind.APPROVED]
    # Each party sees the notice under the bell.
    assert "Your figure was approved" in rep.get(reverse("tracker:notices")).content.decode()
    assert "A reply on a figure you reviewed" in ver.get(reverse("tracker:notices")).content.decode()
    thread = list(ObservationComment.objects.filter(observation=obs).values_list("author__email", flat=True))
    assert thread == [verifier.email, reporter.email]
    # Mail: one batch each so far (the reporter's later notices wait for the interval), then one more for the
    # reporter once it has passed; a second run, or a retry, mails nobody twice.
    per_recipient = Counter(m.to[0] for m in mail.outbox)
    assert per_recipient == {reporter.email: 1, verifier.email: 1}
    later = timezone.now() + notifications.notice_mail_interval() * 2
    assert notifications.notice_mails_send_due(now=later) == 1
    assert notifications.notice_mails_send_due(now=later) == 0
    per_recipient = Counter(m.to[0] for m in mail.outbox)
    assert per_recipient == {reporter.email: 2, verifier.email: 1}
    assert "Your figure was approved" in mail.outbox[-1].body and "Your figure was verified" in mail.outbox[-1].body


def test_verifier_is_scoped_to_their_bodies(verifying, reporter, sindh_verifier, make_obs):
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    with pytest.raises(Http404):
        services.observation_verify(actor=sindh_verifier, observation_id=obs.pk, version=obs.version)


def test_a_verifier_never_verifies_their_own_entry(verifying, verifier, make_obs):
    obs = make_obs(S.SUBMITTED, created_by=verifier)
    with pytest.raises(PermissionDenied):
        services.observation_verify(actor=verifier, observation_id=obs.pk, version=obs.version)


def test_bodies_without_verification_keep_todays_flow(world, reporter, verifier, reviewer, make_obs):
    obs = make_obs(S.SUBMITTED, created_by=reporter)  # Punjab, verification off
    with pytest.raises(PermissionDenied):
        services.observation_verify(actor=verifier, observation_id=obs.pk, version=obs.version)
    assert services.observation_approve(actor=reviewer, observation_id=obs.pk, version=obs.version).state == S.APPROVED


def test_verifiers_must_enrol_a_second_factor(verifier, client_as):
    response = client_as(verifier).get(reverse("tracker:review-queue"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")


# --- The matrix: every role, every state, the verification and conversation actions ------------------------
ACTIONS = ("view", "view_comments", "comment", "verify", "return", "approve")
STATES = (S.DRAFT, S.SUBMITTED, S.VERIFIED, S.RETURNED, S.APPROVED)
NONE = "404"  # outside the scope: the figure does not exist for them


def expected(role: str, state: str, action: str) -> bool | str:
    """The policy, restated as a table for a Punjab figure that requires verification, entered by a Punjab
    reporter (not the user under test)."""
    if role in ("analyst", "other_reporter", "other_verifier") and state != S.APPROVED:
        return NONE
    if action == "view":
        return True
    sees_drafts = role in ("reporter", "verifier", "reviewer", "administrator")
    if action == "view_comments":
        return sees_drafts
    if action == "comment":
        return sees_drafts and role != "administrator" and state != S.APPROVED
    if action == "verify":
        return role == "verifier" and state == S.SUBMITTED
    if action == "return":
        return (role == "verifier" and state == S.SUBMITTED) or (role == "reviewer" and state == S.VERIFIED)
    if action == "approve":
        return role == "reviewer" and state == S.VERIFIED
    raise AssertionError(action)


@pytest.fixture
def users(make_user, world, reporter, verifier, reviewer, analyst, administrator, other_reporter, sindh_verifier):
    return {
        "reporter": make_user(Role.REPORTER, world.punjab),
        "verifier": verifier,
        "reviewer": reviewer,
        "analyst": analyst,
        "administrator": administrator,
        "other_reporter": other_reporter,
        "other_verifier": sindh_verifier,
    }


@pytest.mark.parametrize("state", STATES)
def test_matrix_for_the_verifier_role_and_comments(state, verifying, users, reporter, make_obs):
    obs = make_obs(state, created_by=reporter)
    obs = type(obs).objects.select_related("body").get(pk=obs.pk)
    for role, user in users.items():
        for action in ACTIONS:
            want = expected(role, state, action)
            if want == NONE:
                assert not permissions.is_visible(user, obs), (role, state)
                with pytest.raises(Http404):
                    permissions.require(user, action, obs)
                continue
            assert permissions.can(user, action, obs) is want, (role, state, action)


def test_seed_data_leaves_verification_off_everywhere(db):
    from django.core.management import call_command

    call_command("load_seed", verbosity=0)
    assert Body.objects.exists() and not Body.objects.filter(requires_verification=True).exists()


# --- The same table through every page and API endpoint of the verification and the conversation -----------
# (action, method, address, data, status on success). The API is reached as a signed-in session would.
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ENDPOINTS: dict[str, tuple[str, str, str, dict[str, Any], int]] = {
    "figure page": ("view", "get", "/observations/{pk}/", {}, 200),
    "reply on the page": ("comment", "post", "/observations/{pk}/comments/", {"text": "Page 4."}, 302),
    "verify on the page": ("verify", "post", "/observations/{pk}/verify/", {"version": 1}, 302),
    "return on the page": ("return", "post", "/observations/{pk}/return/", {"version": 1, "reason": "Page?"}, 302),
    "approve on the page": ("approve", "post", "/observations/{pk}/approve/", {"version": 1}, 302),
    "remove evidence on the page": ("remove_evidence", "post", "/observations/{pk}/evidence/{ev}/remove/", {}, 302),
    "API thread": ("view_comments", "get", "/api/v1/observations/{pk}/comments/", {}, 200),
    "API reply": ("comment", "post", "/api/v1/observations/{pk}/comments/", {"text": "Page 4."}, 201),
    "API verify": ("verify", "post", "/api/v1/observations/{pk}/verify/", {"version": 1}, 200),
    "API return": ("return", "post", "/api/v1/observations/{pk}/return/", {"version": 1, "reason": "Page?"}, 200),
    "API approve": ("approve", "post", "/api/v1/observations/{pk}/approve/", {"version": 1}, 200),
}
AFTER_SUCCESS = {"verify": S.VERIFIED, "return": S.RETURNED, "approve": S.APPROVED}


def expected_endpoint(role: str, state: str, action: str) -> bool | str:
    """``expected`` for the endpoints; evidence comes off only by its uploader (here the role "reporter"), and
    only while the figure is being edited (draft or returned)."""
    if action == "remove_evidence":
        want = expected(role, state, "view")
        return want if want == NONE else (role == "reporter" and state in (S.DRAFT, S.RETURNED))
    return expected(role, state, action)


def test_endpoint_urls_are_the_portals():
    assert reverse("tracker:comment-create", args=[7]) == "/observations/7/comments/"
    assert reverse("tracker:observation-verify", args=[7]) == "/observations/7/verify/"
    assert reverse("tracker:evidence-remove", args=[7, 3]) == "/observations/7/evidence/3/remove/"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_matrix_through_the_pages_and_the_api(
    endpoint, state, verifying, users, reporter, make_obs, client_as_enrolled, settings, tmp_path
):
    """Every role against every endpoint: 404 outside the scope, 403 for what the table forbids (nothing
    written), success otherwise, with the figure in the state the step leads to and one audit entry."""
    from django.test import Client

    settings.MEDIA_ROOT = str(tmp_path)
    action, method, address, data, success = ENDPOINTS[endpoint]
    clients: dict[str, Client] = {role: client_as_enrolled(user) for role, user in users.items()}
    for role, user in users.items():
        obs = make_obs(state, created_by=reporter)
        evidence = Evidence(
            observation=obs, original_name="a.pdf", content_type="application/pdf", size=len(PDF), sha256="0"
        )
        evidence.uploaded_by = users["reporter"]
        evidence.file.save("fixed.pdf", ContentFile(PDF), save=False)
        evidence.save()
        audit_before = AuditEntry.objects.exclude(action__startswith="user.").count()
        comments_before = ObservationComment.objects.count()
        url = address.format(pk=obs.pk, ev=evidence.pk)
        client = clients[role]
        if url.startswith("/api/"):
            response = getattr(client, method)(url, data, content_type="application/json") if data else client.get(url)
        else:
            response = getattr(client, method)(url, data)
        want = expected_endpoint(role, state, action)
        status = 404 if want == NONE else (success if want else 403)
        assert response.status_code == status, (endpoint, role, state, response.status_code)
        after = Observation.objects.get(pk=obs.pk)
        audited = AuditEntry.objects.exclude(action__startswith="user.").count() - audit_before
        if status != success or method == "get":
            assert audited == 0 and (after.state, after.version) == (obs.state, obs.version), (endpoint, role)
            assert ObservationComment.objects.count() == comments_before
            continue
        assert audited == 1, (endpoint, role, state)
        if action in AFTER_SUCCESS:
            assert after.state == AFTER_SUCCESS[action], (endpoint, role, state)
        if action == "comment":
            assert ObservationComment.objects.filter(observation=obs, author=user, text="Page 4.").exists()
        if action == "remove_evidence":
            assert not Evidence.objects.filter(pk=evidence.pk).exists()


# --- What waits for NACTA M&E: a verified figure is still waiting, wherever the waiting work is counted -------
def test_a_verified_figure_still_waits_in_the_digest_backlog_and_cards(
    verifying, reporter, verifier, reviewer, make_obs, world
):
    from tracker.selectors.dashboard import review_backlog
    from tracker.selectors.dashboard.cards import pending_per_item

    obs = make_obs(S.SUBMITTED, created_by=reporter)
    services.observation_verify(actor=verifier, observation_id=obs.pk, version=obs.version)
    assert notifications.review_digest_send(today=date(2025, 4, 8)) == 1
    assert "1 update(s) wait for review" in mail.outbox[0].body and "Executions" in mail.outbox[0].body
    assert review_backlog(reviewer).total == 1
    assert pending_per_item(reviewer, item_ids=[world.old_item.pk]) == {world.old_item.pk: 1}


def test_the_verifier_verifies_and_returns_from_the_queue(
    verifying, world, reporter, other_reporter, verifier, reviewer, make_obs, client_as_enrolled
):
    """The verifier's queue: their bodies' submissions only, the step forward named "Verify", none preset."""
    first = make_obs(S.SUBMITTED, created_by=reporter)
    second = make_obs(S.SUBMITTED, created_by=reporter, period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))
    sindh = make_obs(S.SUBMITTED, body=world.sindh, created_by=other_reporter)
    client = client_as_enrolled(verifier)
    response = client.get(reverse("tracker:review-queue"))
    assert {row.observation.pk for row in response.context["rows"]} == {first.pk, second.pk}
    page = response.content.decode()
    assert '<option value="verify">Verify for NACTA M&amp;E</option>' in page and 'value="approve"' not in page
    assert '<option value="" selected>— choose —</option>' in page
    queue = reverse("tracker:review-queue")
    page = client.post(queue, {"decision": "verify", "selected": [f"{first.pk}:1", f"{sindh.pk}:1"]}, follow=True)
    assert "1 update(s) decided." in page.content.decode()
    client.post(queue, {"decision": "return", "selected": [f"{second.pk}:1"], "reason": "Minutes?"})
    states = dict(Observation.objects.filter(pk__in=[first.pk, second.pk, sindh.pk]).values_list("pk", "state"))
    assert states == {first.pk: S.VERIFIED, second.pk: S.RETURNED, sindh.pk: S.SUBMITTED}
    # NACTA M&E's queue offers approval; a "verify" posted there is refused.
    reviewers = client_as_enrolled(reviewer)
    assert '<option value="approve">Approve</option>' in reviewers.get(queue).content.decode()
    reviewers.post(queue, {"decision": "verify", "selected": [f"{sindh.pk}:1"]})
    assert Observation.objects.get(pk=sindh.pk).state == S.SUBMITTED
