"""The account's life cycle and data rights in a real browser: the privacy
notice at sign-up, a mute told in the room with how to appeal, and a message
refused by a moderator edited and sent again."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.models import User
from chat.models import Message, MessageStatus
from moderation.models import RejectReason
from moderation.services import item_claim_next, item_decide, sanction_impose
from tests.e2e.helpers import ROOM, moderation_cast, premoderate_the_room, say

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(transactional_db):
    moderation_cast()


def _decide_next(action: str, reason_code: str = "") -> None:
    """A moderator takes the next held message and decides it, as the console does."""
    moderator = User.objects.get(username="moderator")
    item = item_claim_next(moderator=moderator, queue="chat")
    assert item is not None
    item_decide(moderator=moderator, item_id=item.pk, action=action, reason_code=reason_code)


async def test_sign_up_shows_the_privacy_notice_and_asks_for_a_kecamatan(transactional_db, page):
    await page.goto("/akun/daftar/")
    notice = page.locator("#signup-privacy")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("UU PDP")
    await expect(notice).to_contain_text("disamarkan")
    kecamatan = page.locator("#id_kecamatan")
    await expect(kecamatan).to_have_value("")
    await expect(page.locator("#id_email_helptext")).to_contain_text("tidak dapat diatur ulang")

    # Filled in without a kecamatan: refused, and nothing chosen for the citizen.
    await page.locator("#id_username").fill("warga-baru")
    await page.locator("#id_display_name").fill("Warga Baru")
    await page.locator("#id_password1").fill("kopi-tubruk-juwana-77")
    await page.locator("#id_password2").fill("kopi-tubruk-juwana-77")
    await page.locator("main form button[type=submit]").click()
    await expect(page.locator(".field.has-error")).to_contain_text("Pilih kecamatan Anda.")
    assert not await sync_to_async(User.objects.filter(username="warga-baru").exists)()

    await notice.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(r"/privasi/$"))
    await expect(page.locator("h1")).to_contain_text("Privasi")
    await expect(page.locator(".privacy-table")).to_contain_text("NIK")


async def test_a_muted_citizen_opening_the_room_is_told_until_when_why_and_how_to_appeal(people, open_page):
    moderator, siti = await sync_to_async(lambda: (User.objects.get(username="moderator"),
                                                   User.objects.get(username="siti")))()
    await sync_to_async(sanction_impose)(moderator=moderator, user=siti, kind="mute", duration="24h",
                                         scope="room.bupati", reason="kata kasar")

    page = await open_page("siti", ROOM)
    notice = page.locator("#mute-notice")
    await expect(notice).to_contain_text("membisukan Anda di ruang ini")
    await expect(notice).to_contain_text("WIB")
    await expect(notice).to_contain_text("Alasan: kata kasar.")
    await expect(notice).to_contain_text("Untuk mengajukan banding")


async def test_a_refused_message_is_edited_and_sent_again_as_a_new_one(people, open_page):
    await sync_to_async(premoderate_the_room)()
    reason = await sync_to_async(lambda: RejectReason.objects.order_by("position").first())()
    page = await open_page("siti", ROOM)
    await say(page, "Jalan di Tayu rusak, dasar pejabat malas!")
    await expect(page.locator(".outbox li.held")).to_contain_text("Jalan di Tayu rusak")

    await sync_to_async(_decide_next)("reject", reason.code)
    refused = page.locator(".outbox li.failed")
    await expect(refused).to_contain_text("Ditolak oleh moderator")
    await expect(refused).to_contain_text(reason.label_id)
    await refused.get_by_role("button", name="Sunting dan kirim lagi").click()
    editor = refused.get_by_label("Sunting pesan yang ditolak")
    await expect(editor).to_have_value("Jalan di Tayu rusak, dasar pejabat malas!")
    await expect(editor).to_be_focused()
    await editor.fill("Jalan di Tayu rusak, mohon segera diperbaiki.")
    await refused.get_by_role("button", name="Kirim lagi").click()

    # The refused copy is gone; the new text waits for review as a new message.
    await expect(page.locator(".outbox li.failed")).to_have_count(0)
    await expect(page.locator(".outbox li.held")).to_contain_text("mohon segera diperbaiki")
    rows = await sync_to_async(lambda: list(Message.objects.order_by("pk").values_list("client_id", "status",
                                                                                         "body")))()
    assert [(status, body) for _cid, status, body in rows] == [
        (MessageStatus.REJECTED, "Jalan di Tayu rusak, dasar pejabat malas!"),
        (MessageStatus.HELD, "Jalan di Tayu rusak, mohon segera diperbaiki.")]
    assert rows[0][0] != rows[1][0], "sent again with a fresh client_id"

    await sync_to_async(_decide_next)("approve")
    await expect(page.locator("#messages li.msg", has_text="mohon segera diperbaiki")).to_have_count(1)
    await expect(page.locator(".outbox li")).to_have_count(0)
