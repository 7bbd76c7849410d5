"""``Idempotency-Key`` on ``POST /api/v1/observations/``: a retry answers the first response again; the same key
with another body is refused; the natural-key rule refuses a second open figure without a key."""

import threading
import uuid

import pytest
from django.db import connection

from tracker import entry_validation as validation
from tracker.models import AuditEntry, IdempotentRequest, Observation


def figure(world, **changes):
    return {
        "indicator": world.old_executions.code,
        "body": "punjab",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "120",
        "source": world.status_2017.slug,
        **changes,
    }


def test_same_key_and_body_answers_the_first_response_again(world, reporter, api_as):
    api = api_as(reporter)
    key = str(uuid.uuid4())
    first = api.post("/api/v1/observations/", figure(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    again = api.post("/api/v1/observations/", figure(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Observation.objects.count() == 1 and AuditEntry.objects.filter(action="observation.create").count() == 1


def test_same_key_with_another_body_is_refused_with_422(world, reporter, api_as):
    api = api_as(reporter)
    key = str(uuid.uuid4())
    assert api.post("/api/v1/observations/", figure(world), format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    other = api.post("/api/v1/observations/", figure(world, value="121"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 422
    assert "another body" in other.json()["message"]
    assert Observation.objects.count() == 1


def test_a_refused_request_leaves_its_key_free_for_the_corrected_one(world, reporter, api_as):
    api = api_as(reporter)
    key = "retry-1"
    bad = api.post("/api/v1/observations/", figure(world, value="-1"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert bad.status_code == 400 and not IdempotentRequest.objects.exists()
    assert api.post("/api/v1/observations/", figure(world), format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201


def test_keys_are_per_user(world, reporter, other_reporter, api_as):
    key = "same-key"
    assert (
        api_as(reporter).post("/api/v1/observations/", figure(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    ).status_code == 201
    theirs = api_as(other_reporter).post(
        "/api/v1/observations/", figure(world, body="sindh"), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert theirs.status_code == 201 and Observation.objects.count() == 2


def test_without_a_key_the_natural_key_rule_refuses_the_second_post(world, reporter, api_as):
    api = api_as(reporter)
    assert api.post("/api/v1/observations/", figure(world), format="json").status_code == 201
    second = api.post("/api/v1/observations/", figure(world), format="json")
    assert second.status_code == 400
    assert validation.msg_open_duplicate(Observation.objects.get().pk) in second.json()["errors"]["period_end"]


def test_an_overlong_key_is_refused(world, reporter, api_as):
    response = api_as(reporter).post(
        "/api/v1/observations/", figure(world), format="json", HTTP_IDEMPOTENCY_KEY="k" * 201
    )
    assert response.status_code == 400 and not Observation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_retries_at_once_write_once_and_answer_the_same(world, reporter, token_for):
    from rest_framework.test import APIClient

    token = token_for(reporter)
    answers: list[tuple[int, dict]] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            r = client.post("/api/v1/observations/", figure(world), format="json", HTTP_IDEMPOTENCY_KEY="race")
            answers.append((r.status_code, r.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a[0] for a in answers] == [201, 201] and answers[0][1] == answers[1][1]
    assert Observation.objects.count() == 1
