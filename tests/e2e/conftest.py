"""Real-browser fixtures: Playwright driving Debian's Chromium, launched by
path (never a browser downloaded by Playwright).

The async API: the sync one keeps an event loop running in the test's
thread, and Django then refuses ORM calls (fixtures, database teardown) there.

The browser's language is Indonesian (``id-ID``), as for a citizen of Pati.

Without Chromium these tests skip, unless ``BALAI_REQUIRE_E2E=1`` (CI), where
they fail instead. ``make test`` deselects them loudly on such a machine.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.helpers import TIMEOUT_MS, sign_in

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.hookimpl(tryfirst=True)  # before ``-m "not e2e"`` deselects
def pytest_collection_modifyitems(items):
    """Every test under tests/e2e is a browser test, marked or not."""
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("BALAI_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def page(live_server_url, browser):
    """A fresh tab (no cookies, Indonesian browser) whose relative URLs go to
    the live server."""
    context = await browser.new_context(base_url=live_server_url, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


@pytest.fixture
async def open_page(browser, live_server_url):
    """``open_page(username, path, viewport=None)`` -> a page in a browser
    context of its own (own cookies), signed in as ``username`` (``None``: a
    guest), showing ``path`` with the hub connected."""
    from playwright.async_api import expect

    contexts = []
    #: Uncaught script errors on any page fail the test: a broken script is
    #: a broken page even when the assertions looked elsewhere.
    script_errors: list[str] = []

    async def _open(username: str | None, path: str, viewport: dict | None = None):
        context = await browser.new_context(base_url=live_server_url, locale="id-ID", viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: script_errors.append(f"{path}: {error}"))
        if username is None:
            await page.goto(path)
        else:
            await sign_in(page, username, path)
        await expect(page.locator("#conn-state")).to_have_attribute("data-state", "open")
        return page

    yield _open
    for context in contexts:
        await context.close()
    assert script_errors == [], script_errors
