"""The notification bell in a real browser (js/notify.js over the tab's hub
socket): live counts and toasts on any page, read state across tabs, the
inbox marking read without a reload."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import expect

from accounts.models import User
from chat.services import message_send, room_upsert
from tests.e2e.helpers import PASSWORD, ROOM, TIMEOUT_MS, sign_in

pytestmark = pytest.mark.e2e



@pytest.fixture
def people(transactional_db):
    """Budi asked something in the room; Siti will answer him."""
    room_upsert(slug="bupati", title="Ruang Bupati")
    User.objects.create_user(username="siti", password=PASSWORD, display_name="Siti Aminah")
    budi = User.objects.create_user(username="budi", password=PASSWORD, display_name="Budi Santoso")
    message_send(user=budi, room_slug="bupati", client_id=str(uuid.uuid4()),
                                body="Kapan pasar Juwana dibuka lagi?", reply_to=None)


@pytest.fixture
async def person(people, browser, live_server_url):
    """``person(username)`` -> a browser context signed in as them; open tabs with ``goto(context, path)``."""
    contexts = []

    async def _sign_in(username: str):
        context = await browser.new_context(base_url=live_server_url, locale="id-ID")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = await context.new_page()
        await sign_in(page, username)
        return context

    yield _sign_in
    for context in contexts:
        await context.close()


async def goto(context, path: str):
    page = await context.new_page()
    await page.goto(path)
    await page.wait_for_function("() => window.balaiHub && window.balaiHub.isOpen()")
    return page


async def test_a_reply_rings_the_bell_on_another_page_and_read_state_follows_across_tabs(person):
    budi = await person("budi")
    home = await goto(budi, "/")
    bell = home.locator("#notify-count")
    await expect(bell).to_have_text("0")

    siti = await goto(await person("siti"), ROOM)
    question = siti.locator("#messages li.msg", has_text="pasar Juwana")
    await question.locator("button[data-action=reply]").click()
    await siti.locator("#composer-body").fill("Senin depan, Pak Budi.")
    await siti.locator("#composer-send").click()

    # Budi's home page counts it and shows a toast, without a reload.
    await expect(bell).to_have_text("1")
    await expect(bell).to_have_attribute("aria-label", re.compile("1"))
    toast = home.locator("#notify-toasts .toast")
    await expect(toast).to_contain_text("Siti Aminah")
    await expect(toast.locator("a")).to_have_attribute("href", re.compile(r"^/ruang/bupati/"))
    assert await home.evaluate("() => performance.getEntriesByType('navigation').length") == 1

    # A second tab: the inbox. Marking read there clears the bell in the first.
    inbox = await goto(budi, "/notifikasi/")
    await expect(inbox.locator("#notify-count")).to_have_text("1")
    unread = inbox.locator("#inbox-list li.unread")
    await expect(unread).to_have_count(1)
    await unread.get_by_role("button", name="Tandai sudah dibaca").click()
    await expect(inbox.locator("#inbox-list li.unread")).to_have_count(0)
    await expect(inbox.locator("#notify-count")).to_have_text("0")
    await expect(inbox).to_have_url(re.compile(r"/notifikasi/$"))
    await expect(bell).to_have_text("0")
    await expect(bell).to_have_class(re.compile(r"\bis-zero\b"))


async def test_a_notification_arriving_on_the_inbox_is_listed_and_mark_all_reads_everywhere(person):
    budi = await person("budi")
    inbox = await goto(budi, "/notifikasi/")
    home = await goto(budi, "/")
    siti = await goto(await person("siti"), ROOM)
    for text in ("Jawaban pertama.", "Jawaban kedua."):
        await siti.locator("#m-1 button[data-action=reply]").click()
        await siti.locator("#composer-body").fill(text)
        await siti.locator("#composer-send").click()
        await expect(siti.locator("#messages li.msg", has_text=text)).to_have_count(1)

    await expect(home.locator("#notify-count")).to_have_text("2")
    await expect(inbox.locator("#notify-count")).to_have_text("2")
    await expect(inbox.locator("#inbox-list li.unread")).to_have_count(2)

    await inbox.locator("#mark-all-read").click()
    await expect(inbox.locator("#inbox-list li.unread")).to_have_count(0)
    await expect(inbox.locator("#notify-count")).to_have_text("0")
    await expect(home.locator("#notify-count")).to_have_text("0")


async def test_a_reload_counts_nothing_twice(person):
    budi = await person("budi")
    home = await goto(budi, "/")
    siti = await goto(await person("siti"), ROOM)
    await siti.locator("#m-1 button[data-action=reply]").click()
    await siti.locator("#composer-body").fill("Sudah kami catat.")
    await siti.locator("#composer-send").click()
    await expect(home.locator("#notify-count")).to_have_text("1")

    await home.reload()
    await home.wait_for_function("() => window.balaiHub && window.balaiHub.isOpen()")
    await expect(home.locator("#notify-count")).to_have_text("1")
    # A dropped socket resumes from the last id seen: still one.
    await home.evaluate("() => window.balaiHub.socket.close()")
    await home.wait_for_function("() => window.balaiHub.isOpen()")
    # The rejoin went out on open; a ping answered after it means its replay
    # has been handled (the hub answers one frame at a time, in order).
    assert (await home.evaluate("() => window.balaiHub.request({type: 'ping'})"))["type"] == "pong"
    await expect(home.locator("#notify-count")).to_have_text("1")
