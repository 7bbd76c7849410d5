"""Shared fixtures: users, logged-in clients, and the world the suites share (built in tests/factories.py)."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import NapWorld, build_nap_world

# pytest-playwright's sync API keeps an event loop running in the test thread, and Django refuses ORM calls
# from a thread with a running loop; the browser tests (marked `browser`) set up and tear down their data
# synchronously there, so the test environment allows it. The app itself never runs inside that loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def nap_world(db) -> NapWorld:
    """The factory-built world the workflow, dashboard and reporting tests share (see ``NapWorld``)."""
    return build_nap_world()


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="reader", email="reader@example.org", password="x" * 16)


@pytest.fixture
def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_user(db, django_user_model, django_username_field):
    """pytest-django's superuser, with the second factor that administrators must have enrolled."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    admin = django_user_model._default_manager.create_superuser(
        **{django_username_field: "admin"}, email="admin@example.com", password="password"
    )
    TOTP.activate(admin, generate_totp_secret())
    return admin


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """Each test starts in the default language: a request with ``Accept-Language: ur`` leaves Urdu active in the
    thread after the response (LocaleMiddleware activates it and nothing deactivates it), and the next test's
    workbook sheets came out in Urdu."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(django_db_setup, django_db_blocker):
    """End database sessions a thread or worker left open, so the test database can be dropped; say so.

    A warning rather than a silent fix: a stray session means some thread did not close its connection.
    """
    yield
    import warnings

    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, state, left(query, 120) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            strays = cursor.fetchall()
            for pid, *_ in strays:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        if strays:
            warnings.warn(f"ended {len(strays)} stray database session(s): {strays}", stacklevel=1)
