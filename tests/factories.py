"""factory_boy factories for every tracker model, and the one small world the suites share (``NapWorld``).

The factories are valid by default so tests only state what they care about.

Every default passes the model's ``full_clean()``: periods are day-precise unless a test says otherwise, values
are ``Decimal`` (never float), and an observation of a text indicator gets a text status instead of a number.
Call ``XFactory.create(...)`` where the type checker should know the model (``XFactory(...)`` is untyped).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

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
    ValueQualifier,
)
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Membership,
    Observation,
    Responsibility,
    Source,
    UserRole,
)


class FrameworkFactory(DjangoModelFactory[Framework]):
    class Meta:
        model = Framework

    slug = factory.Sequence(lambda n: f"nap-test-{n}")
    title = factory.Sequence(lambda n: f"National Action Plan (test {n})")
    short_title = factory.Sequence(lambda n: f"NAP T{n}")
    adopted_on = date(2014, 12, 24)
    adopted_precision = DatePrecision.DAY


class AgendaItemFactory(DjangoModelFactory[AgendaItem]):
    class Meta:
        model = AgendaItem

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n + 1}")
    description = "Implementation of the point as the plan states it."
    category = ItemCategory.KINETIC
    category_is_editorial = False


class CrosswalkLinkFactory(DjangoModelFactory[CrosswalkLink]):
    """Links items of two different frameworks (each SubFactory makes its own framework)."""

    class Meta:
        model = CrosswalkLink

    from_item = factory.SubFactory(AgendaItemFactory)
    to_item = factory.SubFactory(AgendaItemFactory)
    note = "Carried on by the revised framework."
    is_editorial = True


class BodyFactory(DjangoModelFactory[Body]):
    class Meta:
        model = Body

    slug = factory.Sequence(lambda n: f"body-{n}")
    name = factory.Sequence(lambda n: f"Test Body {n}")
    short_name = factory.Sequence(lambda n: f"TB{n}")
    kind = BodyKind.FEDERAL_AGENCY
    parent = None


class ResponsibilityFactory(DjangoModelFactory[Responsibility]):
    class Meta:
        model = Responsibility

    item = factory.SubFactory(AgendaItemFactory)
    body = factory.SubFactory(BodyFactory)
    role = ResponsibilityRole.LEAD
    is_editorial = True


class SourceFactory(DjangoModelFactory[Source]):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    publisher = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Status report {n}")
    published_on = date(2017, 10, 1)
    date_precision = DatePrecision.DAY
    url = ""
    reference = "Printed copy"


class IndicatorFactory(DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    item = factory.SubFactory(AgendaItemFactory)
    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    position = factory.Sequence(lambda n: n % 30_000 + 1)
    unit = Unit.COUNT
    status_template = "{value}"


class ObservationFactory(DjangoModelFactory[Observation]):
    """An approved, national, day-precise figure; a text status when the indicator's unit is text."""

    class Meta:
        model = Observation

    indicator = factory.SubFactory(IndicatorFactory)
    body = None
    period_start = None
    period_end = date(2017, 10, 1)
    date_precision = DatePrecision.DAY
    value = factory.LazyAttribute(lambda o: None if o.indicator.unit == Unit.TEXT else Decimal("506072"))
    value_qualifier = ValueQualifier.EXACT
    text_value = factory.LazyAttribute(lambda o: "Pertains to Provinces" if o.indicator.unit == Unit.TEXT else "")
    source = factory.SubFactory(SourceFactory)
    state = ObservationState.APPROVED
    approved_at = factory.LazyAttribute(lambda o: timezone.now() if o.state == ObservationState.APPROVED else None)


class AssessmentFactory(DjangoModelFactory[Assessment]):
    class Meta:
        model = Assessment

    item = factory.SubFactory(AgendaItemFactory)
    as_of = date(2024, 12, 31)
    date_precision = DatePrecision.DAY
    rating = Rating.SATISFACTORY
    narrative = "Progress as the source describes it."
    source = factory.SubFactory(SourceFactory)


