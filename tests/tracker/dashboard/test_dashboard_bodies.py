"""The dashboard's "figures by body": the cards count the bodies' figures and each body's figure loads on demand
from its own fragment (``/dashboard/bodies/<indicator>/``), scoped by the policy and the dashboard's settings."""

import re
from datetime import date

import pytest

from tests.factories import BodyFactory
from tests.tracker.dashboard.conftest import AUTH_QUERIES, bulk_observations
from tests.tracker.dashboard.test_dashboard import figures_by_body
from tests.tracker.dashboard.test_scope import PUNJAB_SUBMITTED, SINDH_DRAFT, SINDH_RETURNED, SINDH_SUBMITTED
from tracker import permissions
from tracker.choices import Accumulation, ObservationState
from tracker.models import Indicator

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/?framework=nap-2021&as_of=2025-03-31&category="
FRAGMENT = "/dashboard/bodies/attacks/?framework=nap-2021&as_of=2025-03-31&category="


def test_the_fragment_lists_each_bodys_latest_figure_as_of_the_dashboards_date(as_role, dash, obs):
    obs(dash.attacks, value=31, body=dash.punjab, end=date(2023, 12, 31))
    obs(dash.attacks, value=32, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.attacks, value=33, body=dash.punjab, end=date(2025, 12, 31))  # after the as-of date
    obs(dash.attacks, value=41, body=dash.sindh, end=date(2022, 12, 31))
    obs(dash.attacks, value=50, end=date(2024, 12, 31))  # national: the card's headline, not a body
    client = as_role("analyst")
    html = client.get(PAGE).content.decode()
    assert 'data-testid="headline-attacks">50<' in html
    assert "2 bodies reported; latest 2024" in html
    fragment = figures_by_body(client, html, "attacks")
    assert "<html" not in fragment
    assert '<li data-testid="headline-attacks-punjab"><strong>Punjab:</strong> 32 ' in fragment
    assert '<li data-testid="headline-attacks-sindh"><strong>Sindh:</strong> 41 ' in fragment
    assert fragment.index("Punjab") < fragment.index("Sindh")  # by name
    assert ">50<" not in fragment and " 31 " not in fragment and " 33 " not in fragment
    earlier = client.get(FRAGMENT.replace("2025-03-31", "2023-06-30"), HTTP_HX_REQUEST="true").content.decode()
    assert "Sindh:</strong> 41 " in earlier and "Punjab" not in earlier
    nothing = client.get(FRAGMENT.replace("2025-03-31", "2020-01-01"), HTTP_HX_REQUEST="true").content.decode()
    assert "No body has an approved figure up to 1 Jan 2020." in nothing
    # Without JavaScript the card's link opens the same figures as a page, with the way back.
    page = client.get(FRAGMENT).content.decode()
    assert "<html" in page and "Terrorist attacks: figures by body" in page
    assert "Punjab:</strong> 32 " in page
    assert 'href="/dashboard/?framework=nap-2021&amp;as_of=2025-03-31&amp;category="' in page


def test_without_a_national_figure_the_newest_bodys_figure_heads_the_card(as_role, dash, obs):
    obs(dash.attacks, value=7, body=dash.sindh, end=date(2023, 12, 31))
    obs(dash.attacks, value=8, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.executions, value=3, end=date(2024, 12, 31))
    html = as_role("analyst").get(PAGE).content.decode()
    assert 'data-testid="headline-attacks">8<' in html
    assert "2 bodies reported; latest 2024" in html
    # Each card says which series its headline is: whose figure, and a running total or a count per period.
    assert '<span class="muted" data-testid="headline-series-attacks">2024 · Punjab · per period</span>' in html
    assert 'data-testid="headline-series-executions">2024 · national figure · per period</span>' in html
    Indicator.objects.filter(pk=dash.executions.pk).update(accumulation=Accumulation.RUNNING_TOTAL)
    html = as_role("analyst").get(PAGE).content.decode()
    assert 'data-testid="headline-series-executions">2024 · national figure · running total</span>' in html


