"""Celery application. Tasks run in-process when no broker is configured (the embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "napportal.settings.dev")

app = Celery("napportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
