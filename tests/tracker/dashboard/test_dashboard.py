"""The M&E dashboard: home routing, cards, compliance matrix, charts, backlog, activity, controls, cost."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.tracker.dashboard.conftest import AUTH_QUERIES, bulk_observations
from tracker import audit
from tracker.choices import Cadence, DatePrecision, ObservationState
from tracker.models import Observation, ReportingAssignment

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
AS_OF = "as_of=2025-03-31&framework=nap-2021"


def test_home_sends_each_role_to_its_page(as_role, client):
    try:
        reporter_home = reverse("tracker:my-updates")
    except NoReverseMatch:  # the workflow pages are not merged yet: reporters start on the dashboard too
        reporter_home = reverse("tracker:dashboard")
    assert as_role("reporter").get("/").url == reporter_home
    for role in ("reviewer", "analyst", "administrator"):
        response = as_role(role).get("/")
        assert response.status_code == 302
        assert response.url == reverse("tracker:dashboard"), role
    anonymous = client.get("/")
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))


def test_dashboard_needs_a_login(client, dash):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_card_shows_rating_text_figure_period_trend_and_leads(as_role, dash, obs):
    obs(value=500, end=date(2023, 12, 31))
    obs(value=120, end=date(2024, 12, 31))  # fewer executions: worse, since higher is better
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert "Death sentences carried out" in html
    assert "Partly satisfactory" in html  # the rating in words, not only its colour
    assert 'data-testid="headline-executions">120<' in html
    assert "2024" in html
    assert "down" in html and "(worse)" in html and "↓" in html
    assert "Punjab" in html  # the lead body


def test_no_trend_between_counts_for_periods_of_different_lengths(as_role, dash, obs):
    obs(value=500, end=date(2022, 12, 31), period_start=date(2019, 1, 1))  # four years
    obs(value=120, end=date(2024, 12, 31))  # one year
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert 'data-testid="headline-executions">120<' in html
    assert "(worse)" not in html and "↓" not in html


def test_lower_is_better_reads_a_fall_as_better(as_role, dash, obs):
    obs(dash.attacks, value=300, end=date(2023, 12, 31))
    obs(dash.attacks, value=200, end=date(2024, 12, 31))
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert 'data-testid="headline-attacks">200<' in html
    assert "(better)" in html


def test_headline_prefers_the_national_figure_and_shows_only_approved_ones(as_role, dash, obs):
    obs(value=77, body=dash.punjab, end=date(2024, 12, 31))
    obs(value=450, end=date(2023, 12, 31))
    obs(value=999, end=date(2024, 12, 31), state=ObservationState.SUBMITTED)
    reviewer = as_role("reviewer")
    html = reviewer.get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert 'data-testid="headline-executions">450<' in html
    assert ">999<" not in html
    # The card counts the bodies' figures and the headline says it is the national one; the province's newer
    # figure, named, loads with the card's "figures by body".
    assert "1 body reported; latest 2024" in html
    assert "national figure" in html
    assert ">77<" not in html
    fragment = figures_by_body(reviewer, html, "executions")
    assert '<li data-testid="headline-executions-punjab"><strong>Punjab:</strong> 77 ' in fragment


def figures_by_body(client, html: str, code: str) -> str:
    """The card's "figures by body" fragment, fetched from the URL its <details> asks htmx to load."""
    import re

    found = re.search(rf'<details class="headline__bodies" hx-get="([^"]+)"[^>]* data-testid="bodies-{code}"', html)
    assert found, f"no figures by body for {code}"
    response = client.get(found.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_as_of_date_leaves_out_later_figures_and_the_comparison_shows_the_earlier_one(as_role, dash, obs):
    obs(value=300, end=date(2022, 12, 31))
    obs(value=400, end=date(2023, 12, 31))
    obs(value=500, end=date(2024, 12, 31))
    html = as_role("analyst").get(f"{DASHBOARD}?framework=nap-2021&as_of=2024-06-30&compare=2023-01-31").content
    text = html.decode()
    assert 'data-testid="headline-executions">400<' in text
    assert ">500<" not in text
    assert "At the comparison date" in text
    assert "300" in text


def test_category_filter_keeps_one_kind_of_item(as_role, dash):
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}&category=non_kinetic").content.decode()
    assert "Registration of madaris" in html
    assert "Death sentences carried out" not in html


