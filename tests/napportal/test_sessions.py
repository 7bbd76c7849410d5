"""Sessions end when idle (sooner for reviewers and administrators) and at an absolute lifetime; what a
signed-in user sees, and every API answer, is never stored by a browser or proxy; the schema needs sign-in."""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apikeys.services import api_token_create
from tests.tracker.workflow.conftest import enrol_totp
from tracker.choices import Role
from tracker.middleware import SESSION_SEEN, SESSION_STARTED

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 60 * MINUTE


def signed_in(user, *, seen_ago: int = 0, started_ago: int = 0) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    now = int(time.time())
    session[SESSION_SEEN] = now - seen_ago
    session[SESSION_STARTED] = now - max(started_ago, seen_ago)
    session.save()
    return client


def is_signed_in(client: Client) -> bool:
    response = client.get("/frameworks/")
    return response.status_code == 200


@pytest.fixture
def enrolled_reviewer(reviewer):
    enrol_totp(reviewer)
    return reviewer


def test_signing_in_starts_the_clock(reporter):
    client = signed_in(reporter)
    assert client.session[SESSION_STARTED] >= int(time.time()) - 5


@pytest.fixture
def enrolled_administrator(make_user):
    administrator = make_user(Role.ADMINISTRATOR)
    enrol_totp(administrator)
    return administrator


@pytest.mark.parametrize(
    ("role", "seen_ago", "still_in"),
    [
        ("reviewer", 29 * MINUTE, True),
        ("reviewer", 31 * MINUTE, False),
        ("administrator", 29 * MINUTE, True),
        ("administrator", 31 * MINUTE, False),
        ("reporter", 31 * MINUTE, True),
        ("reporter", 7 * HOUR, True),
        ("reporter", 8 * HOUR + MINUTE, False),
    ],
)
def test_idle_timeout_depends_on_the_role(request, role, seen_ago, still_in):
    user = request.getfixturevalue("reporter" if role == "reporter" else f"enrolled_{role}")
    client = signed_in(user, seen_ago=seen_ago)
    assert is_signed_in(client) is still_in


def test_idle_timeouts_and_lifetime_are_configurable(reporter, enrolled_reviewer, settings):
    settings.NAP_SESSION_IDLE_SECONDS_PRIVILEGED = 10 * MINUTE
    settings.NAP_SESSION_IDLE_SECONDS = HOUR
    assert not is_signed_in(signed_in(enrolled_reviewer, seen_ago=11 * MINUTE))
    assert is_signed_in(signed_in(reporter, seen_ago=59 * MINUTE))
    assert not is_signed_in(signed_in(reporter, seen_ago=61 * MINUTE))
    settings.NAP_SESSION_ABSOLUTE_SECONDS = 2 * HOUR
    assert not is_signed_in(signed_in(reporter, started_ago=2 * HOUR + MINUTE))


def test_idle_timeout_message_and_redirect(reporter):
    client = signed_in(reporter, seen_ago=9 * HOUR)
    response = client.get("/frameworks/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "without activity" in response.content.decode()


def test_absolute_lifetime_ends_an_active_session(reporter, settings):
    client = signed_in(reporter, started_ago=12 * HOUR + MINUTE)
    assert not is_signed_in(client)


def test_activity_is_written_at_most_once_a_minute(reporter):
    client = signed_in(reporter, seen_ago=10)
    before = client.session[SESSION_SEEN]
    client.get("/frameworks/")
    assert client.session[SESSION_SEEN] == before
    client = signed_in(reporter, seen_ago=2 * MINUTE)
    client.get("/frameworks/")
    assert client.session[SESSION_SEEN] >= int(time.time()) - 5


def test_signed_in_pages_and_api_answers_are_not_stored(reporter):
    assert signed_in(reporter).get("/frameworks/")["Cache-Control"] == "no-store"
    api = APIClient()
    assert api.get("/api/v1/frameworks/")["Cache-Control"] == "no-store"  # the 401 too
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=reporter, user=reporter, name='t')[1]}")
    response = api.get("/api/v1/frameworks/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_schema_needs_sign_in(reporter):
    assert APIClient().get("/api/schema/").status_code == 401
    assert signed_in(reporter).get("/api/schema/").status_code == 200
