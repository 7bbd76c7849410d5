import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@override_settings(ALLOWED_HOSTS=["nap.example.org"], SECURE_SSL_REDIRECT=True)
def test_healthz_answers_a_container_probe_without_allowed_host_or_https(client):
    response = client.get("/healthz/", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


@override_settings(ALLOWED_HOSTS=["nap.example.org"], SECURE_SSL_REDIRECT=True)
def test_other_paths_still_get_host_and_https_checks(client):
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST="nap.example.org").status_code == 301


@override_settings(CACHES=UNREACHABLE_REDIS)
def test_healthz_is_503_when_redis_does_not_answer(client):
    response = client.get("/healthz/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["cache"] != "ok"
