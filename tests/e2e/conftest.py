"""Headless Chromium (Debian's package) driven by Playwright against the live test server.

Without Playwright or Chromium the browser tests skip, saying what is missing, so the rest of
the suite still runs on a developer's machine; CI sets ``NEXCORE_REQUIRE_BROWSER=1``, which
turns that skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def unavailable(reason: str) -> None:
    """Skip for ``reason``; fail instead where ``NEXCORE_REQUIRE_BROWSER=1``."""
    if os.environ.get("NEXCORE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and NEXCORE_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


def playwright_session():
    """Playwright's sync entry point, once Playwright and Chromium are both there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    return sync_playwright()


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the live server's database
    # work happens in its own thread, and the test's checks are plain synchronous ORM calls.
    # One browser per test, not per session: while Playwright runs, Django's context-local
    # connections in this thread are not the ones the test database setup prepared, so the
    # next test's serialized rollback would restore its data into a connection nobody uses.
    with (
        mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}),
        playwright_session() as playwright,
    ):
        browser = launch(playwright)
        yield browser
        browser.close()
        # The test's own ORM calls opened connections in Playwright's context; close them, or
        # PostgreSQL refuses to drop the test database at the end.
        connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ko-KR", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()
