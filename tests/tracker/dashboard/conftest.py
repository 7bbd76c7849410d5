"""The dashboard, explorer and indicator page tests on the shared world (tests/factories.py).

The users come from the world and the login helpers from the workflow tests (tests/tracker/workflow/conftest.py),
so the whole suite agrees on what a reporter, reviewer or analyst is.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tests.factories import NapWorld
from tests.tracker.workflow.conftest import (  # noqa: F401  (fixtures shared with the workflow tests)
    _clear_cache,
    client_as,
    client_as_enrolled,
    make_user,
)
from tracker.choices import (
    DatePrecision,
    ObservationState,
)
from tracker.models import (
    Body,
    Observation,
)

# Every logged-in page costs this before the view runs, once the session exists: session, user, and the role
# and bodies (the policy, once). allauth's per-request session tracking is off (USERSESSIONS_TRACK_ACTIVITY).
AUTH_QUERIES = 3


@pytest.fixture
def dash(nap_world: NapWorld) -> NapWorld:
    """The shared world: the dashboard tests work on NAP 2021's executions, attacks and madaris indicators."""
    return nap_world


@pytest.fixture
def obs(dash: NapWorld) -> Callable[..., Observation]:
    """An observation put directly in a state (the services are tested elsewhere); approved by default."""
    return dash.observe


def bulk_observations(dash: NapWorld, n: int) -> None:
    """``n`` observations across indicators, bodies, dates and states, in one ``bulk_create``.

    Nine in ten are approved; the rest are drafts and submissions of both provinces, so a scoped page that
    leaked or looped over them would show it.
    """
    indicators = [dash.executions, dash.attacks, dash.old_executions]
    bodies: list[Body | None] = [None, dash.punjab, dash.sindh]
    states = [ObservationState.APPROVED] * 9 + [ObservationState.SUBMITTED]
    now = timezone.now()
    rows = []
    for i in range(n):
        state = states[i % len(states)]
        if i % 20 == 19:
            state = ObservationState.DRAFT
        rows.append(
            Observation(
                indicator=indicators[i % 3],
                body=bodies[(i // 3) % 3],
                period_end=date(2024, 12, 31) - timedelta(days=i % 3000),
                date_precision=DatePrecision.DAY,
                value=Decimal(i % 997),
                source=dash.source,
                state=state,
                submitted_at=now - timedelta(days=i % 60) if state != ObservationState.DRAFT else None,
                approved_at=now if state == ObservationState.APPROVED else None,
            )
        )
    Observation.objects.bulk_create(rows, batch_size=2000)


@pytest.fixture
def users(dash: NapWorld) -> dict[str, Any]:
    return {key: dash.user(key) for key in ("reporter", "other_reporter", "reviewer", "analyst", "administrator")}


@pytest.fixture
def as_role(users, client_as_enrolled) -> Callable[[str], Client]:  # noqa: F811
    """A logged-in client for a role (reviewers and administrators enrolled in TOTP, as the portal requires)."""
    return lambda role: client_as_enrolled(users[role])
