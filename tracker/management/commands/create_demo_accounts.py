"""``manage.py create_demo_accounts``: the accounts a developer logs in with after ``make run``.

Development only: refused unless ``settings.NAP_ALLOW_DEMO_ACCOUNTS`` is true (dev settings). Each run creates
the missing accounts with fresh random passwords and prints them; existing accounts keep their password
unless ``--reset`` is given. To add a demo account (a reporter of one province, a reviewer…), add an
``AccountSpec`` to ``DEMO_ACCOUNTS``; its ``setup`` callable gives the new user its roles and bodies.

This is a development tool, not a domain write: real accounts are created through the accounts services.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.shortcuts import resolve_url


@dataclass(frozen=True)
class AccountSpec:
    username: str
    email: str
    description: str
    is_superuser: bool = False
    is_staff: bool = False
    # Called with the user after it is created or reset, inside the same transaction: roles, bodies, MFA…
    setup: Callable[[AbstractUser], None] | None = None


DEMO_ACCOUNTS: list[AccountSpec] = [
    AccountSpec(
        username="admin",
        email="admin@napportal.local",
        description="administrator (Django admin, all data)",
        is_superuser=True,
        is_staff=True,
    ),
]


def generate_password() -> str:
    # 16 URL-safe characters: passes the validators and can be typed from the screen.
    return secrets.token_urlsafe(12)


class Command(BaseCommand):
    help = "Create the demo accounts of the development setup and print their passwords (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Give existing demo accounts a new password and print it."
        )
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Where the portal is served, for the login link."
        )

    def handle(self, *args: Any, reset: bool, base_url: str, **options: Any) -> None:
        if not getattr(settings, "NAP_ALLOW_DEMO_ACCOUNTS", False):
            raise CommandError(
                "Demo accounts are for development only and are disabled by these settings "
                f"({settings.SETTINGS_MODULE}: NAP_ALLOW_DEMO_ACCOUNTS is false). "
                "Create real accounts through the admin or the accounts commands."
            )
        rows: list[tuple[AccountSpec, str]] = []
        with transaction.atomic():
            for spec in DEMO_ACCOUNTS:
                rows.append((spec, self.ensure_account(spec, reset=reset)))

        login_url = base_url.rstrip("/") + resolve_url(settings.LOGIN_URL)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo accounts — log in at {login_url}"))
        name_width = max(len(spec.username) for spec, _ in rows)
        email_width = max(len(spec.email) for spec, _ in rows)
        password_width = max(len(password) for _, password in rows)
        for spec, password in rows:
            self.stdout.write(
                f"  {spec.username:<{name_width}}  {spec.email:<{email_width}}  {password:<{password_width}}  "
                f"{spec.description}"
            )

    def ensure_account(self, spec: AccountSpec, *, reset: bool) -> str:
        """Create or reset one account; returns what to print in the password column."""
        user_model = get_user_model()
        user = user_model.objects.filter(username=spec.username).first()
        if user is not None and not reset:
            return "(exists; --reset for a new password)"
        password = generate_password()
        if user is None:
            user = user_model(username=spec.username, email=spec.email)
        user.email = spec.email
        user.is_superuser = spec.is_superuser
        user.is_staff = spec.is_staff
        user.is_active = True
        user.set_password(password)
        user.save()
        if spec.setup is not None:
            spec.setup(user)
        return password
