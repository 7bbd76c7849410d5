"""Read pages: login required, 404s, figures as their source gives them, and a fixed query count."""

from datetime import date
from decimal import Decimal

import pytest
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
    SourceFactory,
)
from tracker.choices import (
    DatePrecision,
    ObservationState,
    Rating,
    ResponsibilityRole,
    Scale,
    Unit,
    ValueQualifier,
)

pytestmark = pytest.mark.django_db

# A logged-in page costs three queries before the view runs: the session, the user and their role and bodies.
AUTH_QUERIES = 3
# framework list: frameworks with item counts (1)
FRAMEWORK_LIST_QUERIES = AUTH_QUERIES + 1
# framework + its items with indicator counts + lead responsibilities with bodies
FRAMEWORK_PAGE_QUERIES = AUTH_QUERIES + 3
# item + framework, responsibilities, indicators, their last national figures (source, publisher), assessments,
# crosswalk forward, crosswalk back, the bodies' latest figures (read model; body, source, publisher); and the item
# for the page's title with the data version its cached content is keyed by (tracker.page_cache)
ITEM_PAGE_QUERIES = AUTH_QUERIES + 8 + 2
# The same page again on unchanged data: the item for the title, the data version, the content from the cache.
ITEM_PAGE_CACHED_QUERIES = AUTH_QUERIES + 2


@pytest.fixture
def item():
    nap_2014 = FrameworkFactory(slug="nap-2014", title="National Action Plan 2014", short_title="NAP 2014")
    return AgendaItemFactory(framework=nap_2014, number=3, title="Militant outfits and armed gangs")


def urls_for(item) -> list[str]:
    # "/" is each role's home and redirects (tests/tracker/dashboard/test_dashboard.py).
    return [
        reverse("tracker:framework-list"),
        reverse("tracker:framework-detail", args=[item.framework.slug]),
        reverse("tracker:item-detail", args=[item.framework.slug, item.number]),
    ]


def test_every_page_answers_a_logged_in_user(user_client, item):
    for url in urls_for(item):
        response = user_client.get(url)
        assert response.status_code == 200, url
        assert b'class="skip-link"' in response.content


def test_every_page_sends_an_anonymous_visitor_to_log_in(client, item):
    login = reverse("login")
    for url in urls_for(item):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{login}?next={url}"


