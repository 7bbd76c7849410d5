"""The workflow tests' view of the shared world (tests/factories.py): NAP 2014's executions series, two
provinces, one user per role, and the login helpers the API, import and account tests reuse."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests import factories
from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tests.factories import NapWorld
from tracker.choices import ObservationState, ResponsibilityRole
from tracker.models import Body, Observation, Responsibility


@pytest.fixture
def world(nap_world: NapWorld) -> NapWorld:
    """The shared world (tests/factories.py); the workflow tests work on NAP 2014's executions series."""
    # Both provinces support NAP 2014's item 1, so both report its indicators (the one validation's
    # responsibility rule).
    for body in (nap_world.punjab, nap_world.sindh):
        Responsibility.objects.get_or_create(
            item=nap_world.old_item, body=body, defaults={"role": ResponsibilityRole.SUPPORTING}
        )
    return nap_world


@pytest.fixture
def make_user(db) -> Callable[..., Any]:
    """A user with a role and bodies beyond the world's own (``world.user``), e.g. a reporter of two bodies."""
    counter = {"n": 0}

    def make(role: str | None, *bodies: Body, email: str | None = None) -> Any:
        counter["n"] += 1
        return factories.make_user(role, *bodies, email=email or f"{role or 'norole'}{counter['n']}@example.org")

    return make


@pytest.fixture
def reporter(world):
    return world.user("reporter")


@pytest.fixture
def other_reporter(world):
    return world.user("other_reporter")


@pytest.fixture
def reviewer(world):
    return world.user("reviewer")


@pytest.fixture
def second_reviewer(world):
    return world.user("second_reviewer")


@pytest.fixture
def analyst(world):
    return world.user("analyst")


@pytest.fixture
def administrator(world):
    return world.user("administrator")


@pytest.fixture
def make_obs(world) -> Callable[..., Observation]:
    """An observation of NAP 2014's executions series by Punjab, put directly in a state (a draft by default)."""

    default = object()

    def make(state: str = ObservationState.DRAFT, body: Any = default, created_by: Any = None, **kw: Any):
        kw.setdefault("indicator", world.old_executions)
        kw.setdefault("source", world.status_2017)
        kw.setdefault("value", 100)
        return world.observe(state=state, body=world.punjab if body is default else body, created_by=created_by, **kw)

    return make


@pytest.fixture
def client_as() -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache (Redis in tests): each test starts with none.
    cache.clear()
    yield


def enrol_totp(user: Any) -> None:
    """Give a user a TOTP authenticator, as allauth's activation view would."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


@pytest.fixture
def client_as_enrolled(client_as) -> Callable[[Any], Client]:
    """A logged-in client for any role; reviewers and administrators get a second factor first."""

    def login(user: Any) -> Client:
        from tracker.permissions import MFA_REQUIRED_ROLES, role_of

        if role_of(user) in MFA_REQUIRED_ROLES:
            enrol_totp(user)
        return client_as(user)

    return login


@pytest.fixture
def audit_rows() -> Callable[[], int]:
    from tracker.models import AuditEntry

    return lambda: AuditEntry.objects.count()
