"""Liveness and readiness for containers and load balancers: ``GET /healthz/``.

Answered before any other middleware, so a probe from inside the container needs neither one of
``ALLOWED_HOSTS`` nor HTTPS. It says only whether the database and the cache answer, nothing else.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATH = "/healthz/"


def health_report() -> dict[str, str]:
    """Each dependency the web process needs, with "ok" or the class of the error it raised."""
    report: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
    except Exception as exc:  # any failure means "not ready"; the probe must answer, not raise
        report["database"] = type(exc).__name__
    # Redis itself, not the default cache (which falls back to the database while Redis is down).
    cache = caches["redis" if "redis" in settings.CACHES else "default"]
    try:
        cache.set("healthz", "ok", timeout=10)
        report["cache"] = "ok" if cache.get("healthz") == "ok" else "unreadable"
    except Exception as exc:
        report["cache"] = type(exc).__name__
    return report


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        report = health_report()
        healthy = all(state == "ok" for state in report.values())
        response = JsonResponse(
            {"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503
        )
        response["Cache-Control"] = "no-store"
        return response