def test_framework_switch(as_role, dash):
    html = as_role("analyst").get(f"{DASHBOARD}?framework=nap-2014").content.decode()
    assert "Execution of convicted terrorists" in html
    assert "Registration of madaris" not in html
    default = as_role("analyst").get(DASHBOARD).content.decode()
    assert "Registration of madaris" in default  # the framework in force by default
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in default  # as of today by default


def test_bad_settings_say_so_and_fall_back_without_losing_the_rest(as_role, dash):
    response = as_role("analyst").get(f"{DASHBOARD}?framework=nope&as_of=31/31/2024&category=non_kinetic")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Enter a valid date." in html
    assert "Select a valid choice." in html
    assert "Registration of madaris" in html  # the valid category still applies
    assert "Death sentences carried out" not in html


def test_comparison_after_the_as_of_date_is_refused(as_role, dash):
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}&compare=2026-01-01").content.decode()
    assert "Choose a comparison date before the as-of date." in html


def test_htmx_request_gets_only_the_dashboard_body(as_role, dash):
    response = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="dashboard-charts"' in html
    assert "Compliance matrix" in html


def charts(response) -> dict:
    """Every chart of the dashboard page, each fetched from its own endpoint as dashboard.js does."""
    import re

    html = response.content.decode()
    found: dict = {"charts": []}
    for url in re.findall(r'<canvas data-chart-url="([^"]+)"', html):
        data = response.client.get(url.replace("&amp;", "&")).json()
        found["labels"] = data["labels"]
        found["charts"] += data["charts"]
    return found


def test_a_chart_names_each_source_once_and_each_point_its_own(as_role, dash, obs):
    from tests.factories import SourceFactory

    newspaper = SourceFactory.create(publisher=dash.nacta, title="Dawn, 3 January 2025")
    obs(dash.attacks, value=30, body=dash.punjab, end=date(2023, 12, 31))
    obs(dash.attacks, value=20, body=dash.punjab, end=date(2024, 12, 31), source=newspaper)
    obs(dash.attacks, value=10, body=dash.sindh, end=date(2024, 12, 31))
    chart = as_role("analyst").get("/dashboard/charts/attacks/?as_of=2025-01-31").json()["charts"][0]
    named = {
        (series["label"], point["y"]): chart["sources"][point["s"]]
        for series in chart["series"]
        for point in series["points"]
    }
    assert named == {
        ("Punjab", 30): "NACTA: NAP status report",
        ("Punjab", 20): f"{dash.nacta.short_name}: Dawn, 3 January 2025",
        ("Sindh", 10): "NACTA: NAP status report",
    }
    assert sorted(chart["sources"]) == sorted(set(named.values()))  # each once


def test_chart_data_has_series_per_body_target_and_sources(as_role, dash, obs):
    obs(dash.attacks, value=30, body=dash.punjab, end=date(2023, 12, 31))
    obs(dash.attacks, value=20, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.attacks, value=10, body=dash.sindh, end=date(2024, 12, 31))
    obs(dash.executions, value=480, end=date(2024, 12, 31), value_qualifier="about")
    data = charts(as_role("analyst").get(f"{DASHBOARD}?{AS_OF}"))
    by_id = {chart["id"]: chart for chart in data["charts"]}
    attacks = {s["label"]: s for s in by_id["attacks"]["series"]}
    assert set(attacks) == {"Punjab", "Sindh"}
    assert [p["y"] for p in attacks["Punjab"]["points"]] == [30, 20]
    sources = by_id["attacks"]["sources"]
    assert sources == ["NACTA: NAP status report"]  # named once for all its points
    assert {p["s"] for s in attacks.values() for p in s["points"]} == {0}
    assert attacks["Punjab"]["points"][0]["period"] == "2023"
    executions = by_id["executions"]["series"]
    assert executions[0]["points"][0]["figure"] == "about 480"
    target = next(s for s in executions if s["kind"] == "target")
    assert {p["y"] for p in target["points"]} == {600}
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert 'data-chart-url="/dashboard/charts/attacks/?as_of=' in html
    assert '"points"' not in html  # the page itself carries no chart points


def test_text_indicators_get_a_headline_but_no_chart(as_role, dash, obs):
    obs(dash.madaris, value="Pertains to Provinces", end=date(2024, 12, 31))
    response = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}")
    assert "Pertains to Provinces" in response.content.decode()
    assert "madaris" not in {c["id"] for c in charts(response)["charts"]}


