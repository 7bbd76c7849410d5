"""GET /api/v1/status/: the latest approved figure of every indicator as of a date, as the report reads it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.factories import AgendaItemFactory, IndicatorFactory
from tracker.choices import ObservationState as S
from tracker.choices import Role, Unit, ValueQualifier
from tracker.models import AgendaItem, Indicator, Source
from tracker.selectors import latest_figures

URL = "/api/v1/status/"


def _get(client, **params):
    return client.get(URL, params)


def test_latest_approved_figure_per_series_and_body(world, reviewer, api_as, make_obs):
    old = make_obs(S.APPROVED, body=None, period_end=date(2016, 12, 31), period_start=None, date_precision="day")
    national = make_obs(
        S.APPROVED,
        body=None,
        period_end=date(2017, 9, 30),
        period_start=None,
        date_precision="month",
        value=Decimal(30000),
        value_qualifier=ValueQualifier.ABOUT,
    )
    make_obs(S.APPROVED, body=None, period_end=date(2017, 10, 2), period_start=None)  # after the date
    make_obs(S.SUBMITTED, body=None, period_end=date(2017, 10, 1), period_start=None)  # not approved
    punjab = make_obs(S.APPROVED, body=world.punjab, period_end=date(2017, 6, 30), period_start=date(2017, 1, 1))
    text = make_obs(
        S.APPROVED,
        indicator=world.old_status,
        body=world.sindh,
        value=None,
        text_value="Madrassa reform under way",
        period_end=date(2017, 3, 1),
        period_start=None,
    )

    response = _get(api_as(reviewer), framework="nap-2014", as_of="2017-10-01")

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["framework"], data["as_of"], data["body"], data["count"]) == ("nap-2014", "2017-10-01", None, 3)
    ids = [row["observation"] for row in data["results"]]
    # Item, indicator position (executions before status: same position, then code), national first.
    assert ids == [national.pk, punjab.pk, text.pk]
    assert old.pk not in ids
    first = data["results"][0]
    assert first == {
        "item": {"number": 1, "title": "Execution of convicted terrorists"},
        "indicator": {"code": "executions-2014", "name": "Executions", "unit": "count"},
        "observed_indicator": "executions-2014",
        "via_crosswalk": False,
        "body": None,
        "body_name": None,
        "observation": national.pk,
        "value": "30000.0000",
        "value_qualifier": "about",
        "text_value": "",
        "figure": "about 30,000",
        "period_start": None,
        "period_end": "2017-09-30",
        "date_precision": "month",
        "period": "Sep 2017",
        "source": {
            "slug": "nacta-2017",
            "publisher": "nacta",
            "title": "Status report",
            "published_on": "2017-10-01",
            "date_precision": "day",
            "url": world.status_2017.url,
            "reference": world.status_2017.reference,
        },
    }
    assert (data["results"][1]["body"], data["results"][1]["body_name"]) == ("punjab", "Punjab")
    assert data["results"][2]["value"] is None
    assert data["results"][2]["figure"] == "Madrassa reform under way"


def test_same_rows_as_the_report_selector(world, analyst, api_as, make_obs):
    for i, body in enumerate([None, world.punjab, world.sindh]):
        make_obs(S.APPROVED, body=body, period_end=date(2017, 1, 1) + timedelta(days=i), period_start=None)
        make_obs(S.APPROVED, body=body, period_end=date(2015, 1, 1) + timedelta(days=i), period_start=None)
    expected = set(latest_figures(framework=world.nap2014, as_of=date(2017, 10, 1)).values_list("pk", flat=True))
    rows = _get(api_as(analyst), framework="nap-2014", as_of="2017-10-01").json()["results"]
    assert {row["observation"] for row in rows} == expected and len(expected) == 3


def test_body_scope(world, reporter, api_as, make_obs):
    make_obs(S.APPROVED, body=None, period_end=date(2017, 1, 1), period_start=None)
    sindh = make_obs(S.APPROVED, body=world.sindh, period_end=date(2017, 1, 1), period_start=None)
    make_obs(S.APPROVED, body=world.punjab, period_end=date(2017, 1, 1), period_start=None)
    data = _get(api_as(reporter), framework="nap-2014", as_of="2017-10-01", body="sindh").json()
    assert data["body"] == "sindh"
    assert [row["observation"] for row in data["results"]] == [sindh.pk]


def test_a_correction_replaces_the_figure_it_corrects(world, analyst, api_as, make_obs):
    original = make_obs(S.APPROVED, body=None, period_end=date(2017, 1, 1), period_start=None)
    corrected = make_obs(
        S.APPROVED, body=None, period_end=date(2017, 1, 1), period_start=None, supersedes=original, value=Decimal(90)
    )
    rows = _get(api_as(analyst), framework="nap-2014", as_of="2017-10-01").json()["results"]
    assert [(row["observation"], row["value"]) for row in rows] == [(corrected.pk, "90.0000")]


def test_figure_of_the_other_framework_via_crosswalk(world, analyst, api_as, make_obs):
    item21 = AgendaItem.objects.create(framework=world.nap2021, number=3, title="Terror financing", category="kinetic")
    later = Indicator.objects.create(
        item=item21, code="executions-21", name="Executions", unit=Unit.COUNT, continues=world.old_executions
    )
    carried = make_obs(S.APPROVED, indicator=later, body=None, period_end=date(2023, 1, 1), period_start=None)
    rows = _get(api_as(analyst), framework="nap-2014", as_of="2024-01-01").json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["observation"] == carried.pk
    assert row["via_crosswalk"] is True
    assert row["indicator"]["code"] == "executions-2014" and row["item"]["number"] == 1  # the 2014 series it feeds
    assert row["observed_indicator"] == "executions-21"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2017-10-01"}, "framework"),
        ({"framework": "nap-2099", "as_of": "2017-10-01"}, "framework"),
        ({"framework": "", "as_of": "2017-10-01"}, "framework"),
        ({"framework": "nap-2014"}, "as_of"),
        ({"framework": "nap-2014", "as_of": "1 Oct 2017"}, "as_of"),
        ({"framework": "nap-2014", "as_of": "2017-02-30"}, "as_of"),
        ({"framework": "nap-2014", "as_of": "2017-10-01", "body": "atlantis"}, "body"),
        ({"framework": "nap-2014", "as_of": "2017-10-01", "body": ""}, "body"),
        ({"framework": ["nap-2014", "nap-2014"], "as_of": "2017-10-01"}, "framework"),
    ],
)
def test_bad_parameters_answer_400_in_the_one_error_format(params, field, world, analyst, api_as):
    response = _get(api_as(analyst), **params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["message"]
    assert list(body["errors"]) == [field] and body["errors"][field][0]


def test_anonymous_gets_401(world):
    from rest_framework.test import APIClient

    response = APIClient().get(URL, {"framework": "nap-2014", "as_of": "2017-10-01"})
    assert response.status_code == 401 and response.json()["status"] == 401


# Auth (4 for a reviewer: token, knox's expiry sweep, the role and whether an authenticator is still enrolled)
# + the data version (the cache key) + framework, the framework's indicators, the latest figures (one query: the
# read model is its table of series, see ObservationQuerySet.series_heads); + the body with a scope.
# A cached answer costs the auth and the data version only: tests/tracker/api/test_status_cache.py.
STATUS_QUERIES = 4 + 1 + 3


@pytest.mark.parametrize("with_body", [False, True])
@pytest.mark.parametrize("n", [2, 30])
def test_query_count_is_flat(n, with_body, world, reviewer, api_as, make_obs, django_assert_num_queries):
    for i in range(n):
        item = AgendaItemFactory.create(framework=world.nap2014, number=100 + i)
        indicator = IndicatorFactory.create(item=item)
        for body in (None, world.punjab, world.sindh):
            make_obs(S.APPROVED, indicator=indicator, body=body, period_end=date(2017, 1, 1), period_start=None)
    client = api_as(reviewer)
    client.get("/api/v1/frameworks/")  # the token's last use is written at most once a minute: not in the count
    params = {"framework": "nap-2014", "as_of": "2017-10-01", **({"body": "punjab"} if with_body else {})}
    with django_assert_num_queries(STATUS_QUERIES + (1 if with_body else 0)):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert response.json()["count"] == (n if with_body else 3 * n)


@pytest.mark.parametrize("role", [Role.REPORTER, Role.REVIEWER, Role.ANALYST, Role.ADMINISTRATOR])
def test_every_role_sees_the_same_approved_figures(role, world, users, api_as, make_obs):
    approved = make_obs(S.APPROVED, body=world.sindh, period_end=date(2017, 1, 1), period_start=None)
    for state in (S.DRAFT, S.SUBMITTED, S.RETURNED):
        make_obs(state, body=world.punjab, period_end=date(2017, 2, 1), period_start=None)
    rows = _get(api_as(users[role]), framework="nap-2014", as_of="2017-10-01").json()["results"]
    assert [row["observation"] for row in rows] == [approved.pk]


def test_known_on_defaults_to_the_as_of_date_and_hindsight_is_explicit(world, analyst, api_as, make_obs):
    known = make_obs(S.APPROVED, body=None, period_end=date(2017, 6, 30), period_start=None)
    later_source = Source.objects.create(
        slug="later",
        publisher=known.source.publisher,
        title="Later report",
        published_on=date(2019, 1, 1),
        url="https://example.org/later",
        reference="Annex B",
    )
    later = make_obs(S.APPROVED, body=None, period_end=date(2017, 9, 30), period_start=None, source=later_source)
    client = api_as(analyst)

    data = _get(client, framework="nap-2014", as_of="2017-10-01").json()
    assert (data["known_on"], [r["observation"] for r in data["results"]]) == ("2017-10-01", [known.pk])
    data = _get(client, framework="nap-2014", as_of="2017-10-01", known_on="2019-01-01").json()
    assert [r["observation"] for r in data["results"]] == [later.pk]
    data = _get(client, framework="nap-2014", as_of="2017-10-01", hindsight="true").json()
    assert data["known_on"] is None
    assert [r["observation"] for r in data["results"]] == [later.pk]
    assert (data["results"][0]["source"]["url"], data["results"][0]["source"]["reference"]) == (
        "https://example.org/later",
        "Annex B",
    )
    refused = _get(client, framework="nap-2014", as_of="2017-10-01", known_on="2017-01-01")
    assert refused.status_code == 400 and "known_on" in refused.content.decode()
