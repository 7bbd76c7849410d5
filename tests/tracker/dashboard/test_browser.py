"""In a real browser (Debian's Chromium through Playwright) against a live server and real PostgreSQL/Redis.

An analyst logs in through allauth's login page, reads the dashboard (card and chart show the approved
value), filters in the explorer and downloads an XLSX whose rows are exactly the filtered ones; a reviewer
logs in with a TOTP code and sees the backlog. No page may log a console error. Screenshots go to
artifacts/screenshots/ (kept by CI as artifacts, ignored by git). The shared pieces are in tests/browser.py;
the reporter → reviewer → dashboard flow is in test_acceptance_flow.py.
"""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser import log_in, log_in_with_totp, shoot, verified
from tracker.choices import ObservationState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(dash, obs):
    obs(value=450, end=date(2024, 12, 31), quote="450 executions")
    obs(value=300, end=date(2023, 12, 31))
    obs(dash.attacks, value=20, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.attacks, value=12, body=dash.sindh, end=date(2024, 12, 31))
    obs(dash.attacks, value=15, body=dash.sindh, end=date(2023, 12, 31))
    obs(dash.attacks, value=77, body=dash.sindh, state=ObservationState.SUBMITTED)
    return dash


def test_analyst_reads_the_dashboard_filters_and_downloads_the_selection(
    page, live_server, figures, users, console_errors
):
    analyst = verified(users["analyst"])
    log_in(page, live_server, analyst, next_path="/dashboard/")
    page.wait_for_url(re.compile(r"/dashboard/"))

    # The card shows the approved figure with its rating in words.
    headline = page.locator('[data-testid="headline-executions"]')
    assert headline.inner_text() == "450"
    assert page.locator(".dash-card").first.get_by_text("Partly satisfactory").is_visible()

    # The chart loads its points when it scrolls into view, and is drawn with the approved value among them.
    page.locator('canvas[data-chart-id="executions"]').scroll_into_view_if_needed()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart-id=\"executions\"]'))"
    )
    values = page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas[data-chart-id=\"executions\"]'))"
        ".data.datasets.filter(d => d.label !== 'Target').flatMap(d => d.data.map(p => p.y))"
    )
    assert 450 in values and 300 in values
    # A point's tooltip names its source, looked up in the chart's list of sources; the target line names none.
    tooltips = page.evaluate(
        "() => { const chart = Chart.getChart(document.querySelector('canvas[data-chart-id=\"executions\"]'));"
        " const after = chart.options.plugins.tooltip.callbacks.afterLabel;"
        " return chart.data.datasets.map(d => after({raw: d.data[0], dataset: d})); }"
    )
    assert tooltips[0] == "Source: NACTA: NAP status report" and tooltips[-1] == ""
    box = page.locator('canvas[data-chart-id="executions"]').bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    shoot(page, "analyst-dashboard")

    # The card counts the bodies' figures; opening the count loads each body's latest figure (htmx), once.
    bodies = page.locator('[data-testid="bodies-attacks"]')
    assert bodies.locator("summary").inner_text() == "2 bodies reported; latest 2024"
    assert page.locator('[data-testid="headline-attacks-sindh"]').count() == 0
    bodies.locator("summary").click()
    sindh = page.locator('[data-testid="headline-attacks-sindh"]')
    sindh.wait_for()
    assert sindh.inner_text().startswith("Sindh: 12")  # the latest approved; the pending 77 stays out
    assert page.locator('[data-testid="headline-attacks-punjab"]').inner_text().startswith("Punjab: 20")
    for width, height in ((390, 844), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        # Chart.js redraws its canvases at the new width a moment after the resize.
        page.wait_for_function("() => document.documentElement.scrollWidth <= window.innerWidth", timeout=5000)
        assert sindh.is_visible()
    shoot(page, "analyst-dashboard-figures-by-body")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A category switch through htmx keeps the page and updates the address.
    page.select_option("#id_category", "non_kinetic")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"category=non_kinetic"))
    assert page.locator('[data-testid="headline-executions"]').count() == 0
    assert page.get_by_text("Registration of madaris").first.is_visible()

    # The explorer: filter, then download exactly what is shown.
    page.get_by_role("link", name="Explore").click()
    page.wait_for_url(re.compile(r"/explore/"))
    page.select_option("#id_indicator", "attacks")
    page.select_option("#id_body", "sindh")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"indicator=attacks.*body=sindh|body=sindh.*indicator=attacks"))
    page.wait_for_selector('[data-testid="result-count"]:has-text("2 observations")')
    shown = [int(v) for v in page.locator("tr[data-obs]").evaluate_all("rows => rows.map(r => r.dataset.obs)")]
    assert len(shown) == 2
    shoot(page, "analyst-explorer")

    with page.expect_download() as download_info:
        page.locator('[data-testid="export-xlsx"]').click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = list(book["Observations"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    records = [dict(zip(header, row, strict=True)) for row in data]
    assert [r["Observation id"] for r in records] == shown
    assert {r["Indicator code"] for r in records} == {"attacks"}
    assert {r["Reported for"] for r in records} == {"Sindh"}
    assert sorted(r["Value"] for r in records) == [12, 15]  # the pending 77 is neither shown nor exported


def test_reviewer_logs_in_with_totp_and_sees_the_backlog(page, live_server, figures, users, console_errors):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    reviewer = verified(users["reviewer"])
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    log_in_with_totp(page, live_server, reviewer, secret, next_path="/dashboard/")
    page.wait_for_url(re.compile(r"/dashboard/"))

    assert page.locator('[data-testid="backlog-total"]').inner_text() == "1"
    assert page.get_by_text("1 update awaiting review").is_visible()
    assert page.locator('[data-testid="headline-executions"]').inner_text() == "450"
    # Each chart fetches its own points when it scrolls into view; the page itself carries none.
    for canvas in page.locator("canvas[data-chart-url]").all():
        canvas.scroll_into_view_if_needed()
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 2")
    page.evaluate("() => window.scrollTo(0, 0)")
    shoot(page, "reviewer-dashboard")

    # Paper: the settings form, the page's own navigation and the site chrome stay off the print.
    page.emulate_media(media="print")
    assert not page.locator("form.controls").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert page.locator(".dash-card").first.is_visible()
    shoot(page, "reviewer-dashboard-print")
    page.emulate_media(media="screen")

    # A tablet in portrait: nothing wider than the screen but the matrix, which scrolls in its own region.
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "reviewer-dashboard-tablet")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Keyboard: the skip link comes first, and the matrix cells are links reachable with Tab.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    cell = page.locator("a.cell").first
    cell.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('cell')")

    page.goto(f"{live_server.url}/indicators/executions/")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 1")
    shoot(page, "reviewer-indicator")
