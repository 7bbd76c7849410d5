"""The analyst explorer: filters held in the URL, sorting, pages, scope, and exports of exactly the selection."""

import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.tracker.dashboard.conftest import AUTH_QUERIES, bulk_observations
from tracker.choices import DatePrecision, ObservationState
from tracker.formatting import format_figure, format_period, observation_figure, spreadsheet_safe
from tracker.models import Observation

pytestmark = pytest.mark.django_db

EXPLORE = "/explore/"


def ids_on_page(response) -> list[int]:
    """Observation ids, read from the indicator links' rows via the rendered figure cells."""
    return [int(i) for i in re.findall(r'data-obs="(\d+)"', response.content.decode())]


def rows(client, query: str = "") -> list[int]:
    response = client.get(f"{EXPLORE}?{query}")
    assert response.status_code == 200
    return ids_on_page(response)


@pytest.fixture
def sample(dash, obs):
    return {
        "national_2024": obs(value=450, end=date(2024, 12, 31)),
        "national_2023": obs(value=300, end=date(2023, 12, 31)),
        "punjab_attacks": obs(dash.attacks, value=20, body=dash.punjab, end=date(2024, 6, 30), precision="day"),
        "sindh_attacks": obs(dash.attacks, value=12, body=dash.sindh, end=date(2022, 12, 31)),
        "madaris": obs(dash.madaris, value="Registered: 300", end=date(2024, 12, 31)),
        "old": obs(dash.old_executions, value=333, end=date(2017, 12, 31)),
        "punjab_draft": obs(dash.attacks, value=99, body=dash.punjab, state=ObservationState.DRAFT),
        "sindh_submitted": obs(dash.attacks, value=98, body=dash.sindh, state=ObservationState.SUBMITTED),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("framework=nap-2014", ["old"]),
        ("indicator=attacks", ["punjab_attacks", "sindh_attacks"]),
        ("body=sindh", ["sindh_attacks"]),
        ("body=national&framework=nap-2021", ["national_2024", "madaris", "national_2023"]),
        ("category=non_kinetic", ["madaris"]),
        ("period_from=2024-01-01&period_to=2024-07-31", ["punjab_attacks"]),
        ("state=approved&framework=nap-2014", ["old"]),
    ],
)
def test_each_filter_narrows_the_approved_figures_an_analyst_sees(as_role, sample, query, expected):
    got = rows(as_role("analyst"), query)
    assert sorted(got) == sorted(sample[name].pk for name in expected)


def test_item_filter(as_role, dash, sample):
    got = rows(as_role("analyst"), f"item={dash.madaris_item.pk}")
    assert got == [sample["madaris"].pk]


def test_analyst_sees_approved_only_whatever_the_url_says(as_role, sample):
    unapproved = {sample["punjab_draft"].pk, sample["sindh_submitted"].pk}
    for state in ("draft", "submitted"):
        response = as_role("analyst").get(f"{EXPLORE}?state={state}")
        assert "Select a valid choice." in response.content.decode()  # not a state an analyst can see
        assert not unapproved & set(ids_on_page(response))
    everything = rows(as_role("analyst"))
    assert sample["punjab_draft"].pk not in everything
    assert sample["sindh_submitted"].pk not in everything
    html = as_role("analyst").get(EXPLORE).content.decode()
    assert '<option value="draft"' not in html  # the form offers only what the analyst can see


def test_reviewer_sees_pending_work(as_role, sample):
    assert rows(as_role("reviewer"), "state=submitted") == [sample["sindh_submitted"].pk]


def test_current_only_leaves_out_figures_replaced_by_an_approved_correction(as_role, dash, sample, obs):
    correction = obs(value=451, end=date(2024, 12, 31), supersedes=sample["national_2024"])
    got = rows(as_role("analyst"), "indicator=executions&current=on")
    assert correction.pk in got
    assert sample["national_2024"].pk not in got
    assert sample["national_2024"].pk in rows(as_role("analyst"), "indicator=executions")


