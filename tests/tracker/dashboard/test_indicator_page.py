"""The indicator page: chart, full history with sources, and the crosswalk series across 2014 → 2021."""

import json
from datetime import date

import pytest

from tests.tracker.dashboard.conftest import AUTH_QUERIES, bulk_observations
from tracker.choices import ObservationState

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


@pytest.mark.parametrize("n_obs", [10, 10_000])
def test_indicator_page_query_count_is_flat(as_role, dash, n_obs, django_assert_num_queries):
    bulk_observations(dash, n_obs)
    client = as_role("analyst")
    client.get("/indicators/executions/")
    # indicator (item, framework, continued indicator), indicators continuing it, the last figures of each
    # series of all three (one probe per series inside the query), the chart's points aggregated in SQL
    with django_assert_num_queries(AUTH_QUERIES + 4):
        assert client.get("/indicators/executions/").status_code == 200
    with django_assert_num_queries(AUTH_QUERIES + 4):  # a page of the full history, the same cost
        assert client.get("/indicators/executions/?history=all&after=2024-06-30.999999").status_code == 200


def test_history_shows_the_last_figures_per_series_and_pages_through_the_rest(as_role, dash, obs, monkeypatch):
    from datetime import date, timedelta

    from tracker.selectors import explorer

    monkeypatch.setattr(explorer, "RECENT_PER_SERIES", 3)
    monkeypatch.setattr(explorer, "HISTORY_PAGE", 4)
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(6)]
    national = [obs(dash.executions, value=n, end=day, precision="day") for n, day in enumerate(days)]
    punjab = obs(dash.executions, value=99, body=dash.punjab, end=date(2020, 1, 1), precision="day")
    client = as_role("analyst")
    html = client.get("/indicators/executions/?").content.decode()
    import re

    def shown(page: str) -> list[str]:
        return re.findall(r'class="num figure" data-label="Figure">([^<]+)<', page)

    # The last three national figures and Punjab's one: a long series does not hide a short one.
    assert shown(html) == ["5", "4", "3", "99"]
    assert 'data-testid="history-all"' in html
    first = client.get("/indicators/executions/?history=all").content.decode()
    assert shown(first) == ["5", "4", "3", "2"]
    link = re.search(r'href="\?history=all&amp;after=([^"]+)" data-testid="history-older"', first)
    assert link is not None
    after = link.group(1)
    second = client.get(f"/indicators/executions/?history=all&after={after}").content.decode()
    assert shown(second) == ["1", "0", "99"]
    assert 'data-testid="history-older"' not in second
    assert national and punjab
