"""Request-wide context: a request id for the audit trail and logs, and the MFA enrolment gate."""

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.audit import RequestContext, current_request

# Where a user the MFA gate held goes once enrolled, kept while allauth shows the new recovery codes.
LANDING_AFTER_ENROLMENT = "nap_landing_after_enrolment"
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
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        from tracker import permissions

        if permissions.role_of(user) not in permissions.MFA_REQUIRED_ROLES:
            return self.get_response(request)
        if not self._allowed_path(request.path):
            if LANDING_AFTER_ENROLMENT in request.session:
                del request.session[LANDING_AFTER_ENROLMENT]
            if not _has_second_factor(user):
                messages.warning(
                    request,
                    _("Your role requires two-factor authentication. Set up an authenticator app or a security key."),
                )
                return HttpResponseRedirect(reverse("mfa_index"))
            return self.get_response(request)
        if request.method != "POST" or not request.path.startswith("/accounts/2fa/") or _has_second_factor(user):
            return self.get_response(request)
        # An enrolment form of a user the gate holds: once it succeeds, lead them on to their work. allauth first
        # shows the recovery codes it has just issued (once, so they are not skipped); that page then offers
        # the way on (templates/allauth/layouts/manage.html); otherwise they land on their work straight away.
        response = self.get_response(request)
        if response.status_code == 302 and _has_second_factor(user):
            landing = reverse("tracker:review-queue" if permissions.can(user, "review") else "tracker:home")
            messages.success(request, _("Two-factor authentication is on."))
            if response["Location"] == reverse("mfa_view_recovery_codes"):
                request.session[LANDING_AFTER_ENROLMENT] = landing
                return response
            return HttpResponseRedirect(landing)
        return response

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


def _has_second_factor(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    # Recovery codes alone are not a second factor: they come with TOTP or a security key.
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