def test_sort_by_value_both_ways_and_the_url_keeps_the_filters(as_role, sample):
    client = as_role("analyst")
    ascending = rows(client, "indicator=attacks&sort=value")
    assert ascending == [sample["sindh_attacks"].pk, sample["punjab_attacks"].pk]
    assert rows(client, "indicator=attacks&sort=-value") == ascending[::-1]
    html = client.get(f"{EXPLORE}?indicator=attacks&sort=value").content.decode()
    assert 'href="?indicator=attacks&amp;sort=-value"' in html  # a second click reverses, filters kept
    assert 'aria-sort="ascending"' in html


def test_pages_keep_the_filters(as_role, dash, obs):
    for day in range(1, 61):
        obs(dash.attacks, value=day, end=date(2024, 1, 1).replace(day=(day % 28) + 1, month=(day % 12) + 1),
            precision=DatePrecision.DAY)  # fmt: skip
    client = as_role("analyst")
    first = client.get(f"{EXPLORE}?indicator=attacks")
    html = first.content.decode()
    assert "60 observations" in html
    assert len(ids_on_page(first)) == 50
    assert 'href="?indicator=attacks&amp;page=2"' in html
    second = ids_on_page(client.get(f"{EXPLORE}?indicator=attacks&page=2"))
    assert len(second) == 10
    assert not set(second) & set(ids_on_page(first))


def test_bad_filter_input_says_so_and_keeps_the_rest(as_role, sample):
    response = as_role("analyst").get(f"{EXPLORE}?period_from=someday&body=sindh")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in html
    assert ids_on_page(response) == [sample["sindh_attacks"].pk]
    assert 'value="someday"' in html  # what was typed stays in the field


def test_htmx_gets_only_the_results(as_role, sample):
    html = as_role("analyst").get(f"{EXPLORE}?body=sindh", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and "<form" not in html
    assert "1 observation" in html


def test_every_filter_has_a_label(as_role, dash):
    html = as_role("analyst").get(EXPLORE).content.decode()
    start = html.index('<form method="get" action="/explore/"')
    form = html[start : html.index("</form>", start)]
    ids = re.findall(r'<(?:select|input)[^>]* id="([^"]+)"', form)
    assert len(ids) == 10
    for control_id in ids:
        assert f'<label for="{control_id}">' in form, control_id


# --- Exports ----------------------------------------------------------------------------------------------


def csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response) -> tuple[list[dict], list[list]]:
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Observations"]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    selection = [list(r) for r in book["Selection"].iter_rows(values_only=True)]
    return [dict(zip(header, row, strict=True)) for row in values[1:]], selection


@pytest.mark.parametrize("role", ["analyst", "reviewer", "administrator"])
def test_exports_carry_exactly_the_filtered_approved_figures(as_role, sample, role):
    client = as_role(role)
    query = "indicator=attacks&sort=value"
    shown = rows(client, f"{query}&state=approved")
    csv_ids = [int(r["Observation id"]) for r in csv_rows(client.get(f"/explore/export.csv?{query}"))]
    xlsx, selection = xlsx_rows(client.get(f"/explore/export.xlsx?{query}"))
    assert csv_ids == shown == [sample["sindh_attacks"].pk, sample["punjab_attacks"].pk]
    assert [r["Observation id"] for r in xlsx] == shown
    assert {r["Status"] for r in xlsx} == {"Approved"}
    assert any(row[:1] == ["Indicator"] and "Terrorist attacks" in row[1] for row in selection)


def test_export_values_stay_numbers_and_dates(as_role, sample):
    xlsx, _ = xlsx_rows(as_role("analyst").get("/explore/export.xlsx?body=sindh"))
    (row,) = xlsx
    assert row["Value"] == 12
    assert row["Period end"].date() == date(2022, 12, 31)
    assert row["Figure as published"] == "12"
    assert row["Reported for"] == "Sindh"
    assert row["Source"] == "NAP status report"


def test_reporters_may_not_export(as_role, sample):
    client = as_role("reporter")
    assert client.get("/explore/export.csv").status_code == 403
    assert client.get("/explore/export.xlsx").status_code == 403
    assert 'data-testid="export-xlsx"' not in client.get(EXPLORE).content.decode()


