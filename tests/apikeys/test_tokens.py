"""Personal API tokens: created by the user and shown once, stored hashed, expiring, revocable, last use kept."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apikeys.models import ApiToken
from apikeys.services import api_token_create, parse_lifetime
from tracker.models import AuditEntry, Membership, UserRole


@pytest.fixture
def reporter(django_user_model, db):
    from tracker.models import Body

    user = django_user_model.objects.create_user(username="r@example.org", email="r@example.org", password="x" * 16)
    UserRole.objects.create(user=user, role="reporter")
    Membership.objects.create(
        user=user, body=Body.objects.create(slug="punjab", name="Punjab", short_name="Punjab", kind="province")
    )
    return user


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_page_creates_a_token_shown_once_and_stores_only_its_digest(reporter):
    client = Client()
    client.force_login(reporter)
    response = client.post("/api-tokens/", {"name": "monthly upload", "lifetime": "30d"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret.startswith("nap_") and secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.name == "monthly upload" and token.user == reporter
    assert secret not in (token.digest, token.token_key) and token.digest != secret
    assert timedelta(days=29) < token.expiry - timezone.now() <= timedelta(days=30)
    # Listed afterwards without the secret.
    listing = client.get("/api-tokens/").content.decode()
    assert "monthly upload" in listing and secret not in listing
    assert AuditEntry.objects.filter(action="api_token.create", actor=reporter).count() == 1


def test_token_authenticates_and_records_last_use(reporter):
    token, secret = api_token_create(actor=reporter, user=reporter, name="script")
    assert token.last_used_at is None
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_stops_working_and_the_revocation_is_audited(reporter):
    token, secret = api_token_create(actor=reporter, user=reporter, name="script")
    client = Client()
    client.force_login(reporter)
    assert client.post(f"/api-tokens/{token.token_key}/revoke/").status_code == 302
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke", object_id=token.token_key).count() == 1


def test_another_users_token_cannot_be_revoked(reporter, django_user_model):
    other = django_user_model.objects.create_user(username="o@example.org", email="o@example.org", password="x" * 16)
    token, secret = api_token_create(actor=other, user=other, name="theirs")
    client = Client()
    client.force_login(reporter)
    assert client.post(f"/api-tokens/{token.token_key}/revoke/").status_code == 404
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 200


def test_expired_token_is_refused(reporter):
    token, secret = api_token_create(actor=reporter, user=reporter, name="old")
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    response = bearer(secret).get("/api/v1/frameworks/")
    assert response.status_code == 401 and response.json()["status"] == 401


def test_inactive_users_tokens_are_refused(reporter):
    _, secret = api_token_create(actor=reporter, user=reporter, name="script")
    reporter.is_active = False
    reporter.save()
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 401


def test_command_creates_a_working_token_for_a_service_account(reporter):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "R@example.org", "--expires-in", "2d", "--name", "etl", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(name="etl")
    assert timedelta(days=1, hours=23) < token.expiry - timezone.now() <= timedelta(days=2)
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 200


@pytest.mark.parametrize("bad", ["forever", "0d", "400d", "30"])
def test_command_refuses_bad_lifetimes(reporter, bad):
    with pytest.raises(CommandError):
        call_command("create_api_token", "r@example.org", "--expires-in", bad, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_command_refuses_unknown_email(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody@example.org", stdout=StringIO(), stderr=StringIO())


def test_parse_lifetime():
    assert parse_lifetime("12h") == timedelta(hours=12)
    assert parse_lifetime("2w") == timedelta(weeks=2)


def test_a_token_acts_only_within_its_users_scope(reporter, django_user_model):
    from tracker.models import Body

    _, secret = api_token_create(actor=reporter, user=reporter, name="script")
    sindh = Body.objects.create(slug="sindh", name="Sindh", short_name="Sindh", kind="province")
    response = bearer(secret).get(f"/api/v1/imports/template/?body={sindh.slug}&format=csv")
    assert response.status_code == 403
    assert bearer(secret).get("/api/v1/imports/template/?body=punjab&format=csv").status_code == 200
