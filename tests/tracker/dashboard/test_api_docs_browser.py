"""The API documentation pages render in a real browser under the portal's Content-Security-Policy."""

import re

import pytest

from tests.browser import log_in, shoot, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", ".swagger-ui .info .title"), ("/api/redoc/", "[role=search], .api-content")],
)
def test_api_documentation_renders_without_console_errors(page, live_server, users, console_errors, path, rendered):
    console_errors.expect_blocked("https://cdn.redoc.ly/")
    log_in(page, live_server, verified(users["analyst"]), next_path=path)
    page.wait_for_url(re.compile(re.escape(path)))
    page.wait_for_selector(rendered, timeout=20_000)
    assert "NAP Portal API" in page.content()
    shoot(page, f"api-docs-{path.strip('/').replace('/', '-')}")
    assert console_errors.unexpected() == []
