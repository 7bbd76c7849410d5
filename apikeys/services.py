"""Creating and revoking personal API tokens; each write is audited beside the change."""

import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from apikeys.models import ApiToken
from tracker import audit

DEFAULT_LIFETIME = timedelta(days=30)
# A token that never expires is a password nobody rotates.
MAX_LIFETIME = timedelta(days=366)
_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_lifetime(text: str) -> timedelta:
    """``"30d"``, ``"12h"``, ``"2w"`` → a timedelta within ``MAX_LIFETIME``."""
    match = _DURATION.match(text or "")
    if match is None:
        raise ValidationError(_("Give the lifetime as a number and a unit: 12h, 30d or 2w."))
    lifetime = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if lifetime <= timedelta(0) or lifetime > MAX_LIFETIME:
        raise ValidationError(_("A token lives between one hour and 366 days."))
    return lifetime


def api_token_create(
    *, actor: Any, user: Any, name: str, lifetime: timedelta = DEFAULT_LIFETIME
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret, which is shown once and never stored.

    Users create their own tokens; the management command (``actor=None``) creates them for service accounts.
    """
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("You can only create tokens for yourself."))
    if not user.is_active:
        raise ValidationError(_("This account is inactive."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it.")})
    if lifetime <= timedelta(0) or lifetime > MAX_LIFETIME:
        raise ValidationError(_("A token lives between one hour and 366 days."))
    with transaction.atomic():
        token, secret = ApiToken.objects.create(user=user, expiry=lifetime, name=name[:100])
        audit.record(
            actor=actor,
            action="api_token.create",
            object_type="apikeys.apitoken",
            object_id=token.token_key,
            object_label=f"{token.name} ({user.get_username()})",
            after={"name": token.name, "user": user.pk, "expiry": token.expiry},
        )
    return token, secret


def api_token_revoke(*, actor: Any, token_key: str) -> None:
    """Revoke one of the actor's tokens at once. Another user's token does not exist for them."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=actor, token_key=token_key).first()
        if token is None:
            raise Http404
        audit.record(
            actor=actor,
            action="api_token.revoke",
            object_type="apikeys.apitoken",
            object_id=token.token_key,
            object_label=f"{token.name} ({actor.get_username()})",
            before={"name": token.name, "expiry": token.expiry},
        )
        token.delete()
