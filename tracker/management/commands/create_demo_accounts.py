"""``manage.py create_demo_accounts``: one account per role to log in with after ``make run``.

Development only: refused unless ``settings.NAP_ALLOW_DEMO_ACCOUNTS`` is true (dev settings). Accounts are made
by the accounts services, as an administrator's would be (audited, verified email address, role and bodies),
so each can log in at once with its email address and the printed password. Each run creates what is missing;
existing accounts keep their password unless ``--reset`` is given. Reporters' bodies also get a few reporting
assignments, taken from the seeded responsibilities, so that "My updates" has something due.

To add a demo account, add an ``AccountSpec`` to ``DEMO_ACCOUNTS``.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Case, Value, When
from django.shortcuts import resolve_url

from tracker import audit, permissions, services
from tracker.choices import Cadence, ResponsibilityRole, Role
from tracker.models import Body, Indicator, Membership, ReportingAssignment, UserRole


@dataclass(frozen=True)
class AccountSpec:
    email: str
    role: str
    description: str
    bodies: tuple[str, ...] = ()
    # No demo account is a superuser: the administrator works through the administrators' group, exactly as an
    # invited administrator does, so the demo shows what a real one can do (and ``--reset`` takes the flag back).
    is_superuser: bool = False


DEMO_ACCOUNTS: list[AccountSpec] = [
    AccountSpec(
        email="admin@napportal.local",
        role=Role.ADMINISTRATOR,
        description="Django admin, users and reference data",
    ),
    AccountSpec(email="reviewer@napportal.local", role=Role.REVIEWER, description="NACTA M&E: review queue, audit"),
    AccountSpec(email="analyst@napportal.local", role=Role.ANALYST, description="approved data, exports"),
    AccountSpec(
        email="punjab@napportal.local",
        role=Role.REPORTER,
        description="Punjab apex committee staff: My updates",
        bodies=("punjab", "apex-committee-punjab"),
    ),
    AccountSpec(
        email="sindh@napportal.local",
        role=Role.REPORTER,
        description="Sindh apex committee staff: My updates",
        bodies=("sindh", "apex-committee-sindh"),
    ),
]
# Reporting assignments per reporter body, and the cadences they cycle through so the page shows each kind.
ASSIGNMENTS_PER_BODY = 3
DEMO_CADENCES = (Cadence.QUARTERLY, Cadence.MONTHLY, Cadence.ANNUAL)


@dataclass
class AccountRow:
    spec: AccountSpec
    password: str
    bodies: list[str]


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
        bodies = {body.slug: body for body in Body.objects.all()}
        rows: list[AccountRow] = []
        skipped: list[AccountSpec] = []
        with transaction.atomic():
            for spec in DEMO_ACCOUNTS:
                if any(slug not in bodies for slug in spec.bodies):
                    skipped.append(spec)
                    continue
                spec_bodies = [bodies[slug] for slug in spec.bodies]
                rows.append(AccountRow(spec, self.ensure_account(spec, spec_bodies, reset=reset), list(spec.bodies)))
            created_assignments = self.ensure_assignments([body for row in rows for body in row.bodies], bodies)
        self.print_accounts(rows, base_url=base_url)
        if skipped:
            self.stdout.write(
                self.style.WARNING(
                    "Not created (their bodies are missing; run `manage.py load_seed` first): "
                    + ", ".join(spec.email for spec in skipped)
                )
            )
        if created_assignments:
            self.stdout.write(f"Reporting assignments created for the demo reporters: {created_assignments}.")

    def ensure_account(self, spec: AccountSpec, bodies: list[Body], *, reset: bool) -> str:
        """Create or reset one account; returns what to print in the password column."""
        User = get_user_model()
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is not None and not reset:
            return "(exists; --reset for a new password)"
        password = generate_password()
        if user is None:
            user = services.user_create(
                actor=None, email=spec.email, role=spec.role, bodies=bodies, password=password, invite=False
            )
        else:
            self.reset_account(user, spec, bodies, password)
        if user.is_superuser != spec.is_superuser:
            user.is_superuser = spec.is_superuser
            user.save(update_fields=["is_superuser"])
        return password

    def reset_account(self, user: Any, spec: AccountSpec, bodies: list[Body], password: str) -> None:
        """A new password, and the account put back as the spec says (role, bodies, verified address)."""
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        audit.record(
            actor=None,
            action="user.password_reset",
            obj=user,
            object_label=user.email,
            reason="create_demo_accounts --reset",
        )
        EmailAddress.objects.filter(user=user).exclude(email__iexact=spec.email).update(primary=False)
        EmailAddress.objects.update_or_create(user=user, email=spec.email, defaults={"verified": True, "primary": True})
        current_role = UserRole.objects.filter(user=user).values_list("role", flat=True).first()
        current_bodies = set(Membership.objects.filter(user=user).values_list("body_id", flat=True))
        if current_role != spec.role or current_bodies != {body.pk for body in bodies}:
            services.user_set_role(actor=None, user=user, role=spec.role, bodies=bodies)
        permissions.forget_access(user)

    def ensure_assignments(self, body_slugs: list[str], bodies: dict[str, Body]) -> int:
        """Give each reporter body a few indicators it is responsible for (lead first, current framework first),
        unless it already has assignments. Returns how many were created."""
        created = 0
        for slug in body_slugs:
            body = bodies[slug]
            if ReportingAssignment.objects.filter(body=body).exists():
                continue
            # One responsibility per item and body (a constraint), so each indicator comes once.
            indicators = (
                Indicator.objects.filter(item__responsibilities__body=body)
                .annotate(
                    lead_first=Case(
                        When(item__responsibilities__role=ResponsibilityRole.LEAD, then=Value(0)), default=Value(1)
                    )
                )
                .order_by("lead_first", "-item__framework__adopted_on", "item__number", "position")[
                    :ASSIGNMENTS_PER_BODY
                ]
            )
            for i, indicator in enumerate(indicators):
                services.assignment_create(
                    actor=None, indicator=indicator, body=body, cadence=DEMO_CADENCES[i % len(DEMO_CADENCES)]
                )
                created += 1
        return created

    def print_accounts(self, rows: list[AccountRow], *, base_url: str) -> None:
        login_url = base_url.rstrip("/") + resolve_url(settings.LOGIN_URL)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo accounts — log in at {login_url} with email and password"))
        table: list[list[str]] = [["email", "password", "role", "bodies", ""]]
        for row in rows:
            role = str(Role(row.spec.role).label)
            table.append([row.spec.email, row.password, role, ", ".join(row.bodies) or "-", row.spec.description])
        widths = [max(len(line[col]) for line in table) for col in range(4)]
        for line in table:
            cells = [line[col].ljust(widths[col]) for col in range(4)]
            self.stdout.write("  " + "  ".join([*cells, line[4]]).rstrip())
        mfa_roles = ", ".join(sorted(str(Role(role).label).lower() for role in permissions.MFA_REQUIRED_ROLES))
        self.stdout.write(
            f"Note: {mfa_roles} accounts must enrol an authenticator app (TOTP) or a security key at first login; "
            "until then they reach only the enrolment page."
        )
