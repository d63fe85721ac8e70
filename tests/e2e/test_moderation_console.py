"""The moderators' console told for what it does (issue 13 item 4), in a real
browser: each queue's actions by their effect (held: publish / refuse;
reported: keep / remove), reasons in words, R working right after a reason is
chosen, sanctioned authors marked and left out of bulk approval, a ban
resolving the author's waiting items, and the audit log in WIB."""

from __future__ import annotations

import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.models import Message
from chat.services import message_send
from moderation import services
from moderation.models import ItemStatus, QueueItem, RejectReason
from tests.e2e.helpers import CONSOLE, PASSWORD, ROOM, message, moderation_cast, pending, premoderate_the_room

pytestmark = pytest.mark.e2e

PHONE, DESKTOP = {"width": 360, "height": 740}, {"width": 1280, "height": 900}
SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "desktop"])


async def fits(page, viewport) -> None:
    """Nothing sticks out sideways at this width."""
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]


def _send(username: str, body: str) -> None:
    message_send(user=User.objects.get(username=username), room_slug="bupati", client_id=str(uuid.uuid4()),
                 body=body, reply_to=None)


@pytest.fixture
def people(transactional_db):
    moderation_cast()
    User.objects.create_user(username="admin", password=PASSWORD, display_name="Admin Balai", role=Role.ADMIN)


@pytest.fixture
def held(people):
    """siti and budi each wrote a message now held in the pre-moderated room."""
    premoderate_the_room()
    _send("siti", "Pesan Siti yang tertahan.")
    _send("budi", "Pesan Budi yang tertahan.")


@pytest.fixture
def reported(people):
    """budi's public message, reported by siti as the last reason of the list."""
    _send("budi", "Dasar pejabat tidak becus semua!")
    reason = RejectReason.objects.order_by("position").last()
    services.report_create(reporter=User.objects.get(username="siti"), target_kind="chat.message",
                           target_ref="bupati/1", reason_code=reason.code)
    return reason


def _status(body: str):
    return QueueItem.objects.get(target_id=Message.objects.get(body=body).pk, queue="chat").status


@SIZES
async def test_held_items_are_published_or_refused(held, open_page, viewport):
    console = await open_page("moderator", CONSOLE, viewport=viewport)
    await console.locator('button[data-claim="chat"]').click()
    await expect(console.locator("#item")).to_be_visible()
    buttons = console.locator("#item .decide-buttons")
    await expect(buttons.locator('[data-action="approve"]')).to_have_text("A Tayangkan")
    await expect(buttons.locator('[data-action="approve_redacted"]')).to_have_text("S Tayangkan, samarkan data pribadi")
    await expect(buttons.locator('[data-action="reject"]')).to_have_text("R Tolak")
    await fits(console, viewport)
    await console.keyboard.press("a")
    await expect(console.locator("#console-status")).to_have_text("Selesai: Tayangkan.")


async def test_reported_content_is_kept_or_removed_and_its_reason_is_in_words(reported, open_page):
    console = await open_page("moderator", CONSOLE)
    await expect(pending(console, "reports")).to_have_text("1")
    await console.locator('button[data-claim="reports"]').click()
    await expect(console.locator("#item")).to_be_visible()
    buttons = console.locator("#item .decide-buttons")
    await expect(buttons.locator('[data-action="approve"]')).to_have_text("A Pertahankan")
    await expect(buttons.locator('[data-action="reject"]')).to_have_text("R Hapus")
    await expect(buttons.locator('[data-action="approve_redacted"]')).to_be_hidden()
    hits = console.locator("#item-hits")
    await expect(hits).to_have_text(f"dilaporkan: {reported.label_id}")
    await expect(hits).not_to_contain_text(reported.code)
    await console.keyboard.press("s")  # no masking for reported content: nothing happens
    await expect(console.locator("#item")).to_be_visible()
    await console.keyboard.press("a")
    await expect(console.locator("#console-status")).to_have_text("Selesai: Pertahankan.")
    guest = await open_page(None, ROOM)
    await expect(message(guest, "tidak becus")).to_be_visible()


