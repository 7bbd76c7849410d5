from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiKeysConfig(AppConfig):
    """Personal API tokens: django-rest-knox's hashed, expiring tokens plus a name and the time of last use."""

    name = "apikeys"
    verbose_name = _("API tokens")

    def ready(self) -> None:
        from apikeys import (
            schema,  # noqa: F401  (registers the OpenAPI security scheme)
            signals,
        )

        signals.connect()
