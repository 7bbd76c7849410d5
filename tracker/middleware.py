"""Request-wide context: a request id for the audit trail and logs, the MFA enrolment gate, the session's idle
and absolute lifetime, and ``Cache-Control: no-store`` for what is personal."""

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from tracker.accounts.factors import has_second_factor
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

        if not permissions.needs_second_factor(user):
            return self.get_response(request)
        if not self._allowed_path(request.path):
            if LANDING_AFTER_ENROLMENT in request.session:
                del request.session[LANDING_AFTER_ENROLMENT]
            if not has_second_factor(user):
                messages.warning(
                    request,
                    _("Your role requires two-factor authentication. Set up an authenticator app or a security key."),
                )
                return HttpResponseRedirect(reverse("mfa_index"))
            return self.get_response(request)
        if request.method != "POST" or not request.path.startswith("/accounts/2fa/") or has_second_factor(user):
            return self.get_response(request)
        # An enrolment form of a user the gate holds: once it succeeds, lead them on to their work. allauth first
        # shows the recovery codes it has just issued (once, so they are not skipped); that page then offers
        # the way on (templates/allauth/layouts/manage.html); otherwise they land on their work straight away.
        response = self.get_response(request)
        if response.status_code == 302 and has_second_factor(user):
            landing = reverse("tracker:review-queue" if permissions.can(user, "review_queue") else "tracker:home")
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


# Session keys: when the session signed in, and when it was last seen (written at most once a minute).
SESSION_STARTED = "nap_session_started"
SESSION_SEEN = "nap_session_seen"
SEEN_GRANULARITY = 60


def start_session_clock(request: HttpRequest) -> None:
    """Called at sign-in: the absolute lifetime and the idle timeout count from now."""
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


def idle_timeout_for(user: Any) -> int:
    """Seconds without a request before a session ends: shorter for the roles that approve and administer."""
    from tracker import permissions

    if permissions.needs_second_factor(user):
        return settings.NAP_SESSION_IDLE_SECONDS_PRIVILEGED
    return settings.NAP_SESSION_IDLE_SECONDS


class SessionLifetimeMiddleware:
    """Ends a session that has been idle too long (30 minutes for reviewers and administrators, 8 hours for
    others, by default) or has lived longer than ``NAP_SESSION_ABSOLUTE_SECONDS`` since sign-in.

    The role is asked live (the enrolment gate asks it on every request anyway, so it costs no query), so a
    promotion to reviewer shortens the idle timeout at once. "Last seen" is written at most once a minute, not
    on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED)
            seen = request.session.get(SESSION_SEEN)
            if started is None or seen is None:
                start_session_clock(request)  # a session from before these limits: count from now
            elif self._idle_too_long(user, now - seen) or now - started > settings.NAP_SESSION_ABSOLUTE_SECONDS:
                idle = self._idle_too_long(user, now - seen)
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after a period without activity. Sign in again to continue.")
                    if idle
                    else _("Your session reached its maximum length. Sign in again to continue."),
                )
            elif now - seen >= SEEN_GRANULARITY:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _idle_too_long(user: Any, idle: int) -> bool:
        # Within the shorter timeout every session is fine, so the role is asked only past it.
        shortest = min(settings.NAP_SESSION_IDLE_SECONDS_PRIVILEGED, settings.NAP_SESSION_IDLE_SECONDS)
        return idle > shortest and idle > idle_timeout_for(user)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page a signed-in user sees and on every API answer.

    Such pages hold data scoped to one user (drafts, audit entries, tokens); neither the browser's back-forward
    history nor a shared proxy may keep them. A view that set its own policy keeps it, with no-store added.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            if response.has_header("Cache-Control"):
                patch_cache_control(response, no_store=True)
            else:
                response["Cache-Control"] = "no-store"
        return response
