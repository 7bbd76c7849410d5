"""Tokens bound to the account's security: they stop when the second factor goes, the password changes or is
reset, or the role changes (each revocation audited with its reason); none is made for an unenrolled MFA role."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from apikeys.models import ApiToken
from apikeys.services import api_token_create
from tests.apikeys.test_tokens import bearer
from tests.tracker.workflow.conftest import enrol_totp
from tracker.choices import Role
from tracker.models import AuditEntry
from tracker.services.accounts import user_set_role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def enrolled_reviewer(reviewer):
    enrol_totp(reviewer)
    return reviewer


def _revocations(user, reason):
    return AuditEntry.objects.filter(action="api_token.revoke_all", object_id=str(user.pk), reason=reason)


@pytest.fixture(params=[Role.REVIEWER, Role.ADMINISTRATOR])
def unenrolled(request, world, make_user):
    """A reviewer or an administrator: the roles that must have a second factor, here without one."""
    return world.user("reviewer") if request.param == Role.REVIEWER else make_user(Role.ADMINISTRATOR)


def test_mfa_role_without_authenticator_gets_no_token(unenrolled):
    with pytest.raises(ValidationError, match="two-factor"):
        api_token_create(actor=unenrolled, user=unenrolled, name="script")
    with pytest.raises(CommandError, match="two-factor"):
        call_command("create_api_token", unenrolled.email, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_a_token_of_an_unenrolled_mfa_role_does_not_authenticate(unenrolled):
    # A token made before the rule (or by hand) still cannot act without the second factor.
    _token, secret = ApiToken.objects.create(user=unenrolled, expiry=None, name="old")
    response = bearer(secret).get("/api/v1/frameworks/")
    assert response.status_code == 401
    assert "two-factor" in response.json()["message"]


def test_removing_the_last_authenticator_revokes_the_tokens(enrolled_reviewer):
    _token, secret = api_token_create(actor=enrolled_reviewer, user=enrolled_reviewer, name="script")
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 200
    # What allauth's "deactivate" page does (after its reauthentication step) and the admin's delete do alike.
    Authenticator.objects.get(user=enrolled_reviewer, type=Authenticator.Type.TOTP).delete()
    assert not Authenticator.objects.filter(user=enrolled_reviewer, type=Authenticator.Type.TOTP).exists()
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 401
    assert not ApiToken.objects.exists()
    assert _revocations(enrolled_reviewer, "authenticator_removed").count() == 1


def test_a_second_authenticator_left_keeps_the_tokens(enrolled_reviewer):
    Authenticator.objects.create(user=enrolled_reviewer, type=Authenticator.Type.WEBAUTHN, data={})
    api_token_create(actor=enrolled_reviewer, user=enrolled_reviewer, name="script")
    Authenticator.objects.filter(user=enrolled_reviewer, type=Authenticator.Type.TOTP).delete()
    assert ApiToken.objects.count() == 1


def test_password_change_revokes_the_tokens(reporter):
    _token, secret = api_token_create(actor=reporter, user=reporter, name="script")
    client = Client()
    client.force_login(reporter)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a new and long passphrase", "password2": "a new and long passphrase"},
    )
    assert response.status_code == 302, response.content
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 401
    assert _revocations(reporter, "password_changed").count() == 1


def test_password_reset_revokes_the_tokens(reporter):
    from allauth.account.forms import ResetPasswordKeyForm

    api_token_create(actor=reporter, user=reporter, name="script")
    form = ResetPasswordKeyForm(
        data={"password1": "a new and long passphrase", "password2": "a new and long passphrase"}, user=reporter
    )
    assert form.is_valid(), form.errors
    form.save()
    assert not ApiToken.objects.exists()
    assert _revocations(reporter, "password_changed").count() == 1


def test_a_rehash_of_the_same_password_keeps_the_tokens(reporter):
    api_token_create(actor=reporter, user=reporter, name="script")
    reporter.set_password(PASSWORD)  # what a hasher upgrade at login does
    reporter.save(update_fields=["password"])
    assert ApiToken.objects.count() == 1
    assert not AuditEntry.objects.filter(action="api_token.revoke_all").exists()


def test_role_change_and_role_removal_revoke_the_tokens(reporter):
    api_token_create(actor=reporter, user=reporter, name="script")
    user_set_role(actor=None, user=reporter, role=Role.ANALYST, bodies=[])
    assert not ApiToken.objects.exists()
    assert _revocations(reporter, "role_changed").count() == 1

    api_token_create(actor=reporter, user=reporter, name="again")
    reporter.nap_role.delete()
    assert not ApiToken.objects.exists()
    assert _revocations(reporter, "role_changed").count() == 2
