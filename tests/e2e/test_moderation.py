"""Moderation in a real browser: the moderators' console (/moderasi/,
js/console.js) deciding held messages that a citizen sees settle in the room
(js/room.js), and readers reporting messages from the room page (js/room_actions.js)."""

from __future__ import annotations

import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.models import User
from chat.services import message_send
from moderation.models import ItemStatus, QueueItem, RejectReason, Report
from tests.e2e.helpers import CONSOLE, ROOM, message, moderation_cast, pending, premoderate_the_room, say

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(transactional_db):
    """A room, siti, budi and a moderator (``moderation_cast``)."""
    moderation_cast()


@pytest.fixture
def premoderated(people):
    premoderate_the_room()


@pytest.fixture
async def sign_in(people, open_page):
    """``sign_in(username, path, viewport=None)`` -> a page of its own browser
    context (own cookies), signed in and showing ``path``; ``username=None``: a guest."""
    return open_page


async def test_a_held_message_is_approved_from_the_console_with_a_key(premoderated, sign_in):
    console = await sign_in("moderator", CONSOLE)
    await expect(pending(console)).to_have_text("0")
    await expect(console.locator(".shortcuts kbd", has_text="A")).to_be_visible()
    siti = await sign_in("siti", ROOM)

    await say(siti, "Mohon perbaikan lampu jalan di Desa Sukolilo.")
    await expect(siti.locator(".outbox li.held")).to_contain_text("Desa Sukolilo")
    # It arrives in the console live, with its age.
    await expect(pending(console)).to_have_text("1")
    await expect(console.locator('li.queue[data-queue="chat"] .q-age')).not_to_have_text("—")
    await expect(console.locator("#activity li").first).to_contain_text("#")

    await console.locator('button[data-claim="chat"]').click()
    await expect(console.locator("#item-text")).to_have_text("Mohon perbaikan lampu jalan di Desa Sukolilo.")
    await expect(console.locator("#item-author")).to_contain_text("Siti Aminah")
    await expect(console.locator("#item-hits")).to_contain_text("pramoderasi")
    await expect(console.locator("#item-where")).to_have_text("Ruang Bupati")
    await console.keyboard.press("a")

    await expect(console.locator("#console-status")).to_have_attribute("data-kind", "ok")
    await expect(console.locator("#item")).to_be_hidden()
    await expect(pending(console)).to_have_text("0")
    published = message(siti, "Desa Sukolilo")
    await expect(published).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)
    await expect(published).not_to_have_class(re.compile(r"\b(pending|held)\b"))

    guest = await sign_in(None, ROOM)
    await expect(message(guest, "Desa Sukolilo")).to_be_visible()
    assert await sync_to_async(lambda: QueueItem.objects.get().status)() == ItemStatus.APPROVED


async def test_a_keyboard_rejection_with_a_reason_reaches_the_author(premoderated, sign_in):
    reason = await sync_to_async(lambda: RejectReason.objects.order_by("position").first())()
    console = await sign_in("moderator", CONSOLE)
    siti = await sign_in("siti", ROOM)
    await say(siti, "Pesan yang akan ditolak moderator.")
    await expect(pending(console)).to_have_text("1")
    await console.keyboard.press("n")  # claim the next item of the first queue
    await expect(console.locator("#item-text")).to_have_text("Pesan yang akan ditolak moderator.")

    # R with no reason chosen asks for one instead of rejecting.
    await console.keyboard.press("r")
    await expect(console.locator("#console-status")).to_contain_text("alasan")
    await expect(console.locator("#reject-reason")).to_be_focused()

    await console.locator("#reject-reason").select_option(reason.code)
    # Letters typed in the note are text, not shortcuts.
    await console.locator("#decide-note").fill("")
    await console.locator("#decide-note").type("a e s")
    await expect(console.locator("#item")).to_be_visible()
    await console.keyboard.press("Escape")
    await console.keyboard.press("r")

    await expect(console.locator("#item")).to_be_hidden()
    await expect(pending(console)).to_have_text("0")
    refused = siti.locator(".outbox li.failed")
    await expect(refused).to_contain_text("Pesan yang akan ditolak moderator.")
    await expect(refused).to_contain_text(reason.label_id)
    item = await sync_to_async(QueueItem.objects.get)()
    assert (item.status, item.decision_reason, item.decision_note) == (ItemStatus.REJECTED, reason.code, "a e s")


async def test_a_batch_is_claimed_and_approved_at_once(premoderated, sign_in):
    console = await sign_in("moderator", CONSOLE)
    siti = await sign_in("siti", ROOM)
    for n in range(3):
        await say(siti, f"Usulan nomor {n + 1}.")
    await expect(siti.locator(".outbox li.held")).to_have_count(3)
    await expect(pending(console)).to_have_text("3")

    await console.locator('button[data-claim-batch="chat"]').click()
    await expect(console.locator("#batch-list li")).to_have_count(3)
    await expect(console.locator("#console-status")).to_contain_text("3")
    await console.locator("#bulk-approve").click()
    await expect(console.locator("#batch")).to_be_hidden()
    await expect(pending(console)).to_have_text("0")
    for n in range(3):
        await expect(message(siti, f"Usulan nomor {n + 1}.")).to_have_count(1)
    await expect(siti.locator(".outbox li")).to_have_count(0)