@pytest.fixture
def unapproved(dash, obs):
    obs(dash.attacks, value=500, body=dash.sindh, end=date(2023, 12, 31))
    obs(dash.attacks, value=SINDH_DRAFT, body=dash.sindh, state=ObservationState.DRAFT)
    obs(dash.attacks, value=SINDH_SUBMITTED, body=dash.sindh, state=ObservationState.SUBMITTED)
    obs(dash.attacks, value=SINDH_RETURNED, body=dash.sindh, state=ObservationState.RETURNED)
    obs(dash.attacks, value=PUNJAB_SUBMITTED, body=dash.punjab, state=ObservationState.SUBMITTED)


@pytest.mark.parametrize("role", ["reporter", "other_reporter", "analyst", "reviewer", "administrator"])
def test_the_fragment_shows_approved_figures_only_whoever_asks(as_role, unapproved, role):
    fragment = as_role(role).get(FRAGMENT).content.decode()
    assert "Sindh:</strong> 500 " in fragment
    for value in (SINDH_DRAFT, SINDH_SUBMITTED, SINDH_RETURNED, PUNJAB_SUBMITTED):
        assert str(value) not in fragment.replace(",", ""), (role, value)
    assert "Punjab" not in fragment  # Punjab has only a submission: not a figure yet, even for Punjab's reporter


def test_the_fragment_answers_404_outside_the_dashboards_selection(as_role, client, dash, obs):
    obs(dash.attacks, value=5, body=dash.punjab)
    analyst = as_role("analyst")
    assert analyst.get(FRAGMENT).status_code == 200
    assert analyst.get("/dashboard/bodies/nope/?framework=nap-2021").status_code == 404
    # An indicator of another framework than the one shown, or of another category.
    assert analyst.get(FRAGMENT.replace("nap-2021", "nap-2014")).status_code == 404
    assert analyst.get(FRAGMENT.replace("category=", "category=non_kinetic")).status_code == 404
    assert analyst.get(FRAGMENT.replace("category=", "category=kinetic")).status_code == 200
    anonymous = client.get(FRAGMENT)
    assert anonymous.status_code == 302 and "/accounts/" in anonymous.url


@pytest.mark.parametrize("n_obs", [10, 3_000])
def test_the_fragment_reads_a_fixed_number_of_queries(as_role, dash, obs, n_obs, django_assert_num_queries):
    bulk_observations(dash, n_obs)
    client = as_role("reporter")  # a user the policy restricts row by row
    client.get(PAGE)
    # frameworks (the dashboard's settings), the indicator, each body's latest figure
    with django_assert_num_queries(AUTH_QUERIES + 3):
        fragment = client.get(FRAGMENT, HTTP_HX_REQUEST="true").content.decode()
    assert "Punjab:</strong>" in fragment and "Sindh:</strong>" in fragment


def test_the_page_does_not_grow_with_the_bodies_series(as_role, dash, obs):
    """Bodies' figures are counted on the card, not listed: forty more bodies reporting an indicator change the
    cards by the count alone (the matrix, one row per body, is another matter)."""
    obs(dash.attacks, value=1, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.attacks, value=2, body=dash.sindh, end=date(2024, 12, 31))
    client = as_role("analyst")

    def cards() -> str:
        html = client.get(PAGE).content.decode()
        return html[
            html.index('<section aria-labelledby="items-title"') : html.index('<section aria-labelledby="matrix-title"')
        ]

    before = cards()
    for n in range(40):
        obs(dash.attacks, value=90_000 + n, body=BodyFactory(), end=date(2024, 12, 31))
    after = cards()
    assert "2 bodies reported" in before and "42 bodies reported" in after
    assert len(after) - len(before) <= 1
    assert not re.search(r"9\d,?\d\d\d", after)


def test_sees_every_approved_follows_the_policy(users, client):
    for role in ("reporter", "other_reporter", "analyst", "reviewer", "administrator"):
        assert permissions.sees_every_approved(users[role]), role
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.sees_every_approved(AnonymousUser())
