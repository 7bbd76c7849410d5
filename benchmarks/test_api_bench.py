"""GET /api/v1/status/ as a script calls it: a personal token, through DRF's test client (a Django client)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apikeys.services import api_token_create
from benchmarks.data import AS_OF, Dataset


@pytest.mark.benchmark(group="api_status")
def test_api_status(benchmark, dataset: Dataset, analyst):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=analyst, user=analyst, name='bench')[1]}")
    query = {"framework": "nap-2021", "as_of": AS_OF.isoformat()}

    response = benchmark.pedantic(client.get, args=("/api/v1/status/", query), rounds=20, warmup_rounds=1)

    assert response.status_code == 200, response.content
    assert response.json()["count"] > 0
