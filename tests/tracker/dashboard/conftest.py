"""A small two-framework world for the dashboard, explorer and indicator page, with one user per role.

The users and the login helpers are the workflow tests' (tests/tracker/workflow/conftest.py), so the whole
suite agrees on what a reporter, reviewer or analyst is.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tests.tracker.workflow.conftest import (  # noqa: F401  (fixtures shared with the workflow tests)
    _clear_cache,
    client_as,
    client_as_enrolled,
    make_user,
)
from tracker.choices import (
    BodyKind,
    DatePrecision,
    Direction,
    ItemCategory,
    ObservationState,
    Rating,
    ResponsibilityRole,
    Role,
    Unit,
)
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    Framework,
    Indicator,
    Observation,
    Responsibility,
    Source,
)

# Every logged-in page costs this before the view runs, once the session exists: session, user, and the role
# and bodies (the policy, once). allauth's per-request session tracking is off (USERSESSIONS_TRACK_ACTIVITY).
AUTH_QUERIES = 3


@dataclass
class Dash:
    nap2014: Framework
    nap2021: Framework
    executions_item: AgendaItem  # 2021 item 1, kinetic
    madaris_item: AgendaItem  # 2021 item 2, non-kinetic
    old_item: AgendaItem  # 2014 item 1, continued by 2021 item 1
    executions: Indicator  # 2021, count, higher is better, target
    attacks: Indicator  # 2021, count, lower is better, reported per province
    madaris: Indicator  # 2021, text status
    old_executions: Indicator  # 2014, continued by ``executions``
    punjab: Body
    sindh: Body
    nacta: Body
    source: Source


@pytest.fixture
def dash(db) -> Dash:
    nacta = Body.objects.create(slug="nacta", name="NACTA", short_name="NACTA", kind=BodyKind.FEDERAL_AGENCY)
    punjab = Body.objects.create(slug="punjab", name="Punjab", short_name="Punjab", kind=BodyKind.PROVINCE)
    sindh = Body.objects.create(slug="sindh", name="Sindh", short_name="Sindh", kind=BodyKind.PROVINCE)
    source = Source.objects.create(
        slug="nacta-status", publisher=nacta, title="NAP status report", published_on=date(2024, 1, 15)
    )
    nap2014 = Framework.objects.create(
        slug="nap-2014", title="National Action Plan 2014", short_title="NAP 2014", adopted_on=date(2014, 12, 24)
    )
    nap2021 = Framework.objects.create(
        slug="nap-2021",
        title="Revised National Action Plan 2021",
        short_title="NAP 2021",
        adopted_on=date(2021, 5, 1),
        supersedes=nap2014,
    )
    old_item = AgendaItem.objects.create(
        framework=nap2014, number=1, title="Execution of convicted terrorists", category=ItemCategory.KINETIC
    )
    executions_item = AgendaItem.objects.create(
        framework=nap2021, number=1, title="Death sentences carried out", category=ItemCategory.KINETIC
    )
    madaris_item = AgendaItem.objects.create(
        framework=nap2021, number=2, title="Registration of madaris", category=ItemCategory.NON_KINETIC
    )
    Responsibility.objects.create(item=executions_item, body=punjab, role=ResponsibilityRole.LEAD)
    Responsibility.objects.create(item=executions_item, body=sindh, role=ResponsibilityRole.SUPPORTING)
    Responsibility.objects.create(item=madaris_item, body=sindh, role=ResponsibilityRole.LEAD)
    old_executions = Indicator.objects.create(
        item=old_item, code="executions-2014", name="Executions (2014 plan)", unit=Unit.COUNT
    )
    executions = Indicator.objects.create(
        item=executions_item,
        code="executions",
        name="Executions",
        unit=Unit.COUNT,
        direction=Direction.HIGHER_IS_BETTER,
        target_value=Decimal(600),
        target_date=date(2025, 12, 31),
        continues=old_executions,
        position=1,
    )
    attacks = Indicator.objects.create(
        item=executions_item,
        code="attacks",
        name="Terrorist attacks",
        unit=Unit.COUNT,
        direction=Direction.LOWER_IS_BETTER,
        position=2,
    )
    madaris = Indicator.objects.create(item=madaris_item, code="madaris", name="Madaris status", unit=Unit.TEXT)
    Assessment.objects.create(
        item=executions_item, as_of=date(2024, 6, 30), rating=Rating.PARTLY_SATISFACTORY, source=source
    )
    return Dash(
        nap2014, nap2021, executions_item, madaris_item, old_item, executions, attacks, madaris, old_executions,
        punjab, sindh, nacta, source,
    )  # fmt: skip


@pytest.fixture
def obs(dash) -> Callable[..., Observation]:
    """An observation put directly in a state (the services are tested elsewhere); approved by default."""

    def make(
        indicator: Indicator | None = None,
        *,
        value: int | str | None = 100,
        end: date = date(2024, 12, 31),
        precision: str = DatePrecision.YEAR,
        state: str = ObservationState.APPROVED,
        body: Body | None = None,
        **kw: Any,
    ) -> Observation:
        indicator = indicator or dash.executions
        start = date(end.year, 1, 1) if precision == DatePrecision.YEAR else None
        now = timezone.now()
        values: dict[str, Any] = {
            "indicator": indicator,
            "body": body,
            "period_start": start,
            "period_end": end,
            "date_precision": precision,
            "value": None if indicator.unit == Unit.TEXT else Decimal(value) if value is not None else None,
            "text_value": str(value) if indicator.unit == Unit.TEXT else "",
            "source": dash.source,
            "state": state,
            "submitted_at": now if state != ObservationState.DRAFT else None,
            "approved_at": now if state == ObservationState.APPROVED else None,
        }
        values.update(kw)
        return Observation.objects.create(**values)

    return make


def bulk_observations(dash: Dash, n: int) -> None:
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
def users(make_user, dash) -> dict[str, Any]:  # noqa: F811  (the imported fixture, by pytest)
    return {
        "reporter": make_user(Role.REPORTER, dash.punjab, email="reporter@punjab.example.org"),
        "other_reporter": make_user(Role.REPORTER, dash.sindh, email="reporter@sindh.example.org"),
        "reviewer": make_user(Role.REVIEWER, email="reviewer@nacta.example.org"),
        "analyst": make_user(Role.ANALYST, email="analyst@example.org"),
        "administrator": make_user(Role.ADMINISTRATOR, email="admin@example.org"),
    }


@pytest.fixture
def as_role(users, client_as_enrolled) -> Callable[[str], Client]:  # noqa: F811
    """A logged-in client for a role (reviewers and administrators enrolled in TOTP, as the portal requires)."""
    return lambda role: client_as_enrolled(users[role])
