from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("NAP tracker")

    def ready(self) -> None:
        from tracker.accounts import signals  # noqa: F401  (connects the login audit receivers)