def matrix_rows(response) -> dict[str, list[str]]:
    """{row label: [cell status per item]} read from the rendered matrix, in page order."""
    import re

    html = response.content.decode()
    table = html[html.index('<table class="table matrix">') : html.index("</table>", html.index("table matrix"))]
    rows = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S):
        rows[row[0].strip()] = re.findall(r'class="cell cell--(\w+)"', row[1])
    return rows


def test_compliance_matrix_statuses_and_worst_offenders_first(as_role, dash, obs):
    as_of = date(2025, 3, 31)
    obs(dash.attacks, value=5, body=dash.punjab, end=date(2024, 12, 31))  # year 2024: up to date in March 2025
    obs(dash.attacks, value=5, body=dash.sindh, end=date(2022, 12, 31))  # two years closed since: overdue
    obs(dash.executions, value=5, end=date(2023, 12, 31))  # national, 2023: the 2024 figure is due
    response = as_role("analyst").get(f"{DASHBOARD}?framework=nap-2021&as_of={as_of}")
    rows = matrix_rows(response)
    assert list(rows) == ["Sindh", "National", "Punjab"]  # overdue first, then due + no data, then up to date
    assert rows["Sindh"] == ["overdue", "no_data"]  # Sindh leads the madaris item and reported nothing
    assert rows["National"] == ["due", "no_data"]
    assert rows["Punjab"] == ["up_to_date", "not_expected"]
    html = response.content.decode()
    assert f"?framework=nap-2021&amp;item={dash.executions_item.pk}&amp;body=sindh&amp;state=approved" in html
    assert "&amp;body=national&amp;state=approved" in html


def test_pending_reviews_backlog_and_activity_for_reviewers(as_role, dash, obs, users):
    now = timezone.now()
    obs(value=1, state=ObservationState.SUBMITTED, body=dash.punjab, submitted_at=now - timedelta(days=2))
    obs(value=2, state=ObservationState.SUBMITTED, body=dash.sindh, submitted_at=now - timedelta(days=10))
    obs(value=3, state=ObservationState.SUBMITTED, body=dash.sindh, submitted_at=now - timedelta(days=45))
    audit.record(actor=users["reporter"], action="observation.submit", object_label="Executions 2024")
    html = as_role("reviewer").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert "3 updates awaiting review" in html
    assert 'data-testid="backlog-total">3<' in html
    assert "Review backlog" in html and "Waiting longest" in html
    assert "Recent activity" in html and "observation.submit" in html

    analyst = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert "awaiting review" not in analyst
    assert "Review backlog" not in analyst
    assert "observation.submit" not in analyst


def test_backlog_ages_submissions(dash, obs, users):
    from tracker.selectors.dashboard import review_backlog

    now = timezone.now()
    for days in (1, 3, 8, 20, 31, 90):
        obs(value=days, state=ObservationState.SUBMITTED, submitted_at=now - timedelta(days=days))
    backlog = review_backlog(users["reviewer"], now=now)
    assert (backlog.total, backlog.under_week, backlog.week_to_month, backlog.over_month) == (6, 2, 2, 2)
    assert [o.value for o in backlog.oldest][:2] == [Decimal(90), Decimal(31)]


def test_dashboard_has_a_print_stylesheet_and_no_inline_script(as_role, dash, obs):
    obs(value=5)
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert "css/dashboard.css" in html
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag, tag
    from django.contrib.staticfiles import finders

    path = finders.find("css/dashboard.css")
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as css:
        assert "@media print" in css.read()


def test_every_control_has_a_label(as_role, dash):
    import re

    html = as_role("analyst").get(DASHBOARD).content.decode()
    start = html.index('<form method="get" action="/dashboard/"')
    form = html[start : html.index("</form>", start)]
    ids = re.findall(r'<(?:select|input)[^>]* id="([^"]+)"', form)
    assert len(ids) == 4
    for control_id in ids:
        assert f'<label for="{control_id}">' in form, control_id


