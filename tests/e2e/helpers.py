"""Helpers shared by the browser tests: constants, the cast of the moderation
tests, and ways to act on and read the room and console pages. Fixtures are
in ``tests/e2e/conftest.py``; test modules import from here, never from
``conftest.py`` or from one another."""

from __future__ import annotations

import importlib
import re

from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.services import room_upsert
from moderation.models import RejectReason
from tests.signin import fresh_code_for, ready_for_second_step

#: Playwright's default timeout for every action and ``expect`` in these tests.
TIMEOUT_MS = 10_000
#: The password every e2e test account gets.
PASSWORD = "kopi-tubruk-juwana-77"

ROOM = "/ruang/bupati/"
CONSOLE = "/moderasi/"

_starter = importlib.import_module("moderation.migrations.0002_starter_lists")


async def sign_in(page, username: str, path: str = "/") -> None:
    """Sign in through the pages as a person would: the password, then (for
    officials and staff) the code their authenticator app shows now; ends on
    ``path``."""
    second_step = await sync_to_async(ready_for_second_step)(username)
    await page.goto("/akun/masuk/?next=" + path)
    await page.locator("#id_username").fill(username)
    await page.locator("#id_password").fill(PASSWORD)
    await page.locator("main form button[type=submit]").click()
    if second_step:
        await expect(page).to_have_url(re.compile(r"/akun/dua-langkah/"))
        await page.locator("#id_code").fill(await sync_to_async(fresh_code_for)(username))
        await page.locator("#second-step-submit").click()
    await expect(page).to_have_url(re.compile(re.escape(path) + "$"))


async def say(page, text: str) -> None:
    await page.locator("#composer-body").fill(text)
    await page.locator("#composer-send").click()


def message(page, text: str):
    return page.locator("#messages li.msg", has_text=text)


def pending(console, queue: str = "chat"):
    """The console's count of items waiting in ``queue``."""
    return console.locator(f'li.queue[data-queue="{queue}"] .q-pending')


def moderation_cast() -> None:
    """A room, a citizen (siti), a second reader (budi) and a moderator; the
    reason list (a transactional flush empties what the data migration wrote)."""
    RejectReason.objects.bulk_create(
        [RejectReason(code=code, label_id=label_id, label_en=label_en, position=position)
         for position, (code, label_id, label_en) in enumerate(_starter.REASONS)], ignore_conflicts=True)
    room_upsert(slug="bupati", title="Ruang Bupati", description="Tanya langsung Bupati Pati.")
    User.objects.create_user(username="siti", password=PASSWORD, display_name="Siti Aminah")
    User.objects.create_user(username="budi", password=PASSWORD, display_name="Budi Santoso")
    User.objects.create_user(username="moderator", password=PASSWORD, display_name="Moderator Balai",
                             role=Role.MODERATOR)


def premoderate_the_room() -> None:
    room_upsert(slug="bupati", title="Ruang Bupati", premoderated=True)
