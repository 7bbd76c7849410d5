"""A small world for workflow tests: one indicator, two provinces, one user per role."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tracker.choices import BodyKind, ItemCategory, ObservationState, ResponsibilityRole, Role, Unit
from tracker.models import (
    AgendaItem,
    Body,
    Framework,
    Indicator,
    Membership,
    Observation,
    Responsibility,
    Source,
    UserRole,
)

User = get_user_model()


@dataclass
class World:
    framework: Framework
    item: AgendaItem
    indicator: Indicator
    text_indicator: Indicator
    punjab: Body
    sindh: Body
    nacta: Body
    source: Source


@pytest.fixture
def world(db) -> World:
    fw = Framework.objects.create(slug="nap-2014", title="National Action Plan 2014", short_title="NAP 2014")
    item = AgendaItem.objects.create(framework=fw, number=1, title="Executions", category=ItemCategory.KINETIC)
    indicator = Indicator.objects.create(item=item, code="executions", name="Executions", unit=Unit.COUNT)
    text_indicator = Indicator.objects.create(item=item, code="status", name="Status", unit=Unit.TEXT)
    punjab = Body.objects.create(slug="punjab", name="Punjab", short_name="Punjab", kind=BodyKind.PROVINCE)
    sindh = Body.objects.create(slug="sindh", name="Sindh", short_name="Sindh", kind=BodyKind.PROVINCE)
    nacta = Body.objects.create(slug="nacta", name="NACTA", short_name="NACTA", kind=BodyKind.FEDERAL_AGENCY)
    source = Source.objects.create(
        slug="nacta-2017", publisher=nacta, title="Status report", published_on=date(2017, 10, 1)
    )
    # Both provinces support the item, so both report its indicators (the one validation's responsibility rule).
    for body in (punjab, sindh):
        Responsibility.objects.create(item=item, body=body, role=ResponsibilityRole.SUPPORTING)
    return World(fw, item, indicator, text_indicator, punjab, sindh, nacta, source)


@pytest.fixture
def make_user(db) -> Callable[..., Any]:
    counter = {"n": 0}

    def make(role: str | None, *bodies: Body, email: str | None = None) -> Any:
        counter["n"] += 1
        email = email or f"{role or 'norole'}{counter['n']}@example.org"
        user = User.objects.create_user(username=email, email=email, password="correct horse battery")
        if role:
            UserRole.objects.create(user=user, role=role)
        for body in bodies:
            Membership.objects.create(user=user, body=body)
        return user

    return make


@pytest.fixture
def reporter(make_user, world):
    return make_user(Role.REPORTER, world.punjab, email="reporter@punjab.example.org")


@pytest.fixture
def other_reporter(make_user, world):
    return make_user(Role.REPORTER, world.sindh, email="reporter@sindh.example.org")


@pytest.fixture
def reviewer(make_user, world):
    return make_user(Role.REVIEWER, email="reviewer@nacta.example.org")


@pytest.fixture
def second_reviewer(make_user, world):
    return make_user(Role.REVIEWER, email="reviewer2@nacta.example.org")


@pytest.fixture
def analyst(make_user, world):
    return make_user(Role.ANALYST, email="analyst@example.org")


@pytest.fixture
def administrator(make_user, world):
    return make_user(Role.ADMINISTRATOR, email="admin@example.org")


@pytest.fixture
def make_obs(world) -> Callable[..., Observation]:
    """An observation put directly in a state, for setting the scene (the services are what is under test)."""

    default = object()

    def make(state: str = ObservationState.DRAFT, body: Any = default, created_by: Any = None, **kw: Any):
        now = timezone.now()
        values: dict[str, Any] = {
            "indicator": world.indicator,
            "body": world.punjab if body is default else body,
            "period_end": date(2024, 12, 31),
            "date_precision": "year",
            "period_start": date(2024, 1, 1),
            "value": Decimal(100),
            "source": world.source,
            "state": state,
            "created_by": created_by,
            "submitted_at": now if state != ObservationState.DRAFT else None,
            "approved_at": now if state == ObservationState.APPROVED else None,
        }
        values.update(kw)
        return Observation.objects.create(**values)

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
