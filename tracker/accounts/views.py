"""Inviting a user: an administrator (any role) or NACTA M&E (reporters and analysts) creates the account."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import permissions, services
from tracker.choices import Role
from tracker.models import Body


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    bodies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Bodies"), queryset=Body.objects.reporting().order_by("name"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not permissions.can(user, "manage_users"):
            self.fields["role"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Role.choices if value in permissions.REVIEWER_INVITABLE_ROLES
            ]


@login_required
def invite_user(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "invite")
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=permissions.signed_in(request.user),
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                bodies=form.cleaned_data["bodies"],
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("tracker:user-invite")
    return render(request, "account/invite.html", {"form": form})
