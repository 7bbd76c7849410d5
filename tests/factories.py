"""factory_boy factories for every tracker model; valid by default so tests only state what they care about.

Every default passes the model's ``full_clean()``: periods are day-precise unless a test says otherwise, values
are ``Decimal`` (never float), and an observation of a text indicator gets a text status instead of a number.
Call ``XFactory.create(...)`` where the type checker should know the model (``XFactory(...)`` is untyped).
"""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tracker.choices import (
    BodyKind,
    DatePrecision,
    ItemCategory,
    ObservationState,
    Rating,
    ResponsibilityRole,
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