def test_exports_defuse_formulas_in_text_but_keep_numbers(as_role, dash, obs):
    obs(dash.madaris, value='=HYPERLINK("http://evil.example","x")', note="+1-2", quote="@SUM(A1)")
    obs(dash.attacks, value=7, note="-3", end=date(2023, 12, 31))
    client = as_role("analyst")
    by_csv = {r["Indicator code"]: r for r in csv_rows(client.get("/explore/export.csv"))}
    assert by_csv["madaris"]["Figure as published"] == '\'=HYPERLINK("http://evil.example","x")'
    assert by_csv["madaris"]["Note"] == "'+1-2"
    assert by_csv["madaris"]["Source wording"] == "'@SUM(A1)"
    assert by_csv["attacks"]["Note"] == "'-3"
    assert by_csv["attacks"]["Value"] == "7.0000"
    xlsx, _ = xlsx_rows(client.get("/explore/export.xlsx"))
    by_xlsx = {r["Indicator code"]: r for r in xlsx}
    assert by_xlsx["madaris"]["Figure as published"].startswith("'=")
    assert by_xlsx["attacks"]["Value"] == 7


def _as_the_model_reads_it(o) -> list[str]:
    """One CSV line of the export, built from the model instance the slow, obvious way."""
    safe = spreadsheet_safe
    indicator, item, source = o.indicator, o.indicator.item, o.source
    approved = timezone.localtime(o.approved_at).replace(tzinfo=None).isoformat() if o.approved_at else ""
    cells = [
        o.pk, safe(item.framework.short_title), item.number, safe(item.title), item.get_category_display(),
        safe(indicator.code), safe(indicator.name), safe(o.body.name) if o.body else "National",
        o.period_start or "", o.period_end, o.get_date_precision_display(),
        format_period(o.period_start, o.period_end, o.date_precision), "" if o.value is None else o.value,
        o.get_value_qualifier_display(), indicator.get_unit_display(), safe(format_figure(observation_figure(o))),
        o.get_state_display(), safe(source.publisher.short_name), safe(source.title), source.published_on or "",
        safe(source.url), safe(o.quote), safe(o.note), safe(o.editorial_note), o.supersedes_id or "", approved,
    ]  # fmt: skip
    return [str(cell) for cell in cells]


