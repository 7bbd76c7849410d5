"""The item page's bodies table and the indicator page's series switch and history pages, in a real browser at
a laptop's width (1366 px) and a phone's (390 px)."""

import re
from datetime import date, timedelta

import pytest

from tests.browser import log_in, shoot, verified
from tracker.choices import ObservationState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    """Nothing wider than the screen, once the layout settles (the chart redraws after a resize)."""
    page.wait_for_function("() => document.documentElement.scrollWidth <= window.innerWidth", timeout=5_000)
    return True


def test_from_the_item_page_to_a_bodys_series_and_through_its_history(
    page, live_server, dash, obs, users, console_errors, monkeypatch
):
    from tracker.selectors import explorer

    monkeypatch.setattr(explorer, "HISTORY_PAGE", 3)  # the live server runs in this process
    for n in range(5):
        obs(dash.attacks, value=10 + n, body=dash.sindh, end=date(2024, 1, 1) + timedelta(days=n), precision="day")
    obs(dash.attacks, value=20, body=dash.punjab, end=date(2024, 12, 31))
    obs(dash.attacks, value=77, body=dash.sindh, state=ObservationState.SUBMITTED)
    item = dash.attacks.item
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(
        page,
        live_server,
        verified(users["analyst"]),
        next_path=f"/frameworks/{item.framework.slug}/items/{item.number}/",
    )
    page.wait_for_url(re.compile(r"/items/"))
    assert fits(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits(page)
    shoot(page, "analyst-item-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Each body's latest figure links to the indicator page for that body.
    page.get_by_role("link", name="Sindh", exact=True).first.click()
    page.wait_for_url(re.compile(r"\?body=sindh$"))
    figures = page.locator('section[aria-labelledby="history-title"] td.figure')
    assert figures.all_inner_texts() == ["14", "13", "12"]
    page.locator('[data-testid="history-older"]').click()
    page.wait_for_url(re.compile(r"after="))
    assert figures.all_inner_texts() == ["11", "10"]
    page.locator('[data-testid="history-newer"]').click()
    page.wait_for_url(re.compile(r"before="))
    assert figures.all_inner_texts() == ["14", "13", "12"]
    assert "77" not in page.locator("main").inner_text()  # a submission is not a published figure

    # On a phone: the switch and the table fit the screen; choosing Punjab shows its series.
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits(page)
    page.select_option("#id_body", "punjab")
    page.locator('[data-testid="series-switch"] button').click()
    page.wait_for_url(re.compile(r"body=punjab"))
    assert figures.all_inner_texts() == ["20"]
    assert fits(page)
    shoot(page, "analyst-indicator-body-phone")
