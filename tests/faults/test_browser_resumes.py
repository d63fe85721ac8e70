"""The real browser client after its app process is killed (issue 14 C): a
room page in Chromium loses its socket to ``kill -9``; messages are sent
through another app process meanwhile; once an app process answers on the
page's address again, the page's reconnecting client (``hub.js``) rejoins
from the last id it has and shows every message once, in order."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from accounts.choices import Role
from chat.services import room_upsert
from tests.e2e.helpers import ROOM, TIMEOUT_MS
from tests.faults.cluster import AppProcess, RoomClient, app_processes, astored_check, session_cookie
from tests.hub import create_user

pytestmark = [pytest.mark.live, pytest.mark.e2e]


@pytest.fixture
def room(transactional_db):
    room_upsert(slug="bupati", title="Ruang Bupati")


async def shown(page) -> list[tuple[int, str]]:
    """The room's messages as the page shows them: ``(id, text)``, top to bottom."""
    rows = await page.eval_on_selector_all(
        "#messages li.msg", "items => items.map(li => [li.dataset.id, li.querySelector('.msg-body').textContent])")
    return [(int(id_), text) for id_, text in rows]


async def test_a_page_whose_app_process_is_killed_resumes_and_shows_every_message_once(room, browser):
    from playwright.async_api import expect

    official = await sync_to_async(create_user)("pejabat", role=Role.OFFICIAL)
    cookie = await sync_to_async(session_cookie)(official)
    errors: list[str] = []
    with app_processes(2) as (doomed, other):
        sender = RoomClient("pejabat", [other.url], cookie=cookie)
        await sender.connect()
        context = await browser.new_context(base_url=doomed.url, locale="id-ID")
        context.set_default_timeout(TIMEOUT_MS)
        replacement = None
        try:
            page = await context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(ROOM)
            state = page.locator("#conn-state")
            await expect(state).to_have_attribute("data-state", "open")

            async def send(count: int) -> None:
                sender.write(count)
                await sender.run_until(len(sender.sent))

            await send(5)
            await expect(page.locator("#messages li.msg")).to_have_count(5)

            doomed.kill()
            await expect(state).not_to_have_attribute("data-state", "open")
            await send(5)  # while the page is cut off
            replacement = await asyncio.to_thread(AppProcess, doomed.port)  # the page's address answers again
            await expect(state).to_have_attribute("data-state", "open", timeout=45_000)  # after its back-off
            await send(5)
            await expect(page.locator("#messages li.msg")).to_have_count(15)
            on_page = await shown(page)
        finally:
            await context.close()
            if replacement is not None:
                replacement.stop()
        await sender.close()
    stored = await astored_check([sender])
    assert on_page == [(seq, body) for _cid, seq, body, _status in stored], "every message once, in order"
    assert errors == []
