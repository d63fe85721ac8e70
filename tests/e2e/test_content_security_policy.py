"""The pages run under the strict Content-Security-Policy (issue 14 D): in a
real browser, every main page — for a guest, a citizen, a moderator, an
administrator (the Django admin included) and an official, the two-step
sign-in's own pages included — loads and connects its
hub socket with no CSP violation (``securitypolicyviolation`` events and
console errors both watched). The control: an inline script added to a page
is refused, and reported."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from forum.models import Category
from tests.e2e.helpers import CONSOLE, PASSWORD, ROOM, TIMEOUT_MS, moderation_cast, sign_in

pytestmark = pytest.mark.e2e

#: Recorded before any page script runs (init scripts are not subject to the page's CSP).
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

GUEST_PAGES = ["/", "/ruang/", ROOM, "/aspirasi/", "/aspirasi/statistik/", "/akun/masuk/", "/akun/daftar/",
               "/akun/sandi/lupa/"]
CITIZEN_PAGES = ["/", ROOM, "/aspirasi/", "/aspirasi/kirim/", "/aspirasi/saya/", "/notifikasi/",
                 "/notifikasi/pengaturan/", "/akun/profil/"]
MODERATOR_PAGES = [CONSOLE, ROOM, "/notifikasi/", "/akun/dua-langkah/atur/"]
ADMIN_PAGES = ["/moderasi/audit/", "/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/",
               "/admin/chat/room/add/"]


@pytest.fixture
def cast(transactional_db):
    moderation_cast()
    User.objects.create_user(username="admin", password=PASSWORD, display_name="Admin", role=Role.ADMIN)
    User.objects.create_user(username="bupati", password=PASSWORD, display_name="Haryanto", role=Role.OFFICIAL)
    Category.objects.update_or_create(slug="jalan-infrastruktur", defaults={
        "name_id": "Jalan dan infrastruktur", "name_en": "Roads and infrastructure", "default_privacy": "public",
        "position": 0, "agency": None, "active": True})


@pytest.fixture
async def watched(browser, live_server_url):
    """``watched()`` -> a page in a fresh context whose CSP violations and
    console errors are collected; all of them are checked at the end."""
    contexts, problems = [], []

    async def _open():
        context = await browser.new_context(base_url=live_server_url, locale="id-ID")
        context.set_default_timeout(TIMEOUT_MS)
        await context.add_init_script(WATCH)
        contexts.append(context)
        page = await context.new_page()
        page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        return page

    yield _open, problems
    for context in contexts:
        await context.close()


async def visit(page, path: str) -> list[str]:
    response = await page.goto(path)
    assert response.status == 200, (path, response.status)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
    if await page.locator("#conn-state").count():
        await expect(page.locator("#conn-state")).to_have_attribute("data-state", "open")
    return await page.evaluate("window.__cspViolations")


async def test_main_pages_run_under_the_policy_without_a_violation(cast, watched):
    open_page, problems = watched
    violations = {}
    guest = await open_page()
    for path in GUEST_PAGES:
        violations[f"guest {path}"] = await visit(guest, path)

    citizen = await open_page()
    await sign_in(citizen, "siti", "/")
    for path in CITIZEN_PAGES:
        violations[f"siti {path}"] = await visit(citizen, path)

    moderator = await open_page()
    await sign_in(moderator, "moderator", CONSOLE)  # through the two-step sign-in page
    for path in MODERATOR_PAGES:
        violations[f"moderator {path}"] = await visit(moderator, path)

    admin = await open_page()
    await sign_in(admin, "admin", "/admin/")  # the admin's pages too
    for path in ADMIN_PAGES:
        violations[f"admin {path}"] = await visit(admin, path)

    assert {where: found for where, found in violations.items() if found} == {}
    assert problems == []


async def test_the_enrolment_page_with_its_qr_code_runs_under_the_policy(cast, watched):
    open_page, problems = watched
    official = await open_page()
    await official.goto("/akun/masuk/?next=/")
    await official.locator("#id_username").fill("bupati")
    await official.locator("#id_password").fill(PASSWORD)
    await official.locator("main form button[type=submit]").click()
    await expect(official).to_have_url(re.compile(r"/akun/dua-langkah/atur/"))
    qr = official.locator(".enrol-qr svg")
    await expect(qr).to_be_visible()
    assert (await qr.bounding_box())["width"] >= 150  # large enough to scan
    assert await official.evaluate("window.__cspViolations") == []
    assert await sync_to_async(lambda: User.objects.get(username="bupati").totpdevice_set.count())() == 1
    assert problems == []


async def test_an_inline_script_is_refused_and_reported(cast, watched):
    """The control: the watch sees a violation when there is one."""
    open_page, problems = watched
    page = await open_page()
    await visit(page, "/")
    await page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.body.append(script);
    }""")
    await page.wait_for_function("window.__cspViolations.length > 0")
    assert await page.evaluate("window.__ran === undefined")
    assert any("violates" in problem for problem in problems), problems
    problems.clear()  # seen: the watch works
