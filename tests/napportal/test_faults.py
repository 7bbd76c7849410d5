"""Infrastructure faults: 503 with Retry-After (JSON on the API, the portal's page elsewhere) when PostgreSQL or
Redis cannot be reached; login and its rate limits keep working while Redis is down (database fallback)."""

import socket

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from apikeys.services import api_token_create
from napportal.cache import FailoverCache

PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_down(transactional_db):
    """Point the connection at a port where no PostgreSQL listens, as when the server is down; restore after."""

    def stop() -> None:
        connection.close()
        connection.settings_dict["PORT"] = free_port()

    original = connection.settings_dict["PORT"]
    yield stop
    connection.close()
    connection.settings_dict["PORT"] = original


@pytest.fixture
def redis_down(settings):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {**settings.CACHES, "redis": {**settings.CACHES["redis"], "LOCATION": dead}}
    yield dead
    FailoverCache._primary_down_until = 0.0


def test_api_answers_503_json_when_the_database_is_down(reporter, database_down):
    secret = api_token_create(actor=reporter, user=reporter, name="script")[1]
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    database_down()
    response = api.get("/api/v1/frameworks/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30" and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 503 and "briefly unavailable" in body["message"] and body["errors"] == {}


def test_pages_show_the_portals_503_page_when_the_database_is_down(reporter, database_down):
    client = Client(raise_request_exception=False)
    client.force_login(reporter)
    database_down()
    response = client.get("/frameworks/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Briefly unavailable" in page and 'class="site-header"' in page and "/frameworks/" in page


def test_api_answers_503_json_when_redis_is_down_without_a_fallback(reporter, settings):
    secret = api_token_create(actor=reporter, user=reporter, name="script")[1]
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.get("/api/v1/frameworks/")  # the throttle counts requests in the cache
    assert response.status_code == 503 and response.json()["status"] == 503


def test_login_and_its_rate_limit_work_while_redis_is_down(reporter, redis_down):
    from django.core.cache import cache

    with pytest.raises(Exception):  # noqa: B017  (Redis itself is unreachable …)
        from django.core.cache import caches

        caches["redis"].get("x")
    cache.set("probe", 1)  # … and the default cache answers from the database
    assert cache.get("probe") == 1

    EmailAddress.objects.create(user=reporter, email=reporter.email, verified=True, primary=True)
    client = Client()
    response = client.post("/accounts/login/", {"login": reporter.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/", response.get("Location")
    assert client.get("/frameworks/").status_code == 200

    attacker = Client()
    for i in range(5):
        attacker.post("/accounts/login/", {"login": reporter.email, "password": f"wrong {i}"})
    # The sixth attempt is refused even with the right password: the limit is counted in the database.
    refused = attacker.post("/accounts/login/", {"login": reporter.email, "password": PASSWORD})
    assert "Too many failed login attempts" in refused.content.decode()


def test_api_keeps_working_while_redis_is_down(reporter, redis_down):
    secret = api_token_create(actor=reporter, user=reporter, name="script")[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/frameworks/").status_code == 200
