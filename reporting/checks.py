"""System checks: a report build must end before Redis hands its message to another worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register()
def build_time_limit_below_visibility_timeout(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from reporting.tasks import BUILD_TIME_LIMIT

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    visibility = options.get("visibility_timeout", 3600)
    if str(getattr(settings, "CELERY_BROKER_URL", "")).startswith("redis") and visibility <= BUILD_TIME_LIMIT:
        return [
            Warning(
                f"The report build time limit ({BUILD_TIME_LIMIT}s) is not below the Redis visibility timeout "
                f"({visibility}s): a long build could be delivered to a second worker.",
                id="reporting.W001",
            )
        ]
    return []