class UserFactory(DjangoModelFactory[Any]):
    """A portal user who signs in by e-mail (the username is the address, as allauth makes it)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.SelfAttribute("email")
    password = factory.django.Password("correct horse battery")


class UserRoleFactory(DjangoModelFactory[UserRole]):
    class Meta:
        model = UserRole

    user = factory.SubFactory(UserFactory)
    role = Role.REPORTER


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    body = factory.SubFactory(BodyFactory)


def make_user(role: str | None, *bodies: Body, email: str) -> Any:
    """A user with a role (or none) and memberships of ``bodies``: what an invitation makes."""
    user = UserFactory.create(email=email)
    if role:
        UserRoleFactory.create(user=user, role=role)
    for body in bodies:
        MembershipFactory.create(user=user, body=body)
    return user


@dataclass
class NapWorld:
    """The small world the reporting, workflow and dashboard tests share: two frameworks and a crosswalk.

    NAP 2014 item 1 (executions, with a count and a text indicator) is continued by NAP 2021 item 1, which
    Punjab leads and Sindh supports and which reports national totals (``body=None``) beside the provinces'
    figures; NACTA published status reports in 2017 and 2024. Users and figures are made on request
    (``user()``, ``observe()``, ``figures()``), not up front: a test that counts the reviewers notified or the
    rows of a queue sees only what it asked for.
    """

    nap2014: Framework
    nap2021: Framework
    old_item: AgendaItem  # 2014 item 1, continued by 2021 item 1
    executions_item: AgendaItem  # 2021 item 1, kinetic
    madaris_item: AgendaItem  # 2021 item 2, non-kinetic
    old_executions: Indicator  # 2014, count; continued by ``executions``
    old_status: Indicator  # 2014, text status
    executions: Indicator  # 2021, count, higher is better, target
    attacks: Indicator  # 2021, count, lower is better, reported per province
    madaris: Indicator  # 2021, text status
    nacta: Body
    punjab: Body
    sindh: Body
    status_2017: Source  # NACTA's status report of October 2017
    source: Source  # NACTA's status report of January 2024
    _users: dict[str, Any] = field(default_factory=dict)

    # Who each role key is: (role, bodies by attribute name, e-mail address).
    USERS = {
        "reporter": (Role.REPORTER, ("punjab",), "reporter@punjab.example.org"),
        "other_reporter": (Role.REPORTER, ("sindh",), "reporter@sindh.example.org"),
        "reviewer": (Role.REVIEWER, (), "reviewer@nacta.example.org"),
        "second_reviewer": (Role.REVIEWER, (), "reviewer2@nacta.example.org"),
        "analyst": (Role.ANALYST, (), "analyst@example.org"),
        "administrator": (Role.ADMINISTRATOR, (), "admin@example.org"),
    }

    def user(self, key: str) -> Any:
        """The world's user for ``key`` (one of ``USERS``), made the first time it is asked for."""
        if key not in self._users:
            role, bodies, email = self.USERS[key]
            self._users[key] = make_user(role, *(getattr(self, name) for name in bodies), email=email)
        return self._users[key]

    def observe(
        self,
        indicator: Indicator | None = None,
        value: int | str | Decimal | None = 100,
        *,
        end: date = date(2024, 12, 31),
        precision: str = DatePrecision.YEAR,
        body: Body | None = None,
        state: str = ObservationState.APPROVED,
        **kw: Any,
    ) -> Observation:
        """An observation put directly in a state (the services are what other tests exercise)."""
        indicator = indicator or self.executions
        now = timezone.now()
        values: dict[str, Any] = {
            "indicator": indicator,
            "body": body,
            "period_start": date(end.year, 1, 1) if precision == DatePrecision.YEAR else None,
            "period_end": end,
            "date_precision": precision,
            "value": None if indicator.unit == Unit.TEXT or value is None else Decimal(value),
            "text_value": str(value) if indicator.unit == Unit.TEXT else "",
            "source": self.source,
            "state": state,
            "submitted_at": now if state != ObservationState.DRAFT else None,
            "approved_at": now if state == ObservationState.APPROVED else None,
        }
        values.update(kw)
        return ObservationFactory.create(**values)

    def figures(self) -> dict[str, Observation]:
        """Figures in every state, national and provincial, with an approved and a pending correction."""
        reporter = self.user("reporter")
        national = self.observe(value=480, end=date(2023, 12, 31))
        corrected = self.observe(value=500, body=self.punjab, end=date(2023, 12, 31), created_by=reporter)
        correction = self.observe(
            value=510,
            body=self.punjab,
            end=date(2023, 12, 31),
            supersedes=corrected,
            correction_reason="The province revised its count.",
            created_by=reporter,
        )
        approved = self.observe(value=520, body=self.punjab, created_by=reporter)
        pending_correction = self.observe(
            value=525,
            body=self.punjab,
            state=ObservationState.SUBMITTED,
            supersedes=approved,
            correction_reason="A late district return.",
            created_by=reporter,
        )
        return {
            "national": national,
            "corrected": corrected,
            "correction": correction,
            "approved": approved,
            "pending_correction": pending_correction,
            "sindh": self.observe(self.attacks, 12, body=self.sindh),
            "text": self.observe(self.madaris, "Registration under way"),
            "draft": self.observe(value=530, body=self.punjab, state=ObservationState.DRAFT, created_by=reporter),
            "submitted": self.observe(
                value=540,
                body=self.punjab,
                end=date(2025, 6, 30),
                precision=DatePrecision.DAY,
                state=ObservationState.SUBMITTED,
                created_by=reporter,
            ),
            "returned": self.observe(
                value=550,
                body=self.sindh,
                state=ObservationState.RETURNED,
                return_reason="Name the source's page.",
                created_by=self.user("other_reporter"),
            ),
            # Verified by the body's apex-committee secretariat, waiting for NACTA M&E.
            "verified": self.observe(
                value=560,
                body=self.sindh,
                end=date(2025, 12, 31),
                state=ObservationState.VERIFIED,
                created_by=self.user("other_reporter"),
            ),
        }


