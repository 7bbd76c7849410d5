"""Small local fixtures for the report tests: two frameworks, a few items, bodies, indicators and sources.

Kept here until tests/factories.py lands; the data mirror the shapes of the seed (national figures with an
empty body, approved observations, status templates as NACTA writes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tracker.choices import (
    Accumulation,
    BodyKind,
    DatePrecision,
    Direction,
    ItemCategory,
    ObservationState,
    Rating,
    ResponsibilityRole,
    Scale,
    Unit,
    ValueQualifier,
)
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Observation,
    Responsibility,
    Source,
)


@dataclass
class World:
    nap2014: Framework
    nap2021: Framework
    nacta: Body
    punjab: Body
    sbp: Body
    nacta_report: Source
    issra: Source
    executions: Indicator
    courts: Indicator
    court_cases: Indicator
    sims: Indicator
    target_killing: Indicator
    sectarian: Indicator
    refugees_text: Indicator
    accounts: Indicator
    urls_2021: Indicator
    urls_2014: Indicator

    def observe(
        self,
        indicator: Indicator,
        value: int | str | Decimal | None,
        end: date,
        *,
        start: date | None = None,
        precision: str = DatePrecision.DAY,
        body: Body | None = None,
        source: Source | None = None,
        state: str = ObservationState.APPROVED,
        qualifier: str = ValueQualifier.EXACT,
        supersedes: Observation | None = None,
    ) -> Observation:
        text = value if isinstance(value, str) else ""
        number = None if isinstance(value, str) or value is None else Decimal(value)
        return Observation.objects.create(
            indicator=indicator,
            body=body,
            period_start=start,
            period_end=end,
            date_precision=precision,
            value=number,
            text_value=text,
            value_qualifier=qualifier,
            source=source or self.nacta_report,
            state=state,
            supersedes=supersedes,
            approved_at=timezone.now() if state == ObservationState.APPROVED else None,
        )


def _indicator(item: AgendaItem, code: str, template: str, **kwargs: Any) -> Indicator:
    kwargs.setdefault("unit", Unit.COUNT)
    return Indicator.objects.create(
        item=item, code=code, name=code.replace("-", " "), status_template=template, **kwargs
    )


@pytest.fixture
def world(db) -> World:
    nacta = Body.objects.create(
        slug="nacta", name="National Counter Terrorism Authority", short_name="NACTA", kind=BodyKind.FEDERAL_AGENCY
    )
    issra_body = Body.objects.create(
        slug="issra",
        name="Institute for Strategic Studies, Research and Analysis",
        short_name="ISSRA",
        kind=BodyKind.RESEARCH_INSTITUTE,
    )
    punjab = Body.objects.create(slug="punjab", name="Punjab", short_name="Punjab", kind=BodyKind.PROVINCE)
    sbp = Body.objects.create(slug="sbp", name="State Bank of Pakistan", short_name="SBP", kind=BodyKind.REGULATOR)
    nap2014 = Framework.objects.create(
        slug="nap-2014", title="National Action Plan 2014", short_title="NAP 2014", adopted_on=date(2014, 12, 24)
    )
    nap2021 = Framework.objects.create(
        slug="nap-2021",
        title="Revised National Action Plan 2021",
        short_title="NAP 2021",
        adopted_on=date(2021, 8, 1),
        supersedes=nap2014,
    )
    titles14 = {
        1: "Death Sentence to Convicted Terrorists",
        2: "Special (Army’s) Anti-terrorism Trial Courts",
        13: "Dismantling Communication Network",
        14: "Measures against abuse of internet for terrorism",
        16: "Ongoing operation in Karachi",
        18: "Dealing firmly with sectarian terrorists",
        19: "Formulation of policy for Afghan refugees",
    }
    items14 = {
        n: AgendaItem.objects.create(framework=nap2014, number=n, title=t, category=ItemCategory.KINETIC)
        for n, t in titles14.items()
    }
    items21 = {
        n: AgendaItem.objects.create(framework=nap2021, number=n, title=t, category=ItemCategory.NON_KINETIC)
        for n, t in {2: "Action against terrorist use of media and cyber networks", 4: "Choking terror finance"}.items()
    }
    CrosswalkLink.objects.create(from_item=items14[14], to_item=items21[2])
    Responsibility.objects.create(item=items14[1], body=nacta, role=ResponsibilityRole.LEAD)
    Responsibility.objects.create(item=items14[1], body=punjab, role=ResponsibilityRole.SUPPORTING)
    Responsibility.objects.create(item=items21[4], body=sbp, role=ResponsibilityRole.LEAD)
    nacta_report = Source.objects.create(
        slug="nacta-2017", publisher=nacta, title="National CE Policy Guidelines", published_on=date(2017, 8, 23)
    )
    issra = Source.objects.create(
        slug="issra-2025",
        publisher=issra_body,
        title="NAP after 2021",
        published_on=date(2025, 10, 1),
        date_precision=DatePrecision.MONTH,
    )
    urls_2014 = _indicator(items14[14], "urls-blocked-2014", "{value} URLs blocked")
    w = World(
        nap2014=nap2014,
        nap2021=nap2021,
        nacta=nacta,
        punjab=punjab,
        sbp=sbp,
        nacta_report=nacta_report,
        issra=issra,
        executions=_indicator(
            items14[1],
            "executions",
            "{value} Executions",
            direction=Direction.HIGHER_IS_BETTER,
            accumulation=Accumulation.RUNNING_TOTAL,  # as in the seed: executions since December 2014
        ),
        courts=_indicator(items14[2], "military-courts", "{value} Courts", position=1),
        court_cases=_indicator(items14[2], "military-court-cases", "{value} Cases", position=2),
        sims=_indicator(items14[13], "sims-blocked", "{value} SIMS", scale=Scale.MILLION),
        target_killing=_indicator(
            items14[16],
            "karachi-target-killing",
            "Target Killing ({value})",
            unit=Unit.PERCENT_CHANGE,
            direction=Direction.LOWER_IS_BETTER,
        ),
        sectarian=_indicator(
            items14[18], "sectarian-cases", "{value} Cases ({period})", direction=Direction.LOWER_IS_BETTER
        ),
        refugees_text=_indicator(items14[19], "refugee-law", "{value}", unit=Unit.TEXT),
        accounts=_indicator(items21[4], "accounts-blocked", "{value} accounts", direction=Direction.HIGHER_IS_BETTER),
        urls_2021=_indicator(
            items21[2], "urls-blocked", "{value} URLs blocked", scale=Scale.MILLION, continues=urls_2014
        ),
        urls_2014=urls_2014,
    )
    Assessment.objects.create(
        item=items21[2],
        as_of=date(2023, 12, 31),
        date_precision=DatePrecision.YEAR,
        rating=Rating.SATISFACTORY,
        source=issra,
    )
    return w


@pytest.fixture
def nacta_2017(world: World) -> World:
    """The figures of NACTA's table as of 1 October 2017 for the items in ``world``."""
    oct17 = date(2017, 10, 1)
    world.observe(world.executions, 484, oct17)
    world.observe(world.courts, 11, oct17)
    world.observe(world.court_cases, 388, oct17)
    world.observe(world.sims, 98_300_000, oct17)
    world.observe(world.urls_2014, 937, oct17)
    world.observe(world.target_killing, -91, oct17)
    world.observe(world.sectarian, 185, date(2012, 12, 31), start=date(2012, 1, 1), precision=DatePrecision.YEAR)
    world.observe(world.sectarian, 37, date(2016, 12, 31), start=date(2016, 1, 1), precision=DatePrecision.YEAR)
    world.observe(world.refugees_text, "National Refugees Law", oct17)
    return world


@pytest.fixture
def staff(db):
    """A NACTA M&E reviewer: the role that generates editions (with the second factor reviewers must have)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tracker.choices import Role
    from tracker.models import UserRole

    user = get_user_model().objects.create_user(username="nacta-me", email="me@nacta.example", password="x" * 16)
    UserRole.objects.create(user=user, role=Role.REVIEWER)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
