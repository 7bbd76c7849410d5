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
from tracker.accounts.factors import meets_mfa_requirement

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
    if not meets_mfa_requirement(user):
        # A token made now would act without the second factor the role requires of every sign-in.
        raise ValidationError(
            _("This account's role requires two-factor authentication: enrol an authenticator before creating a token.")
        )
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


# Why every token of an account is revoked at once; the reason is kept in the audit entry.
REVOKE_AUTHENTICATOR_REMOVED = "authenticator_removed"
REVOKE_PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a reason, not a password)
REVOKE_ROLE_CHANGED = "role_changed"


def api_tokens_revoke_all(*, actor: Any, user: Any, reason: str) -> int:
    """Revoke every token of ``user`` because their account's security changed; one audit entry if any existed.

    A token is issued under the factors and role of the moment. When the last authenticator goes, the password
    changes (or is reset) or the role changes, what was vouched for no longer holds, so the tokens go with it.
    Call it inside the transaction that makes the change.
    """
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(user=user).order_by("token_key")
        keys = list(tokens.values_list("token_key", flat=True))
        if not keys:
            return 0
        ApiToken.objects.filter(user=user, token_key__in=keys).delete()
        audit.record(
            actor=actor,
            action="api_token.revoke_all",
            obj=user,
            object_label=user.get_username(),
            before={"tokens": keys},
            after={"tokens": []},
            reason=reason,
        )
    return len(keys)
