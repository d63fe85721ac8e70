"""Signing in with a real browser against a real Daphne."""

import re

import pytest
from django.core.management import call_command
from playwright.async_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "demo-e2e-2026"


@pytest.fixture
def demo_people(transactional_db):
    call_command("seed_demo", "--force", "--password", PASSWORD, "--quiet")


async def sign_in(page, username: str, password: str) -> None:
    await page.goto("/akun/masuk/")
    await page.locator("#id_username").fill(username)
    await page.locator("#id_password").fill(password)
    async with page.expect_navigation():
        await page.locator("main form button[type=submit]").click()


async def test_sign_in_shows_the_name_and_a_sign_out_button(demo_people, page):
    await sign_in(page, "warga1", PASSWORD)

    await expect(page).to_have_url(re.compile(r"/$"))
    header = page.locator("header.site-header")
    await expect(header.get_by_role("link", name="Siti Aminah")).to_be_visible()
    await expect(header.get_by_role("button", name="Keluar")).to_be_visible()
    await expect(header.get_by_role("link", name="Masuk", exact=True)).to_have_count(0)

    async with page.expect_navigation():
        await header.get_by_role("button", name="Keluar").click()
    await expect(header.get_by_role("link", name="Masuk", exact=True)).to_be_visible()
    await expect(header.get_by_role("button", name="Keluar")).to_have_count(0)


async def test_a_wrong_password_shows_an_error_and_does_not_sign_in(demo_people, page):
    await sign_in(page, "warga1", "not-the-password")

    await expect(page).to_have_url(re.compile(r"/akun/masuk/$"))
    await expect(page.locator("main [role=alert]").first).to_be_visible()
    header = page.locator("header.site-header")
    await expect(header.get_by_role("button", name="Keluar")).to_have_count(0)
    await expect(header.get_by_text("Siti Aminah")).to_have_count(0)
    await page.goto("/akun/profil/")
    await expect(page).to_have_url(re.compile(r"/akun/masuk/\?next="))
