"""Accounts: created by an administrator or M&E (never by sign-up), each change audited."""

from collections.abc import Iterable
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker import audit, permissions
from tracker.choices import Role
from tracker.models import Body, Membership, UserRole


def _check_may_grant(actor: User | None, role: str) -> None:
    """Administrators give any role; M&E reviewers invite reporters and analysts. ``None`` = a command."""
    if actor is None:
        return
    if permissions.can(actor, "manage_users"):
        return
    if permissions.can(actor, "invite") and role in permissions.REVIEWER_INVITABLE_ROLES:
        return
    raise PermissionDenied(_("You may not give the role %(role)s.") % {"role": Role(role).label})


def invitation_url(user: User) -> str:
    """A link to allauth's set-password page, valid like a password-reset link."""
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return settings.NAP_SITE_URL.rstrip("/") + path


def user_create(
    *,
    actor: User | None,
    email: str,
    role: str,
    bodies: Iterable[Body] = (),
    password: str | None = None,
    invite: bool = True,
) -> User:
    """Create an account with a role and bodies. Without a password, an invitation email sets one."""
    email = email.strip().lower()
    validate_email(email)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    _check_may_grant(actor, role)
    bodies = list(bodies)
    if role in permissions.ROLES_WITH_BODIES and not bodies:
        raise ValidationError({"bodies": _("A reporter reports for at least one body.")})
    User = get_user_model()
    with transaction.atomic():
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise ValidationError({"email": _("An account with this email address already exists.")})
        user = User.objects.create_user(username=email[:150], email=email, password=password)
        if password is None:
            user.set_unusable_password()
        user.save()
        _give_admin_site(user, role)
        # The address is vouched for by whoever created the account, and the invitation link reaches only it.
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        UserRole.objects.create(user=user, role=role)
        Membership.objects.bulk_create([Membership(user=user, body=body) for body in bodies])
        audit.record(
            actor=actor,
            action="user.create",
            obj=user,
            object_label=email,
            after={"email": email, "role": role, "bodies": sorted(b.slug for b in bodies), "invited": invite},
        )
        if invite and password is None:
            transaction.on_commit(lambda: send_invitation(user=user))
    return user


def send_invitation(*, user: User) -> None:
    context = {"user": user, "url": invitation_url(user), "site_url": settings.NAP_SITE_URL}
    send_mail(
        subject=render_to_string("account/email/invitation_subject.txt", context).strip(),
        message=render_to_string("account/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def user_set_role(*, actor: User | None, user: User, role: str, bodies: Iterable[Body]) -> User:
    """Change a user's role and bodies (one audit entry with both before and after)."""
    _check_may_grant(actor, role)
    bodies = list(bodies)
    with transaction.atomic():
        current = UserRole.objects.select_for_update().filter(user=user).first()
        before = {
            "role": current.role if current else None,
            "bodies": sorted(Membership.objects.filter(user=user).values_list("body__slug", flat=True)),
        }
        if current and actor is not None:
            _check_may_grant(actor, current.role)
        UserRole.objects.update_or_create(user=user, defaults={"role": role})
        if current is not None and current.role != role:
            from apikeys.services import REVOKE_ROLE_CHANGED, api_tokens_revoke_all

            # Tokens were issued under the old role (and its second-factor requirement): they go with it.
            api_tokens_revoke_all(actor=actor, user=user, reason=REVOKE_ROLE_CHANGED)
        Membership.objects.filter(user=user).exclude(body__in=bodies).delete()
        for body in bodies:
            Membership.objects.get_or_create(user=user, body=body)
        _give_admin_site(user, role)
        permissions.forget_access(user)
        audit.record(
            actor=actor,
            action="user.role_change",
            obj=user,
            object_label=user.email,
            before=before,
            after={"role": role, "bodies": sorted(b.slug for b in bodies)},
        )
    return user


def _give_admin_site(user: User, role: str) -> None:
    """The administrator role works in the Django admin: staff status, and the group holding exactly the model
    permissions the job needs (``permissions.ADMINISTRATOR_GROUP_PERMISSIONS``), so an administrator need not be
    a superuser. Any other role loses both."""
    group = Group.objects.get(name=permissions.ADMINISTRATOR_GROUP)
    staff = role in permissions.ADMIN_SITE_ROLES
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    if staff:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    # Django caches a user's permissions on the instance.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def _require_manage_users(actor: User | None) -> None:
    if actor is not None and not permissions.can(actor, "manage_users"):
        raise PermissionDenied(_("You may not change accounts."))


def _body_slugs(user: User) -> list[str]:
    return sorted(Membership.objects.filter(user=user).values_list("body__slug", flat=True))


def membership_add(*, actor: User | None, user: User, body: Body) -> Membership:
    """Make ``user`` a member of ``body`` (administrators only; one audit entry)."""
    _require_manage_users(actor)
    with transaction.atomic():
        before = _body_slugs(user)
        if body.slug in before:
            raise ValidationError(
                {"body": _("%(user)s is already a member of %(body)s.") % {"user": user, "body": body}}
            )
        membership = Membership.objects.create(user=user, body=body)
        permissions.forget_access(user)
        audit.record(
            actor=actor,
            action="user.membership_add",
            obj=user,
            object_label=user.email,
            before={"bodies": before},
            after={"bodies": sorted([*before, body.slug])},
        )
    return membership


def membership_remove(*, actor: User | None, user: User, body: Body) -> None:
    """End ``user``'s membership of ``body`` (administrators only; one audit entry). Absent: nothing to do."""
    _require_manage_users(actor)
    with transaction.atomic():
        before = _body_slugs(user)
        deleted, _counts = Membership.objects.filter(user=user, body=body).delete()
        if not deleted:
            return
        permissions.forget_access(user)
        audit.record(
            actor=actor,
            action="user.membership_remove",
            obj=user,
            object_label=user.email,
            before={"bodies": before},
            after={"bodies": [slug for slug in before if slug != body.slug]},
        )


# What an administrator may change on an account directly. The role decides ``is_staff``; the email address
# is the login and is changed (and verified again) through allauth's email page, never by overwriting it.
USER_EDITABLE_FIELDS = frozenset({"first_name", "last_name", "is_active", "is_superuser"})


def user_update(*, actor: User | None, user: User, fields: dict[str, Any]) -> User:
    """Change an account's plain fields (name, active, superuser); one audit entry with before and after."""
    _require_manage_users(actor)
    unknown = set(fields) - USER_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if "is_superuser" in fields and actor is not None and not permissions.may_grant_superuser(actor):
        raise PermissionDenied(_("Only a superuser may change whether an account is a superuser."))
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        before = {name: getattr(locked, name) for name in sorted(fields)}
        after = {name: fields[name] for name in sorted(fields)}
        if before == after:
            return locked
        for name, value in after.items():
            setattr(locked, name, value)
            setattr(user, name, value)
        locked.save(update_fields=list(after))
        permissions.forget_access(user)
        audit.record(
            actor=actor, action="user.update", obj=locked, object_label=locked.email, before=before, after=after
        )
    return user
