"""The entry grid: one body, one period, every indicator the body owes; rows saved alone, submitted together,
refused with the one validation's messages, scoped by the policy, with a pinned and flat query count."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tracker.cadence import last_closed_period
from tracker.choices import Cadence, ObservationState
from tracker.entry_validation import msg_period_future, msg_value_range
from tracker.formatting import format_number
from tracker.models import Observation, ReportingAssignment

S = ObservationState
# Session, user, role and memberships, the body (through the policy's writable bodies), the assignments with
# their last approved figure, the figures entered for the period, the sources offered.
GRID_QUERIES = 7


@pytest.fixture
def owed(world):
    for indicator in (world.old_executions, world.old_status):
        ReportingAssignment.objects.create(indicator=indicator, body=world.punjab, cadence=Cadence.MONTHLY)
    world.old_executions.target_value = Decimal(500)
    world.old_executions.save()
    return world


@pytest.fixture
def period():
    return last_closed_period(Cadence.MONTHLY, timezone.localdate())


def url(world, **query):
    from django.urls import reverse

    base = reverse("tracker:entry-grid", args=[world.punjab.slug, Cadence.MONTHLY])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def row_data(world, **rows):
    """POST data for the grid: ``executions="12"`` fills the row of the indicator with that code."""
    data = {"source": ""}
    for code, value in rows.items():
        indicator = world.old_executions if code == "executions" else world.old_status
        field = "value" if code == "executions" else "text_value"
        data[f"r{indicator.pk}-{field}"] = value
        data[f"r{indicator.pk}-value_qualifier"] = "exact"
        data[f"r{indicator.pk}-note"] = ""
        data[f"r{indicator.pk}-version"] = ""
    return data


def test_the_grid_lists_what_the_body_owes_with_unit_target_and_last_approved(
    owed, reporter, client_as, make_obs, period
):
    make_obs(state=S.APPROVED, value=Decimal(321), period_start=date(2020, 1, 1), period_end=date(2020, 12, 31))
    page = client_as(reporter).get(url(owed))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Executions" in html and "Status" in html
    assert "NAP 2014" in html and "Executions" in html  # grouped by framework and item
    assert "321" in html  # the last approved figure
    assert "500" in html  # the target
    assert "Count" in html and "Text status" in html  # units
    assert "data-entry-row" in html and "hx-post" in html
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither


def test_a_row_saves_alone_through_htmx_and_keeps_its_draft(owed, reporter, client_as, period, audit_rows):
    client = client_as(reporter)
    before = audit_rows()
    data = {**row_data(owed, executions="١٢"), "save_row": str(owed.old_executions.pk)}
    response = client.post(url(owed), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Draft saved." in response.content
    assert b"<html" not in response.content  # only the row comes back
    obs = Observation.objects.get(indicator=owed.old_executions, body=owed.punjab)
    assert obs.state == S.DRAFT and obs.value == Decimal(12)  # Arabic-Indic digits read as ASCII
    assert (obs.period_start, obs.period_end, obs.date_precision) == (period.start, period.end, "month")
    assert obs.source.publisher == owed.punjab  # the body's own return by default
    assert audit_rows() > before
    # Saving the row again edits the same draft (no second open figure).
    data[f"r{owed.old_executions.pk}-value"] = "13"
    data[f"r{owed.old_executions.pk}-version"] = str(obs.version)
    client.post(url(owed), data, HTTP_HX_REQUEST="true")
    assert Observation.objects.filter(indicator=owed.old_executions, body=owed.punjab).count() == 1
    obs.refresh_from_db()
    assert obs.value == Decimal(13)


def test_a_refused_row_shows_the_one_validations_message_and_keeps_the_input(owed, reporter, client_as):
    data = {**row_data(owed, executions="1" * 25), "save_row": str(owed.old_executions.pk)}
    response = client_as(reporter).post(url(owed), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert msg_value_range() in html
    assert 'value="' + "1" * 25 + '"' in html  # what was typed is still there
    assert not Observation.objects.exists()


def test_submit_all_submits_the_good_rows_and_holds_back_the_refused_one_with_its_message(
    owed, reporter, client_as, period
):
    data = {**row_data(owed, executions="1" * 25, status="Operations continue"), "submit_all": ""}
    response = client_as(reporter).post(url(owed), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert msg_value_range() in html
    assert "1 row needs attention" in html
    text = Observation.objects.get(indicator=owed.old_status)
    assert text.state == S.SUBMITTED and text.text_value == "Operations continue"
    assert not Observation.objects.filter(indicator=owed.old_executions).exists()

    data = {**row_data(owed, executions="45"), "submit_all": ""}
    response = client_as(reporter).post(url(owed), data)
    assert response.status_code == 302
    assert Observation.objects.get(indicator=owed.old_executions).state == S.SUBMITTED
    # Both submitted rows now show as awaiting review, with no input.
    html = client_as(reporter).get(url(owed)).content.decode()
    assert html.count("Submitted") >= 2 and f"r{owed.old_executions.pk}-value" not in html


def test_an_open_figure_entered_elsewhere_is_continued_not_duplicated(owed, reporter, client_as, make_obs, period):
    draft = make_obs(
        period_start=period.start, period_end=period.end, date_precision="month", value=Decimal(7), created_by=reporter
    )
    html = client_as(reporter).get(url(owed)).content.decode()
    assert f'name="r{owed.old_executions.pk}-value" value="7"' in html
    data = {**row_data(owed, executions="8"), "submit_all": ""}
    data[f"r{owed.old_executions.pk}-version"] = str(draft.version)
    client_as(reporter).post(url(owed), data)
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED and draft.value == Decimal(8)
    assert Observation.objects.filter(indicator=owed.old_executions).count() == 1


def test_a_period_not_yet_closed_is_never_offered(owed, reporter, client_as, period):
    future = timezone.localdate() + timedelta(days=40)
    html = client_as(reporter).get(url(owed, end=future.isoformat())).content.decode()
    assert period.end.isoformat() in html
    # An earlier closed period can be asked for (a late return).
    earlier = period.start - timedelta(days=1)
    html = client_as(reporter).get(url(owed, end=earlier.isoformat())).content.decode()
    assert f'name="end" value="{earlier.isoformat()}"' in html
    assert msg_period_future(future)  # the message exists; the grid never lets the period be typed


def test_another_bodys_grid_answers_404_and_roles_without_reporting_403(
    owed, other_reporter, analyst, client_as, reviewer
):
    assert client_as(other_reporter).get(url(owed)).status_code == 404
    assert client_as(other_reporter).post(url(owed), {"submit_all": ""}).status_code == 404
    assert client_as(analyst).get(url(owed)).status_code == 403
    # NACTA M&E enters for any body (the policy's writable bodies); MFA enrolment comes first for reviewers.
    assert client_as(reviewer).get(url(owed)).status_code in (200, 302)


def test_my_updates_links_to_the_grid(owed, reporter, client_as):
    html = client_as(reporter).get("/updates/").content.decode()
    assert url(owed) in html


@pytest.mark.parametrize("history", [10, 1000])
def test_the_grids_query_count_is_pinned_and_flat(owed, reporter, client_as, django_assert_num_queries, history):
    approved = [
        Observation(
            indicator=owed.old_executions,
            body=owed.punjab,
            period_start=date(2025 - n // 12, 12 - n % 12, 1),
            period_end=date(2025 - n // 12, 12 - n % 12, 1),
            date_precision="day",
            value=Decimal(70000 + n),
            source=owed.status_2017,
            state=S.APPROVED,
            approved_at=timezone.now(),
        )
        for n in range(history)
    ]
    Observation.objects.bulk_create(approved)
    client = client_as(reporter)
    client.get(url(owed))  # session and caches warm
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(url(owed))
    assert response.status_code == 200
    # The last approved figure is the latest of the history, whatever its length.
    assert f'data-testid="last-approved">{format_number(70000)} (' in response.content.decode()


def test_without_script_a_rows_button_saves_that_row_and_returns_the_whole_grid(owed, reporter, client_as):
    data = {**row_data(owed, executions="12", status="typed, not saved"), "save_row": str(owed.old_executions.pk)}
    response = client_as(reporter).post(url(owed), data)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and "Draft saved." in html
    assert list(Observation.objects.values_list("indicator", flat=True)) == [owed.old_executions.pk]
    assert 'value="typed, not saved"' in html  # the other row's input is kept, unsaved


def _owe_more(world, n):
    """``n`` more count indicators of the item Punjab supports, each owed monthly: a grid of ``n + 2`` rows."""
    from tracker.models import Indicator

    extra = []
    for i in range(n):
        indicator = Indicator.objects.create(
            item=world.old_item, code=f"extra-{i}", name=f"Extra {i}", unit="count", position=10 + i
        )
        ReportingAssignment.objects.create(indicator=indicator, body=world.punjab, cadence=Cadence.MONTHLY)
        extra.append(indicator)
    return extra


def _filled(world, indicators, filled):
    """The first ``filled`` of ``indicators`` typed, the others and the world's two rows left blank."""
    data = row_data(world, executions="", status="")
    for k, indicator in enumerate(indicators):
        data[f"r{indicator.pk}-value"] = str(k + 1) if k < filled else ""
        data[f"r{indicator.pk}-value_qualifier"] = "exact"
        data[f"r{indicator.pk}-note"] = ""
        data[f"r{indicator.pk}-version"] = ""
    return data


