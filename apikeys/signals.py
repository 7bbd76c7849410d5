"""Revoking an account's tokens when its security changes, whichever path made the change.

Model signals rather than allauth's: an authenticator deleted in the admin or a password set by
``manage.py changepassword`` must revoke tokens as surely as the account pages do. The audit entry names the
reason; its request id says which request did it.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, pre_save

from apikeys import services


def connect() -> None:
    from allauth.mfa.models import Authenticator

    from tracker.models import UserRole

    post_delete.connect(authenticator_deleted, sender=Authenticator, dispatch_uid="nap_tokens_authenticator")
    post_delete.connect(role_deleted, sender=UserRole, dispatch_uid="nap_tokens_role")
    pre_save.connect(password_saved, sender=get_user_model(), dispatch_uid="nap_tokens_password")


def authenticator_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from tracker.accounts.factors import has_second_factor

    if instance.type in (instance.Type.TOTP, instance.Type.WEBAUTHN) and not has_second_factor(instance.user_id):
        services.api_tokens_revoke_all(actor=None, user=instance.user, reason=services.REVOKE_AUTHENTICATOR_REMOVED)


def role_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    if user is not None:  # not when the user itself is being deleted
        services.api_tokens_revoke_all(actor=None, user=user, reason=services.REVOKE_ROLE_CHANGED)


def password_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    # set_password() keeps the new raw password on the instance until the save: only then did it change.
    raw = getattr(instance, "_password", None)
    if raw is None or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    old_hash = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old_hash is None:
        return
    from django.contrib.auth.hashers import check_password

    # A hash upgraded at login (same password, new hasher or iterations) is not a change.
    if check_password(raw, old_hash):
        return
    services.api_tokens_revoke_all(actor=None, user=instance, reason=services.REVOKE_PASSWORD_CHANGED)
