from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from tracker.management.commands.create_demo_accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_demo_accounts", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str, username: str) -> str:
    line = next(line for line in output.splitlines() if line.split()[:1] == [username])
    return line.split()[2]


def test_refused_unless_settings_allow_demo_accounts():
    with override_settings(NAP_ALLOW_DEMO_ACCOUNTS=False), pytest.raises(CommandError, match="development only"):
        run()
    assert not get_user_model().objects.exists()


@override_settings(NAP_ALLOW_DEMO_ACCOUNTS=True)
def test_creates_admin_and_prints_login_url_and_password():
    output = run("--base-url", "http://127.0.0.1:8001/")

    assert "http://127.0.0.1:8001/accounts/login/" in output
    admin = get_user_model().objects.get(username="admin")
    assert admin.email == "admin@napportal.local"
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.check_password(printed_password(output, "admin"))


@override_settings(NAP_ALLOW_DEMO_ACCOUNTS=True)
def test_second_run_keeps_accounts_and_passwords():
    password = printed_password(run(), "admin")

    output = run()

    assert "exists" in output
    assert get_user_model().objects.count() == len(DEMO_ACCOUNTS)
    assert get_user_model().objects.get(username="admin").check_password(password)


@override_settings(NAP_ALLOW_DEMO_ACCOUNTS=True)
def test_reset_sets_a_new_password():
    old = printed_password(run(), "admin")

    new = printed_password(run("--reset"), "admin")

    admin = get_user_model().objects.get(username="admin")
    assert new != old
    assert admin.check_password(new) and not admin.check_password(old)
    assert get_user_model().objects.count() == len(DEMO_ACCOUNTS)


@override_settings(NAP_ALLOW_DEMO_ACCOUNTS=True)
def test_passwords_differ_between_fresh_setups():
    first = printed_password(run(), "admin")
    get_user_model().objects.all().delete()
    second = printed_password(run(), "admin")
    assert first != second


def test_generated_passwords_pass_the_password_validators():
    from django.contrib.auth.password_validation import validate_password

    from tracker.management.commands.create_demo_accounts import generate_password

    validate_password(generate_password())  # raises ValidationError if too short, common or numeric
