"""The observation and assessment rules, with their messages on the field concerned, through the services the
pages, the API and the import call (the admin no longer writes observations or assessments)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tracker import services
from tracker.choices import DatePrecision
from tracker.models import Assessment, Observation
from tracker.services import ObservationInput


@pytest.fixture
def national(world):
    """A valid national figure for a count indicator; tests spoil one field."""
    return ObservationInput(
        indicator=world.indicator,
        body=None,
        period_end=date(2017, 10, 1),
        date_precision=DatePrecision.DAY,
        value=Decimal(484),
        source=world.source,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": Decimal(-5)}, "value", "A count cannot be negative."),
        ({"value": None, "text_value": "Pertains to Provinces"}, "value", "This indicator is measured in Count"),
        (
            {"date_precision": DatePrecision.YEAR, "period_end": date(2024, 6, 30)},
            "period_end",
            "A year-precise period ends on 31 December of its year.",
        ),
        (
            {
                "date_precision": DatePrecision.MONTH,
                "period_start": date(2024, 6, 15),
                "period_end": date(2024, 7, 31),
            },
            "period_start",
            "A month-precise period starts on the first of its month.",
        ),
        ({"period_start": date(2017, 12, 1)}, "period_start", "The period starts after it ends."),
    ],
)
def test_an_invalid_observation_is_refused_on_the_field_concerned(reviewer, national, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        services.observation_create_draft(actor=reviewer, data=replace(national, **changes))
    assert any(message in error for error in refused.value.message_dict[field]), refused.value.message_dict
    assert not Observation.objects.exists()


def test_a_number_for_a_text_indicator_is_refused(world, reviewer, national):
    data = replace(national, indicator=world.text_indicator, value=Decimal(12), text_value="Drafts reforms")
    with pytest.raises(ValidationError) as refused:
        services.observation_create_draft(actor=reviewer, data=data)
    assert "This indicator records a text status, not a number." in refused.value.message_dict["value"]
    assert not Observation.objects.exists()


def test_an_assessment_dated_more_precisely_than_its_precision_is_refused(world, reviewer):
    with pytest.raises(ValidationError) as refused:
        services.assessment_create(
            actor=reviewer,
            item=world.item,
            as_of=date(2024, 7, 15),
            date_precision=DatePrecision.MONTH,
            rating="satisfactory",
        )
    assert "A month-precise period ends on the last day of its month." in refused.value.message_dict["as_of"]
    assert not Assessment.objects.exists()
