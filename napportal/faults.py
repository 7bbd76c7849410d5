"""Infrastructure faults answer 503 with ``Retry-After``, not a bare 500: the API in its JSON error shape, pages
with the portal's 503 page.

A request that hits an unreachable PostgreSQL or Redis raises wherever it first needs it (a middleware loading
the user, DRF authenticating a token, a view). Django turns any such exception into its 500 response and sends
``got_request_exception`` while the exception is still being handled; the receiver here notes a fault on the
request, and the outermost middleware swaps the 500 for the 503. The 503 page renders without the request's
context processors, which would ask the database again.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerError,
)
RETRY_AFTER_SECONDS = 30
_FAULT = "_nap_infrastructure_fault"


def is_infrastructure_fault(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, INFRASTRUCTURE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@receiver(got_request_exception, dispatch_uid="nap_infrastructure_fault")
def note_fault(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    exc = sys.exc_info()[1]
    if request is not None and is_infrastructure_fault(exc):
        setattr(request, _FAULT, exc)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The service is briefly unavailable: its database or task queue cannot be reached. Try again shortly.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"status": 503, "message": message, "errors": {}}, status=503)
    else:
        html: str
        try:
            html = render_to_string("503.html", {"retry_path": request.get_full_path()})
        except Exception:  # the page must not fail in turn; plain text says the same
            logger.exception("The 503 page could not be rendered")
            html = message
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Outermost but for the health check: turns the 500 of an infrastructure fault into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        fault = getattr(request, _FAULT, None)
        if fault is not None and response.status_code == 500:
            logger.warning("503 for %s: %s: %s", request.path, type(fault).__name__, fault)
            return service_unavailable(request)
        return response
