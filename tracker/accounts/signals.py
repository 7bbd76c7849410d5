"""Logins and failed logins go to the audit trail. allauth logs users in, so we listen to Django's signals."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from tracker import audit


@receiver(post_migrate, dispatch_uid="nap_administrator_group_sync")
def administrator_group_sync(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Keep the administrators' group holding exactly ``permissions.ADMINISTRATOR_GROUP_PERMISSIONS``.

    After every migrate, and after the flush of a transactional test, which empties the tables the data
    migrations filled; permissions of apps not migrated yet are granted at their own post_migrate.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    from tracker import permissions

    wanted = Q(pk__in=[])
    for (app, model), verbs in permissions.ADMINISTRATOR_GROUP_PERMISSIONS.items():
        wanted |= Q(
            content_type__app_label=app, content_type__model=model, codename__in=[f"{v}_{model}" for v in verbs]
        )
    group, _ = Group.objects.using(using).get_or_create(name=permissions.ADMINISTRATOR_GROUP)
    group.permissions.set(Permission.objects.using(using).filter(wanted))


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


@receiver(user_logged_in, dispatch_uid="nap_notice_bell")
def warm_notice_bell(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Count the unread notices once at sign-in, so the bell on every page reads the cache, not the database.
    from tracker.services.notifications import unread_notice_count

    unread_notice_count(user, refresh=True)