@pytest.mark.parametrize("n_obs", [10, 10_000])
@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # frameworks, items, responsibilities, indicators, assessments, the latest figure of every series (plain
        # values), the bodies that have series, the headline series' figures with the ones they follow, their
        # figures at the comparison date (a year before by default), reporting assignments with their due
        # status (the compliance matrix's cadence); chart points load per chart and each body's figures per
        # indicator, from their own endpoints; + the data version (the published part is cached: a miss here)
        # + the completeness matrix (returns per body and quarter, then the bodies) for those who see data quality
        ("analyst", AUTH_QUERIES + 10 + 1 + 2),
        # + pending per item, for those who see unpublished figures
        ("reporter", AUTH_QUERIES + 10 + 1 + 1),
        # + pending, the completeness matrix, backlog (aggregate, oldest), recent activity, and the enrolment gate's
        # check of the second factor
        ("reviewer", AUTH_QUERIES + 10 + 1 + 1 + 2 + 3 + 1),
    ],
)
def test_dashboard_query_count_is_flat(as_role, dash, role, queries, n_obs, django_assert_num_queries):
    bulk_observations(dash, n_obs)
    for indicator, body, cadence in [
        (dash.attacks, dash.punjab, Cadence.QUARTERLY),
        (dash.attacks, dash.sindh, Cadence.MONTHLY),
        (dash.executions, dash.nacta, Cadence.ANNUAL),
    ]:
        ReportingAssignment.objects.create(indicator=indicator, body=body, cadence=cadence)
    client = as_role(role)
    url = f"{DASHBOARD}?framework=nap-2021&as_of=2025-01-31&category="
    # The session's first request creates allauth's session row; another date, so the measured one is a miss.
    assert client.get(url.replace("2025-01-31", "2025-01-30")).status_code == 200
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    assert 'data-testid="headline-executions"' in response.content.decode()


# Sign-in, frameworks, the data version, and the completeness matrix's returns (it counts submissions; its bodies
# are read only when some return is due, and none is here).
DASHBOARD_CACHED_QUERIES = AUTH_QUERIES + 1 + 1 + 1


@pytest.mark.parametrize("n_obs", [10, 10_000])
def test_an_analysts_dashboard_is_read_from_the_cache_until_the_data_change(
    as_role, dash, n_obs, django_assert_num_queries
):
    bulk_observations(dash, n_obs)
    client = as_role("analyst")
    url = f"{DASHBOARD}?framework=nap-2021&as_of=2025-01-31&category="
    first = client.get(url).content.decode()
    with django_assert_num_queries(DASHBOARD_CACHED_QUERIES):
        again = client.get(url).content.decode()
    body = slice(first.index('<div id="dashboard-body"'), first.index("</main>"))
    assert again[body] == first[body]  # the layout around it carries a fresh CSRF token each time
    # A new approved national figure (a new data version) is on the next page at once.
    dash.observe(dash.executions, 777, end=date(2025, 1, 15), precision=DatePrecision.DAY)
    assert "777" in client.get(url).content.decode()


def test_a_new_reporting_assignment_shows_in_the_cached_matrix_at_once(as_role, dash):
    client = as_role("analyst")
    url = f"{DASHBOARD}?framework=nap-2021&as_of=2025-01-31&category="
    assert client.get(url).status_code == 200
    before = _matrix(client.get(url).content.decode())
    ReportingAssignment.objects.create(indicator=dash.attacks, body=dash.sindh, cadence=Cadence.MONTHLY)
    after = _matrix(client.get(url).content.decode())
    assert after != before  # Sindh's row now has a monthly return due on attacks


def _matrix(page: str) -> str:
    start = page.index('<section aria-labelledby="matrix-title"')
    return page[start : page.index("</section>", start)]


# Sign-in and the enrolment gate's check of the second factor, frameworks, the data version; pending per item, the
# backlog (2) and recent activity; the completeness matrix's returns (its bodies are read only when one is due).
REVIEWER_DASHBOARD_CACHED_QUERIES = AUTH_QUERIES + 1 + 1 + 1 + 1 + 2 + 1 + 1


def test_a_reviewers_figures_come_from_the_cache_and_their_own_work_is_read_each_time(
    as_role, dash, django_assert_num_queries
):
    """The review backlog and pending counts change with submissions, which leave published data (and its
    version) as they were: they fill the cached part's slots on every request."""
    client = as_role("reviewer")
    url = f"{DASHBOARD}?framework=nap-2021&as_of=2025-01-31&category="
    first = client.get(url).content.decode()
    assert "Nothing awaiting review" in first and 'data-testid="backlog-total">0<' in first
    dash.observe(dash.attacks, 5, end=date(2025, 1, 10), precision=DatePrecision.DAY, body=dash.punjab,
                 state=ObservationState.SUBMITTED)  # fmt: skip
    with django_assert_num_queries(REVIEWER_DASHBOARD_CACHED_QUERIES):
        body = client.get(url).content.decode()
    assert 'data-testid="backlog-total">1<' in body
    assert "1 update awaiting review" in body
    assert '<a href="#backlog-title">' in body and '<a href="#activity-title">' in body
    assert "<!--slot:" not in body


