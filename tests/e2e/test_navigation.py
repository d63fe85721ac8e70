"""Navigation by role on a phone (issue 13 item 1): at 360 × 740 the
header's places fold into one menu (a ``<details>``, no script) that opens
and leads a moderator to the console, the count of waiting items on it."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.models import User
from chat.models import Message, MessageStatus
from chat.services import room_upsert
from moderation.services import item_enqueue
from tests.e2e.helpers import CONSOLE, moderation_cast, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def cast_with_one_held_message() -> None:
    moderation_cast()
    room, _ = room_upsert(slug="bupati", title="Ruang Bupati", premoderated=True)
    siti = User.objects.get(username="siti")
    held = Message.objects.create(room=room, author=siti, body="Mohon dicek.", html="Mohon dicek.",
                                  status=MessageStatus.HELD)
    item_enqueue(queue="chat", target_kind="chat.message", target_id=held.pk, author_id=siti.pk,
                 reasons=["premoderated"])


async def test_the_phone_menu_opens_and_leads_a_moderator_to_the_console(page):
    await sync_to_async(cast_with_one_held_message)()
    await page.set_viewport_size(PHONE)
    await sign_in(page, "moderator")

    header = page.locator("header.site-header")
    console_link = header.locator("#nav-console")
    menu = header.locator("#nav-menu summary")
    await expect(console_link).to_be_hidden()  # folded away until asked for
    await expect(menu).to_be_in_viewport()
    await expect(menu).to_contain_text("1")  # what waits, on the closed menu
    box = await header.bounding_box()
    assert box["width"] <= PHONE["width"]  # nothing sticks out sideways
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    await menu.click()
    await expect(console_link).to_be_visible()
    await expect(console_link).to_be_in_viewport()
    await expect(console_link).to_have_accessible_name(re.compile(r"Konsol moderasi\s+1\s+item menunggu"))
    link_box = await console_link.bounding_box()
    assert link_box["x"] >= 0 and link_box["x"] + link_box["width"] <= PHONE["width"]
    assert link_box["height"] >= 44  # a thumb's target

    await console_link.click()
    await expect(page).to_have_url(re.compile(re.escape(CONSOLE) + "$"))
    await expect(page.locator("#conn-state")).to_have_attribute("data-state", "open")