# Saving one row: the grid (7), the body's own return (found or added), the one validation, the draft with its
# model checks and audit entry, then its data-quality warnings (the rules: none in this world, so one query).
# The same whatever the number of rows the grid shows.
SAVE_ROW_QUERIES = 32
# Submit all with one row typed: the grid, that row saved and submitted (snapshot, audit, data-quality check),
# and one data-quality evaluation for every saved row together before any is submitted.
SUBMIT_ONE_QUERIES = 53
# The first own return of a period is added with the first figure citing it (slug, insert, audit entry).
OWN_RETURN_ADDED = 3
# Each further typed row is saved and submitted in its own transaction (so a refused row holds back no other):
# a fixed cost per typed row, none per untyped one; the body's own return is looked up once per post.
SUBMIT_PER_TYPED_ROW = 43


@pytest.mark.parametrize("rows", [2, 20])
def test_save_row_and_submit_all_cost_the_same_whatever_the_grids_size(
    owed, reporter, client_as, django_assert_num_queries, rows
):
    indicators = _owe_more(owed, rows)
    client = client_as(reporter)
    client.get(url(owed))  # session and caches warm
    with django_assert_num_queries(SAVE_ROW_QUERIES):
        response = client.post(
            url(owed), {**_filled(owed, indicators, 1), "save_row": str(indicators[0].pk)}, HTTP_HX_REQUEST="true"
        )
    assert b"Draft saved." in response.content
    Observation.objects.all().delete()
    with django_assert_num_queries(SUBMIT_ONE_QUERIES):
        response = client.post(url(owed), {**_filled(owed, indicators, 1), "submit_all": ""})
    assert response.status_code == 302
    assert Observation.objects.get().state == S.SUBMITTED


