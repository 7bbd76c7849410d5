"""Security keys (WebAuthn) in a real browser: Chromium's virtual authenticator, driven over CDP.

A reviewer without a second factor is held on the enrolment pages until they register a key on allauth's
WebAuthn page; then the portal lets them in. Signing in again takes the password and the key. allauth's
WebAuthn pages run their scripts from static files with their data in JSON blocks, so the strict
Content-Security-Policy (script-src 'self') must not log a single error. The recovery codes allauth issues
with the first key are checked through the test client: each one signs in once.
"""

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.browser import PASSWORD, log_in, shoot, submit_form_with, verified
from tracker.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_virtual_authenticator(page: Any) -> tuple[Any, str]:
    """A platform-like key that holds resident credentials, verifies its user and is always touched."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def add_security_key(page: Any, name: str) -> None:
    """From the MFA page: the Security Keys panel's Add, the password again (allauth asks for it before any
    change to the factors, however recent the login), then the key's name. The caller presses Add."""
    page.locator(".panel").filter(has_text="Security Keys").get_by_role("link", name="Add").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_reauthenticate"))))
    page.fill("input[name=password]", PASSWORD)
    with page.expect_response(re.compile(re.escape(reverse("mfa_add_webauthn")) + "$")) as add_page:
        submit_form_with(page, "input[name=password]")
    page.wait_for_url(re.compile(re.escape(reverse("mfa_add_webauthn")) + "$"))
    # The key is created under the site's strict policy, not a relaxed one for this page.
    policy = add_page.value.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.fill("input[name=name]", name)


def test_reviewer_enrols_a_security_key_and_signs_in_with_it(page, live_server, make_user, console_errors):
    reviewer = verified(make_user(Role.REVIEWER, email="reviewer@nacta.example.org"))
    cdp, authenticator_id = add_virtual_authenticator(page)
    mfa_index = reverse("mfa_index")
    review_queue = reverse("tracker:review-queue")

    # (1) Without a second factor the reviewer lands on the enrolment page, and nothing else opens.
    log_in(page, live_server, reviewer, next_path=review_queue)
    page.wait_for_url(f"{live_server.url}{mfa_index}")
    for elsewhere in (review_queue, reverse("tracker:home"), reverse("account_email")):
        page.goto(f"{live_server.url}{elsewhere}")
        assert page.url == f"{live_server.url}{mfa_index}", elsewhere
    shoot(page, "webauthn-enrolment-required")

    add_security_key(page, "Office key")
    shoot(page, "webauthn-add-key")
    page.click("#mfa_webauthn_add")
    # allauth issues recovery codes with the first key and shows them straight away.
    page.wait_for_url(re.compile(re.escape(reverse("mfa_view_recovery_codes"))))
    assert page.locator("#recovery_codes").input_value().strip()
    shoot(page, "webauthn-recovery-codes")

    key = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Office key"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1
    sign_count_after_enrolment = credentials[0]["signCount"]

    response = page.goto(f"{live_server.url}{review_queue}")
    assert response is not None and response.status == 200
    assert page.url == f"{live_server.url}{review_queue}"

    # (2) Signed out, the password alone is not enough: the key is asked for, and it lets the reviewer in.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_login"))))
    log_in(page, live_server, reviewer, next_path=review_queue)
    page.wait_for_url(re.compile(re.escape(reverse("mfa_authenticate"))))
    shoot(page, "webauthn-authenticate")
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(f"{live_server.url}{review_queue}")
    assert page.get_by_role("button", name="Sign out").is_visible()
    shoot(page, "webauthn-signed-in-review-queue")
    # The virtual key counted the assertion: the sign-in really went through it.
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert credentials[0]["signCount"] > sign_count_after_enrolment


def test_recovery_codes_issued_with_a_security_key_sign_in_once_each(live_server, page, make_user, console_errors):
    """Enrol a key in the browser (as above), read the codes on allauth's page, then spend one."""
    reviewer = verified(make_user(Role.REVIEWER, email="reviewer@nacta.example.org"))
    add_virtual_authenticator(page)
    log_in(page, live_server, reviewer, next_path=reverse("tracker:review-queue"))
    page.wait_for_url(re.compile(re.escape(reverse("mfa_index"))))
    add_security_key(page, "Spare key")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(re.compile(re.escape(reverse("mfa_view_recovery_codes"))))
    shown = page.locator("#recovery_codes").input_value().split()

    rc = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.RECOVERY_CODES)
    unused = rc.wrap().get_unused_codes()
    assert sorted(shown) == sorted(unused) and len(unused) == 10

    def sign_in_with(code: str) -> Client:
        cache.clear()  # allauth's rate-limit counters
        client = Client()
        response = client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
        client.post(reverse("mfa_authenticate"), {"code": code})
        return client

    code = unused[0]
    client = sign_in_with(code)
    assert client.get(reverse("tracker:review-queue")).status_code == 200
    assert code not in Authenticator.objects.get(pk=rc.pk).wrap().get_unused_codes()

    # Spent: the same code is refused and the stage stays unfinished.
    again = sign_in_with(code)
    response = again.get(reverse("tracker:review-queue"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
