"""The shared factories make valid objects: other tests rely on them passing the models' own checks."""

import pytest

from tests import factories
from tracker.choices import Unit

pytestmark = pytest.mark.django_db

ALL_FACTORIES = [
    factories.FrameworkFactory,
    factories.AgendaItemFactory,
    factories.CrosswalkLinkFactory,
    factories.BodyFactory,
    factories.ResponsibilityFactory,
    factories.SourceFactory,
    factories.IndicatorFactory,
    factories.ObservationFactory,
    factories.AssessmentFactory,
]


@pytest.mark.parametrize("factory", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_factory_makes_an_object_that_passes_full_clean(factory):
    first, second = factory.create_batch(2)
    first.full_clean()
    second.full_clean()
    assert first.pk != second.pk


def test_observation_of_a_text_indicator_gets_a_text_status():
    observation = factories.ObservationFactory.create(indicator__unit=Unit.TEXT)
    observation.full_clean()
    assert observation.value is None
    assert observation.text_value


def test_crosswalk_factory_links_two_frameworks():
    link = factories.CrosswalkLinkFactory.create()
    assert link.from_framework != link.to_framework
