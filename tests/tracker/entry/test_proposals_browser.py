"""Proposing an indicator in a real browser (Chromium through Playwright, live server): a Punjab reporter
proposes at 390 px, NACTA M&E accepts it edited at 1366 px; neither page scrolls sideways and no console error
is logged (the CSP refuses inline script and style)."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from tests.browser import log_in, log_in_with_totp, shoot, verified
from tracker.choices import ProposalState
from tracker.models import IndicatorProposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_a_reporter_proposes_on_a_phone_and_me_accepts_it_edited_on_a_laptop(
    page, live_server, world, reporter, reviewer, console_errors
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, verified(reporter), next_path="/indicators/proposals/new/")
    page.wait_for_url(re.compile(r"/indicators/proposals/new/$"))
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.get_by_label("Agenda item").select_option(label="NAP 2021 2. " + world.madaris_item.title)
    page.get_by_label("Name").fill("Madaris geo-tagged")
    page.get_by_label("Unit").select_option("count")
    page.get_by_label("Why it is needed").fill("The Punjab return counts geo-tagged madaris every month.")
    shoot(page, "proposal-form-390")
    page.get_by_role("button", name="Send the proposal").click()
    page.wait_for_url(re.compile(r"/indicators/proposals/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Proposed.")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.goto(f"{live_server.url}/indicators/proposals/")
    expect(page.locator("table.proposals")).to_contain_text("Madaris geo-tagged")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    shoot(page, "proposal-list-390")
    proposal = IndicatorProposal.objects.get()

    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    me = page.context.browser.new_page(viewport={"width": 1366, "height": 900})
    console_errors.watch(me)
    log_in_with_totp(me, live_server, verified(reviewer), secret, next_path="/indicators/proposals/")
    me.wait_for_url(re.compile(r"/indicators/proposals/$"))
    assert me.evaluate(NO_HORIZONTAL_SCROLL)
    shoot(me, "proposal-list-1366")
    me.get_by_role("link", name="Madaris geo-tagged").click()
    me.wait_for_url(re.compile(rf"/indicators/proposals/{proposal.pk}/$"))
    me.get_by_label("Decision").select_option("accept")
    me.get_by_label("Name").fill("Madaris geo-tagged (Punjab)")
    shoot(me, "proposal-decide-1366")
    me.get_by_role("button", name="Record the decision").click()
    me.wait_for_url(re.compile(r"/indicators/proposals/$"))
    expect(me.locator(".messages")).to_contain_text("Accepted")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED
    assert proposal.indicator is not None and proposal.indicator.name == "Madaris geo-tagged (Punjab)"
