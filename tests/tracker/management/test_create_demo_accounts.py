"""`create_demo_accounts`: one account per role, made through the services, able to log in at once."""

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from tracker import services
from tracker.choices import Role
from tracker.management.commands.create_demo_accounts import DEMO_ACCOUNTS, generate_password
from tracker.models import AuditEntry, Membership, ReportingAssignment, Responsibility, UserRole
from tracker.seeding import seed_load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_clear_rate_limits")]
User = get_user_model()
allow_demo_accounts = override_settings(NAP_ALLOW_DEMO_ACCOUNTS=True)
EXISTS = "(exists;"


@pytest.fixture
def _clear_rate_limits():
    # Login rate-limit counters live in the shared cache (Redis in tests).
    cache.clear()


@pytest.fixture
def seeded() -> None:
    seed_load(directory=Path(settings.BASE_DIR) / "fixtures")


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_demo_accounts", *args, stdout=out)
    return out.getvalue()


def printed_row(output: str, email: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.split()[:1] == [email])


def printed_passwords(output: str) -> dict[str, str]:
    return {spec.email: printed_row(output, spec.email)[1] for spec in DEMO_ACCOUNTS}


def state() -> dict[str, object]:
    """What a second run must leave as it was."""
    return {
        "users": sorted(User.objects.values_list("email", "password", "is_staff", "is_superuser")),
        "roles": sorted(UserRole.objects.values_list("user__email", "role")),
        "memberships": sorted(Membership.objects.values_list("user__email", "body__slug")),
        "emails": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "assignments": sorted(ReportingAssignment.objects.values_list("body__slug", "indicator__code", "cadence")),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.usefixtures("seeded")
def test_refused_under_the_test_settings():
    assert settings.NAP_ALLOW_DEMO_ACCOUNTS is False  # napportal.settings.test, as in production
    with pytest.raises(CommandError, match="development only"):
        run()
    assert not User.objects.exists()
    assert not ReportingAssignment.objects.exists()
    assert not AuditEntry.objects.exists()


def test_refused_whenever_settings_do_not_allow_demo_accounts():
    with override_settings(NAP_ALLOW_DEMO_ACCOUNTS=False), pytest.raises(CommandError, match="development only"):
        run()
    with override_settings(), pytest.raises(CommandError, match="development only"):
        del settings.NAP_ALLOW_DEMO_ACCOUNTS  # unset counts as not allowed
        run()
    assert not User.objects.exists()


def test_refused_under_the_production_settings():
    """The real command in a fresh process, as an operator would run it on a server."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "napportal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        # Refused before any connection is made: these need not exist.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "create_demo_accounts"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "development only" in result.stderr and "napportal.settings.production" in result.stderr


@allow_demo_accounts
@pytest.mark.usefixtures("seeded")
def test_one_account_per_role_with_its_bodies_made_through_the_audited_services():
    output = run("--base-url", "http://127.0.0.1:8001/")

    assert "http://127.0.0.1:8001/accounts/login/" in output
    assert "authenticator app (TOTP)" in output
    expected = {
        "admin@napportal.local": (Role.ADMINISTRATOR, []),
        "reviewer@napportal.local": (Role.REVIEWER, []),
        "analyst@napportal.local": (Role.ANALYST, []),
        "punjab@napportal.local": (Role.REPORTER, ["apex-committee-punjab", "punjab"]),
        "sindh@napportal.local": (Role.REPORTER, ["apex-committee-sindh", "sindh"]),
    }
    assert {spec.email for spec in DEMO_ACCOUNTS} == set(expected)
    for email, (role, bodies) in expected.items():
        user = User.objects.get(email=email)
        assert user.nap_role.role == role
        assert sorted(user.memberships.values_list("body__slug", flat=True)) == bodies
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
        assert user.check_password(printed_row(output, email)[1])
        assert user.is_staff == (role == Role.ADMINISTRATOR)
        row = " ".join(printed_row(output, email))
        assert str(role.label) in row and all(slug in row for slug in bodies)
        assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk), actor=None).count() == 1
    # The demo administrator is what an invited one is: staff through the group, not a superuser.
    admin = User.objects.get(email="admin@napportal.local")
    assert not admin.is_superuser
    assert admin.has_perm("tracker.change_body") and not admin.has_perm("tracker.change_observation")


@allow_demo_accounts
@pytest.mark.usefixtures("seeded")
def test_the_demo_keeps_provincial_verification_off_for_every_body():
    """Provincial verification is opt-in per body (issue 11): the seed and the demo leave today's flow."""
    from tracker.models import Body

    run()
    assert Body.objects.exists() and not Body.objects.filter(requires_verification=True).exists()
    assert not UserRole.objects.filter(role=Role.VERIFIER).exists()


@allow_demo_accounts
@pytest.mark.usefixtures("seeded")
def test_reporters_get_assignments_their_bodies_are_responsible_for():
    run()

    assignments = list(ReportingAssignment.objects.select_related("indicator", "body"))
    reporter_bodies = {slug for spec in DEMO_ACCOUNTS if spec.role == Role.REPORTER for slug in spec.bodies}
    assert {a.body.slug for a in assignments} == reporter_bodies
    for a in assignments:
        assert Responsibility.objects.filter(item_id=a.indicator.item_id, body=a.body).exists(), a
    assert {a.cadence for a in assignments} == {"monthly", "quarterly", "annual"}
    assert AuditEntry.objects.filter(action="assignment.create").count() == len(assignments)


@allow_demo_accounts
@pytest.mark.usefixtures("seeded")
def test_printed_passwords_log_in_through_allauth():
    passwords = printed_passwords(run())

    for spec in DEMO_ACCOUNTS:
        client = Client()
        response = client.post(reverse("account_login"), {"login": spec.email, "password": passwords[spec.email]})
        assert response.status_code == 302, spec.email
        home = client.get(reverse("tracker:framework-list"))
        if spec.role in (Role.REVIEWER, Role.ADMINISTRATOR):
            # The policy the note announces: enrol a second factor before anything else.
            assert home.status_code == 302 and home["Location"] == reverse("mfa_index"), spec.email
        else:
            assert home.status_code == 200, spec.email
        if spec.role == Role.REPORTER:
            page = client.get(reverse("tracker:my-updates"))
            assert page.status_code == 200
            user = User.objects.get(email=spec.email)
            for assignment in ReportingAssignment.objects.filter(body__memberships__user=user):
                assert assignment.indicator.name in page.content.decode()


@allow_demo_accounts
@pytest.mark.usefixtures("seeded")
def test_second_run_changes_nothing_and_says_the_accounts_exist():
    first = run()
    before = state()

    second = run()

    assert state() == before
    for spec in DEMO_ACCOUNTS:
        assert printed_row(second, spec.email)[1] == EXISTS
        assert User.objects.get(email=spec.email).check_password(printed_row(first, spec.email)[1])


@allow_demo_accounts
@pytest.mark.usefixtures("seeded")
def test_reset_gives_new_passwords_and_restores_role_and_bodies():
    old = printed_passwords(run())
    punjab = User.objects.get(email="punjab@napportal.local")
    services.user_set_role(actor=None, user=punjab, role=Role.ANALYST, bodies=[])
    assignments = ReportingAssignment.objects.count()

    new = printed_passwords(run("--reset"))

    assert User.objects.count() == len(DEMO_ACCOUNTS)
    for spec in DEMO_ACCOUNTS:
        user = User.objects.get(email=spec.email)
        assert new[spec.email] != old[spec.email]
        assert user.check_password(new[spec.email]) and not user.check_password(old[spec.email])
    assert AuditEntry.objects.filter(action="user.password_reset").count() == len(DEMO_ACCOUNTS)
    punjab.refresh_from_db()
    assert punjab.nap_role.role == Role.REPORTER
    assert sorted(punjab.memberships.values_list("body__slug", flat=True)) == ["apex-committee-punjab", "punjab"]
    assert ReportingAssignment.objects.count() == assignments


@allow_demo_accounts
def test_without_seed_data_reporters_wait_for_load_seed():
    output = run()

    assert "load_seed" in output
    assert not UserRole.objects.filter(role=Role.REPORTER).exists()
    assert not ReportingAssignment.objects.exists()
    assert set(User.objects.values_list("email", flat=True)) == {
        spec.email for spec in DEMO_ACCOUNTS if not spec.bodies
    }


def test_generated_passwords_pass_the_password_validators():
    from django.contrib.auth.password_validation import validate_password

    passwords = {generate_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        validate_password(password)  # raises ValidationError if too short, common or numeric
