"""Keyboard users reach the content first."""

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/", "/akun/sandi/lupa/"])
async def test_skip_link_is_the_first_focusable_element(page, path):
    await page.goto(path)
    await page.keyboard.press("Tab")
    focused = await page.evaluate("() => ({text: document.activeElement.textContent.trim(),"
                                  " href: document.activeElement.getAttribute('href')})")
    assert focused == {"text": "Langsung ke konten utama", "href": "#main"}
    await expect(page.locator(".skip-link")).to_be_in_viewport()

    await page.keyboard.press("Enter")
    await expect(page.locator("#main")).to_be_focused()


@pytest.mark.parametrize("path", ["/akun/masuk/", "/akun/daftar/"])
async def test_account_forms_start_with_the_cursor_in_the_username(page, path):
    """These pages put focus in the form at once (no skip needed)."""
    await page.goto(path)
    await expect(page.locator("main #id_username")).to_be_focused()
