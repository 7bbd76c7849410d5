"""The entry grid in a real browser (Debian's Chromium through Playwright, live server, PostgreSQL, Redis).

A Punjab reporter opens the grid from My updates at 1280 px, types a figure and presses Enter (the row saves
alone through htmx), types a figure the one validation refuses (its message appears on its row, the input
stays), corrects it and submits all; at 390 px the same grid fits the phone without horizontal scroll. No page
logs a console error (the CSP refuses inline script and style, so any would show here).
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, shoot, verified
from tracker.choices import Cadence, ObservationState
from tracker.entry_validation import msg_value_range
from tracker.models import Observation, ReportingAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def owed(world, make_obs):
    for indicator in (world.old_executions, world.old_status):
        ReportingAssignment.objects.create(indicator=indicator, body=world.punjab, cadence=Cadence.MONTHLY)
    world.old_executions.target_value = Decimal(500)
    world.old_executions.save()
    make_obs(state=ObservationState.APPROVED, value=Decimal(321))
    return world


def test_reporter_fills_the_grid_saves_a_row_sees_a_refusal_on_its_row_and_submits_all(
    page, live_server, owed, reporter, console_errors
):
    executions = f"#id_r{owed.old_executions.pk}-value"
    status = f"#id_r{owed.old_status.pk}-text_value"
    log_in(page, live_server, verified(reporter), next_path="/updates/")
    page.wait_for_url(re.compile(r"/updates/$"))
    page.locator('[data-testid="grid-link-punjab"]').click()
    page.wait_for_url(re.compile(r"/updates/entry/punjab/monthly/"))
    row = page.locator('[data-testid="row-executions-2014"]')
    expect(row.locator('[data-testid="last-approved"]')).to_contain_text("321")
    expect(row).to_contain_text("500")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    # Enter in a field saves its row alone: a draft exists, the page did not reload.
    page.fill(status, "Operations continue")
    page.press(status, "Enter")
    expect(page.locator('[data-testid="row-status"]')).to_contain_text("Draft saved.")
    assert Observation.objects.get(indicator=owed.old_status).state == ObservationState.DRAFT
    expect(page.locator(status)).to_be_focused()  # the swap keeps the keyboard where it was

    # A figure the one validation refuses: its message on its row, the input kept.
    page.fill(executions, "1" * 25)
    row.get_by_role("button", name=re.compile("Save row")).click()
    expect(row.locator(".errorlist")).to_contain_text(msg_value_range())
    expect(page.locator(executions)).to_have_value("1" * 25)
    shoot(page, "entry-grid-1280-refused-row")

    page.fill(executions, "45")
    page.get_by_role("button", name="Submit all for review").click()
    page.wait_for_url(re.compile(r"/updates/entry/punjab/monthly/\?end="))
    expect(page.locator(".messages")).to_contain_text("2 figures submitted for review.")
    states = set(
        Observation.objects.filter(body=owed.punjab, state=ObservationState.SUBMITTED).values_list(
            "indicator", flat=True
        )
    )
    assert states == {owed.old_executions.pk, owed.old_status.pk}
    expect(page.locator('[data-testid="row-executions-2014"] [data-testid="row-state"]')).to_contain_text("45")


def test_the_grid_fits_a_390px_phone(page, live_server, owed, reporter, console_errors):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, verified(reporter), next_path="/updates/entry/punjab/monthly/")
    page.wait_for_url(re.compile(r"/updates/entry/punjab/monthly/"))
    expect(page.locator('[data-testid="row-executions-2014"]')).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # A refused row at phone width: the long message wraps, still no horizontal scroll.
    page.fill(f"#id_r{owed.old_executions.pk}-value", "1" * 25)
    page.press(f"#id_r{owed.old_executions.pk}-value", "Enter")
    expect(page.locator('[data-testid="row-executions-2014"] .errorlist')).to_contain_text(msg_value_range())
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    shoot(page, "entry-grid-390")


def test_the_single_figure_form_fits_a_390px_phone_and_keeps_its_evidence_across_a_refusal(
    page, live_server, owed, reporter, console_errors, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    page.set_viewport_size({"width": 390, "height": 844})
    path = f"/observations/new/?indicator={owed.old_executions.pk}&body={owed.punjab.pk}"
    log_in(page, live_server, verified(reporter), next_path=path)
    page.wait_for_url(re.compile(r"/observations/new/"))
    expect(page.locator('[data-testid="last-approved"]')).to_contain_text("321")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # The panel follows the indicator chosen (htmx).
    page.select_option("#id_indicator", str(owed.old_status.pk))
    expect(page.locator('[data-testid="figure-context"]')).to_contain_text("Text status")
    page.select_option("#id_indicator", str(owed.old_executions.pk))
    page.fill("#id_period_start", "2025-01-01")
    page.fill("#id_period_end", "2025-12-31")
    page.select_option("#id_date_precision", "year")
    page.fill("#id_value", "99999999999999999999999")
    page.select_option("#id_source", str(owed.status_2017.pk))
    page.set_input_files("#id_evidence", str(pdf))
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator('[data-testid="held-evidence"]')).to_contain_text("minutes.pdf")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    shoot(page, "entry-form-390-refused")
    page.fill("#id_value", "45")
    page.get_by_role("button", name="Save and submit for review").click()
    page.wait_for_url(re.compile(r"/observations/\d+/$"))
    obs = Observation.objects.get(indicator=owed.old_executions, state=ObservationState.SUBMITTED)
    assert obs.evidence.get().original_name == "minutes.pdf"
