"""Request-wide context: a request id for the audit trail and logs, and the MFA enrolment gate."""

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.accounts.factors import meets_mfa_requirement
from tracker.audit import RequestContext, current_request

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives every request an id (the proxy's ``X-Request-ID`` when it is well-formed) and remembers the
    client address, so audit entries written anywhere during the request carry both."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request.set(RequestContext(request_id=request_id, ip=request.META.get("REMOTE_ADDR")))
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request_id
        return response


class MFARequiredMiddleware:
    """Reviewers and administrators must enrol a second factor before anything else.

    allauth offers MFA but does not make it mandatory. Until such a user has an authenticator, every page
    except the MFA enrolment pages, logout, email verification and static files redirects to the MFA page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._allowed_path(request.path)
            and not meets_mfa_requirement(user)
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set up an authenticator app or a security key."),
            )
            return HttpResponseRedirect(reverse("mfa_index"))
        return self.get_response(request)

    @staticmethod
    def _allowed_path(path: str) -> bool:
        allowed = [
            reverse("mfa_index"),
            reverse("account_logout"),
            "/accounts/2fa/",
            "/accounts/confirm-email/",
            "/accounts/reauthenticate/",
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        ]
        return any(path.startswith(prefix) for prefix in allowed)