def build_nap_world() -> NapWorld:
    """Build the shared world with the factories (see ``NapWorld``)."""
    nacta = BodyFactory.create(slug="nacta", name="NACTA", short_name="NACTA", kind=BodyKind.FEDERAL_AGENCY)
    punjab = BodyFactory.create(slug="punjab", name="Punjab", short_name="Punjab", kind=BodyKind.PROVINCE)
    sindh = BodyFactory.create(slug="sindh", name="Sindh", short_name="Sindh", kind=BodyKind.PROVINCE)
    status_2017 = SourceFactory.create(
        slug="nacta-2017", publisher=nacta, title="Status report", published_on=date(2017, 10, 1)
    )
    source = SourceFactory.create(
        slug="nacta-status", publisher=nacta, title="NAP status report", published_on=date(2024, 1, 15)
    )
    nap2014 = FrameworkFactory.create(
        slug="nap-2014", title="National Action Plan 2014", short_title="NAP 2014", adopted_on=date(2014, 12, 24)
    )
    nap2021 = FrameworkFactory.create(
        slug="nap-2021",
        title="Revised National Action Plan 2021",
        short_title="NAP 2021",
        adopted_on=date(2021, 5, 1),
        supersedes=nap2014,
    )
    old_item = AgendaItemFactory.create(framework=nap2014, number=1, title="Execution of convicted terrorists")
    executions_item = AgendaItemFactory.create(framework=nap2021, number=1, title="Death sentences carried out")
    madaris_item = AgendaItemFactory.create(
        framework=nap2021, number=2, title="Registration of madaris", category=ItemCategory.NON_KINETIC
    )
    CrosswalkLinkFactory.create(from_item=old_item, to_item=executions_item, note="Point 1 carried on.")
    ResponsibilityFactory.create(item=executions_item, body=punjab, role=ResponsibilityRole.LEAD)
    ResponsibilityFactory.create(item=executions_item, body=sindh, role=ResponsibilityRole.SUPPORTING)
    ResponsibilityFactory.create(item=madaris_item, body=sindh, role=ResponsibilityRole.LEAD)
    old_executions = IndicatorFactory.create(item=old_item, code="executions-2014", name="Executions", position=1)
    old_status = IndicatorFactory.create(item=old_item, code="status", name="Status", unit=Unit.TEXT, position=2)
    executions = IndicatorFactory.create(
        item=executions_item,
        code="executions",
        name="Executions",
        direction=Direction.HIGHER_IS_BETTER,
        target_value=Decimal(600),
        target_date=date(2025, 12, 31),
        continues=old_executions,
        position=1,
    )
    attacks = IndicatorFactory.create(
        item=executions_item,
        code="attacks",
        name="Terrorist attacks",
        direction=Direction.LOWER_IS_BETTER,
        position=2,
    )
    madaris = IndicatorFactory.create(
        item=madaris_item, code="madaris", name="Madaris status", unit=Unit.TEXT, position=1
    )
    AssessmentFactory.create(
        item=executions_item, as_of=date(2024, 6, 30), rating=Rating.PARTLY_SATISFACTORY, source=source
    )
    return NapWorld(
        nap2014, nap2021, old_item, executions_item, madaris_item, old_executions, old_status, executions,
        attacks, madaris, nacta, punjab, sindh, status_2017, source,
    )  # fmt: skip
