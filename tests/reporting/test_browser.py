"""Every /reports/ page loads in Chromium under the Content-Security-Policy without a console error."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from reporting import services
from reporting.definitions import ReportParams
from tests.browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_report_page_logs_a_csp_or_other_console_error(
    page, live_server, nacta_2017, user, media_root, console_errors
):
    edition = services.edition_request(params=ReportParams("nap-2014", date(2017, 10, 1)), queue=False)
    services.edition_build(edition_id=edition.pk)
    # A second edition of the same report (framework and scope), so the comparison page renders, not a redirect.
    other = services.edition_request(params=ReportParams("nap-2014", date(2017, 10, 1), hindsight=True), queue=False)
    services.edition_build(edition_id=other.pk)
    queued = services.edition_request(params=ReportParams("nap-2014", date(2016, 10, 1)), queue=False)
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    urls = [
        reverse("reporting:report"),
        reverse("reporting:report") + "?framework=nap-2014&as_of=2017-10-01&compare=2016-01-01",
        reverse("reporting:archive"),
        edition.get_absolute_url(),
        other.get_absolute_url(),
        queued.get_absolute_url(),  # queued: the page polls with htmx
        reverse("reporting:compare") + f"?a={edition.pk}&b={other.pk}",
    ]
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        assert page.url == f"{live_server.url}{url}"  # the page itself, neither the login nor a redirect
    assert not [m for m in messages if "Content Security Policy" in m]
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{urls[1]}")
        shoot(page, f"reports-{width}")
    page.emulate_media(media="print")
    assert not page.locator(".report-form").is_visible()
    assert not page.locator(".subscriptions").is_visible() and not page.locator(".site-header").is_visible()
    assert page.locator("table.status-report").is_visible()
    # console_errors (tests/browser.py) then checks that no other console error or failed request remains.
