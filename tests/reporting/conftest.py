"""The report tests' view of the shared world (tests/factories.py): ``NapWorld`` extended with what NACTA's
status table of 1 October 2017 needs.

NAP 2014 item 1 and its executions indicator, the two frameworks, NACTA, Punjab and NACTA's 2017 status report
are the shared world's own, given what NACTA's table shows of them (NACTA's full name, the report's date of
23 August 2017, the executions' status template and running total). The report tests add NAP 2014's other
items in that table (2, 13, 14, 16, 18 and 19), NAP 2021's items on cyber networks (numbered 3 here: the
shared world's item 2 is madaris) and on terror finance (4), the State Bank and ISSRA, all made with the
factories. So a NAP 2021 report also shows the shared world's items 1 and 2 and its rating of item 1.

The data keep the shapes of the seed: national figures with an empty body, approved observations, status
templates as NACTA writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tests.factories import (
    AgendaItemFactory,
    AssessmentFactory,
    BodyFactory,
    CrosswalkLinkFactory,
    IndicatorFactory,
    NapWorld,
    ResponsibilityFactory,
    SourceFactory,
)
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
from tracker.models import AgendaItem, Body, Framework, Indicator, Observation, Source


@dataclass
class World:
    """The shared world (``nap``) and the report tests' names for the parts of it they use."""

    nap: NapWorld
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
        """An observation put directly in a state by the shared world's ``observe``; day-precise and from
        NACTA's 2017 status report unless said otherwise."""
        return self.nap.observe(
            indicator,
            value,
            end=end,
            precision=precision,
            body=body,
            state=state,
            period_start=start,
            source=source or self.nacta_report,
            value_qualifier=qualifier,
            supersedes=supersedes,
        )


def _indicator(item: AgendaItem, code: str, template: str, **kwargs: Any) -> Indicator:
    kwargs.setdefault("unit", Unit.COUNT)
    kwargs.setdefault("position", 1)
    name = code.replace("-", " ")
    return IndicatorFactory.create(item=item, code=code, name=name, status_template=template, **kwargs)


@pytest.fixture
def world(nap_world: NapWorld) -> World:
    """The shared world (``nap_world``) extended for the reports: see the module's docstring."""
    nap = nap_world
    sbp = BodyFactory.create(slug="sbp", name="State Bank of Pakistan", short_name="SBP", kind=BodyKind.REGULATOR)
    issra_body = BodyFactory.create(
        slug="issra",
        name="Institute for Strategic Studies, Research and Analysis",
        short_name="ISSRA",
        kind=BodyKind.RESEARCH_INSTITUTE,
    )
    issra = SourceFactory.create(
        slug="issra-2025",
        publisher=issra_body,
        title="NAP after 2021",
        published_on=date(2025, 10, 1),
        date_precision=DatePrecision.MONTH,
    )
    # NACTA's 2017 status report as the seed has it: a page dated 23 August 2017 giving the status "updated as
    # of 1st October, 2017", under NACTA's full name. A footnote then tells the publisher's name from its short
    # name, and the source's date from the figures' date.
    nap.nacta.name = "National Counter Terrorism Authority"
    nap.nacta.save(update_fields=["name"])
    nap.status_2017.published_on = date(2017, 8, 23)
    nap.status_2017.save(update_fields=["published_on"])
    # NAP 2014 item 1 is the shared world's; NACTA leads it and Punjab supports it, and its executions are
    # counted as NACTA's table counts them: a running total since December 2014, more being better.
    ResponsibilityFactory.create(item=nap.old_item, body=nap.nacta, role=ResponsibilityRole.LEAD)
    ResponsibilityFactory.create(item=nap.old_item, body=nap.punjab, role=ResponsibilityRole.SUPPORTING)
    executions = nap.old_executions
    executions.status_template = "{value} Executions"
    executions.direction = Direction.HIGHER_IS_BETTER
    executions.accumulation = Accumulation.RUNNING_TOTAL
    executions.save(update_fields=["status_template", "direction", "accumulation"])
    titles14 = {
        2: "Special (Army’s) Anti-terrorism Trial Courts",
        13: "Dismantling Communication Network",
        14: "Measures against abuse of internet for terrorism",
        16: "Ongoing operation in Karachi",
        18: "Dealing firmly with sectarian terrorists",
        19: "Formulation of policy for Afghan refugees",
    }
    items14 = {
        n: AgendaItemFactory.create(framework=nap.nap2014, number=n, title=t, category=ItemCategory.KINETIC)
        for n, t in titles14.items()
    }
    cyber = AgendaItemFactory.create(
        framework=nap.nap2021,
        number=3,
        title="Action against terrorist use of media and cyber networks",
        category=ItemCategory.NON_KINETIC,
    )
    finance = AgendaItemFactory.create(
        framework=nap.nap2021, number=4, title="Choking terror finance", category=ItemCategory.NON_KINETIC
    )
    CrosswalkLinkFactory.create(from_item=items14[14], to_item=cyber, note="Point 14 carried on.")
    ResponsibilityFactory.create(item=finance, body=sbp, role=ResponsibilityRole.LEAD)
    urls_2014 = _indicator(items14[14], "urls-blocked-2014", "{value} URLs blocked")
    w = World(
        nap=nap,
        nap2014=nap.nap2014,
        nap2021=nap.nap2021,
        nacta=nap.nacta,
        punjab=nap.punjab,
        sbp=sbp,
        nacta_report=nap.status_2017,
        issra=issra,
        executions=executions,
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
        accounts=_indicator(finance, "accounts-blocked", "{value} accounts", direction=Direction.HIGHER_IS_BETTER),
        urls_2021=_indicator(cyber, "urls-blocked", "{value} URLs blocked", scale=Scale.MILLION, continues=urls_2014),
        urls_2014=urls_2014,
    )
    AssessmentFactory.create(
        item=cyber,
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
def staff(world: World) -> Any:
    """The shared world's NACTA M&E reviewer: the role that generates editions (with the second factor reviewers
    must have)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = world.nap.user("reviewer")
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
