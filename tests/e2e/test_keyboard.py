"""Keyboard alone, with the focus always visible, and what screen readers
hear (issue 13 item 9), in a real browser: reading a room, sending, replying
and reporting; reading and managing notifications; triage in the moderators'
console. New messages are announced politely and, in a busy room, at most
one announcement every few seconds ("3 pesan baru"); notifications and the
connection state are live regions that exist before they speak."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.services import message_send
from moderation.models import ItemStatus, QueueItem, Report
from tests.e2e.helpers import CONSOLE, PASSWORD, ROOM, message, moderation_cast, pending, premoderate_the_room

pytestmark = pytest.mark.e2e

#: More Tab presses than any of these pages has stops before the target.
MAX_TABS = 80


def _send(username: str, body: str, reply_to: int | None = None) -> None:
    message_send(user=User.objects.get(username=username), room_slug="bupati", client_id=str(uuid.uuid4()),
                 body=body, reply_to=reply_to)


@pytest.fixture
def people(transactional_db):
    moderation_cast()
    User.objects.create_user(username="camat", password=PASSWORD, display_name="Camat Tayu", role=Role.OFFICIAL)
    _send("budi", "Kapan jalan Tayu diperbaiki?")


async def tab_to(page, selector: str, *, backwards: bool = False):
    """Press Tab (or Shift+Tab) until the focus is on ``selector``; the
    focused element must show it (``:focus-visible`` with an outline)."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if await page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            await assert_focus_visible(page)
            return page.locator(selector).first
    raise AssertionError(f"{selector} not reached with the keyboard in {MAX_TABS} presses")


