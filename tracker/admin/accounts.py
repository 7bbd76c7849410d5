"""Admin for accounts: users with their role and bodies, memberships, and the (read-only) audit trail.

Every change made here goes through the accounts services, as it would from any other page, so it is checked
by the permission policy and writes exactly one audit entry: a role change (with the bodies edited beside it)
is one ``user.role_change``, each membership added or removed on its own is one entry, and plain account
fields are one ``user.update``. Accounts are created by invitation (the admin's "Add user" leads there) and
deactivated rather than deleted, because the audit trail keeps pointing at them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.forms import BaseInlineFormSet, Form, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import audit, permissions, services
from tracker.models import AuditEntry, Body, Membership, UserRole

User = get_user_model()


class UserRoleInline(admin.StackedInline):
    model = UserRole
    fields = ("role",)
    can_delete = False
    max_num = 1
    extra = 1
    verbose_name_plural = gettext_lazy("role")


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("body",)
    autocomplete_fields = ("body",)
    extra = 0
    verbose_name_plural = gettext_lazy("bodies")


def _formset_for(formsets: list[BaseInlineFormSet], model: type) -> BaseInlineFormSet | None:
    return next((formset for formset in formsets if formset.model is model), None)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "role", "bodies", "is_active", "is_superuser", "last_login")
    list_filter = ("nap_role__role", "is_active", "is_superuser")
    search_fields = ("email", "username", "first_name", "last_name")
    ordering = ("email",)
    inlines = (UserRoleInline, MembershipInline)
    # The role decides is_staff and the administrators' group; the email address is the login and is changed
    # (and verified) through allauth. Groups and per-user permissions are not edited here: the portal's one
    # policy works from roles and bodies, and the role alone decides who is in the administrators' group.
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name")}),
        (gettext_lazy("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("email", "username", "is_staff", "last_login", "date_joined")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if permissions.may_grant_superuser(request.user):
            return self.readonly_fields
        return (*self.readonly_fields, "is_superuser")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        memberships = Membership.objects.select_related("body").order_by("body__name")
        return (
            super()
            .get_queryset(request)
            .select_related("nap_role")
            .prefetch_related(Prefetch("memberships", queryset=memberships))
        )

    @admin.display(description=gettext_lazy("role"), ordering="nap_role__role")
    def role(self, obj: Any) -> str:
        role = getattr(obj, "nap_role", None)
        return role.get_role_display() if role is not None else "—"

    @admin.display(description=gettext_lazy("bodies"))
    def bodies(self, obj: Any) -> str:
        return ", ".join(m.body.short_name for m in obj.memberships.all())

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        # Accounts come by invitation: the invitee sets their own password through an emailed link.
        messages.info(request, _("New accounts are created by invitation."))
        return HttpResponseRedirect(reverse("tracker:user-invite"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: audit entries keep pointing at the account

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "password"}
        if changed:
            services.user_update(actor=permissions.signed_in(request.user), user=obj, fields=changed)

    def save_related(self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool) -> None:
        """Apply the role and bodies edited in the inlines through the services, not by saving the formsets."""
        form.save_m2m()
        user = form.instance
        role_formset = _formset_for(formsets, UserRole)
        body_formset = _formset_for(formsets, Membership)
        current_role = UserRole.objects.filter(user=user).values_list("role", flat=True).first()
        role = current_role
        if role_formset is not None:
            role = next((f.cleaned_data["role"] for f in role_formset.forms if f.cleaned_data.get("role")), role)
        current_bodies = list(Body.objects.filter(memberships__user=user))
        bodies = current_bodies
        if body_formset is not None:
            bodies = [
                f.cleaned_data["body"]
                for f in body_formset.forms
                if f.cleaned_data.get("body") and not f.cleaned_data.get("DELETE")
            ]
        if role is not None and role != current_role:
            # One entry for the whole change: role and bodies, before and after.
            services.user_set_role(actor=permissions.signed_in(request.user), user=user, role=role, bodies=bodies)
            return
        for body in bodies:
            if body not in current_bodies:
                services.membership_add(actor=permissions.signed_in(request.user), user=user, body=body)
        for body in current_bodies:
            if body not in bodies:
                services.membership_remove(actor=permissions.signed_in(request.user), user=user, body=body)

    def construct_change_message(
        self, request: HttpRequest, form: Form, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        # The inlines were applied by services (and audited there), not saved as formsets.
        return construct_change_message(form, [], add)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's set-password page, with the change in the audit trail (never the password itself)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit.record(actor=request.user, action="user.password_set", obj=user, object_label=user.email)
        return response


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Add and remove memberships (a membership is never edited: remove it and add another)."""

    list_display = ("user", "body", "created_at")
    list_filter = (("body", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("user", "body")
    search_fields = ("user__email", "body__name", "body__short_name", "body__slug")
    autocomplete_fields = ("user", "body")

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm[Any], change: bool) -> None:
        saved = services.membership_add(actor=permissions.signed_in(request.user), user=obj.user, body=obj.body)
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_remove(actor=permissions.signed_in(request.user), user=obj.user, body=obj.body)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("user", "body"):
                self.delete_model(request, membership)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, to read: nobody adds, changes or deletes an entry (the database refuses it too)."""

    list_display = ("at", "actor_label", "action", "object_type", "object_label", "request_id")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), ("at", admin.DateFieldListFilter))
    search_fields = ("action", "actor_label", "object_label", "object_id", "reason", "request_id")
    list_per_page = 100
    # The trail only grows: skip counting all of it again beside the filtered count.
    show_full_result_count = False
    fields = (
        "at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "before",
        "after",
        "reason",
        "request_id",
        "ip",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
