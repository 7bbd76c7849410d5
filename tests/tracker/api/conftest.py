"""API fixtures: the workflow world (two provinces, a user per role) and clients that send a personal token."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from apikeys.services import api_token_create
from tests.tracker.workflow.conftest import (  # noqa: F401  (fixtures shared with the workflow tests)
    _clear_cache,
    administrator,
    analyst,
    audit_rows,
    client_as,
    enrol_totp,
    make_obs,
    make_user,
    other_reporter,
    reporter,
    reviewer,
    second_reviewer,
    world,
)
from tracker.accounts.factors import meets_mfa_requirement
from tracker.choices import ResponsibilityRole, Role
from tracker.models import Responsibility


@pytest.fixture(autouse=True)
def _responsibilities(world):  # noqa: F811  (the imported fixture)
    # Both provinces support the item, so both report on its indicators.
    for body in (world.punjab, world.sindh):
        Responsibility.objects.get_or_create(
            item=world.old_item, body=body, defaults={"role": ResponsibilityRole.SUPPORTING}
        )


@pytest.fixture
def token_for(db) -> Callable[[Any], str]:
    def make(user: Any) -> str:
        # Reviewers and administrators hold tokens only with a second factor enrolled, as in production.
        if not meets_mfa_requirement(user):
            enrol_totp(user)
        return api_token_create(actor=user, user=user, name="tests")[1]

    return make


@pytest.fixture
def api_as(token_for) -> Callable[[Any], APIClient]:
    """A client that authenticates as ``user`` with a personal token, as a script would."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


@pytest.fixture
def users(reporter, reviewer, analyst, administrator, make_user, world):  # noqa: F811  (the imported fixtures)
    """A user per role; the provincial verifier is Punjab's (the reporter's body)."""
    return {
        Role.REPORTER: reporter,
        Role.REVIEWER: reviewer,
        Role.ANALYST: analyst,
        Role.ADMINISTRATOR: administrator,
        Role.VERIFIER: make_user(Role.VERIFIER, world.punjab, email="verifier@punjab.example.org"),
    }
