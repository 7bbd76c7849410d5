"""Shared fixtures: users, logged-in clients and factories live here and in tests/factories.py."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="reader", email="reader@example.org", password="x" * 16)


@pytest.fixture
def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
