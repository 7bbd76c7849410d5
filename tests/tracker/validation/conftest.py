"""A world for the validation rules: eight jurisdictions under the national level, a running total, a
per-period series and two related indicators, plus the workflow world's users and helpers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tests.tracker.api.conftest import _responsibilities, api_as, token_for  # noqa: F401
from tests.tracker.workflow.conftest import (  # noqa: F401  (fixtures shared with the workflow tests)
    _clear_cache,
    analyst,
    client_as,
    client_as_enrolled,
    make_obs,
    make_user,
    reporter,
    reviewer,
    second_reviewer,
    world,
)
from tracker.choices import Accumulation, BodyKind, ObservationState, RuleKind, Severity, Unit
from tracker.models import Body, Indicator, Observation, ValidationRule


@dataclass
class VWorld:
    jurisdictions: list[Body]
    arrests: Indicator  # running total
    operations: Indicator  # per period
    convictions: Indicator
    cases: Indicator


JURISDICTIONS = [
    ("punjab", BodyKind.PROVINCE),
    ("sindh", BodyKind.PROVINCE),
    ("khyber-pakhtunkhwa", BodyKind.PROVINCE),
    ("balochistan", BodyKind.PROVINCE),
    ("gilgit-baltistan", BodyKind.REGION),
    ("azad-jammu-kashmir", BodyKind.REGION),
    ("islamabad-capital-territory", BodyKind.FEDERAL_TERRITORY),
    ("fata", BodyKind.REGION),
]


@pytest.fixture
def vworld(world) -> VWorld:  # noqa: F811  (the imported fixture, requested by name)
    bodies = [world.punjab, world.sindh]
    for slug, kind in JURISDICTIONS[2:]:
        bodies.append(Body.objects.create(slug=slug, name=slug.title(), short_name=slug.title()[:20], kind=kind))
    indicator = Indicator.objects.create
    return VWorld(
        jurisdictions=bodies,
        arrests=indicator(
            item=world.old_item,
            code="arrests",
            name="Arrests",
            unit=Unit.COUNT,
            accumulation=Accumulation.RUNNING_TOTAL,
        ),
        operations=indicator(item=world.old_item, code="operations", name="Operations", unit=Unit.COUNT),
        convictions=indicator(item=world.old_item, code="convictions", name="Convictions", unit=Unit.COUNT),
        cases=indicator(item=world.old_item, code="cases-registered", name="Cases registered", unit=Unit.COUNT),
    )


@pytest.fixture
def fig(world) -> Callable[..., Observation]:  # noqa: F811
    """An approved figure (or in another state), day-precise, national unless a body is given."""

    def make(
        indicator: Indicator,
        value: Any,
        *,
        body: Body | None = None,
        on: date = date(2015, 3, 25),
        state: str = ObservationState.APPROVED,
        **kw: Any,
    ) -> Observation:
        now = timezone.now()
        return Observation.objects.create(
            indicator=indicator,
            body=body,
            period_end=on,
            value=Decimal(value),
            source=world.status_2017,
            state=state,
            submitted_at=kw.pop("submitted_at", now if state != ObservationState.DRAFT else None),
            approved_at=now if state == ObservationState.APPROVED else None,
            **kw,
        )

    return make


@pytest.fixture
def rule(db) -> Callable[..., ValidationRule]:
    counter = {"n": 0}

    def make(kind: str = RuleKind.PARTS_WHOLE, parts: list[Body] | None = None, **kw: Any) -> ValidationRule:
        counter["n"] += 1
        values: dict[str, Any] = {
            "slug": f"rule-{counter['n']}",
            "name": f"Rule {counter['n']}",
            "kind": kind,
            "severity": Severity.WARNING,
            **kw,
        }
        made = ValidationRule(**values)
        made.full_clean()
        made.save()
        if parts:
            made.parts.set(parts)
        return made

    return make
