"""Moderators' tools in a real browser: in the room page (js/room_actions.js) a
moderator removes anyone's message, mutes or bans its author; in the console
(js/console.js) the same for a claimed item's author, with the author's
sanctions in force and a way to lift them. Citizens never see these tools."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.models import Message
from chat.services import message_send
from moderation.models import RejectReason, Sanction
from tests.e2e.helpers import CONSOLE, ROOM, message, moderation_cast, pending, premoderate_the_room, say

pytestmark = pytest.mark.e2e

SAID = "Jembatan di Desa Tlogowungu retak, mohon dicek."


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


@pytest.fixture
def siti_said(people):
    siti = User.objects.get(username="siti")
    message_send(user=siti, room_slug="bupati", client_id=str(uuid.uuid4()), body=SAID,
                                reply_to=None)


def accept_dialogs(page) -> list[str]:
    """Accept every confirm() on the page; returns the questions asked."""
    asked: list[str] = []

    async def accept(dialog):
        asked.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    return asked


MODERATOR_ACTIONS = ("delete", "mute", "ban")


async def test_citizens_never_see_the_moderators_tools(siti_said, sign_in):
    budi = await sign_in("budi", ROOM)
    said = message(budi, SAID)
    await expect(said).to_be_visible()
    for action in MODERATOR_ACTIONS:
        await expect(said.locator(f'button[data-action="{action}"]')).to_have_count(0)
    await expect(budi.locator("#messages .msg-actions button", has_text="Blokir")).to_have_count(0)

    # Reported once: after the report the "Laporkan" button goes.
    reason = await sync_to_async(lambda: RejectReason.objects.order_by("position").first())()
    await said.locator('button[data-action="report"]').click()
    await said.locator("select").select_option(reason.code)
    await said.locator(".msg-report button[type=submit]").click()
    await expect(said.locator(".report-status.done")).to_have_text("Terima kasih, laporan Anda diterima.")
    await expect(said.locator('button[data-action="report"]')).to_have_count(0)

    guest = await sign_in(None, ROOM)
    await expect(message(guest, SAID)).to_be_visible()
    await expect(message(guest, SAID).locator("button")).to_have_count(0)


async def test_a_moderator_mutes_a_citizen_in_the_room_for_ten_minutes(siti_said, sign_in):
    siti = await sign_in("siti", ROOM)
    moderator = await sign_in("moderator", ROOM, viewport={"width": 360, "height": 740})
    said = message(moderator, SAID)
    await expect(said.locator('button[data-action="delete"]')).to_have_text("Hapus")
    await expect(said.locator('button[data-action="ban"]')).to_have_text("Blokir")
    await said.locator('button[data-action="mute"]').click()
    form = said.locator("form.msg-sanction")
    await expect(form).to_contain_text("Bisukan Siti Aminah")
    await form.get_by_label("Berapa lama").select_option("10m")
    await form.get_by_label("Berlaku di").select_option("room")
    await form.get_by_label("Alasan (opsional)").fill("Menguji pembisuan.")
    await moderator.screenshot(path="/tmp/room-mute-form-360.png")
    before = timezone.now()
    await form.locator("button[type=submit]").click()
    await expect(said.locator(".sanction-status.done")).to_have_text(
        "Siti Aminah dibisukan di ruang ini selama 10 menit.")
    assert await moderator.evaluate("() => document.documentElement.scrollWidth") <= 360

    # The citizen is told at once, and their next message is refused.
    notice = siti.locator("#mute-notice")
    await expect(notice).to_contain_text("membisukan Anda di ruang ini")
    await say(siti, "Apakah saya masih bisa menulis?")
    await expect(siti.locator(".outbox li.failed")).to_contain_text("WIB")
    await expect(siti.locator("#composer-note")).to_contain_text("dibisukan")

    mute = await sync_to_async(Sanction.objects.select_related("user", "created_by").get)()
    assert (mute.kind, mute.scope, mute.user.username, mute.created_by.username, mute.reason) == (
        "mute", "room.bupati", "siti", "moderator", "Menguji pembisuan.")
    assert timedelta(minutes=9) < mute.ends_at - before < timedelta(minutes=11)


async def test_a_moderator_removes_a_citizens_message_for_everyone(siti_said, sign_in):
    guest = await sign_in(None, ROOM)
    await expect(message(guest, SAID)).to_be_visible()
    moderator = await sign_in("moderator", ROOM)
    asked = accept_dialogs(moderator)
    said = message(moderator, SAID)
    await said.locator('button[data-action="delete"]').click()

    tombstone = guest.locator("#messages li.msg.deleted")
    await expect(tombstone).to_have_count(1)
    await expect(tombstone).to_contain_text("Pesan ini sudah dihapus.")
    await expect(message(guest, SAID)).to_have_count(0)
    await expect(moderator.locator("#messages li.msg.deleted")).to_have_count(1)
    assert asked and "Siti Aminah" in asked[0]
    deleted = await sync_to_async(lambda: Message.objects.get().deleted_at)()
    assert deleted is not None


async def test_a_refused_sanction_is_a_sentence(siti_said, sign_in):
    moderator = await sign_in("moderator", ROOM)
    said = message(moderator, SAID)
    await said.locator('button[data-action="mute"]').click()
    # Meanwhile the author became a moderator, whom only an administrator may sanction.
    await sync_to_async(lambda: User.objects.filter(username="siti").update(role=Role.MODERATOR))()
    await said.locator("form.msg-sanction button[type=submit]").click()
    await expect(said.locator("form.msg-sanction .report-status")).to_have_text(
        "Anda tidak boleh memberi sanksi kepada orang ini.")
    assert await sync_to_async(Sanction.objects.count)() == 0


async def test_the_console_mutes_lifts_and_bans_an_items_author(premoderated, sign_in):
    console = await sign_in("moderator", CONSOLE)
    asked = accept_dialogs(console)
    siti = await sign_in("siti", ROOM)
    await say(siti, "Pesan dari warga yang nanti diblokir.")
    await expect(pending(console)).to_have_text("1")
    await console.locator('button[data-claim="chat"]').click()
    sanctions = console.locator("#item-sanctions")
    await expect(sanctions).to_be_visible()
    await expect(console.locator("#sanction-list")).to_have_text("Tidak ada sanksi yang berlaku.")

    # Mute everywhere for an hour: the citizen hears at once; the list shows it.
    await console.locator("#sanction-duration").select_option("1h")
    await console.locator("#sanction-scope").select_option(label="Di semua ruang")
    await console.locator("#sanction-mute").click()
    await expect(console.locator("#console-status")).to_have_text("Siti Aminah dibisukan di semua ruang selama 1 jam.")
    await expect(siti.locator("#mute-notice")).to_contain_text("semua ruang")
    listed = console.locator("#sanction-list li.sanction")
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("Dibisukan di semua ruang sampai")
    await sanctions.screenshot(path="/tmp/console-sanctions.png")

    # Lift it.
    await listed.locator("button[data-lift]").click()
    await expect(console.locator("#console-status")).to_have_text("Sanksi telah dicabut.")
    await expect(listed).to_have_count(0)
    await expect(siti.locator("#mute-notice")).to_have_attribute("data-state", "lifted")

    # Ban: the citizen's socket closes and their page reloads as a guest's.
    await console.locator("#sanction-ban").click()
    await expect(console.locator("#console-status")).to_have_text("Siti Aminah diblokir dan telah dikeluarkan.")
    assert asked and "Siti Aminah" in asked[-1]
    await expect(siti.locator("#read-only-notice")).to_be_visible()
    await expect(siti.locator("#composer")).to_have_count(0)
    assert not await sync_to_async(lambda: User.objects.get(username="siti").is_active)()
    # The ban refused her waiting message (issue 13 item 4): nothing is left to decide.
    await expect(console.locator("#item")).to_be_hidden()
    await expect(pending(console)).to_have_text("0")
    await expect(console).to_have_url(re.compile(re.escape(CONSOLE) + "$"))