async def assert_focus_visible(page) -> None:
    shown = await page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {visible: el.matches(':focus-visible'), outline: style.outlineStyle, width: style.outlineWidth,
                what: el.outerHTML.slice(0, 120)};
    }""")
    assert shown["visible"] and shown["outline"] != "none" and shown["width"] != "0px", shown


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, {"width": 1280, "height": 900}],
                         ids=["360px", "desktop"])
async def test_a_room_with_the_keyboard_alone_read_send_reply_report(people, open_page, viewport):
    siti = await open_page("siti", ROOM, viewport=viewport)
    await expect(message(siti, "jalan Tayu")).to_be_visible()

    # Read: the conversation is a focusable region.
    await tab_to(siti, "#room-log")

    # Reply to Budi: his Reply button, Enter, the composer has the focus.
    await tab_to(siti, '#messages li.msg button[data-action="reply"]')
    await siti.keyboard.press("Enter")
    await expect(siti.locator("#reply-bar")).to_be_visible()
    await expect(siti.locator("#composer-body")).to_be_focused()
    await siti.keyboard.type("Minggu depan, Pak Budi.")
    await tab_to(siti, "#composer-send")
    await siti.keyboard.press("Enter")
    reply = message(siti, "Minggu depan, Pak Budi.")
    await expect(reply).to_be_visible()
    await expect(reply).to_contain_text("Budi Santoso")  # the quote of what it answers

    # Send a message of her own: type, then Enter in the composer.
    await siti.locator("#composer-body").focus()
    await siti.keyboard.type("Terima kasih infonya.")
    await siti.keyboard.press("Enter")
    await expect(message(siti, "Terima kasih infonya.")).to_be_visible()

    # Report Budi's message: the button, a reason with the arrows, Send.
    budis = message(siti, "jalan Tayu")
    await siti.locator("#room-log").focus()
    await tab_to(siti, '#messages li.msg button[data-action="report"]')
    await siti.keyboard.press("Enter")
    await expect(budis.locator(".msg-report select")).to_be_focused()
    await siti.keyboard.press("ArrowDown")
    await tab_to(siti, ".msg-report button[type=submit]")
    await siti.keyboard.press("Enter")
    await expect(budis.locator(".report-status.done")).to_have_text("Terima kasih, laporan Anda diterima.")
    assert await sync_to_async(Report.objects.count)() == 1


async def test_new_messages_are_announced_politely_and_a_busy_room_in_one_line(people, open_page):
    siti = await open_page("siti", ROOM)
    await expect(message(siti, "jalan Tayu")).to_be_visible()  # the join's history is in: what comes now is new
    announcer = siti.locator("#announcer")
    await expect(announcer).to_have_attribute("aria-live", "polite")
    await expect(siti.locator("#conn-state")).to_have_attribute("role", "status")
    await expect(announcer).to_have_text("")  # the history that came with the join is not read out

    await sync_to_async(_send)("camat", "Jalan Tayu diperbaiki mulai Senin.")
    await expect(announcer).to_have_text("Pesan baru dari Camat Tayu: Jalan Tayu diperbaiki mulai Senin.")
    # Three more at once: while the last announcement is fresh they wait, then one line for all.
    heard: list[str] = []
    await siti.expose_function("heard", lambda text: heard.append(text))
    await siti.evaluate("""() => new MutationObserver(() => window.heard(document.getElementById('announcer')
        .textContent)).observe(document.getElementById('announcer'), {childList: true, characterData: true,
        subtree: true})""")
    for n in range(3):
        await sync_to_async(_send)("camat", f"Pengumuman singkat nomor {n + 1}.")
    await expect(message(siti, "nomor 3.")).to_be_visible()
    await expect(announcer).to_have_text("3 pesan baru", timeout=10_000)
    assert heard == ["3 pesan baru"], heard


async def test_notifications_with_the_keyboard_alone(people, open_page):
    siti = await open_page("siti", ROOM)
    await expect(message(siti, "jalan Tayu")).to_be_visible()  # joined: she is online for the push
    toasts = siti.locator("#notify-toasts")
    await expect(toasts).to_have_attribute("aria-live", "polite")  # there before anything is said
    await expect(toasts).to_be_attached()

    def budi_replies():
        _send("siti", "Pertanyaan Siti.")
        from chat.models import Message

        asked = Message.objects.get(body="Pertanyaan Siti.")
        _send("budi", "Jawaban Budi untuk Siti.", reply_to=asked.seq)

    await sync_to_async(budi_replies)()
    await expect(toasts.locator(".toast")).to_contain_text("Budi Santoso")
    await expect(siti.locator("#notify-count")).to_have_text("1")

    # To the inbox with Tab and Enter, then "mark read" the same way.
    await tab_to(siti, "#notify-bell")
    await siti.keyboard.press("Enter")
    await expect(siti).to_have_url("/notifikasi/")
    await tab_to(siti, "#inbox-list form.mark-read button, #inbox-list form[data-mark-read] button")
    await siti.keyboard.press("Enter")
    await expect(siti.locator("#notify-count")).to_have_text("0")
    await expect(siti.locator("#inbox-list li.unread")).to_have_count(0)

    # Manage: the settings, a channel changed with the arrows, saved with Enter.
    await tab_to(siti, 'main a[href="/notifikasi/pengaturan/"]')
    await siti.keyboard.press("Enter")
    await expect(siti).to_have_url("/notifikasi/pengaturan/")
    first = await tab_to(siti, "main form input[type=radio]")
    before = await first.evaluate("(radio) => document.querySelector(`input[name='${radio.name}']:checked`).value")
    await siti.keyboard.press("ArrowDown")
    after = await siti.evaluate("() => document.activeElement.value")
    assert after != before
    await tab_to(siti, "main form button[type=submit]")
    await siti.keyboard.press("Enter")
    await expect(siti.locator("ul.messages")).to_be_visible()
    name = await siti.evaluate("() => document.querySelector('main form input[type=radio]').name")
    await expect(siti.locator(f"input[name='{name}'][value='{after}']")).to_be_checked()


@pytest.fixture
def held(people):
    premoderate_the_room()
    _send("siti", "Pesan pertama yang tertahan.")
    _send("siti", "Pesan kedua yang tertahan.")


async def test_console_triage_with_the_keyboard_alone(held, open_page):
    console = await open_page("moderator", CONSOLE)
    await expect(pending(console)).to_have_text("2")
    # Claim with Tab and Enter on "Ambil berikutnya".
    await tab_to(console, 'button[data-claim="chat"]')
    await console.keyboard.press("Enter")
    await expect(console.locator("#item-text")).to_have_text("Pesan pertama yang tertahan.")
    await expect(console.locator("#item")).to_be_focused()
    await console.keyboard.press("a")
    await expect(console.locator("#console-status")).to_have_text("Selesai: Tayangkan.")

    await console.keyboard.press("n")
    await expect(console.locator("#item-text")).to_have_text("Pesan kedua yang tertahan.")
    await tab_to(console, "#reject-reason")
    await console.keyboard.press("ArrowDown")
    await console.keyboard.press("r")
    await expect(console.locator("#console-status")).to_have_text("Selesai: Tolak.")
    statuses = await sync_to_async(lambda: sorted(QueueItem.objects.values_list("status", flat=True)))()
    assert statuses == sorted([ItemStatus.APPROVED, ItemStatus.REJECTED])
