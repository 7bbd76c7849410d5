"""Admin: every changelist opens, changelists do not N+1, and invalid data is refused on the right field."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AgendaItemFactory,
    AssessmentFactory,
    BodyFactory,
    CrosswalkLinkFactory,
    FrameworkFactory,
    IndicatorFactory,
    ObservationFactory,
    ResponsibilityFactory,
)
from tracker.choices import ObservationState
from tracker.models import AgendaItem, Assessment, CrosswalkLink, Observation

pytestmark = pytest.mark.django_db

# session, user, role and bodies, enrolled second factor; the framework, body and source filters'
# choices; count of all rows, count of filtered rows; the page of rows with indicator, body, source and
# publisher joined.
OBSERVATION_CHANGELIST_QUERIES = 10


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def add_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def test_every_registered_changelist_answers_a_superuser(admin_client):
    ObservationFactory.create(body=BodyFactory.create(parent=BodyFactory.create()))
    ResponsibilityFactory.create()
    AssessmentFactory.create()
    CrosswalkLinkFactory.create()
    for model in admin.site._registry:
        response = admin_client.get(changelist_url(model))
        assert response.status_code == 200, model
        add = admin_client.get(add_url(model))
        if model is get_user_model():
            # Accounts are created by invitation; the admin's "Add user" leads there.
            assert add.status_code == 302 and add["Location"] == reverse("tracker:user-invite")
        else:
            assert add.status_code in (200, 403), model


def test_tracker_changelists_search_and_filter(admin_client):
    observation = ObservationFactory.create(indicator=IndicatorFactory.create(code="executions", name="Executions"))
    framework = observation.indicator.item.framework
    cases = [
        ("observation", {"q": "Executions", "state__exact": "approved"}),
        ("observation", {"indicator__item__framework__id__exact": framework.pk}),
        ("indicator", {"q": "executions", "unit__exact": "count", "item__framework__id__exact": framework.pk}),
        ("agendaitem", {"q": observation.indicator.item.title, "framework__id__exact": framework.pk}),
        ("source", {"q": observation.source.title}),
        ("body", {"q": observation.source.publisher.name, "kind__exact": "federal_agency"}),
    ]
    for model_name, params in cases:
        response = admin_client.get(reverse(f"admin:tracker_{model_name}_changelist"), params)
        assert response.status_code == 200, model_name
        assert response.context["cl"].result_count == 1, (model_name, params)


@pytest.mark.parametrize("n_observations", [3, 40])
def test_observation_changelist_query_count_does_not_grow(admin_client, n_observations, django_assert_num_queries):
    bodies = BodyFactory.create_batch(3)
    indicators = IndicatorFactory.create_batch(3)
    for i in range(n_observations):
        ObservationFactory.create(indicator=indicators[i % 3], body=bodies[i % 3] if i % 2 else None)
    with django_assert_num_queries(OBSERVATION_CHANGELIST_QUERIES):
        response = admin_client.get(changelist_url(Observation))
    assert response.status_code == 200
    assert response.content.decode().count("5,06,072") == n_observations


def build_reference_data(copies: int) -> None:
    for _ in range(copies):
        item = AgendaItemFactory.create()
        ResponsibilityFactory.create(item=item, body=BodyFactory.create(parent=BodyFactory.create()))
        AssessmentFactory.create(item=item)
        CrosswalkLinkFactory.create(from_item=item)
        ObservationFactory.create(indicator=IndicatorFactory.create(item=item), body=BodyFactory.create())


def tracker_changelist_query_counts(client) -> dict[str, int]:
    counts: dict[str, int] = {}
    for model in admin.site._registry:
        if model._meta.app_label == "tracker":
            with CaptureQueriesContext(connection) as queries:
                assert client.get(changelist_url(model)).status_code == 200
            counts[str(model._meta.model_name)] = len(queries)
    return counts


def test_no_tracker_changelist_grows_with_the_data(admin_client):
    build_reference_data(2)
    small = tracker_changelist_query_counts(admin_client)
    build_reference_data(10)
    assert tracker_changelist_query_counts(admin_client) == small


@pytest.mark.parametrize("state", list(ObservationState))
def test_observations_are_read_only_in_the_admin_even_for_a_superuser(admin_client, state):
    """Observations are written through the portal's services only (workflow, version, audit)."""
    observation = ObservationFactory.create(value=Decimal("484"), state=state)
    url = reverse("admin:tracker_observation_change", args=[observation.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "484" in page.content.decode()

    data = {"value": "999", "period_end": "2017-10-01", "_save": "Save"}
    assert admin_client.post(url, data).status_code == 403
    assert admin_client.post(reverse("admin:tracker_observation_delete", args=[observation.pk])).status_code == 403
    assert admin_client.get(add_url(Observation)).status_code == 403
    observation.refresh_from_db()
    assert (observation.value, observation.state, observation.version) == (Decimal("484"), state, 1)
    assert Observation.objects.count() == 1


def test_assessments_are_read_only_in_the_admin_even_for_a_superuser(admin_client):
    assessment = AssessmentFactory.create()
    url = reverse("admin:tracker_assessment_change", args=[assessment.pk])
    assert 'name="_save"' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"rating": "unsatisfactory", "_save": "Save"}).status_code == 403
    assert admin_client.post(reverse("admin:tracker_assessment_delete", args=[assessment.pk])).status_code == 403
    assert admin_client.get(reverse("admin:tracker_assessment_add")).status_code == 403
    assert Assessment.objects.get().rating == assessment.rating


def test_admin_refuses_a_crosswalk_inside_one_framework(admin_client):
    framework = FrameworkFactory.create()
    first, second = AgendaItemFactory.create_batch(2, framework=framework)
    data = {"from_item": first.pk, "to_item": second.pk, "note": "", "is_editorial": "on", "_save": "Save"}
    response = admin_client.post(add_url(CrosswalkLink), data)
    assert response.status_code == 200
    assert "A crosswalk link must join items of two different frameworks." in response.content.decode()
    assert not CrosswalkLink.objects.exists()


def test_admin_saves_a_crosswalk_across_frameworks(admin_client):
    earlier, later = AgendaItemFactory.create(), AgendaItemFactory.create()
    data = {"from_item": earlier.pk, "to_item": later.pk, "note": "", "is_editorial": "on", "_save": "Save"}
    assert admin_client.post(add_url(CrosswalkLink), data).status_code == 302
    link = CrosswalkLink.objects.get()
    assert (link.from_framework, link.to_framework) == (earlier.framework, later.framework)


def test_admin_refuses_a_duplicate_item_number(admin_client):
    existing = AgendaItemFactory.create(number=7)
    data = {
        "framework": existing.framework.pk,
        "number": "7",
        "title": "Duplicate",
        "description": "",
        "category": "kinetic",
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
        "responsibilities-TOTAL_FORMS": "0",
        "responsibilities-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    response = admin_client.post(add_url(AgendaItem), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert AgendaItem.objects.count() == 1
