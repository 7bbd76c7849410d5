"""Tests run against real PostgreSQL and Redis on localhost (see `make test`)."""

from .base import *  # noqa: F403
from .base import POSTGRES_OPTIONS, env, redis_caches

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/napportal"),
}
DATABASES["default"]["OPTIONS"] = dict(POSTGRES_OPTIONS)
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/1")
CACHES = redis_caches(REDIS_URL)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Unit tests call tasks in-process; tests marked `celery_worker` start a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
NAP_ALLOW_DEMO_ACCOUNTS = False
# Serve static files from the app and project directories, as in development: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The schemathesis run makes thousands of requests a minute with one token per role.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/minute"}}  # noqa: F405
