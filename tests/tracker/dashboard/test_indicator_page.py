"""The indicator page: chart, full history with sources, and the crosswalk series across 2014 → 2021."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.tracker.dashboard.conftest import AUTH_QUERIES, bulk_observations
from tracker.choices import DatePrecision, ObservationState
from tracker.models import Observation, Source

pytestmark = pytest.mark.django_db


def chart(html: str) -> dict:
    marker = '<script id="indicator-chart" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_history_with_sources_and_the_crosswalk_both_ways(as_role, dash, obs):
    obs(dash.old_executions, value=333, end=date(2017, 12, 31), quote="333 executions")
    obs(dash.executions, value=450, end=date(2024, 12, 31))
    obs(dash.executions, value=999, state=ObservationState.SUBMITTED)
    client = as_role("analyst")

    later = client.get("/indicators/executions/").content.decode()
    assert "450" in later and "NAP status report" in later
    assert "999" not in later
    assert "Continues" in later and "/indicators/executions-2014/" in later
    assert "333" in later  # the 2014 series, in the crosswalk history
    series = {s["label"]: s for s in chart(later)["charts"][0]["series"]}
    assert [p["y"] for p in series["NAP 2014 · National"]["points"]] == [333]
    assert [p["y"] for p in series["NAP 2021 · National"]["points"]] == [450]
    assert series["Target"]["kind"] == "target"
    # Both count per period here: one axis.
    assert {s["axis"] for s in series.values()} == {"y"} and chart(later)["charts"][0]["axis2"] == ""

    earlier = client.get("/indicators/executions-2014/").content.decode()
    assert "Continued by" in earlier and "/indicators/executions/" in earlier
    assert "450" in earlier


def test_a_source_without_url_is_cited_by_its_reference(as_role, dash, obs):
    """Where a source is not online, the history says where to find it (``Source.reference``), as reports do."""
    obs(dash.executions, value=450, end=date(2024, 12, 31))
    Source.objects.filter(pk=dash.source.pk).update(url="", reference="NACTA letter No. 4/2024, annex B")
    html = as_role("analyst").get("/indicators/executions/").content.decode()
    assert 'NAP status report <span class="source__reference">— NACTA letter No. 4/2024, annex B</span>' in html
    Source.objects.filter(pk=dash.source.pk).update(url="https://nacta.gov.pk/status")
    html = as_role("analyst").get("/indicators/executions/").content.decode()
    assert '<a href="https://nacta.gov.pk/status" rel="noopener noreferrer">NAP status report</a>' in html
    assert "annex B" not in html


def test_a_running_total_and_a_count_per_period_never_share_an_axis(as_role, dash, obs):
    from tracker.choices import Accumulation
    from tracker.models import Indicator

    Indicator.objects.filter(pk=dash.old_executions.pk).update(accumulation=Accumulation.RUNNING_TOTAL)
    obs(dash.old_executions, value=484, end=date(2017, 12, 31))
    obs(dash.executions, value=0, end=date(2024, 12, 31))
    data = chart(as_role("analyst").get("/indicators/executions/").content.decode())["charts"][0]
    axes = {s["label"]: s["axis"] for s in data["series"]}
    assert axes == {"NAP 2014 · National": "y2", "NAP 2021 · National": "y", "Target": "y"}
    assert (data["axis"], data["axis2"]) == ("Count · per period", "Count · running total")


def test_a_corrected_figure_stays_in_the_history_marked_and_off_the_chart(as_role, dash, obs):
    original = obs(value=450, end=date(2024, 12, 31))
    obs(value=451, end=date(2024, 12, 31), supersedes=original, correction_reason="Typo in the source table")
    html = as_role("analyst").get("/indicators/executions/").content.decode()
    assert "Replaced by a correction" in html
    assert "Typo in the source table" in html
    (series,) = [s for s in chart(html)["charts"][0]["series"] if s["kind"] == "series"]
    assert [p["y"] for p in series["points"]] == [451]


def test_text_indicator_has_history_but_no_chart(as_role, dash, obs):
    obs(dash.madaris, value="Pertains to Provinces")
    html = as_role("analyst").get("/indicators/madaris/").content.decode()
    assert "Pertains to Provinces" in html
    assert "<canvas" not in html


def test_unknown_indicator_is_404(as_role, dash):
    assert as_role("analyst").get("/indicators/nope/").status_code == 404


# indicator (item, framework, continued indicator), indicators continuing it, the bodies of the series switch
# (with the requested one), a page of the series' history, the last figures of the linked indicators' same
# series (one probe per indicator inside the query), which of those figures a correction replaced, the chart's
# points aggregated in SQL; and the indicator for the page's title with the data version its cached content is
# keyed by (tracker.page_cache: a reader of published figures only, measured here on a miss)
INDICATOR_PAGE_QUERIES = AUTH_QUERIES + 7 + 2
# The same page again on unchanged data: the indicator for the title, the data version, the content from the cache.
INDICATOR_PAGE_CACHED_QUERIES = AUTH_QUERIES + 2


@pytest.mark.parametrize("n_obs", [10, 10_000])
def test_indicator_page_query_count_is_flat(as_role, dash, n_obs, django_assert_num_queries):
    bulk_observations(dash, n_obs)
    client = as_role("analyst")
    client.get("/indicators/attacks/")
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES):
        assert client.get("/indicators/executions/").status_code == 200
    with django_assert_num_queries(INDICATOR_PAGE_CACHED_QUERIES):
        assert client.get("/indicators/executions/").status_code == 200
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES):  # a body's series, a page further back: the same
        assert client.get("/indicators/executions/?body=punjab&after=2024-06-30.0.999999").status_code == 200
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES):
        assert client.get("/indicators/executions/?body=sindh&before=2020-06-30.0.1").status_code == 200


def test_a_cached_indicator_page_shows_a_new_figure_at_once(as_role, dash):
    client = as_role("analyst")
    assert "7,777" not in client.get("/indicators/executions/").content.decode()
    dash.observe(dash.executions, 7777, end=date(2025, 1, 15), precision=DatePrecision.DAY)
    assert "7,777" in client.get("/indicators/executions/").content.decode()


def shown(page: str) -> list[str]:
    return re.findall(r'class="num figure" data-label="Figure">([^<]+)<', page)


def history_link(page: str, testid: str) -> str | None:
    found = re.search(rf'href="\?([^"]*)" data-testid="{testid}"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_one_series_at_a_time_national_by_default_a_body_on_request(as_role, dash, obs):
    obs(dash.executions, value=450, end=date(2024, 12, 31))
    obs(dash.executions, value=77, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.executions, value=66, body=dash.sindh, end=date(2024, 12, 31))
    client = as_role("analyst")

    national = client.get("/indicators/executions/").content.decode()
    assert shown(national) == ["450"]
    # The switch offers the bodies with figures of this indicator, each by its address.
    assert '<option value="punjab">Punjab</option>' in national
    assert '<option value="sindh">' in national

    punjab = client.get("/indicators/executions/?body=punjab").content.decode()
    assert shown(punjab) == ["77"]
    assert '<option value="punjab" selected>' in punjab
    series = [s for s in chart(punjab)["charts"][0]["series"] if s["kind"] == "series"]
    assert [[p["y"] for p in s["points"]] for s in series] == [[77]]  # the chart shows the same series


def test_an_unknown_body_or_one_the_policy_hides_is_404(as_role, dash, obs, monkeypatch):
    from tracker import permissions
    from tracker.models import Body

    obs(dash.executions, value=77, body=dash.punjab)
    client = as_role("analyst")
    assert client.get("/indicators/executions/?body=nowhere").status_code == 404
    assert client.get("/indicators/executions/?body=punjab").status_code == 200
    monkeypatch.setattr(permissions, "visible_bodies", lambda user: Body.objects.exclude(slug="punjab"))
    # A policy that narrows a user's bodies makes them an audience of their own (nothing cached is shared).
    monkeypatch.setattr(permissions, "published_audience", lambda user: f"user:{user.pk}")
    assert client.get("/indicators/executions/?body=punjab").status_code == 404
    assert '<option value="punjab">' not in client.get("/indicators/executions/").content.decode()


def test_a_draft_or_submission_of_another_province_is_never_shown(as_role, dash, obs):
    obs(dash.executions, value=61, body=dash.sindh, end=date(2023, 12, 31))
    obs(dash.executions, value=62, body=dash.sindh, state=ObservationState.DRAFT)
    obs(dash.executions, value=63, body=dash.sindh, state=ObservationState.SUBMITTED)
    for role in ("reporter", "analyst", "other_reporter"):  # Punjab's reporter, an analyst, Sindh's own
        html = as_role(role).get("/indicators/executions/?body=sindh").content.decode()
        assert shown(html) == ["61"], role


def test_cursor_pages_go_forward_and_back_without_gaps_or_duplicates(as_role, dash, obs, monkeypatch):
    from tracker.selectors import explorer

    monkeypatch.setattr(explorer, "HISTORY_PAGE", 4)
    now = timezone.now()
    # Ties on the period end, broken by the approval time (none recorded counts as oldest), then the id.
    values = []
    for n in range(11):
        end = date(2024, 1, 1) + timedelta(days=n // 3)
        approved_at = None if n % 3 == 0 else now - timedelta(hours=n % 2)
        obs(dash.executions, value=n, end=end, precision="day", approved_at=approved_at)
        values.append((end, approved_at or datetime(1970, 1, 1, tzinfo=UTC), n))
    obs(dash.executions, value=99, body=dash.punjab, end=date(2024, 1, 2), precision="day")  # another series
    expected = [str(n) for _end, _at, n in sorted(values, reverse=True)]
    client = as_role("analyst")

    pages = [client.get("/indicators/executions/").content.decode()]
    assert history_link(pages[0], "history-newer") is None
    while (older := history_link(pages[-1], "history-older")) is not None:
        pages.append(client.get(f"/indicators/executions/?{older}").content.decode())
    assert [shown(page) for page in pages] == [expected[0:4], expected[4:8], expected[8:11]]

    back = [pages[-1]]
    while (newer := history_link(back[-1], "history-newer")) is not None:
        back.append(client.get(f"/indicators/executions/?{newer}").content.decode())
    assert [v for page in reversed(back) for v in shown(page)] == expected
    assert [shown(page) for page in back[1:]] == [expected[4:8], expected[0:4]]


def test_a_body_series_pages_within_the_body(as_role, dash, obs, monkeypatch):
    from tracker.selectors import explorer

    monkeypatch.setattr(explorer, "HISTORY_PAGE", 2)
    for n in range(3):
        obs(dash.executions, value=n, body=dash.punjab, end=date(2024, 1, 1 + n), precision="day")
        obs(dash.executions, value=50 + n, end=date(2024, 1, 1 + n), precision="day")
    client = as_role("analyst")
    first = client.get("/indicators/executions/?body=punjab").content.decode()
    older = history_link(first, "history-older")
    assert shown(first) == ["2", "1"] and older is not None and older.startswith("body=punjab&after=")
    assert shown(client.get(f"/indicators/executions/?{older}").content.decode()) == ["0"]


def test_html_does_not_grow_with_the_history(as_role, dash):
    def add(first_day: int, n: int) -> None:
        Observation.objects.bulk_create(
            Observation(
                indicator=dash.executions,
                body=body,
                period_end=date(2024, 12, 31) - timedelta(days=first_day + i),
                date_precision="day",
                value=Decimal(500 + i % 7),
                source=dash.source,
                state=ObservationState.APPROVED,
                approved_at=timezone.now(),
            )
            for i in range(n)
            for body in (None, dash.punjab)
        )

    client = as_role("analyst")
    add(0, 100)
    short = client.get("/indicators/executions/").content
    add(100, 1_900)
    long = client.get("/indicators/executions/").content
    assert len(shown(long.decode())) == 50
    # Twenty times the figures: only the chart grows, by its months (at most 120 and one per older year).
    assert len(long) - len(short) < 10_000, (len(short), len(long))