def test_login_page_renders_in_the_portal_look(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"css/portal.css" in response.content
    assert b'name="login"' in response.content
    assert b'name="password"' in response.content


def test_login_with_a_wrong_password_says_so(client, user):
    response = client.post(reverse("login"), {"login": user.email, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path",
    [
        "/frameworks/no-such-framework/",
        "/frameworks/nap-2014/items/99/",
        "/frameworks/no-such-framework/items/3/",
    ],
)
def test_unknown_framework_or_item_is_404(user_client, item, path):
    assert user_client.get(path).status_code == 404


def test_an_item_of_one_framework_is_not_found_under_another(user_client, item):
    FrameworkFactory(slug="nap-2021")
    assert user_client.get("/frameworks/nap-2021/items/3/").status_code == 404


def test_framework_page_lists_items_with_category_leads_and_editorial_marker(user_client, item):
    nacta = BodyFactory(name="National Counter Terrorism Authority", short_name="NACTA")
    ResponsibilityFactory(item=item, body=nacta, role=ResponsibilityRole.LEAD)
    ResponsibilityFactory(item=item, body=BodyFactory(short_name="SUPPORTER"), role=ResponsibilityRole.SUPPORTING)
    AgendaItemFactory(framework=item.framework, number=4, title="Counter-terrorism force", category_is_editorial=True)

    html = user_client.get(reverse("tracker:framework-detail", args=["nap-2014"])).content.decode()

    assert "Militant outfits and armed gangs" in html
    assert 'href="/frameworks/nap-2014/items/3/"' in html
    assert "NACTA" in html
    assert "SUPPORTER" not in html  # only lead bodies are listed on the framework page
    assert html.count("portal’s reading</span>") == 1


def test_item_page_shows_a_figure_its_period_and_its_source(user_client, item):
    indicator = IndicatorFactory(item=item, name="Combing operations", unit=Unit.COUNT)
    nacta = BodyFactory(short_name="NACTA", name="National Counter Terrorism Authority")
    source = SourceFactory(publisher=nacta, title="NAP status as of 1 October 2017")
    ObservationFactory(indicator=indicator, value=Decimal("506072"), period_end=date(2017, 10, 1), source=source)

    html = user_client.get(reverse("tracker:item-detail", args=["nap-2014", 3])).content.decode()

    assert "5,06,072" in html  # South Asian grouping, the default style
    assert "as of 1 Oct 2017" in html
    assert "NACTA" in html
    assert "NAP status as of 1 October 2017" in html
    assert "National" in html


def test_item_page_keeps_qualifiers_scales_text_and_periods_as_precise_as_the_source(user_client, item):
    punjab = BodyFactory(name="Punjab", short_name="Punjab")
    madaris = IndicatorFactory(item=item, name="Registered madaris", unit=Unit.COUNT)
    ObservationFactory(
        indicator=madaris,
        value=Decimal("30000"),
        value_qualifier=ValueQualifier.ABOUT,
        body=punjab,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        date_precision=DatePrecision.YEAR,
        editorial_note="The article gives a round figure.",
    )
    funds = IndicatorFactory(item=item, name="Funds", unit=Unit.PKR, scale=Scale.BILLION)
    ObservationFactory(indicator=funds, value=Decimal("1380000000"))
    status = IndicatorFactory(item=item, name="Reform status", unit=Unit.TEXT, scale=Scale.UNITS)
    ObservationFactory(indicator=status, text_value="Drafts reforms in Cabinet")

    html = user_client.get(reverse("tracker:item-detail", args=["nap-2014", 3])).content.decode()

    assert "about 30,000" in html
    assert ">2024<" in html
    assert "Punjab" in html
    assert "Portal’s note" in html and "The article gives a round figure." in html
    assert "Rs 1.38 billion" in html
    assert "Drafts reforms in Cabinet" in html


def test_item_page_publishes_only_current_approved_figures(user_client, item):
    indicator = IndicatorFactory(item=item)
    ObservationFactory(indicator=indicator, value=Decimal("111111"), state=ObservationState.DRAFT)
    ObservationFactory(indicator=indicator, value=Decimal("222222"), state=ObservationState.SUBMITTED)
    original = ObservationFactory(indicator=indicator, value=Decimal("333333"))
    ObservationFactory(indicator=indicator, value=Decimal("444444"), supersedes=original, version=2)

    html = user_client.get(reverse("tracker:item-detail", args=["nap-2014", 3])).content.decode()

    assert "4,44,444" in html
    for hidden in ("1,11,111", "2,22,222", "3,33,333"):
        assert hidden not in html


def test_item_page_shows_bodies_assessments_and_the_crosswalk_both_ways(user_client, item):
    nap_2021 = FrameworkFactory(slug="nap-2021", short_title="NAP 2021")
    later = AgendaItemFactory(framework=nap_2021, number=2, title="Action against proscribed outfits")
    CrosswalkLinkFactory(from_item=item, to_item=later, note="Same outfits, revised wording.")
    ResponsibilityFactory(item=item, body=BodyFactory(name="Ministry of Interior"), role=ResponsibilityRole.LEAD)
    ResponsibilityFactory(item=item, body=BodyFactory(name="Sindh"), role=ResponsibilityRole.SUPPORTING)
    AssessmentFactory(item=item, rating=Rating.UNSATISFACTORY, narrative="Outfits re-emerge under new names.")

    html = user_client.get(reverse("tracker:item-detail", args=["nap-2014", 3])).content.decode()
    assert 'href="/frameworks/nap-2021/items/2/"' in html
    assert "Same outfits, revised wording." in html
    assert "Ministry of Interior" in html and "Sindh" in html
    assert "Unsatisfactory" in html and "Outfits re-emerge under new names." in html

    back = user_client.get(reverse("tracker:item-detail", args=["nap-2021", 2])).content.decode()
    assert 'href="/frameworks/nap-2014/items/3/"' in back


def build_item_page_data(item, *, n_indicators: int, n_observations: int) -> None:
    """Data that would expose an N+1 on any relation the item page shows."""
    for body_role in (ResponsibilityRole.LEAD, ResponsibilityRole.SUPPORTING):
        ResponsibilityFactory.create_batch(n_indicators, item=item, role=body_role)
    AssessmentFactory.create_batch(n_indicators, item=item)
    CrosswalkLinkFactory.create_batch(n_indicators, from_item=item)
    CrosswalkLinkFactory.create_batch(n_indicators, to_item=item)
    sources = SourceFactory.create_batch(3)
    bodies = BodyFactory.create_batch(3)
    for indicator in IndicatorFactory.create_batch(n_indicators, item=item):
        for i in range(n_observations):
            ObservationFactory(indicator=indicator, body=bodies[i % 3] if i % 4 else None, source=sources[i % 3])


@pytest.mark.parametrize(("n_indicators", "n_observations"), [(2, 3), (10, 50)])
def test_item_page_query_count_does_not_grow_with_the_data(
    user_client, item, n_indicators, n_observations, django_assert_num_queries
):
    build_item_page_data(item, n_indicators=n_indicators, n_observations=n_observations)
    url = reverse("tracker:item-detail", args=["nap-2014", 3])
    with django_assert_num_queries(ITEM_PAGE_QUERIES):
        response = user_client.get(url)
    assert response.status_code == 200
    # Each indicator: its national figures up to the last 12, and one row for each of the three bodies.
    national = len(range(0, n_observations, 4))
    assert response.content.decode().count("5,06,072") == n_indicators * (
        min(national, 12) + min(n_observations - 1, 3)
    )


@pytest.mark.parametrize(("n_indicators", "n_observations"), [(2, 3), (10, 50)])
def test_item_page_is_read_from_the_cache_until_the_data_change(
    user_client, item, n_indicators, n_observations, django_assert_num_queries
):
    build_item_page_data(item, n_indicators=n_indicators, n_observations=n_observations)
    url = reverse("tracker:item-detail", args=["nap-2014", 3])
    first = user_client.get(url).content.decode()
    with django_assert_num_queries(ITEM_PAGE_CACHED_QUERIES):
        again = user_client.get(url).content.decode()
    content = slice(first.index('<header class="page-header">'), first.index("</main>"))
    assert again[content] == first[content]
    # A new national figure, approved (a new data version), is on the next page at once.
    ObservationFactory(indicator=item.indicators.first(), value=Decimal("9876543"), period_end=date(2030, 1, 1))
    assert "98,76,543" in user_client.get(url).content.decode()


def test_item_page_shows_the_last_national_figures_and_each_bodys_latest(user_client, item):
    indicator = IndicatorFactory(item=item, code="raids", unit=Unit.COUNT)
    punjab, sindh = BodyFactory(name="Punjab", slug="punjab"), BodyFactory(name="Sindh", slug="sindh")
    for year in range(2001, 2021):
        ObservationFactory(indicator=indicator, value=Decimal(year), period_end=date(year, 12, 31))
    ObservationFactory(indicator=indicator, body=punjab, value=Decimal("7001"), period_end=date(2019, 12, 31))
    ObservationFactory(indicator=indicator, body=punjab, value=Decimal("7002"), period_end=date(2020, 12, 31))
    ObservationFactory(indicator=indicator, body=sindh, value=Decimal("8001"), period_end=date(2020, 12, 31))
    ObservationFactory(indicator=indicator, body=sindh, value=Decimal("8002"), state=ObservationState.DRAFT)

    html = user_client.get(reverse("tracker:item-detail", args=["nap-2014", 3])).content.decode()
    assert all(f"{year:,}" in html for year in range(2009, 2021))
    assert "2,008" not in html  # the 13th national figure back: on the indicator page
    assert "7,002" in html and "7,001" not in html  # a body's latest figure only
    assert "8,001" in html and "8,002" not in html  # never a draft
    assert 'href="/indicators/raids/?body=punjab"' in html and 'href="/indicators/raids/?body=sindh"' in html


def test_item_page_lists_only_the_bodies_the_policy_shows(user_client, item, monkeypatch):
    from tracker import permissions
    from tracker.models import Body

    indicator = IndicatorFactory(item=item, code="raids", unit=Unit.COUNT)
    for slug, value in (("punjab", "7001"), ("sindh", "8001")):
        ObservationFactory(indicator=indicator, body=BodyFactory(name=slug.title(), slug=slug), value=Decimal(value))
    monkeypatch.setattr(permissions, "visible_bodies", lambda user: Body.objects.exclude(slug="sindh"))
    html = user_client.get(reverse("tracker:item-detail", args=["nap-2014", 3])).content.decode()
    assert "7,001" in html and "?body=punjab" in html
    assert "8,001" not in html and "?body=sindh" not in html


def test_item_page_html_does_not_grow_with_the_history(user_client, item):
    indicator = IndicatorFactory(item=item, unit=Unit.COUNT)
    bodies = BodyFactory.create_batch(3)
    url = reverse("tracker:item-detail", args=["nap-2014", 3])

    def add(years: range) -> None:
        for year in years:
            for body in (None, *bodies):
                ObservationFactory(indicator=indicator, body=body, value=Decimal(year), period_end=date(year, 12, 31))

    add(range(2010, 2025))
    short = user_client.get(url).content
    add(range(1960, 2010))
    assert len(user_client.get(url).content) == len(short)


@pytest.mark.parametrize("n_items", [2, 20])
def test_framework_page_query_count_does_not_grow_with_the_data(user_client, item, n_items, django_assert_num_queries):
    for extra in AgendaItemFactory.create_batch(n_items, framework=item.framework):
        ResponsibilityFactory.create_batch(2, item=extra, role=ResponsibilityRole.LEAD)
        IndicatorFactory.create_batch(2, item=extra)
    with django_assert_num_queries(FRAMEWORK_PAGE_QUERIES):
        response = user_client.get(reverse("tracker:framework-detail", args=["nap-2014"]))
    assert response.status_code == 200
    assert len(response.context["items"]) == n_items + 1


@pytest.mark.parametrize("n_frameworks", [1, 8])
def test_framework_list_query_count_does_not_grow_with_the_data(user_client, n_frameworks, django_assert_num_queries):
    previous = None
    for _ in range(n_frameworks):
        previous = FrameworkFactory(supersedes=previous)
        AgendaItemFactory.create_batch(3, framework=previous)
    with django_assert_num_queries(FRAMEWORK_LIST_QUERIES):
        response = user_client.get(reverse("tracker:framework-list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == n_frameworks
