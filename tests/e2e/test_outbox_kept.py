"""Nothing typed is lost (issue 13 item 6): messages waiting in the outbox
(rate limit, offline) are kept in the browser's storage, survive closing and
reopening the page, and go again with the same client_id — each stored and
shown once, in the order typed; one acknowledged before closing is not sent
again (frontend/static/frontend/js/outbox.js, room.js)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.models import Message
from chat.services import room_upsert
from tests.e2e.helpers import PASSWORD, ROOM, TIMEOUT_MS, message, say

pytestmark = pytest.mark.e2e

KEY_JS = "() => Object.keys(localStorage).filter(k => k.startsWith('balai.outbox.'))"


@pytest.fixture
def people(transactional_db):
    room_upsert(slug="bupati", title="Ruang Bupati")
    User.objects.create_user(username="siti", password=PASSWORD, display_name="Siti Aminah")
    User.objects.create_user(username="bupati", password=PASSWORD, display_name="Haryanto",
                             role=Role.OFFICIAL, title="Bupati Pati")


@sync_to_async
def stored_rows() -> list[tuple[str, str]]:
    """(body, client_id) of Siti's messages, in the order they were stored."""
    return [(m.body, str(m.client_id)) for m in Message.objects.filter(author__username="siti").order_by("id")]


async def kept(page) -> list[dict]:
    """The entries the page keeps in localStorage, over all keys."""
    return await page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('balai.outbox.'))"
        ".flatMap(k => JSON.parse(localStorage.getItem(k)))")


async def reopen(page) -> tuple:
    """Close the page and open the room again in the same browser (same
    storage, same cookies); returns the new page and the client_ids of the
    `send` frames it puts on the socket."""
    context = page.context
    await page.close()
    page = await context.new_page()
    sent: list[str] = []

    def watch(ws):
        def on_frame(payload):
            frame = json.loads(payload) if isinstance(payload, str) else {}
            if frame.get("type") == "send":
                sent.append(frame["client_id"])
        ws.on("framesent", on_frame)

    page.on("websocket", watch)
    await page.goto(ROOM)
    return page, sent


async def shown_bodies(page) -> list[str]:
    return await page.evaluate(
        "() => [...document.querySelectorAll('#messages li.msg .msg-body')].map(n => n.textContent)")


async def test_messages_waiting_behind_the_rate_limit_go_once_after_the_page_is_reopened(people, open_page):
    siti = await open_page("siti", ROOM)
    bupati = await open_page("bupati", ROOM)
    bodies = [f"Pesan tersimpan {n}" for n in range(1, 9)]
    for body in bodies:
        await say(siti, body)
    # The room's rate limit holds the rest back: nothing is in flight now.
    await expect(siti.locator("#composer-note")).to_have_attribute("data-kind", "rate")
    published = await stored_rows()
    waiting = await kept(siti)
    assert published and waiting, "some went, some wait"
    assert [e["body"] for e in waiting] == bodies[len(published):], "kept: exactly what waits, in order"
    assert {cid for _, cid in published}.isdisjoint(e["client_id"] for e in waiting)

    siti, sent = await reopen(siti)
    # Shown again as "sending…" until they go.
    await expect(siti.locator(".outbox li.pending").first).to_be_visible()
    for body in bodies:
        await expect(message(bupati, body)).to_have_count(1, timeout=25_000)
        await expect(message(siti, body)).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)

    rows = await stored_rows()
    assert [body for body, _ in rows] == bodies, "each stored once, in the order typed"
    assert rows[len(published):] == [(e["body"], e["client_id"]) for e in waiting], "with the kept client_ids"
    assert set(sent) == {e["client_id"] for e in waiting}, "what was acknowledged before closing is not sent again"
    assert await shown_bodies(siti) == await shown_bodies(bupati) == bodies
    assert await kept(siti) == [], "answered: nothing kept"


async def test_messages_written_offline_go_once_after_the_page_is_reopened(people, open_page):
    siti = await open_page("siti", ROOM)
    await say(siti, "Sebelum putus.")
    await expect(message(siti, "Sebelum putus.")).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)

    await siti.context.set_offline(True)
    await siti.evaluate("() => window.balaiHub.socket.close()")
    await expect(siti.locator("#conn-state")).not_to_have_attribute("data-state", "open")
    await say(siti, "Ditulis tanpa sinyal 1.")
    await say(siti, "Ditulis tanpa sinyal 2.")
    await expect(siti.locator(".outbox li.pending")).to_have_count(2)
    waiting = [e["client_id"] for e in await kept(siti)]
    assert len(waiting) == 2

    await siti.context.set_offline(False)
    siti, sent = await reopen(siti)
    await expect(siti.locator("#conn-state")).to_have_attribute("data-state", "open", timeout=TIMEOUT_MS * 2)
    await expect(message(siti, "Ditulis tanpa sinyal 2.")).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)
    expected = ["Sebelum putus.", "Ditulis tanpa sinyal 1.", "Ditulis tanpa sinyal 2."]
    assert await shown_bodies(siti) == expected
    rows = await stored_rows()
    assert [body for body, _ in rows] == expected
    assert [cid for _, cid in rows[1:]] == waiting
    assert sent == waiting, "only the waiting ones go again, in order"


async def test_signing_out_forgets_the_kept_messages(people, open_page):
    siti = await open_page("siti", ROOM)
    await siti.context.set_offline(True)
    await siti.evaluate("() => window.balaiHub.socket.close()")
    await say(siti, "Pesan pribadi yang menunggu.")
    await expect(siti.locator(".outbox li.pending")).to_have_count(1)
    assert len(await siti.evaluate(KEY_JS)) == 1
    await siti.context.set_offline(False)
    # Signing out (the leave warning would ask first: we sign out anyway).
    siti.on("dialog", lambda dialog: dialog.accept())
    await siti.evaluate("() => document.querySelector('form[data-sign-out]').requestSubmit()")
    await siti.wait_for_load_state()
    await expect(siti.locator("form[data-sign-out]")).to_have_count(0)
    assert await siti.evaluate(KEY_JS) == []