def test_the_csv_holds_each_figure_as_its_model_reads_it(as_role, dash, sample, obs):
    """The export reads the observations' own columns and looks their indicator, body and source up once: the
    lines are those the joined models give, in the explorer's order, with formulas defused."""
    obs(dash.attacks, value=7, note="=1+2", quote="@x", end=date(2023, 3, 31), precision="month")
    response = as_role("analyst").get("/explore/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text)))
    approved = (
        Observation.objects.filter(state=ObservationState.APPROVED)
        .select_related("indicator__item__framework", "body", "source__publisher")
        .order_by("-period_end", "pk")
    )
    assert header[0] == "Observation id" and len(header) == 26
    assert lines == [_as_the_model_reads_it(o) for o in approved]
    assert len(lines) == 7 and any(line[22] == "'=1+2" for line in lines)


def test_an_empty_selection_is_a_header_alone(as_role, dash, sample, django_assert_num_queries):
    client = as_role("analyst")
    client.get(EXPLORE)
    with django_assert_num_queries(AUTH_QUERIES + 1):  # the rows' query; nothing to look up
        response = client.get("/explore/export.csv?period_to=1900-01-01")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.count("\n") == 1 and text.startswith("Observation id,")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+92 300", "'+92 300"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Punjab", "Punjab"),
        ("about 30,000", "about 30,000"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_spreadsheet_safe(text, expected):
    assert spreadsheet_safe(text) == expected


# --- Cost -------------------------------------------------------------------------------------------------

# Form choices (frameworks, items, indicators, bodies), the chosen indicator's lookup, count, page; and the data
# version its results are cached under (an analyst reads approved figures only; measured here on a miss).
EXPLORER_QUERIES = AUTH_QUERIES + 7 + 1
# The same page again on unchanged data: the form's choices and the chosen indicator, the data version, the
# results from the cache.
EXPLORER_CACHED_QUERIES = AUTH_QUERIES + 5 + 1
# The chosen indicator's lookup, the rows in one streamed query, then the indicators, bodies and sources they
# name, once each; XLSX first counts them (a big selection becomes a background job, test_export_jobs.py).
EXPORT_QUERIES = {"csv": AUTH_QUERIES + 5, "xlsx": AUTH_QUERIES + 6}


@pytest.mark.parametrize("n_obs", [10, 10_000])
def test_explorer_query_count_is_flat(as_role, dash, n_obs, django_assert_num_queries):
    bulk_observations(dash, n_obs)
    client = as_role("analyst")
    url = f"{EXPLORE}?indicator=attacks&sort=-value&page=2"
    client.get(url.replace("page=2", "page=3"))  # the session's first request; another page, so this one is a miss
    with django_assert_num_queries(EXPLORER_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(EXPLORER_CACHED_QUERIES):
        again = client.get(url)
    start = response.content.decode().index('id="explorer-results"')
    assert again.content.decode()[start:] == response.content.decode()[start:]


def test_the_explorer_shows_a_new_approved_figure_at_once_and_a_reviewer_a_new_submission(as_role, dash):
    analyst, reviewer = as_role("analyst"), as_role("reviewer")
    url = f"{EXPLORE}?indicator=attacks&sort=-value"
    for client in (analyst, reviewer):
        assert "9,191" not in client.get(url).content.decode()
    dash.observe(dash.attacks, 9191, end=date(2025, 1, 15), precision=DatePrecision.DAY, body=dash.punjab,
                 state=ObservationState.SUBMITTED)  # fmt: skip
    assert "9,191" not in analyst.get(url).content.decode()  # approved figures only
    assert "9,191" in reviewer.get(url).content.decode()  # built each time: a submission is no new data version
    dash.observe(dash.attacks, 9292, end=date(2025, 1, 16), precision=DatePrecision.DAY, body=dash.punjab)
    assert "9,292" in analyst.get(url).content.decode()


@pytest.mark.parametrize("n_obs", [10, 10_000])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_is_flat(as_role, dash, n_obs, fmt, django_assert_num_queries):
    bulk_observations(dash, n_obs)
    client = as_role("analyst")
    url = f"/explore/export.{fmt}?indicator=attacks"
    client.get(EXPLORE)
    with django_assert_num_queries(EXPORT_QUERIES[fmt]):
        response = client.get(url)
        body = b"".join(response.streaming_content) if fmt == "csv" else response.content
    assert response.status_code == 200
    assert body


def test_a_large_selection_shows_the_planner_estimate_not_an_exact_count(as_role, dash, monkeypatch):
    from tracker import pagination

    bulk_observations(dash, 300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_observation")  # the planner's statistics, as autovacuum keeps them
    monkeypatch.setattr(pagination, "EXACT_BELOW", 10)  # so 300 rows count as "large"
    client = as_role("analyst")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(EXPLORE).content.decode()
    assert "about " in html and "Page 1 of about" in html
    # The count reads at most EXACT_BELOW + 1 rows, then the planner's estimate is shown.
    (count,) = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "LIMIT 11" in count
    assert any(q["sql"].startswith("EXPLAIN") for q in captured.captured_queries)
    assert len(ids_on_page(client.get(EXPLORE))) == 50


def test_the_default_page_reads_the_approved_period_index(dash):
    """At volume the planner walks obs_approved_period_idx for the default sort instead of sorting every row."""
    from tracker.models import Observation

    bulk_observations(dash, 2000)
    qs = Observation.objects.filter(state=ObservationState.APPROVED).order_by("-period_end", "pk")[:50]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_observation")
        cursor.execute("SET LOCAL enable_sort = off")  # a tiny table: show the index serves the sort
        plan = qs.explain()
    assert "obs_approved_period_idx" in plan
    assert "Sort" not in plan


def test_the_compact_select_renders_what_djangos_select_renders():
    from django import forms
    from django.test.html import parse_html

    from tracker.filters import CompactSelect

    choices = [("", "All"), ("a&b", "A <b>"), ("Group", [("x", "X"), ("y", "Y")]), ("z", "Z")]
    for value in ("", "a&b", "y"):
        attrs = {"id": "id_f", "aria-invalid": "true"}
        expected = forms.Select(choices=choices).render("f", value, attrs)
        assert parse_html(CompactSelect(choices=choices).render("f", value, attrs)) == parse_html(expected)
