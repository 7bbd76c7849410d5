"""Settings shared by every environment; values that differ come from the environment.

See https://docs.djangoproject.com/en/5.2/ref/settings/ and https://django-environ.readthedocs.io/.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# `.env` in the checkout is docker compose's (production values, see .env.example), so Django reads it only
# when asked to; variables already in the environment win.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# --- Applications -----------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "tracker",
    "reporting",
    "apikeys",
]

MIDDLEWARE = [
    # First, so that container health checks need neither an allowed host nor HTTPS.
    "napportal.health.HealthCheckMiddleware",
    # Next, so that a database or Redis outage anywhere below answers 503, not 500.
    "napportal.faults.ServiceUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.middleware.RequestContextMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tracker.middleware.SessionLifetimeMiddleware",
    "tracker.middleware.NoStoreMiddleware",
    "tracker.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "napportal.urls"
# A refused form gets the portal's page (what happened, where to go), not Django's bare one.
CSRF_FAILURE_VIEW = "tracker.views.errors.csrf_failure"
WSGI_APPLICATION = "napportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tracker.context_processors.navigation",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# PostgreSQL: a connection attempt to an unreachable server gives up after this many seconds; and no JIT:
# the portal's queries read O(series) rows by index, but their estimated cost at a million observations sends
# them to LLVM, which spent 1.3 s compiling a 1 s report query (benchmarks/RESULTS.md).
POSTGRES_OPTIONS = {"connect_timeout": 3, "options": "-c jit=off"}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["OPTIONS"] = POSTGRES_OPTIONS | DATABASES["default"].get("OPTIONS", {})


def redis_caches(url: str) -> dict[str, dict[str, object]]:
    """Redis as the cache, with short timeouts, falling back to a database table while Redis is unreachable
    (``napportal.cache``: the login rate limits live in the cache). ``migrate_serialized`` creates the table."""
    return {
        "default": {
            "BACKEND": "napportal.cache.FailoverCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database"},
        },
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        },
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "nap_cache_fallback"},
    }


# REDIS_URL unset = the embedded default: local-memory cache, Celery tasks run in-process.
REDIS_URL: str | None = env("REDIS_URL", default=None)
if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tasks must finish well inside the visibility timeout, or Redis hands them to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 900
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The database scheduler installs these entries; times are CELERY_TIMEZONE.
CELERY_BEAT_SCHEDULE = {
    "reporting-reminders": {"task": "tracker.send_reporting_reminders", "schedule": crontab(hour=8, minute=0)},
    "review-digest": {"task": "tracker.send_review_digest", "schedule": crontab(hour=8, minute=30)},
    "notice-mails": {"task": "tracker.send_due_notice_mails", "schedule": crontab(minute="*/5")},
    "notice-mails-daily": {"task": "tracker.send_daily_notice_mails", "schedule": crontab(hour=8, minute=15)},
    "edition-sweep": {"task": "reporting.sweep_editions", "schedule": 60.0},
    "validation-report": {"task": "tracker.run_validation", "schedule": crontab(hour=2, minute=0)},
}
# A web request publishes a task once, with short timeouts, and never waits on a broker that is down: builds
# have their outbox and sweep (reporting.dispatch), and other tasks are published on commit, "robust".
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# The result backend subscribes to a task's result as it is sent; by default it retries a lost Redis 20 times,
# once a second (the 19 s hang of the hardening review).
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
# Report builds: the worker's heartbeat, the silence after which its edition is queued again, and how long a
# sent build may wait for a worker before it is sent again.
NAP_EDITION_HEARTBEAT_SECONDS = env.int("NAP_EDITION_HEARTBEAT_SECONDS", default=10)
NAP_EDITION_LEASE_SECONDS = env.int("NAP_EDITION_LEASE_SECONDS", default=60)
NAP_EDITION_RESEND_SECONDS = env.int("NAP_EDITION_RESEND_SECONDS", default=180)
CELERY_TIMEZONE = "Asia/Karachi"

# --- Content Security Policy -----------------------------------------------------------------------------
# https://django-csp.readthedocs.io/en/latest/configuration.html
# Pages carry no inline script or style (chart data travels in json_script blocks); images may be data: URIs
# (allauth's TOTP QR code). The Django admin is excluded: its widgets still use inline style attributes.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Authentication ---------------------------------------------------------------------------------------
# django-allauth: https://docs.allauth.org/en/latest/account/configuration.html
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "tracker:home"
LOGOUT_REDIRECT_URL = "account_login"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Accounts are created by invitation or `manage.py add_user`; the adapter closes sign-up.
ACCOUNT_ADAPTER = "tracker.accounts.adapter.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[NAP Portal] "
# Counted in the default cache (Redis wherever REDIS_URL is set), so every web worker shares the counts.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "NAP Portal"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("NAP_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
# Sessions are recorded at login; tracking "last seen" would cost a write on every request.
# Absolute links in emails (invitations, reminders).
NAP_SITE_URL = env("NAP_SITE_URL", default="http://127.0.0.1:8000")
# Workflow notices by email: at most one email per person per this many minutes (each batches all notices).
NAP_NOTICE_MAIL_INTERVAL_MINUTES = env.int("NAP_NOTICE_MAIL_INTERVAL_MINUTES", default=15)
# Evidence files: at most this many bytes each.
NAP_EVIDENCE_MAX_BYTES = env.int("NAP_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
USERSESSIONS_TRACK_ACTIVITY = False
# Sessions end after this long without a request (reviewers and administrators sooner: they approve and
# administer) and, whatever the activity, this long after sign-in (the cookie expires then too).
NAP_SESSION_IDLE_SECONDS_PRIVILEGED = env.int("NAP_SESSION_IDLE_SECONDS_PRIVILEGED", default=30 * 60)
NAP_SESSION_IDLE_SECONDS = env.int("NAP_SESSION_IDLE_SECONDS", default=8 * 60 * 60)
NAP_SESSION_ABSOLUTE_SECONDS = env.int("NAP_SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = NAP_SESSION_ABSOLUTE_SECONDS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ur", "اردو")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True
# "international" = 506,072; "south_asian" = 5,06,072 (lakh/crore grouping).
NAP_NUMBER_STYLE = env("NAP_NUMBER_STYLE", default="south_asian")

# --- Static and media files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"

# --- REST framework and the API ---------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    # Token first: a request without credentials then gets 401 with `WWW-Authenticate: Bearer`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apikeys.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.PortalAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.PortalPageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only (the import endpoint takes multipart uploads): typed input, as the schema says.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Only JSON is rendered, so `?format=` is free for the import template's own parameter.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("NAP_API_RATE", default="600/minute")},
    "COERCE_DECIMAL_TO_STRING": True,
}
# Personal tokens (django-rest-knox, with our own model for a name and the time of last use).
# https://jazzband.github.io/django-rest-knox/settings/
KNOX_TOKEN_MODEL = "apikeys.ApiToken"  # noqa: S105  (a model name, not a secret)
# Knox's own migrations would create its unused default table; with our model swapped in, it needs none.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": "apikeys.ApiToken",
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_PREFIX": "nap_",  # lets secret scanners recognise a leaked token
    "AUTO_REFRESH": False,
}
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "NAP Portal API",
    "DESCRIPTION": (
        "Frameworks, agenda items, bodies, indicators, sources, dated observations with their workflow, "
        "assessments and bulk import. Authenticate with a personal token (`Authorization: Bearer <token>`) "
        "or the browser session. Objects outside your scope answer 404; forbidden actions 403. "
        "Every error has the shape `{status, message, errors}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema needs sign-in (a session or a token), like the documentation pages that render it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ObservationStateEnum": "tracker.choices.ObservationState",
        "DatePrecisionEnum": "tracker.choices.DatePrecision",
        "UnitEnum": "tracker.choices.Unit",
        "RatingEnum": "tracker.choices.Rating",
    },
}
# Bulk import: the bounds of one file (size as uploaded, rows, XLSX unpacked size and cells, seconds spent
# reading and checking it), and how long and how much of a user's checked uploads wait for their commit (in the
# database).
NAP_IMPORT_MAX_BYTES = env.int("NAP_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
NAP_IMPORT_MAX_ROWS = env.int("NAP_IMPORT_MAX_ROWS", default=20_000)
NAP_IMPORT_MAX_UNPACKED_BYTES = env.int("NAP_IMPORT_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
NAP_IMPORT_MAX_CELLS = env.int("NAP_IMPORT_MAX_CELLS", default=1_000_000)
NAP_IMPORT_TIME_BUDGET_SECONDS = env.float("NAP_IMPORT_TIME_BUDGET_SECONDS", default=20.0)
NAP_IMPORT_PREVIEW_SECONDS = env.int("NAP_IMPORT_PREVIEW_SECONDS", default=60 * 60)
NAP_IMPORT_PREVIEW_QUOTA_BYTES = env.int("NAP_IMPORT_PREVIEW_QUOTA_BYTES", default=10 * 1024 * 1024)

# Absolute links in emails (report editions) point here.
NAP_SITE_URL = env("NAP_SITE_URL", default="http://127.0.0.1:8000")
# WeasyPrint embeds these font files in report PDFs (Debian: fonts-dejavu-core).
NAP_REPORT_FONT_DIR = env("NAP_REPORT_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
# A report's PDF lists each indicator's figures of this many bodies (by name) in its annex and counts the rest;
# the HTML, XLSX and CSV editions hold every body's figure.
NAP_REPORT_PDF_BODIES_PER_INDICATOR = env.int("NAP_REPORT_PDF_BODIES_PER_INDICATOR", default=6)

# Backups (manage.py backup / restore): the PostgreSQL client programs, of the server's major version or newer.
NAP_PG_DUMP = env("NAP_PG_DUMP", default="pg_dump")
NAP_PG_RESTORE = env("NAP_PG_RESTORE", default="pg_restore")

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="NAP Portal <noreply@napportal.local>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's own loggers log once, through the root handler, not also through Django's default console one.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
