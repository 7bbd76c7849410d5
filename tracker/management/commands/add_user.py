"""`manage.py add_user EMAIL --role ROLE [--body SLUG ...] [--password-stdin]`."""

import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.choices import Role
from tracker.models import Body
from tracker.services import user_create


class Command(BaseCommand):
    help = "Create a portal account with a role and bodies; sends an invitation unless a password is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--body", action="append", default=[], dest="bodies", metavar="SLUG")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input (no invitation)."
        )

    def handle(
        self, *args: Any, email: str, role: str, bodies: list[str], password_stdin: bool, **options: Any
    ) -> None:
        found = {b.slug: b for b in Body.objects.filter(slug__in=bodies)}
        unknown = sorted(set(bodies) - set(found))
        if unknown:
            raise CommandError(f"Unknown body slug(s): {', '.join(unknown)}")
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        try:
            user = user_create(
                actor=None, email=email, role=role, bodies=[found[s] for s in bodies], password=password, invite=True
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        how = "password set" if password else "invitation sent"
        self.stdout.write(self.style.SUCCESS(f"Created {user.email} ({role}; {how})."))
