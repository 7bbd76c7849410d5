"""The API tokens page: a user lists, creates and revokes their own tokens. The secret is shown once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apikeys import services
from apikeys.forms import ApiTokenForm
from apikeys.models import ApiToken


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                lifetime=services.parse_lifetime(form.cleaned_data["lifetime"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    context = {"form": form, "tokens": tokens, "secret": secret}
    # The secret is in this one response only: no caching anywhere on the way.
    response = render(request, "apikeys/token_list.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    services.api_token_revoke(actor=request.user, token_key=token_key)
    messages.success(request, _("The token is revoked: requests that use it are refused from now on."))
    return redirect("apikeys:list")