@pytest.mark.parametrize("typed", [2, 5])
def test_submit_all_costs_a_fixed_number_of_queries_per_typed_row(
    owed, reporter, client_as, django_assert_num_queries, typed
):
    indicators = _owe_more(owed, 8)
    client = client_as(reporter)
    client.get(url(owed))
    with django_assert_num_queries(SUBMIT_ONE_QUERIES + OWN_RETURN_ADDED + SUBMIT_PER_TYPED_ROW * (typed - 1)):
        response = client.post(url(owed), {**_filled(owed, indicators, typed), "submit_all": ""})
    assert response.status_code == 302
    assert Observation.objects.filter(state=S.SUBMITTED).count() == typed
    # Every typed row cites the same own return, added once.
    assert Observation.objects.values("source").distinct().count() == 1


@pytest.mark.parametrize("state", [S.SUBMITTED, S.VERIFIED])
def test_a_figure_under_review_covers_its_row(owed, reporter, make_obs, period, state):
    """Verified by the province and waiting for NACTA M&E is still reported: the row shows that figure, up to
    date, and never invites a second entry of the same period."""
    from tracker.choices import DueStatus
    from tracker.selectors.entry_grid import entry_grid

    owed.punjab.requires_verification = True
    owed.punjab.save(update_fields=["requires_verification"])
    obs = make_obs(state, period_start=period.start, period_end=period.end, date_precision="month", created_by=reporter)
    grid = entry_grid(
        user=reporter, body=owed.punjab, cadence=Cadence.MONTHLY, period=period, today=timezone.localdate()
    )
    row = grid.row(owed.old_executions.pk)
    assert row is not None and row.entered == obs and row.status == DueStatus.UP_TO_DATE
