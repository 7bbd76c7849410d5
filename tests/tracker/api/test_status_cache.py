"""The status API's cache: whole answers keyed by the query, the reader's audience class, the language and the
data version, which every write that can change a published figure replaces in its own transaction."""

from datetime import date

import pytest

from tests.tracker.api.test_status import STATUS_QUERIES
from tracker import permissions, selectors, services
from tracker.choices import ObservationState as S
from tracker.choices import Role
from tracker.models import Observation, Source

URL = "/api/v1/status/"
PARAMS = {"framework": "nap-2014", "as_of": "2017-10-01"}
REVIEWER_AUTH = 4  # see test_status.STATUS_QUERIES
ANALYST_AUTH = 3  # no authenticator check
HIT_QUERIES = 1  # the data version


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["observation"] for row in response.json()["results"]]


def _client(api_as, user):
    client = api_as(user)
    client.get("/api/v1/frameworks/")  # the token's last use is written at most once a minute: not in the counts
    return client


def test_a_hit_answers_the_bytes_of_the_miss_for_the_version_query_alone(
    world, reviewer, api_as, make_obs, django_assert_num_queries
):
    make_obs(S.APPROVED, body=None, period_end=date(2017, 9, 30), period_start=None)
    make_obs(S.APPROVED, period_end=date(2017, 6, 30), period_start=date(2017, 1, 1))
    client = _client(api_as, reviewer)
    with django_assert_num_queries(STATUS_QUERIES):
        miss = client.get(URL, PARAMS)
    with django_assert_num_queries(REVIEWER_AUTH + HIT_QUERIES):
        hit = client.get(URL, PARAMS)
    assert len(_ids(miss)) == 2
    assert hit.content == miss.content
    assert hit["Content-Type"] == miss["Content-Type"] == "application/json"


def test_another_query_is_another_entry(world, reviewer, api_as, make_obs, django_assert_num_queries):
    make_obs(S.APPROVED, period_end=date(2017, 6, 30), period_start=date(2017, 1, 1))
    client = _client(api_as, reviewer)
    client.get(URL, PARAMS)
    with django_assert_num_queries(STATUS_QUERIES):
        assert _ids(client.get(URL, {**PARAMS, "as_of": "2017-01-01"})) == []
    with django_assert_num_queries(STATUS_QUERIES):
        client.get(URL, {**PARAMS, "hindsight": "true"})


def test_an_approval_through_the_service_changes_the_next_answer(world, reviewer, analyst, api_as, make_obs):
    earlier = make_obs(S.APPROVED, period_end=date(2017, 3, 31), period_start=None)
    pending = make_obs(S.VERIFIED, period_end=date(2017, 6, 30), period_start=None)
    client = _client(api_as, analyst)
    assert _ids(client.get(URL, PARAMS)) == [earlier.pk]
    assert _ids(client.get(URL, PARAMS)) == [earlier.pk]  # from the cache

    services.observation_approve(actor=reviewer, observation_id=pending.pk, version=pending.version)

    assert _ids(client.get(URL, PARAMS)) == [pending.pk]


def test_the_version_follows_published_data_not_drafts(world, make_obs):
    draft = make_obs(S.DRAFT, period_end=date(2017, 6, 30), period_start=None)
    first = selectors.data_version()
    Observation.objects.filter(pk=draft.pk).update(note="a draft's edit publishes nothing")
    assert selectors.data_version() == first
    Observation.objects.filter(pk=draft.pk).update(state=S.APPROVED)
    second = selectors.data_version()
    assert second != first
    Source.objects.filter(pk=world.status_2017.pk).update(title="Status report, revised")
    assert selectors.data_version() != second


def test_a_source_edit_shows_in_the_next_answer(world, analyst, api_as, make_obs):
    make_obs(S.APPROVED, period_end=date(2017, 6, 30), period_start=None)
    client = _client(api_as, analyst)
    assert client.get(URL, PARAMS).json()["results"][0]["source"]["title"] == "Status report"
    Source.objects.filter(pk=world.status_2017.pk).update(title="Status report, revised")
    assert client.get(URL, PARAMS).json()["results"][0]["source"]["title"] == "Status report, revised"


def test_every_role_is_one_audience_today(users):
    # The policy lets every signed-in role see every approved figure: one cached answer serves them all.
    assert {permissions.published_audience(user) for user in users.values()} == {"published"}


def test_a_user_whose_scope_narrows_approved_figures_is_an_audience_alone(users, monkeypatch):
    narrowed = permissions._roles(Role.REVIEWER) | (permissions._states(S.APPROVED) & permissions.OfOwnBody())
    monkeypatch.setattr(permissions, "SCOPE", narrowed)
    reporter = users[Role.REPORTER]
    assert permissions.published_audience(users[Role.REVIEWER]) == "published"
    assert permissions.published_audience(reporter) == f"user:{reporter.pk}"


def test_users_of_different_audiences_never_share_an_entry(
    world, reporter, analyst, api_as, make_obs, monkeypatch, django_assert_num_queries
):
    make_obs(S.APPROVED, period_end=date(2017, 6, 30), period_start=None)
    monkeypatch.setattr(permissions, "published_audience", lambda user: f"user:{user.pk}")
    mine, theirs = _client(api_as, analyst), _client(api_as, reporter)
    mine.get(URL, PARAMS)
    with django_assert_num_queries(STATUS_QUERIES - REVIEWER_AUTH + ANALYST_AUTH):  # a miss: its own entry
        theirs.get(URL, PARAMS)
    with django_assert_num_queries(ANALYST_AUTH + HIT_QUERIES):
        mine.get(URL, PARAMS)


@pytest.mark.parametrize("language", ["en", "ur"])
def test_each_language_has_its_own_entry(language, world, analyst, api_as, make_obs, django_assert_num_queries):
    make_obs(S.APPROVED, period_end=date(2017, 6, 30), period_start=None)
    client = _client(api_as, analyst)
    other = "ur" if language == "en" else "en"
    client.get(URL, PARAMS, HTTP_ACCEPT_LANGUAGE=other)
    with django_assert_num_queries(STATUS_QUERIES - REVIEWER_AUTH + ANALYST_AUTH):
        client.get(URL, PARAMS, HTTP_ACCEPT_LANGUAGE=language)


def test_a_flushed_database_caches_nothing_until_its_next_write_brings_a_new_token(world, make_obs):
    from tracker.models import DataVersion

    first = selectors.data_version()
    DataVersion.objects.all().delete()  # what a transactional test's flush does
    assert selectors.data_version() is None
    make_obs(S.APPROVED, period_end=date(2017, 6, 30), period_start=None)
    assert selectors.data_version() not in (None, first)
