"""In Chromium: the reporter sees the data-quality warnings on the form and on a saved row of the entry grid
(at 390 px) before submitting, and submits anyway with a comment; the reviewer sees the flag in the queue and
the finding on the validation page, at 1366 px and at 390 px, without horizontal scrolling and without console
errors."""

import re
from datetime import date, timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import log_in, log_in_with_totp, shoot, verified
from tracker.cadence import last_closed_period
from tracker.choices import Cadence, ObservationState, RuleKind
from tracker.models import Finding, Observation, ReportingAssignment
from tracker.validation.services import validation_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_form_warns_before_submitting_and_the_reviewer_sees_the_finding(
    page, live_server, vworld, fig, rule, world, reporter, reviewer, console_errors
):
    rule(RuleKind.STOCK, name="A running total does not fall")
    fig(vworld.arrests, 120, body=world.punjab, on=date(2015, 2, 28))

    log_in(page, live_server, verified(reporter), next_path="/observations/new/")
    page.wait_for_url(re.compile(r"/observations/new/"))
    page.get_by_label("Indicator:", exact=True).select_option(str(vworld.arrests.pk))
    page.get_by_label("Reporting body:", exact=True).select_option(label="Punjab")
    page.get_by_label("Period end or as-of date:", exact=True).fill("2015-03-31")
    page.get_by_label("Value:", exact=True).fill("90")
    page.get_by_label("Source:", exact=True).select_option(index=1)
    page.get_by_role("button", name="Save and submit for review").click()

    warnings = page.get_by_test_id("entry-findings")
    expect(warnings).to_contain_text("Check this figure before submitting")
    expect(warnings).to_contain_text("falls from 120 (28 Feb 2015) to 90")
    assert not Observation.objects.filter(value=90).exists()
    shoot(page, "validation-1-form-warning")
    page.get_by_label("Your comment for the reviewer").fill("Recount after the provincial audit")
    page.get_by_role("button", name="Save and submit for review").click()
    page.wait_for_url(re.compile(r"/observations/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Update submitted for review.")
    expect(page.get_by_test_id("observation-findings")).to_contain_text("Recount after the provincial audit")
    obs = Observation.objects.get(value=90)
    assert obs.state == ObservationState.SUBMITTED
    assert Finding.objects.get(observation=obs).comment == "Recount after the provincial audit"

    # The reviewer, in another browser context: the queue's flag, then the validation page at two widths.
    fig(vworld.arrests, 100, body=world.sindh, on=date(2015, 2, 28))
    fig(vworld.arrests, 80, body=world.sindh, on=date(2015, 3, 31))
    validation_run(as_of=date(2015, 12, 31))
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    reviewer_page = page.context.browser.new_page(viewport={"width": 1366, "height": 900})
    console_errors.watch(reviewer_page)
    log_in_with_totp(reviewer_page, live_server, verified(reviewer), secret, next_path="/review/")
    reviewer_page.wait_for_url(re.compile(r"/review/$"))
    expect(reviewer_page.get_by_test_id("flag-warning")).to_have_text("1 warning")
    reviewer_page.goto(f"{live_server.url}/validation/")
    expect(reviewer_page.get_by_test_id("finding")).to_have_count(2)
    shoot(reviewer_page, "validation-2-page-1366")
    for width in (1366, 390):
        reviewer_page.set_viewport_size({"width": width, "height": 900})
        overflow = reviewer_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"horizontal scroll at {width} px"
    shoot(reviewer_page, "validation-3-page-390")
    reviewer_page.get_by_test_id("finding").filter(has_text="Sindh").get_by_text("Follow up").click()
    reviewer_page.get_by_test_id("finding").filter(has_text="Sindh").locator("textarea").fill("Asked Sindh")
    reviewer_page.get_by_role("button", name="Mark followed up").first.click()
    expect(reviewer_page.locator(".messages")).to_contain_text("Follow-up recorded.")
    reviewer_page.close()


def test_the_grid_warns_on_a_saved_row_and_submits_it_with_a_comment(
    page, live_server, vworld, fig, rule, world, reporter, console_errors
):
    rule(RuleKind.STOCK, name="A running total does not fall")
    ReportingAssignment.objects.create(indicator=vworld.arrests, body=world.punjab, cadence=Cadence.MONTHLY)
    period = last_closed_period(Cadence.MONTHLY, timezone.localdate())
    fig(vworld.arrests, 120, body=world.punjab, on=period.start - timedelta(days=1))
    field = f"#id_r{vworld.arrests.pk}-value"

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, verified(reporter), next_path="/updates/entry/punjab/monthly/")
    page.wait_for_url(re.compile(r"/updates/entry/punjab/monthly/"))
    page.fill(field, "90")
    page.press(field, "Enter")  # the row saves alone (htmx) and comes back with its warning
    row = page.get_by_test_id("row-arrests")
    expect(row.get_by_test_id("row-findings")).to_contain_text("falls from 120")
    expect(row).to_contain_text("Draft saved.")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shoot(page, "validation-4-grid-row-warning-390")
    row.get_by_label("Your comment for the reviewer").fill("Recount after the provincial audit")
    page.get_by_role("button", name="Submit all for review").click()
    page.wait_for_url(re.compile(r"/updates/entry/punjab/monthly/\?end="))
    expect(page.locator(".messages")).to_contain_text("1 figure submitted for review.")
    obs = Observation.objects.get(indicator=vworld.arrests, value=90)
    assert obs.state == ObservationState.SUBMITTED
    assert Finding.objects.get(observation=obs).comment == "Recount after the provincial audit"
