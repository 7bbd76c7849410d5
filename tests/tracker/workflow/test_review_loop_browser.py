"""The whole review loop in a real browser (Debian's Chromium, live server, PostgreSQL, Redis, Celery eager):
reporter submits → verifier returns with a reason → reporter replies and resubmits → verifier verifies →
reviewer approves. Each party sees the notice under the bell; the emails are counted per recipient (one batch
each, none twice on a later or repeated run). No page logs a console error."""

import re
from collections import Counter

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import log_in, log_in_with_totp, shoot, verified
from tracker.choices import ObservationState as S
from tracker.choices import Role
from tracker.models import Observation
from tracker.services import notifications

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bell(page):
    return page.locator(".bell__count")


def test_reporter_verifier_reviewer_loop(
    page, new_context, live_server, world, make_user, make_obs, console_errors, settings
):
    world.punjab.requires_verification = True
    world.punjab.save(update_fields=["requires_verification"])
    reporter = verified(make_user(Role.REPORTER, world.punjab, email="reporter@punjab.example.org"))
    verifier = verified(make_user(Role.VERIFIER, world.punjab, email="secretariat@punjab.example.org"))
    reviewer = verified(make_user(Role.REVIEWER, email="reviewer@nacta.example.org"))
    secrets = {}
    for user in (verifier, reviewer):
        secrets[user.pk] = generate_totp_secret()
        TOTP.activate(user, secrets[user.pk])
    draft = make_obs(S.DRAFT, created_by=reporter)
    detail = f"/observations/{draft.pk}/"
    mail.outbox.clear()

    # --- The reporter submits. -----------------------------------------------------------------------------
    log_in(page, live_server, reporter, next_path=detail)
    page.wait_for_url(re.compile(re.escape(detail) + "$"))
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messages")).to_contain_text("Update submitted for review.")

    # --- The Punjab verifier returns it with a reason. -----------------------------------------------------
    verifier_page = console_errors.watch(new_context().new_page())
    log_in_with_totp(verifier_page, live_server, verifier, secrets[verifier.pk], next_path=detail)
    verifier_page.wait_for_url(re.compile(re.escape(detail) + "$"))
    verifier_page.get_by_label("Reason:", exact=True).fill("Attach the apex committee minutes.")
    verifier_page.get_by_role("button", name="Return to reporter").click()
    expect(verifier_page.locator(".messages")).to_contain_text("Update returned to its reporter.")

    # --- The reporter sees the notice, replies in the conversation and resubmits. ---------------------------
    page.goto(f"{live_server.url}/updates/")
    expect(_bell(page)).to_have_text("1")
    page.locator("a.bell").click()
    expect(page.locator(".notices")).to_contain_text("Your figure was returned")
    expect(page.locator(".notices")).to_contain_text("Attach the apex committee minutes.")
    shoot(page, "loop-1-reporter-notices")
    page.locator(".notice-item__open").first.click()
    page.wait_for_url(re.compile(re.escape(detail) + "$"))
    expect(page.locator("#conversation")).to_contain_text("Attach the apex committee minutes.")
    page.get_by_label("Your message:", exact=True).fill("Minutes of 12 March are now attached.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#conversation")).to_contain_text("Minutes of 12 March are now attached.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messages")).to_contain_text("Update submitted for review.")
    shoot(page, "loop-2-reporter-replied")

    # --- The verifier sees the reply and verifies. -----------------------------------------------------------
    verifier_page.goto(f"{live_server.url}/notices/")
    expect(verifier_page.locator(".notices")).to_contain_text("A reply on a figure you reviewed")
    verifier_page.goto(f"{live_server.url}{detail}")
    verifier_page.get_by_role("button", name="Verify for NACTA M&E").click()
    expect(verifier_page.locator(".messages")).to_contain_text("Update verified")

    # --- The reviewer approves it from the queue; their own national entry waits for another reviewer. -------
    own = make_obs(S.SUBMITTED, body=None, created_by=reviewer)
    reviewer_page = console_errors.watch(new_context().new_page())
    log_in_with_totp(reviewer_page, live_server, reviewer, secrets[reviewer.pk], next_path="/review/")
    reviewer_page.wait_for_url(re.compile(r"/review/$"))
    expect(reviewer_page.locator("table.review-queue tbody tr")).to_have_count(2)
    row = reviewer_page.locator(f"#row-{draft.pk}")
    expect(row).to_contain_text("Verified by the province")
    expect(row).to_contain_text("Minutes of 12 March are now attached.")  # the conversation in the queue
    own_row = reviewer_page.locator(f"#row-{own.pk}")
    expect(own_row).to_contain_text("Needs another reviewer")
    expect(own_row.get_by_role("checkbox")).to_have_count(0)
    expect(reviewer_page.get_by_label("Decision for the selected:", exact=True)).to_have_value("")  # none preset
    reviewer_page.locator("#select-all").check()  # ticks every selectable row, never the own entry
    expect(row.get_by_role("checkbox")).to_be_checked()
    reviewer_page.get_by_label("Decision for the selected:", exact=True).select_option("approve")
    shoot(reviewer_page, "loop-3-reviewer-queue")
    reviewer_page.get_by_role("button", name="Apply to selected").click()
    expect(reviewer_page.locator(".messages")).to_contain_text("1 update(s) decided.")
    assert Observation.objects.get(pk=draft.pk).state == S.APPROVED
    assert Observation.objects.get(pk=own.pk).state == S.SUBMITTED

    # --- The reporter is told of the verification and the approval. ----------------------------------------------
    page.goto(f"{live_server.url}/notices/")
    expect(page.locator(".notices")).to_contain_text("Your figure was approved")
    expect(page.locator(".notices")).to_contain_text("Your figure was verified")
    shoot(page, "loop-4-reporter-approved")

    # --- Email: one batch each so far; the reporter's next batch once the interval has passed, retried after a
    # refused send and never mailed twice. ------------------------------------------------------------------
    assert Counter(m.to[0] for m in mail.outbox) == {reporter.email: 1, verifier.email: 1}
    later = timezone.now() + notifications.notice_mail_interval() * 2
    settings.EMAIL_BACKEND = "tests.tracker.workflow.mail_backends.RefusingBackend"
    assert notifications.notice_mails_send_due(now=later) == 0  # the mail server refuses: nothing is recorded
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.notice_mails_send_due(now=later) == 1  # the retry sends that batch, once
    assert notifications.notice_mails_send_due(now=later) == 0
    assert Counter(m.to[0] for m in mail.outbox) == {reporter.email: 2, verifier.email: 1}
    assert "Your figure was verified" in mail.outbox[-1].body and "Your figure was approved" in mail.outbox[-1].body


def test_audit_trail_queue_and_conversation_fit_a_phone(
    page, live_server, world, make_user, make_obs, reporter, console_errors
):
    """At 390 px nothing runs off the screen: tables stack into cards, long emails and values wrap."""
    from tracker import services

    reviewer = verified(make_user(Role.REVIEWER, email="a-rather-long-reviewer-address@nacta.example.org"))
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    obs = services.observation_return(actor=reviewer, observation_id=obs.pk, version=obs.version, reason="x " * 80)
    services.comment_create(actor=reporter, observation_id=obs.pk, text="https://example.org/" + "a" * 120)
    obs.refresh_from_db()
    services.observation_submit(actor=reporter, observation_id=obs.pk, version=obs.version)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_with_totp(page, live_server, reviewer, secret, next_path="/review/")
    page.wait_for_url(re.compile(r"/review/$"))
    for path in ("/review/", "/audit/", f"/observations/{obs.pk}/", "/notices/", "/no-such-page/"):
        if path == "/no-such-page/":
            console_errors.allow(f"{live_server.url}{path}")
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        shoot(page, "phone" + path.strip("/").replace("/", "-"))
        assert overflow <= 0, (path, overflow)
