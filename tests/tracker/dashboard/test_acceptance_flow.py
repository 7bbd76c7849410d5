"""The acceptance flow in a real browser (Debian's Chromium through Playwright, live server, PostgreSQL, Redis).

A Punjab reporter logs in with email and password, opens My updates, enters the figure their body owes for
the last closed quarter (with its source) and submits it; a reviewer logs in with password and TOTP code,
approves it in the review queue; the dashboard card, the indicator's chart and the compliance matrix show
it. The reporter meanwhile cannot open a Sindh draft (404). No page logs a console error; screenshots go to
artifacts/screenshots/.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import log_in, log_in_with_totp, shoot, verified
from tracker.cadence import last_closed_period
from tracker.choices import Cadence, ObservationState
from tracker.models import Observation, ReportingAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_VALUE = 37
SINDH_DRAFT_VALUE = 70101  # no other figure uses it, so seeing it anywhere means the draft leaked

ATTACKS_CHART = "document.querySelector('canvas[data-chart-id=\"attacks\"]')"
# Each dataset's label and values, read from the chart Chart.js drew.
CHART_VALUES_BY_SERIES = (
    f"() => Object.fromEntries(Chart.getChart({ATTACKS_CHART}).data.datasets.map(d => [d.label, d.data.map(p => p.y)]))"
)


@pytest.fixture
def scene(dash, obs):
    """Punjab reports terrorist attacks quarterly and owes the last closed quarter; Sindh has a draft."""
    obs(dash.attacks, value=20, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.attacks, value=12, body=dash.sindh, end=date(2024, 12, 31))
    sindh_draft = obs(dash.attacks, value=SINDH_DRAFT_VALUE, body=dash.sindh, state=ObservationState.DRAFT)
    ReportingAssignment.objects.create(indicator=dash.attacks, body=dash.punjab, cadence=Cadence.QUARTERLY)
    return sindh_draft


def test_reporter_submits_reviewer_approves_and_the_dashboard_shows_it(
    page, new_context, live_server, dash, users, scene, console_errors
):
    quarter = last_closed_period(Cadence.QUARTERLY, timezone.localdate())

    # --- The Punjab reporter: My updates, the form, submit. -----------------------------------------------
    reporter = verified(users["reporter"])
    log_in(page, live_server, reporter, next_path="/")
    page.wait_for_url(re.compile(r"/updates/$"))  # a reporter's home
    owed = page.locator("table.assignments tbody tr", has_text="Terrorist attacks")
    expect(owed).to_contain_text("Overdue")
    shoot(page, "flow-1-reporter-my-updates")

    owed.get_by_role("link", name="Enter").click()
    page.wait_for_url(re.compile(r"/observations/new/"))
    # Every field is reached by its label (Django's labels end with a colon).
    # The cadence fills in which indicator, body and period are owed.
    # An option names the framework, item and unit beside the indicator: "NAP 2021 1 · Terrorist attacks (Count)".
    expect(page.locator("#id_indicator option:checked")).to_contain_text("Terrorist attacks")
    expect(page.locator("#id_body option:checked")).to_have_text("Punjab")
    expect(page.locator("#id_period_start")).to_have_value(quarter.start.isoformat())
    expect(page.locator("#id_period_end")).to_have_value(quarter.end.isoformat())
    page.get_by_label("Value:", exact=True).fill(str(NEW_VALUE))
    page.get_by_label("Source:", exact=True).select_option(label="NACTA: NAP status report")
    page.get_by_label("Source wording:", exact=True).fill(f"{NEW_VALUE} attacks in the quarter")
    page.get_by_label("Note:", exact=True).fill("From the apex committee minutes")
    shoot(page, "flow-2-reporter-form")
    page.get_by_role("button", name="Save and submit for review").click()
    page.wait_for_url(re.compile(r"/observations/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Update submitted for review.")
    shoot(page, "flow-3-reporter-submitted")

    submitted = Observation.objects.get(body=dash.punjab, state=ObservationState.SUBMITTED)
    assert (submitted.indicator_id, submitted.value, submitted.source_id, submitted.created_by_id) == (
        dash.attacks.pk,
        Decimal(NEW_VALUE),
        dash.source.pk,
        reporter.pk,
    )
    assert (submitted.period_start, submitted.period_end) == (quarter.start, quarter.end)

    # --- The same reporter cannot reach Sindh's draft, by its address or on their page. -------------------
    draft_url = f"{live_server.url}/observations/{scene.pk}/"
    console_errors.allow(draft_url)  # the 404 below is the point of the check
    response = page.goto(draft_url)
    assert response is not None and response.status == 404
    assert (draft_url, "HTTP 404") in console_errors.seen  # the watch sees failures; this one is allowed
    assert str(SINDH_DRAFT_VALUE) not in page.content()
    page.goto(f"{live_server.url}/updates/")
    expect(page.locator("table.open-items")).to_contain_text("Terrorist attacks")  # their own submission
    assert not re.search(r"70[,.]?101", page.content())

    # --- A reviewer, in a browser of their own: password and TOTP, the review queue, approve. -------------
    reviewer = verified(users["reviewer"])
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    reviewer_page = console_errors.watch(new_context().new_page())
    log_in_with_totp(reviewer_page, live_server, reviewer, secret, next_path="/review/")
    reviewer_page.wait_for_url(re.compile(r"/review/$"))
    pending = reviewer_page.locator("table.review-queue tbody tr")
    expect(pending).to_have_count(1)  # Sindh's draft is not submitted, so it is not in the queue
    expect(pending).to_contain_text("Punjab")
    expect(pending).to_contain_text(reporter.email)
    expect(pending.locator("td").nth(3)).to_contain_text("+17")  # against Punjab's approved 20
    shoot(reviewer_page, "flow-4-reviewer-queue")
    pending.get_by_role("checkbox").check()
    reviewer_page.get_by_label("Decision for the selected:", exact=True).select_option("approve")
    reviewer_page.get_by_role("button", name="Apply to selected").click()
    expect(reviewer_page.locator(".messages")).to_contain_text("1 update(s) decided.")
    expect(reviewer_page.get_by_text("Nothing waits for review.")).to_be_visible()
    submitted.refresh_from_db()
    assert (submitted.state, submitted.approved_by_id) == (ObservationState.APPROVED, reviewer.pk)

    # --- The dashboard: the card, the chart and the compliance matrix show the approved figure. ----------
    reviewer_page.get_by_role("link", name="Dashboard").click()
    reviewer_page.wait_for_url(re.compile(r"/dashboard/"))
    expect(reviewer_page.locator('[data-testid="headline-attacks"]')).to_have_text(str(NEW_VALUE))
    # The chart fetches its own points when it scrolls into view.
    reviewer_page.locator("canvas[data-chart-id=attacks]").scroll_into_view_if_needed()
    reviewer_page.wait_for_function(f"() => window.Chart && Chart.getChart({ATTACKS_CHART})")
    series = reviewer_page.evaluate(CHART_VALUES_BY_SERIES)
    assert series["Punjab"] == [20, NEW_VALUE]  # oldest first: the new quarter is the latest point
    assert series["Sindh"] == [12]  # the Sindh draft is no point on any chart
    punjab_row = reviewer_page.locator("table.matrix tbody tr", has=reviewer_page.locator("th", has_text="Punjab"))
    expect(punjab_row.locator("a.cell").first).to_have_class(re.compile(r"cell--up_to_date"))
    shoot(reviewer_page, "flow-5-reviewer-dashboard")
