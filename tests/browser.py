"""What the browser tests share: Debian's Chromium for Playwright, a watch on every page for console errors
and failed requests, screenshots under artifacts/screenshots/, and logging in through allauth's pages.

The fixtures are re-exported by the conftest.py of each directory with browser tests.
"""

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.cache import cache

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
PASSWORD = "correct horse battery"  # what tests/tracker/workflow/conftest.py's make_user gives everyone


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "accept_downloads": True, "viewport": {"width": 1280, "height": 900}}


@dataclass
class PageErrors:
    """Console errors, uncaught exceptions and failed responses of every watched page, as (url, message)."""

    seen: list[tuple[str, str]] = field(default_factory=list)
    allowed: set[str] = field(default_factory=set)
    blocked_on_purpose: set[str] = field(default_factory=set)

    def watch(self, page: Any) -> Any:
        page.on("console", lambda msg: self.seen.append((page.url, msg.text)) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.seen.append((page.url, str(exc))))
        # The console says only "Failed to load resource"; name the resource.
        page.on("response", lambda r: self.seen.append((r.url, f"HTTP {r.status}")) if r.status >= 400 else None)
        return page

    def allow(self, url: str) -> None:
        """A failure the test provokes on purpose and asserts itself (a 404 for another body's object)."""
        self.allowed.add(url)

    def expect_blocked(self, resource: str) -> None:
        """An outside resource a third-party page asks for and the Content-Security-Policy refuses, as it must
        in a closed network (Redoc's logo on its CDN). Only that refusal is accepted, nothing else."""
        self.blocked_on_purpose.add(resource)

    def _blocked_on_purpose(self, message: str) -> bool:
        return "Content Security Policy" in message and any(r in message for r in self.blocked_on_purpose)

    def unexpected(self) -> list[str]:
        return [
            f"{url}: {message}"
            for url, message in self.seen
            if url not in self.allowed and not self._blocked_on_purpose(message)
        ]


@pytest.fixture
def console_errors(page: Any) -> Iterator[PageErrors]:
    """Watches ``page`` (watch other pages with ``.watch``); no unexpected error may remain at the end."""
    errors = PageErrors()
    errors.watch(page)
    yield errors
    assert errors.unexpected() == []


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def verified(user: Any) -> Any:
    """allauth lets a user log in by email once the address is verified."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


# Seconds a code must still be valid for when it is typed: a sign-in and a page load under CI's load.
TOTP_MARGIN_SECONDS = 8


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (computed as in tests/tracker/accounts/test_accounts.py). A code
    read in the last seconds of its window could expire before the browser submits it (allauth accepts no
    neighbouring window: a reviewer's sign-in failed so in CI), so then it waits for the next window."""
    from allauth.mfa import app_settings

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < TOTP_MARGIN_SECONDS:
        time.sleep(left + 0.1)
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


def submit_form_with(page: Any, field_selector: str) -> None:
    page.locator("form").filter(has=page.locator(field_selector)).locator("button[type=submit]").click()


def log_in(page: Any, live_server: Any, user: Any, *, next_path: str) -> None:
    """Email and password on allauth's login page, reached by asking for ``next_path``."""
    cache.clear()  # allauth's rate-limit counters
    page.goto(f"{live_server.url}{next_path}")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    submit_form_with(page, "input[name=password]")


def log_in_with_totp(page: Any, live_server: Any, user: Any, secret: str, *, next_path: str) -> None:
    """Password, then the second factor on allauth's authentication page."""
    log_in(page, live_server, user, next_path=next_path)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", totp_code(secret))
    submit_form_with(page, "input[name=code]")
