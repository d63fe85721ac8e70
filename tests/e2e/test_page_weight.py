"""Light pages (issue 13 item 7, the budget): the first load of the home page
and of a room page, as a real browser with an empty cache fetches them from a
server running as production does (DEBUG off: hashed, compressed static files
collected into their own STATIC_ROOT), weighs at most 60 KB transferred —
every request's bytes on the wire (headers and compressed bodies) and the
socket's opening (its handshake and the frames until the room is shown)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.services import message_send, room_upsert
from tests.e2e.helpers import PASSWORD, ROOM, TIMEOUT_MS
from tests.live import daphne_server

pytestmark = pytest.mark.e2e

BUDGET_BYTES = 60 * 1024


@pytest.fixture
def production_site(transactional_db, tmp_path):
    """A Daphne with DEBUG off serving the collected, hashed, compressed
    static files (as `DEBUG=false make run` and production do), a room with
    a conversation in it, and a citizen."""
    root = tmp_path / "static"
    with override_settings(STATIC_ROOT=root,
                           STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": settings.STATIC_HASHED}}):
        call_command("collectstatic", "--no-input", verbosity=0)
    room_upsert(slug="bupati", title="Ruang Bupati", description="Tanya langsung Bupati Pati.")
    # The server runs settings.dev: a password hashed as production hashes it.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        User.objects.create_user(username="siti", password=PASSWORD, display_name="Siti Aminah")
    camat = User.objects.create_user(username="camat", password=PASSWORD, display_name="Camat Tayu",
                                     role=Role.OFFICIAL)  # speaks for the regency: no rate limit
    for n in range(30):  # a page of history, as a lively room has
        message_send(user=camat, room_slug="bupati", client_id=f"00000000-0000-4000-8000-{n:012d}",
                     body=f"Pesan warga nomor {n + 1} tentang jalan dan lampu di desa kami.", reply_to=None)
    env = {"DJANGO_SETTINGS_MODULE": "settings.dev", "DEBUG": "false", "STATIC_ROOT": str(root),
           "REDIS_URL": os.environ["REDIS_URL"]}
    with daphne_server(connection.settings_dict, extra_env=env) as url:
        yield url


async def _weigh(browser, base: str, path: str, storage_state=None) -> tuple[int, list[str]]:
    """Bytes a first visit to ``path`` transfers, and what was fetched."""
    context = await browser.new_context(base_url=base, locale="id-ID", storage_state=storage_state)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    transferred: dict[str, int] = {}
    urls: dict[str, str] = {}
    socket_bytes = [0]

    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: transferred.__setitem__(e["requestId"], e["encodedDataLength"]))

    def handshake(event):
        response = event["response"]
        socket_bytes[0] += len(response.get("headersText") or "") or sum(
            len(k) + len(v) + 4 for k, v in response.get("headers", {}).items())

    def frame(event):
        socket_bytes[0] += len(event["response"]["payloadData"].encode()) + 2

    cdp.on("Network.webSocketHandshakeResponseReceived", handshake)
    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.on("Network.webSocketFrameSent", frame)
    try:
        await page.goto(path)
        if await page.locator("#conn-state").count():
            await expect(page.locator("#conn-state")).to_have_attribute("data-state", "open")
        if path == ROOM:
            await expect(page.locator("#messages li.msg").last).to_contain_text("nomor 30")
        await page.wait_for_load_state("networkidle")
        assert errors == [], errors
        fetched = [f"{urls.get(rid, rid)}: {size}" for rid, size in transferred.items()]
        return sum(transferred.values()) + socket_bytes[0], fetched + [f"socket: {socket_bytes[0]}"]
    finally:
        await context.close()


async def test_the_first_load_of_home_and_a_room_fits_in_60_kb(production_site, browser):
    signed_in = await browser.new_context(base_url=production_site, locale="id-ID")
    page = await signed_in.new_page()
    await page.goto("/akun/masuk/")
    await page.locator("#id_username").fill("siti")
    await page.locator("#id_password").fill(PASSWORD)
    await page.locator("main form button[type=submit]").click()
    await expect(page.locator("a[href='/akun/keluar/'], form[action='/akun/keluar/']").first).to_be_attached()
    citizen = await signed_in.storage_state()  # the session cookie, not the cache
    await signed_in.close()

    weights = {}
    for who, state in (("guest", None), ("citizen", citizen)):
        for path in ("/", ROOM):
            weights[(who, path)] = await _weigh(browser, production_site, path, state)
    for key, (total, fetched) in weights.items():
        assert total <= BUDGET_BYTES, f"{key} transferred {total} bytes (> 60 KB):\n" + "\n".join(fetched)
    # The static files came compressed and under hashed names (else the budget proves little).
    total, fetched = weights[("citizen", ROOM)]
    assert any("/static/frontend/js/room." in line for line in fetched), fetched