async def test_r_refuses_right_after_a_reason_is_chosen_with_the_keyboard(held, open_page):
    console = await open_page("moderator", CONSOLE)
    await console.keyboard.press("n")
    await expect(console.locator("#item-text")).to_have_text("Pesan Siti yang tertahan.")
    reasons = console.locator("#reject-reason")
    await reasons.focus()
    await console.keyboard.press("ArrowDown")  # the first reason, chosen in the closed list
    first = await sync_to_async(lambda: RejectReason.objects.order_by("position").first())()
    await expect(reasons).to_have_value(first.code)
    await expect(reasons).to_be_focused()

    await console.keyboard.press("r")  # no Esc needed

    await expect(console.locator("#console-status")).to_have_text("Selesai: Tolak.")
    assert await sync_to_async(_status)("Pesan Siti yang tertahan.") == ItemStatus.REJECTED
    # The next one comes with N, still from the keyboard.
    await console.keyboard.press("n")
    await expect(console.locator("#item-text")).to_have_text("Pesan Budi yang tertahan.")


@SIZES
async def test_a_sanctioned_author_is_marked_and_left_out_of_bulk_approval(held, open_page, viewport):
    def mute_siti():
        services.sanction_impose(moderator=User.objects.get(username="moderator"),
                                 user=User.objects.get(username="siti"), kind="mute", duration="1h")

    await sync_to_async(mute_siti)()
    console = await open_page("moderator", CONSOLE, viewport=viewport)
    await console.locator('button[data-claim-batch="chat"]').click()
    rows = console.locator("#batch-list li")
    await expect(rows).to_have_count(2)
    siti_row = rows.filter(has_text="Pesan Siti")
    await expect(siti_row.locator(".sanctioned-mark")).to_have_text("Sedang dikenai sanksi: tidak disetujui sekaligus")
    await expect(siti_row.locator("input[type=checkbox]")).not_to_be_checked()
    await expect(siti_row.locator("input[type=checkbox]")).to_be_disabled()
    await expect(rows.filter(has_text="Pesan Budi").locator(".sanctioned-mark")).to_have_count(0)
    await expect(siti_row.locator(".sanctioned-mark")).to_be_visible()
    await fits(console, viewport)
    await console.screenshot(path=f"/tmp/console-sanctioned-batch-{viewport['width']}.png", full_page=True)

    await console.locator("#bulk-approve").click()

    await expect(console.locator("#console-status")).to_have_text("1 item disetujui.")
    await expect(console.locator("#item-text")).to_have_text("Pesan Siti yang tertahan.")
    assert await sync_to_async(_status)("Pesan Budi yang tertahan.") == ItemStatus.APPROVED
    assert await sync_to_async(_status)("Pesan Siti yang tertahan.") == ItemStatus.PENDING


async def test_a_ban_from_the_console_refuses_the_authors_waiting_items(held, open_page):
    _send_again = sync_to_async(_send)
    await _send_again("siti", "Pesan Siti kedua.")
    console = await open_page("moderator", CONSOLE)
    console.on("dialog", lambda dialog: dialog.accept())
    await console.locator('button[data-claim-batch="chat"]').click()
    await expect(console.locator("#batch-list li")).to_have_count(3)
    await console.locator("#batch-list li", has_text="Pesan Siti yang").locator("button[data-open]").click()
    await console.locator("#sanction-ban").click()
    await expect(console.locator("#console-status")).to_have_text("Siti Aminah diblokir dan telah dikeluarkan.")
    await expect(console.locator("#batch")).to_be_hidden()  # one item left: no batch list
    await expect(console.locator("#item-text")).to_have_text("Pesan Budi yang tertahan.")
    for body in ("Pesan Siti yang tertahan.", "Pesan Siti kedua."):
        assert await sync_to_async(_status)(body) == ItemStatus.REJECTED


@SIZES
async def test_the_audit_log_reads_in_wib_with_actions_in_words(held, open_page, viewport):
    def decide():
        mod = User.objects.get(username="moderator")
        item = services.item_claim_next(moderator=mod, queue="chat")
        services.item_decide(moderator=mod, item_id=item.pk, action="approve")
        return item

    item = await sync_to_async(decide)()
    admin = await open_page("admin", CONSOLE, viewport=viewport)
    await admin.goto("/moderasi/audit/")
    row = admin.locator("table.audit tbody tr").first
    await expect(row).to_contain_text("WIB")
    await expect(row).to_contain_text("Ditayangkan atau dipertahankan")
    await expect(row).to_contain_text("Pesan di Ruang Bupati")
    await expect(row).to_contain_text("@siti")
    text = await row.inner_text()
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+|\+00:00|chat\.message|#" + str(item.target_id) + r"\b", text)
    await fits(admin, viewport)  # a wide table scrolls inside its box
    await admin.screenshot(path=f"/tmp/audit-wib-{viewport['width']}.png", full_page=True)
