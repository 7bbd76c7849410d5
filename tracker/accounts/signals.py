"""Logins and failed logins go to the audit trail. allauth logs users in, so we listen to Django's signals."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from tracker import audit


@receiver(user_logged_in, dispatch_uid="nap_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from tracker.middleware import start_session_clock

        start_session_clock(request)
    with transaction.atomic():
        audit.record(actor=user, action="user.login", obj=user, object_label=user.get_username())


@receiver(user_logged_out, dispatch_uid="nap_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit.record(actor=user, action="user.logout", obj=user, object_label=user.get_username())


@receiver(user_login_failed, dispatch_uid="nap_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Credentials are cleansed by Django; keep only the identifier tried, never a password.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    known = get_user_model().objects.filter(email__iexact=tried).first() if tried else None
    with transaction.atomic():
        audit.record(
            actor=None,
            action="user.login_failed",
            object_type="auth.user",
            object_id=str(known.pk) if known else "",
            object_label=tried,
        )
