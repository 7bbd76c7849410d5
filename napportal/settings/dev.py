"""Development: the embedded default (SQLite, tasks in-process) unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Demo accounts may be created only where this is true (see `manage.py create_demo_accounts`).
NAP_ALLOW_DEMO_ACCOUNTS = True
# Security keys on http://127.0.0.1 during development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
