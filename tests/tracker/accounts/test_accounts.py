"""Accounts through allauth: no sign-up, login by email, MFA required for reviewers and administrators,
rate limits on the Redis cache, the admin login routed through allauth, invitations and `add_user`."""

import io
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tracker import services
from tracker.choices import Role
from tracker.models import AuditEntry, Membership, UserRole

User = get_user_model()
PASSWORD = "a long enough passphrase 42"


def totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


@pytest.fixture
def account(world):
    return services.user_create(
        actor=None, email="Staff@Punjab.example.org", role=Role.REPORTER, bodies=[world.punjab], password=PASSWORD
    )


def test_there_is_no_sign_up(db, client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200 and "Accounts are by invitation" in page.content.decode()
    client.post("/accounts/signup/", {"email": "x@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.exists()


def test_login_by_email_is_audited(account, client):
    response = client.post(reverse("account_login"), {"login": "staff@punjab.example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("tracker:my-updates")).status_code == 200
    entry = AuditEntry.objects.get(action="user.login")
    assert entry.actor == account and entry.request_id


def test_failed_login_is_audited_without_the_password(account, client):
    response = client.post(reverse("account_login"), {"login": account.email, "password": "wrong password!"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="user.login_failed")
    assert entry.actor is None and entry.object_id == str(account.pk)
    assert "wrong password" not in str(entry.before) + str(entry.after) + entry.object_label


def test_failed_logins_are_rate_limited_per_account(account, client):
    for i in range(5):
        client.post(reverse("account_login"), {"login": account.email, "password": f"wrong {i}"})
    # The sixth attempt is refused even with the right password (5 per 5 minutes per account).
    response = client.post(reverse("account_login"), {"login": account.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("tracker:my-updates")).status_code == 302
    assert not AuditEntry.objects.filter(action="user.login").exists()


def test_login_attempts_per_address_get_429(account, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post(reverse("account_login"), {"login": account.email, "password": PASSWORD}).status_code
        for _ in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert (
        "Too many attempts"
        in client.post(reverse("account_login"), {"login": "x@y.org", "password": "z"}).content.decode()
    )


def test_password_reset_is_rate_limited(account, client):
    statuses = [client.post(reverse("account_reset_password"), {"email": account.email}).status_code for _ in range(7)]
    assert 429 in statuses
    assert len(mail.outbox) == 5


def test_reviewer_without_second_factor_reaches_only_enrolment(reviewer, client_as):
    client = client_as(reviewer)
    for url in (reverse("tracker:review-queue"), reverse("tracker:audit-log"), "/admin/", reverse("account_email")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index"), url
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    assert client.post(reverse("account_logout")).status_code == 302


def test_reporter_needs_no_second_factor(reporter, client_as):
    assert client_as(reporter).get(reverse("tracker:my-updates")).status_code == 200


def test_reviewer_logs_in_with_password_and_totp(world, client):
    reviewer = services.user_create(actor=None, email="me@nacta.example.org", role=Role.REVIEWER, password=PASSWORD)
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    response = client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: the queue sends us to log in.
    assert client.get(reverse("tracker:review-queue")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("tracker:review-queue")).status_code == 200


def test_wrong_totp_codes_are_rate_limited(world, client):
    reviewer = services.user_create(actor=None, email="me@nacta.example.org", role=Role.REVIEWER, password=PASSWORD)
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    # After five wrong codes even the right one is refused for a while.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("tracker:review-queue")).status_code == 302


def test_admin_login_goes_through_allauth(administrator, reporter, client, client_as_enrolled, client_as):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login")) and "next=%2Fadmin%2F" in response["Location"]
    administrator.is_staff = True
    administrator.save()
    assert client_as_enrolled(administrator).get("/admin/").status_code == 200
    # A signed-in user who is not staff is refused, not offered the admin's own login form.
    assert client_as(reporter).get("/admin/login/").status_code == 403


def test_log_out_everywhere(account):
    first, second = Client(), Client()
    for c in (first, second):
        c.post(reverse("account_login"), {"login": account.email, "password": PASSWORD})
    assert second.get(reverse("tracker:my-updates")).status_code == 200
    assert first.get(reverse("usersessions_list")).status_code == 200
    first.post(reverse("usersessions_list"))
    assert second.get(reverse("tracker:my-updates")).status_code == 302
    assert first.get(reverse("tracker:my-updates")).status_code == 200


# --- Creating accounts ----------------------------------------------------------------------------------------
def test_add_user_with_password_from_stdin(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "add_user",
        "Ana@Sindh.example.org",
        "--role",
        "reporter",
        "--body",
        "sindh",
        "--body",
        "punjab",
        "--password-stdin",
        stdout=out,
    )
    user = User.objects.get(email="ana@sindh.example.org")
    assert user.check_password(PASSWORD)
    assert UserRole.objects.get(user=user).role == Role.REPORTER
    assert set(Membership.objects.filter(user=user).values_list("body__slug", flat=True)) == {"sindh", "punjab"}
    assert mail.outbox == []
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.actor is None and (entry.after or {})["bodies"] == ["punjab", "sindh"]
    assert "Created ana@sindh.example.org" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@example.org", "--role", "reporter", "--body", "atlantis"], "Unknown body slug"),
        (["x@example.org", "--role", "reporter"], "at least one body"),
        (["not-an-email", "--role", "analyst"], "valid email"),
    ],
)
def test_add_user_refuses_bad_input(args, message, world):
    with pytest.raises(CommandError, match=message):
        call_command("add_user", *args)
    assert not User.objects.exists()


def test_add_user_refuses_a_weak_password(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("add_user", "x@example.org", "--role", "analyst", "--password-stdin")


def test_invitation_sets_a_password_and_lets_the_user_in(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "add_user", "new@punjab.example.org", "--role", "reporter", "--body", "punjab", stdout=io.StringIO()
        )
    assert User.objects.get(email="new@punjab.example.org").has_usable_password() is False
    (message,) = mail.outbox
    url = re.search(r"https?://\S+", str(message.body)).group(0)  # type: ignore[union-attr]
    path = url.split("8000", 1)[1]
    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key into the session
    form_url = response["Location"]
    response = client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert (
        client.post(reverse("account_login"), {"login": "new@punjab.example.org", "password": PASSWORD}).status_code
        == 302
    )
    assert client.get(reverse("tracker:my-updates")).status_code == 200


def test_invite_page_limits_roles_for_reviewers(
    world, reviewer, administrator, client_as_enrolled, django_capture_on_commit_callbacks
):
    client = client_as_enrolled(reviewer)
    response = client.post(reverse("tracker:user-invite"), {"email": "boss@example.org", "role": "administrator"})
    assert response.status_code == 200 and not User.objects.filter(email="boss@example.org").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tracker:user-invite"),
            {"email": "clerk@punjab.example.org", "role": "reporter", "bodies": [world.punjab.pk]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["clerk@punjab.example.org"]
    assert AuditEntry.objects.get(action="user.create").actor == reviewer
    admin_client = client_as_enrolled(administrator)
    admin_client.post(reverse("tracker:user-invite"), {"email": "boss@example.org", "role": "administrator"})
    assert User.objects.get(email="boss@example.org").is_staff


def test_role_change_is_audited(world, reporter, administrator):
    services.user_set_role(actor=administrator, user=reporter, role=Role.ANALYST, bodies=[])
    entry = AuditEntry.objects.get(action="user.role_change")
    assert entry.before == {"role": "reporter", "bodies": ["punjab"]}
    assert entry.after == {"role": "analyst", "bodies": []}
    assert not Membership.objects.filter(user=reporter).exists()


def test_duplicate_email_is_refused(account):
    with pytest.raises(Exception, match="already exists"):
        services.user_create(actor=None, email="STAFF@punjab.example.org", role=Role.ANALYST, password=PASSWORD)


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_reset_password", "account_signup"],
)
def test_anonymous_account_pages_use_the_portal_layout(url_name, db, client):
    page = client.get(reverse(url_name)).content.decode()
    assert 'class="site-header"' in page and "<title>" in page


@pytest.mark.parametrize(
    "url_name",
    ["account_email", "account_change_password", "mfa_index", "usersessions_list"],
)
def test_account_management_pages_use_the_portal_layout(url_name, reporter, client_as):
    response = client_as(reporter).get(reverse(url_name), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in page and 'class="account-nav wrap"' in page


def test_a_new_email_address_must_be_verified(account, client):
    client.post(reverse("account_login"), {"login": account.email, "password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "second@punjab.example.org"})
    from allauth.account.models import EmailAddress

    added = EmailAddress.objects.get(email="second@punjab.example.org")
    assert added.verified is False and added.primary is False
    assert mail.outbox and mail.outbox[-1].to == ["second@punjab.example.org"]


def test_login_and_logout_names_resolve_to_allauth(db):
    from django.urls import resolve

    assert resolve(reverse("login")).func.__name__ == resolve(reverse("account_login")).func.__name__
    assert reverse("logout") == reverse("account_logout")
