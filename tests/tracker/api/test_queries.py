"""Every list endpoint issues a fixed number of queries, whatever the page size and the amount of data."""

from datetime import date, timedelta

import pytest

from tests.factories import AgendaItemFactory, AssessmentFactory, CrosswalkLinkFactory, IndicatorFactory, SourceFactory
from tracker.choices import ObservationState as S
from tracker.choices import ResponsibilityRole
from tracker.models import Responsibility

# Per request with a personal token: token lookup, the user's other tokens (knox's expiry sweep), the user's
# role and bodies (the token's second-factor check asks the role; the policy reuses it), then the endpoint's own
# queries. Reviewers and administrators add one: whether they still have an authenticator.
AUTH = 3
EXPECTED = {
    "/api/v1/frameworks/": AUTH + 2,  # count, page
    "/api/v1/agenda-items/": AUTH + 3,  # count, page, responsibilities with bodies
    "/api/v1/crosswalk/": AUTH + 2,
    "/api/v1/bodies/": AUTH + 2,
    "/api/v1/indicators/": AUTH + 2,
    "/api/v1/sources/": AUTH + 2,
    "/api/v1/assessments/": AUTH + 2,
    "/api/v1/observations/": AUTH + 1,  # page (cursor: no count)
}


def make_data(world, n: int, make_obs) -> None:
    for i in range(n):
        item = AgendaItemFactory.create(framework=world.nap2014, number=100 + i)
        Responsibility.objects.create(item=item, body=world.punjab, role=ResponsibilityRole.LEAD)
        IndicatorFactory.create(item=item)
        SourceFactory.create(publisher=world.nacta)
        AssessmentFactory.create(item=item, source=None)
        CrosswalkLinkFactory.create()
        make_obs(S.APPROVED, period_end=date(2020, 1, 1) + timedelta(days=i), date_precision="day", period_start=None)
        make_obs(S.DRAFT, period_end=date(2019, 1, 1) + timedelta(days=i), date_precision="day", period_start=None)


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize("path", list(EXPECTED))
def test_list_query_count_is_flat(path, n, world, reporter, api_as, make_obs, django_assert_num_queries):
    make_data(world, n, make_obs)
    client = api_as(reporter)
    client.get("/api/v1/frameworks/")  # the token's last use is written at most once a minute: not in the count
    for size in (5, 50):
        with django_assert_num_queries(EXPECTED[path]):
            response = client.get(f"{path}?page_size={size}")
        assert response.status_code == 200
        assert 0 < len(response.json()["results"]) <= size


# The data version (the cache key), the framework by slug, then the report's selector: indicators, latest figures.
STATUS_QUERIES = AUTH + 1 + 1 + 2


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize("extra", [{}, {"hindsight": "true"}, {"known_on": "2030-01-01"}])
def test_status_query_count_is_flat_whatever_the_knowledge_date(
    n, extra, world, reporter, api_as, make_obs, django_assert_num_queries
):
    make_data(world, n, make_obs)
    client = api_as(reporter)
    client.get("/api/v1/frameworks/")  # the token's last use is written at most once a minute: not in the count
    with django_assert_num_queries(STATUS_QUERIES):
        response = client.get("/api/v1/status/", {"framework": world.nap2014.slug, "as_of": "2029-12-31", **extra})
    assert response.status_code == 200, response.content
    assert response.json()["count"] >= 1


# An analyst reads approved figures only: a page of observations is cached under the data version (tracker.page_cache).
OBSERVATIONS_MISS = AUTH + 1 + 1  # the data version, the page
OBSERVATIONS_HIT = AUTH + 1  # the data version


@pytest.mark.parametrize("n", [3, 40])
def test_an_analysts_observation_pages_come_from_the_cache_until_the_data_change(
    n, world, analyst, api_as, make_obs, django_assert_num_queries
):
    make_data(world, n, make_obs)
    client = api_as(analyst)
    client.get("/api/v1/frameworks/")  # the token's last use is written at most once a minute: not in the count
    with django_assert_num_queries(OBSERVATIONS_MISS):
        first = client.get("/api/v1/observations/?page_size=5")
    with django_assert_num_queries(OBSERVATIONS_HIT):
        again = client.get("/api/v1/observations/?page_size=5")
    assert again.json() == first.json()
    # A newly approved figure (a new data version) is on the next page at once; a draft never is.
    draft = make_obs(S.DRAFT, period_end=date(2030, 1, 2), date_precision="day", period_start=None)
    approved = make_obs(S.APPROVED, period_end=date(2030, 1, 1), date_precision="day", period_start=None)
    ids = [row["id"] for row in client.get("/api/v1/observations/?page_size=5").json()["results"]]
    assert approved.pk in ids and draft.pk not in ids


def test_a_reporters_observation_pages_show_a_new_draft_at_once(world, reporter, api_as, make_obs):
    client = api_as(reporter)
    client.get("/api/v1/observations/?page_size=5")
    draft = make_obs(S.DRAFT, period_end=date(2030, 1, 2), date_precision="day", period_start=None)
    ids = [row["id"] for row in client.get("/api/v1/observations/?page_size=5").json()["results"]]
    assert draft.pk in ids