async def test_a_second_moderator_deciding_first_gets_a_clear_message(premoderated, sign_in):
    console = await sign_in("moderator", CONSOLE)
    siti = await sign_in("siti", ROOM)
    await say(siti, "Satu pesan saja.")
    await expect(pending(console)).to_have_text("1")
    await console.locator('button[data-claim="chat"]').click()
    await expect(console.locator("#item")).to_be_visible()
    # Meanwhile the item is decided elsewhere (another tab of the same moderator).
    item_id = int(await console.locator("#item").get_attribute("data-id"))
    moderator = await sync_to_async(User.objects.get)(username="moderator")
    from moderation.services import item_decide

    await sync_to_async(item_decide)(moderator=moderator, item_id=item_id, action="approve")
    await expect(console.locator("#console-status")).to_contain_text(f"#{item_id}")
    await expect(console.locator("#item")).to_be_hidden()
    await expect(message(siti, "Satu pesan saja.")).to_have_count(1)


async def test_console_and_room_on_a_360_px_screen(premoderated, sign_in):
    small = {"width": 360, "height": 740}
    console = await sign_in("moderator", CONSOLE, viewport=small)
    siti = await sign_in("siti", ROOM, viewport=small)
    await say(siti, "Nomor HP saya 0812-3456-7890, mohon dihubungi.")
    await expect(pending(console)).to_have_text("1")
    await console.locator('button[data-claim="chat"]').click()
    await expect(console.locator("#item-masked")).to_contain_text("0812")
    assert await console.evaluate("() => document.documentElement.scrollWidth") <= 360
    await expect(console.locator('#item button[data-action="approve"]')).to_be_visible()
    await console.screenshot(path="/tmp/console-360.png", full_page=True)
    await console.set_viewport_size({"width": 1280, "height": 900})
    await console.screenshot(path="/tmp/console-1280.png", full_page=True)
    await console.locator('#item button[data-action="approve_redacted"]').click()
    published = message(siti, "Nomor HP saya")
    await expect(published).to_have_count(1)
    await expect(published).not_to_contain_text("3456-7890")
    assert await siti.evaluate("() => document.documentElement.scrollWidth") <= 360
    await siti.screenshot(path="/tmp/room-moderated-360.png", full_page=False)


@pytest.fixture
def budi_said(people):
    budi = User.objects.get(username="budi")
    message_send(user=budi, room_slug="bupati", client_id=str(uuid.uuid4()),
                                body="Dasar pejabat tidak becus semua!", reply_to=None)


async def test_a_reader_reports_a_message_from_the_room(budi_said, sign_in):
    siti = await sign_in("siti", ROOM, viewport={"width": 360, "height": 740})
    said = message(siti, "tidak becus")
    await expect(said).to_be_visible()
    # No report button on one's own messages; one on other people's.
    budi = await sign_in("budi", ROOM)
    await expect(message(budi, "tidak becus").locator('button[data-action="report"]')).to_have_count(0)

    await said.locator('button[data-action="report"]').click()
    await siti.screenshot(path="/tmp/room-report-form-360.png")
    reason = await sync_to_async(lambda: RejectReason.objects.order_by("position").last())()
    await said.locator("select").select_option(reason.code)
    await said.locator(".msg-report button[type=submit]").click()
    await expect(said.locator(".report-status.done")).to_have_text("Terima kasih, laporan Anda diterima.")
    assert await siti.evaluate("() => document.documentElement.scrollWidth") <= 360
    await siti.screenshot(path="/tmp/room-report-360.png")
    report = await sync_to_async(Report.objects.select_related("reporter").get)()
    assert (report.reporter.username, report.reason) == ("siti", reason.code)

    # The console shows the report waiting in its queue.
    console = await sign_in("moderator", CONSOLE)
    await expect(pending(console, "reports")).to_have_text("1")

    # Reporting again (after a reload) says so instead of counting twice.
    await siti.reload()
    await expect(said).to_be_visible()
    await said.locator('button[data-action="report"]').click()
    await said.locator(".msg-report button[type=submit]").click()
    await expect(said.locator(".report-status.done")).to_have_text("Anda sudah melaporkan pesan ini.")
    assert await sync_to_async(Report.objects.count)() == 1


async def test_a_muted_reader_is_told_until_when(people, sign_in):
    siti = await sign_in("siti", ROOM)
    moderator, citizen = await sync_to_async(lambda: (User.objects.get(username="moderator"),
                                                      User.objects.get(username="siti")))()
    from moderation.services import sanction_impose

    await sync_to_async(sanction_impose)(moderator=moderator, user=citizen, kind="mute", duration="1h",
                                         scope="room.bupati")
    notice = siti.locator("#mute-notice")
    await expect(notice).to_contain_text("membisukan Anda di ruang ini")
    await expect(notice).to_contain_text("WIB")
    await say(siti, "Apakah saya masih bisa menulis?")
    refused = siti.locator(".outbox li.failed")
    await expect(refused).to_contain_text("WIB")
    await expect(siti.locator("#composer-note")).to_contain_text("dibisukan")
