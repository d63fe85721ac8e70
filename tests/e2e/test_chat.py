"""Chat rooms in a real browser: two people in two browser contexts talk
through a real Daphne and Redis (frontend/static/frontend/js/room.js)."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.models import Message, MessageStatus
from chat.services import message_decide, message_send, room_upsert
from tests.e2e.helpers import PASSWORD, ROOM, TIMEOUT_MS, message, say

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(transactional_db):
    """The room and its two speakers."""
    room_upsert(slug="bupati", title="Ruang Bupati", description="Tanya langsung Bupati Pati.")
    User.objects.create_user(username="siti", password=PASSWORD, display_name="Siti Aminah")
    User.objects.create_user(username="bupati", password=PASSWORD, display_name="Haryanto",
                             role=Role.OFFICIAL, title="Bupati Pati")


@pytest.fixture
async def open_room(people, open_page):
    """``open_room(username, viewport=None)`` -> a signed-in page showing the
    room, connected; each call is its own browser context (own cookies)."""
    return lambda username, viewport=None: open_page(username, ROOM, viewport)


async def rendered_ids(page) -> list[int]:
    return await page.evaluate(
        "() => [...document.querySelectorAll('#messages li.msg')].map(li => Number(li.dataset.id))")


async def test_a_citizen_and_the_bupati_talk_live(open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    await expect(siti.locator("#presence")).to_contain_text("2")

    await say(siti, "Jalan di Juwana rusak, Pak.")
    question = message(bupati, "Jalan di Juwana rusak, Pak.")
    await expect(question).to_be_visible()
    await expect(question.locator(".msg-author")).to_have_text("Siti Aminah")
    await expect(question.locator(".badge")).to_have_count(0)
    # The author's own copy has left the outbox: acknowledged and published.
    await expect(message(siti, "Jalan di Juwana rusak, Pak.")).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)

    await question.locator("button[data-action=reply]").click()
    await expect(bupati.locator("#reply-bar")).to_be_visible()
    await say(bupati, "Terima kasih, akan kami perbaiki minggu ini.")

    answer = message(siti, "akan kami perbaiki minggu ini")
    await expect(answer).to_be_visible()
    await expect(answer.locator(".badge")).to_have_text("Bupati Pati")
    await expect(answer).to_have_class(re.compile(r"\bofficial\b"))
    await expect(answer.locator(".msg-quote a")).to_have_attribute("href", re.compile(r"^#m-\d+$"))
    await expect(answer.locator(".msg-quote")).to_contain_text("Siti Aminah")
    assert await rendered_ids(siti) == await rendered_ids(bupati) == [1, 2]


async def test_user_text_is_shown_as_text(open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    text = '<img src=x onerror="document.body.dataset.owned=1"> & <b>tebal</b>'
    await say(siti, text)
    shown = message(bupati, "<img src=x")
    await expect(shown.locator(".msg-body")).to_have_text(text)
    assert await shown.locator(".msg-body img, .msg-body b").count() == 0
    assert await bupati.evaluate("() => document.body.dataset.owned") is None


async def test_messages_sent_while_a_socket_was_down_arrive_once_after_reconnect(open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    await say(bupati, "Selamat pagi warga Pati.")
    await expect(message(siti, "Selamat pagi warga Pati.")).to_be_visible()

    # Siti's network goes away and her socket drops; the tab keeps its state.
    await siti.context.set_offline(True)
    await siti.evaluate("() => window.balaiHub.socket.close()")
    await expect(siti.locator("#conn-state")).not_to_have_attribute("data-state", "open")

    for n in range(1, 4):
        await say(bupati, f"Pengumuman nomor {n}.")
    await expect(message(bupati, "Pengumuman nomor 3.")).to_be_visible()
    # Written offline: it waits in the outbox, marked pending.
    await say(siti, "Saya sedang di jalan.")
    await expect(siti.locator(".outbox li.pending")).to_have_count(1)
    await expect(message(siti, "Pengumuman nomor 1.")).to_have_count(0)

    await siti.context.set_offline(False)
    await expect(siti.locator("#conn-state")).to_have_attribute("data-state", "open", timeout=TIMEOUT_MS * 2)
    for n in range(1, 4):
        await expect(message(siti, f"Pengumuman nomor {n}.")).to_have_count(1)
    await expect(message(siti, "Saya sedang di jalan.")).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)
    await expect(message(bupati, "Saya sedang di jalan.")).to_have_count(1)

    # A second drop right away: the rejoin asks only for what is newer.
    await siti.evaluate("() => window.balaiHub.socket.close()")
    await expect(siti.locator("#conn-state")).to_have_attribute("data-state", "open")
    await say(bupati, "Sampai jumpa.")
    await expect(message(siti, "Sampai jumpa.")).to_have_count(1)

    expected = list(range(1, 7))
    assert await rendered_ids(siti) == expected
    assert await rendered_ids(bupati) == expected


async def test_an_unacknowledged_message_survives_a_reload(open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    await siti.context.set_offline(True)
    await siti.evaluate("() => window.balaiHub.socket.close()")
    await say(siti, "Pesan sebelum muat ulang.")
    await expect(siti.locator(".outbox li.pending")).to_have_count(1)
    await siti.context.set_offline(False)
    await siti.reload()

    await expect(message(siti, "Pesan sebelum muat ulang.")).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)
    await expect(message(bupati, "Pesan sebelum muat ulang.")).to_have_count(1)
    assert await rendered_ids(bupati) == [1]


async def test_the_room_is_usable_on_a_360_px_screen(open_room):
    siti = await open_room("siti", viewport={"width": 360, "height": 640})
    bupati = await open_room("bupati")
    await say(bupati, "Silakan sampaikan aspirasi Anda di sini.")
    await expect(siti.locator("#presence")).to_contain_text("2")

    composer = siti.locator("#composer-body")
    await expect(composer).to_be_in_viewport()
    await expect(siti.locator("#composer-send")).to_be_in_viewport()
    await expect(message(siti, "Silakan sampaikan")).to_be_visible()
    assert await siti.evaluate("() => document.documentElement.scrollWidth") <= 360

    await composer.fill("Halo dari HP.")
    await expect(siti.locator("#composer-count")).to_have_text(re.compile(r"^13 / 2000$"))
    await siti.locator("#composer-send").click()
    await expect(message(bupati, "Halo dari HP.")).to_be_visible()
    await expect(message(siti, "Halo dari HP.")).to_be_visible()
    await siti.screenshot(path="/tmp/room-360.png", full_page=False)


@pytest.fixture
def sixty_messages(people):
    """60 messages by the Bupati (officials are exempt from rate limits)."""
    bupati = User.objects.get(username="bupati")
    for n in range(1, 61):
        message_send(user=bupati, room_slug="bupati", client_id=str(uuid.uuid4()),
                                    body=f"Catatan ke-{n}", reply_to=None)


async def test_older_messages_load_on_request(sixty_messages, open_room):
    siti = await open_room("siti")
    await expect(message(siti, "Catatan ke-60")).to_be_visible()
    assert await rendered_ids(siti) == list(range(11, 61))
    older = siti.locator("#load-older")
    await expect(older).to_be_visible()

    await older.click()
    await expect(siti.locator("#messages li.msg")).to_have_count(60)
    assert await rendered_ids(siti) == list(range(1, 61))
    await expect(older).to_be_hidden()


async def test_the_author_edits_and_deletes_and_everyone_sees_it(open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    await say(siti, "Lampu jalan mati di Tayu.")
    mine = message(siti, "Lampu jalan mati di Tayu.")
    await expect(mine).to_be_visible()
    await expect(message(bupati, "Lampu jalan mati di Tayu.").locator("button[data-action=edit]")).to_have_count(0)

    await mine.locator("button[data-action=edit]").click()
    editor = siti.locator("#edit-1")
    await expect(editor).to_be_focused()
    await editor.fill("Lampu jalan mati di Tayu, dekat pasar.")
    await siti.locator(".msg-editor button[type=submit]").click()
    seen = bupati.locator("#m-1")
    await expect(seen.locator(".msg-body")).to_have_text("Lampu jalan mati di Tayu, dekat pasar.")
    await expect(seen.locator(".msg-edited")).to_be_visible()
    await expect(siti.locator("#m-1 .msg-body")).to_have_text("Lampu jalan mati di Tayu, dekat pasar.")

    siti.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await siti.locator("#m-1 button[data-action=delete]").click()
    await expect(bupati.locator("#m-1")).to_have_class(re.compile(r"\bdeleted\b"))
    await expect(bupati.locator("#m-1 .msg-body")).not_to_contain_text("Lampu")
    await expect(siti.locator("#m-1 button")).to_have_count(0)


async def test_too_many_messages_wait_and_then_go(open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    for n in range(1, 8):
        await say(siti, f"Pesan cepat {n}")
    note = siti.locator("#composer-note")
    await expect(note).to_have_attribute("data-kind", "rate")
    await expect(note).to_contain_text(re.compile(r"\d+"))
    await expect(siti.locator(".outbox li.pending").first).to_be_visible()
    # The held-back ones go by themselves once the window allows, each once.
    for n in range(1, 8):
        await expect(message(bupati, f"Pesan cepat {n}")).to_have_count(1, timeout=25_000)
    assert await rendered_ids(bupati) == list(range(1, 8))
    # Published in the order typed: the outbox never lets one overtake another.
    bodies = await bupati.evaluate("() => [...document.querySelectorAll('#messages li.msg .msg-body')]"
                                   ".map(node => node.textContent)")
    assert bodies == [f"Pesan cepat {n}" for n in range(1, 8)]
    await expect(siti.locator(".outbox li")).to_have_count(0)


async def test_a_guest_reads_along_without_a_composer(people, browser, live_server_url, open_room):
    bupati = await open_room("bupati")
    context = await browser.new_context(base_url=live_server_url, locale="id-ID")
    try:
        guest = await context.new_page()
        await guest.goto(ROOM)
        await expect(guest.locator("#conn-state")).to_have_attribute("data-state", "open")
        await expect(guest.locator("#read-only-notice")).to_be_visible()
        await expect(guest.locator("#composer-body")).to_have_count(0)
        await say(bupati, "Untuk semua yang membaca.")
        await expect(message(guest, "Untuk semua yang membaca.")).to_be_visible()
        await expect(guest.locator("#messages button")).to_have_count(0)
    finally:
        await context.close()


async def test_edits_and_deletions_made_while_away_show_after_reconnect(open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    await say(bupati, "Rapat jam 9.")
    await say(bupati, "Pesan yang salah kirim.")
    await expect(message(siti, "Pesan yang salah kirim.")).to_be_visible()

    await siti.context.set_offline(True)
    await siti.evaluate("() => window.balaiHub.socket.close()")
    await bupati.locator("#m-1 button[data-action=edit]").click()
    await bupati.locator("#edit-1").fill("Rapat jam 10.")
    await bupati.locator(".msg-editor button[type=submit]").click()
    await expect(bupati.locator("#m-1 .msg-body")).to_have_text("Rapat jam 10.")
    bupati.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await bupati.locator("#m-2 button[data-action=delete]").click()
    await expect(bupati.locator("#m-2")).to_have_class(re.compile(r"\bdeleted\b"))

    await siti.context.set_offline(False)
    await expect(siti.locator("#conn-state")).to_have_attribute("data-state", "open", timeout=TIMEOUT_MS * 2)
    await expect(siti.locator("#m-1 .msg-body")).to_have_text("Rapat jam 10.")
    await expect(siti.locator("#m-2")).to_have_class(re.compile(r"\bdeleted\b"))
    await expect(message(siti, "Pesan yang salah kirim.")).to_have_count(0)


@pytest.fixture
def premoderated(people):
    room_upsert(slug="bupati", title="Ruang Bupati", premoderated=True)


def approve_held() -> None:
    held = Message.objects.select_related("room", "author").get(status=MessageStatus.HELD)
    message_decide(message=held, approve=True)


async def test_a_held_message_waits_then_appears_when_approved(premoderated, open_room):
    siti = await open_room("siti")
    bupati = await open_room("bupati")
    await say(siti, "Mohon perhatian untuk Desa Sukolilo.")
    waiting = siti.locator(".outbox li.held")
    await expect(waiting).to_contain_text("Mohon perhatian untuk Desa Sukolilo.")
    await expect(message(bupati, "Desa Sukolilo")).to_have_count(0)

    await siti.reload()  # the author alone sees it again on every join
    await expect(siti.locator(".outbox li.held")).to_contain_text("Desa Sukolilo")

    await sync_to_async(approve_held)()
    await expect(message(bupati, "Desa Sukolilo")).to_have_count(1)
    await expect(message(siti, "Desa Sukolilo")).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)
