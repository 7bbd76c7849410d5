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


def test_the_shared_world_has_figures_in_every_state_with_corrections(nap_world):
    from django.contrib.auth import get_user_model

    from tracker.choices import ObservationState
    from tracker.models import Observation

    assert not get_user_model().objects.exists()  # users are made when a test asks for them
    figures = nap_world.figures()
    for observation in figures.values():
        observation.full_clean()
    assert {o.state for o in figures.values()} == set(ObservationState.values)
    assert figures["correction"].supersedes == figures["corrected"]
    assert figures["pending_correction"].supersedes == figures["approved"]
    assert {o.body for o in figures.values()} == {None, nap_world.punjab, nap_world.sindh}
    assert set(Observation.objects.values_list("indicator__item__framework", flat=True)) == {nap_world.nap2021.pk}
    assert nap_world.executions.continues == nap_world.old_executions
    assert nap_world.user("reporter") is nap_world.user("reporter")
    assert list(nap_world.user("reporter").memberships.values_list("body", flat=True)) == [nap_world.punjab.pk]
    assert nap_world.old_item.links_forward.get().to_item == nap_world.executions_item