def test_readers_share_the_published_part_and_each_gets_only_their_own_work(as_role, dash, obs):
    """The analyst's request builds the part; the reviewer's reads it from the cache with the pending counts in
    their cards; the analyst's page has neither those counts, nor the backlog, nor any slot left."""
    obs(dash.attacks, value=5, body=dash.punjab, end=date(2025, 1, 10), state=ObservationState.SUBMITTED)
    url = f"{DASHBOARD}?framework=nap-2021&as_of=2025-01-31&category="
    analyst = as_role("analyst").get(url).content.decode()
    reviewer = as_role("reviewer").get(url).content.decode()
    assert "awaiting review" not in analyst and "backlog-title" not in analyst and "<!--slot:" not in analyst
    assert "1 update awaiting review" in reviewer and "backlog-title" in reviewer and "<!--slot:" not in reviewer
    cards = slice(analyst.index('<ul class="cards dash-cards">'), analyst.index('id="matrix-title"'))
    assert "Terrorist attacks" in analyst[cards]


def test_precision_day_trend_and_compare_are_safe_with_mixed_precision(as_role, dash, obs):
    obs(value=10, end=date(2024, 6, 30), precision=DatePrecision.DAY)
    obs(value=20, end=date(2024, 12, 31), precision=DatePrecision.YEAR)
    html = as_role("analyst").get(f"{DASHBOARD}?{AS_OF}").content.decode()
    assert 'data-testid="headline-executions">20<' in html
    assert "(better)" not in html  # a year against a day is no trend


@pytest.mark.parametrize("n_obs", [10, 3_000])
def test_a_chart_endpoint_reads_one_query_and_at_most_one_point_per_series_per_month(
    as_role, dash, obs, n_obs, django_assert_num_queries
):
    bulk_observations(dash, n_obs)
    for day in (3, 12, 25):  # three figures in one month: the chart shows the latest
        obs(dash.attacks, value=day, body=dash.nacta, end=date(2024, 11, day), precision=DatePrecision.DAY)
    for month, value in ((3, 7), (8, 8)):  # over ten years before: one point a year
        obs(dash.attacks, value=value, body=dash.nacta, end=date(2010, month, 28), precision=DatePrecision.DAY)
    client = as_role("analyst")
    client.get("/dashboard/")
    with django_assert_num_queries(AUTH_QUERIES + 3):  # the indicator, the data version, the points
        data = client.get("/dashboard/charts/attacks/?as_of=2024-12-31").json()
    # Asked again on unchanged data: the points come from the cache (tracker.page_cache).
    with django_assert_num_queries(AUTH_QUERIES + 2):  # the indicator, the data version
        assert client.get("/dashboard/charts/attacks/?as_of=2024-12-31").json() == data
    (chart,) = data["charts"]
    nacta = next(s for s in chart["series"] if s["label"] == "NACTA")
    months = [p["period"] for p in nacta["points"]]
    assert len(months) == len(set(months))
    values = {p["period"]: p["y"] for p in nacta["points"]}
    assert values["as of 25 Nov 2024"] == 25 and not {3, 12} & set(values.values())
    assert 8 in values.values() and 7 not in values.values()  # one point for 2010, its latest figure
    assert all(len({p["x"] for p in s["points"]}) == len(s["points"]) for s in chart["series"])
    assert client.get("/dashboard/charts/nope/").status_code == 404


def test_a_chart_point_breaks_a_tie_as_the_latest_figure_does(as_role, dash, obs):
    """Two figures of one series and date, the later entry without an approval time (an import): the month's
    point is the figure ``latest_per_series`` counts as the latest (an approval time before none), not the other."""
    end = date(2024, 11, 3)
    approved = obs(dash.attacks, value=1, body=dash.nacta, end=end, precision=DatePrecision.DAY)
    obs(dash.attacks, value=2, body=dash.nacta, end=end, precision=DatePrecision.DAY, approved_at=None)
    latest = Observation.objects.filter(body=dash.nacta).latest_per_series(as_of=date(2024, 12, 31)).get()
    assert latest.pk == approved.pk

    data = as_role("analyst").get("/dashboard/charts/attacks/?as_of=2024-12-31").json()
    (chart,) = data["charts"]
    nacta = next(s for s in chart["series"] if s["label"] == "NACTA")
    assert [p["y"] for p in nacta["points"]] == [1]
