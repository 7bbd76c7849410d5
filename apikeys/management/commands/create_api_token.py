"""``manage.py create_api_token EMAIL [--name NAME] [--expires-in 30d]``: a token for a (service) account.

Prints the secret once on standard output; only its digest is stored.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import services


class Command(BaseCommand):
    help = "Create a personal API token for the user with this email; prints the token once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="service account", help="What will use the token.")
        parser.add_argument("--expires-in", default="30d", help="Lifetime: 12h, 30d, 2w (at most 366d).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']}.")
        try:
            lifetime = services.parse_lifetime(options["expires_in"])
            token, secret = services.api_token_create(actor=None, user=user, name=options["name"], lifetime=lifetime)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"Token {token.token_key}… for {user.email}, expires {token.expiry:%Y-%m-%d %H:%M %Z}.")
        self.stdout.write(secret)
