"""Error pages in the portal's layout: what happened and where to go; the 500 page without the database."""

import re

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, hotp_value, yield_hotp_counters_from_time
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tracker import services
from tracker.choices import Role

PASSWORD = "a long enough passphrase 42"
LAYOUT = 'class="site-header"'


def _unreachable(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def test_404_is_in_the_layout_with_the_users_navigation(reporter, client_as):
    response = client_as(reporter).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and LAYOUT in html
    assert "This page does not exist" in html and reverse("tracker:my-updates") in html  # their own navigation
    assert "Go to the portal&#x27;s start page" in html or "Go to the portal's start page" in html


def test_404_for_a_visitor_offers_to_sign_in(db, client):
    html = client.get("/no-such-page/").content.decode()
    assert reverse("account_login") + "?next=/no-such-page/" in html


def test_403_says_what_happened_and_where_to_go(analyst, client_as):
    response = client_as(analyst).get(reverse("tracker:review-queue"))
    html = response.content.decode()
    assert response.status_code == 403 and LAYOUT in html
    assert "You may not do this" in html and "Nothing was changed" in html and reverse("tracker:home") in html


def test_csrf_failure_is_in_the_layout(reporter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    response = client.post(reverse("tracker:observation-create"), {})
    html = response.content.decode()
    assert response.status_code == 403 and LAYOUT in html
    assert "The form could not be accepted" in html and "Nothing was saved" in html
    assert reverse("tracker:my-updates") in html  # rendered with the request: the reporter's navigation


def test_429_is_in_the_layout(reporter, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client.post(reverse("account_login"), {"login": reporter.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": reporter.email, "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 429 and LAYOUT in html and reverse("account_reset_password") in html


def test_500_page_renders_with_the_database_unreachable(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    with connection.execute_wrapper(_unreachable), django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500 and LAYOUT in html
    assert "Something went wrong on our side" in html and 'href="/"' in html


@pytest.mark.urls("tests.napportal.error_urls")
def test_a_bug_gets_the_500_page_in_the_layout(reporter):
    # (With the database or Redis down, napportal/faults.py answers 503 instead; the 500 page itself needs
    # neither, see the test above.)
    client = Client(raise_request_exception=False)
    client.force_login(reporter)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500 and LAYOUT in html and "Something went wrong on our side" in html
    # Rendered without the request: it names no one and offers no navigation it could not check.
    assert reporter.email not in html and reverse("tracker:my-updates") not in html


@pytest.fixture
def new_reviewer(db):
    """A reviewer signed in for real: allauth lets only a freshly authenticated user add an authenticator."""
    return services.user_create(actor=None, email="new@nacta.example.org", role=Role.REVIEWER, password=PASSWORD)


def test_after_enrolling_totp_a_reviewer_lands_on_the_review_queue(new_reviewer, client):
    client.post(reverse("account_login"), {"login": new_reviewer.email, "password": PASSWORD})
    assert client.get(reverse("tracker:review-queue"))["Location"] == reverse("mfa_index")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # allauth asks before adding a factor
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = f"{hotp_value(secret, next(iter(yield_hotp_counters_from_time()))):06d}"
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    # allauth shows the recovery codes it has just issued, once; the page leads on to the queue.
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")
    codes = client.get(response["Location"]).content.decode()
    assert "Two-factor authentication is on" in codes
    assert re.search(r'<a class="button" href="/review/">Continue to the review queue</a>', codes)
    assert client.get(reverse("tracker:review-queue")).status_code == 200
    # Once on their way, the account pages stop offering it.
    assert "Continue to the review queue" not in client.get(reverse("mfa_index")).content.decode()


@pytest.fixture
def new_verifier(world):
    """A provincial verifier signed in for real: MFA like reviewers, and their work is in the queue too."""
    return services.user_create(
        actor=None, email="new@punjab.example.org", role=Role.VERIFIER, bodies=[world.punjab], password=PASSWORD
    )


@pytest.mark.parametrize("who", ["new_reviewer", "new_verifier"])
def test_enrolment_without_new_recovery_codes_lands_on_the_queue(who, request, db, client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    new_user = request.getfixturevalue(who)
    RecoveryCodes.activate(new_user)  # codes already issued: allauth would go back to the account page
    client.post(reverse("account_login"), {"login": new_user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = f"{hotp_value(secret, next(iter(yield_hotp_counters_from_time()))):06d}"
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("tracker:review-queue")
    assert client.get(response["Location"]).status_code == 200


def test_a_wrong_enrolment_code_stays_on_the_form(new_reviewer, client):
    client.post(reverse("account_login"), {"login": new_reviewer.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
