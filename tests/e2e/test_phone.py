"""Phone first (issue 13 item 2), in a real browser at 360 × 740 (portrait)
and 740 × 360 (landscape).

The room: the newest message and the Send button are on screen and nothing
covers them (``document.elementFromPoint`` at their centres finds them), also
with the on-screen keyboard open (emulated by shrinking the viewport's height,
as Chrome on Android does with ``interactive-widget=resizes-content``) and
after a notification pop-up appeared.

Every other page, from the table ``PAGES`` (add a row for a new page): no
sideways scrolling, the header folded into its menu (one row), the primary
controls at least 44 px tall, each form control's label visible, above it or
beside it (never below)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.services import message_send
from forum import services as forum_services
from forum.models import Category
from officials.models import AgencyKind
from officials.services import agency_upsert, official_upsert
from qa import services as qa_services
from tests.e2e.helpers import PASSWORD, ROOM, TIMEOUT_MS, moderation_cast, sign_in
from tests.forum.factories import verify

pytestmark = pytest.mark.e2e

PORTRAIT = {"width": 360, "height": 740}
LANDSCAPE = {"width": 740, "height": 360}
#: The same screens with the on-screen keyboard open.
KEYBOARD = {360: {"width": 360, "height": 400}, 740: {"width": 740, "height": 200}}
#: A desktop, where the pop-up once covered the Send button (no keyboard to open).
DESKTOP = {"width": 1280, "height": 720}
#: A header folded into its menu is one row: the brand, the menu, the bell.
HEADER_ROW_MAX = 64
#: A thumb's target.
TARGET_MIN = 44

#: Every page but the room: (name, path, who is signed in). ``{session}``
#: and ``{aspiration}`` are filled in from the cast.
PAGES = [
    ("home", "/", None),
    ("home, signed in", "/", "siti"),
    ("rooms", "/ruang/", None),
    ("forum list", "/aspirasi/", None),
    ("forum detail", "/aspirasi/{aspiration}/", "siti"),
    ("forum compose", "/aspirasi/kirim/", "siti"),
    ("my aspirations", "/aspirasi/saya/", "siti"),
    ("session schedule", "/sesi/", None),
    ("session page", "/sesi/{session}/", "siti"),
    ("officials' console", "/konsol/", "bupati"),
    ("officials' console, a session", "/konsol/{session}/", "bupati"),
    ("notifications inbox", "/notifikasi/", "siti"),
    ("notification preferences", "/notifikasi/pengaturan/", "siti"),
    ("profile", "/akun/profil/", "siti"),
    ("sign in", "/akun/masuk/", None),
    ("sign up", "/akun/daftar/", None),
    ("password change", "/akun/sandi/ganti/", "siti"),
    ("password reset", "/akun/sandi/lupa/", None),
    ("privacy notice", "/privasi/", None),
    ("account erasure", "/privasi/hapus-akun/", "siti"),
    ("moderation console", "/moderasi/", "moderator"),
    ("audit log", "/moderasi/audit/", "admin"),
    ("announcements", "/notifikasi/umumkan/", "admin"),
]


def cast() -> dict:
    """siti, budi, a moderator and the room (``moderation_cast``), an
    administrator, the Bupati with a session open now, a verified aspiration,
    and a conversation long enough to scroll."""
    moderation_cast()
    User.objects.create_user(username="admin", password=PASSWORD, display_name="Admin Balai", role=Role.ADMIN)
    moderator = User.objects.get(username="moderator")
    siti, budi = User.objects.get(username="siti"), User.objects.get(username="budi")
    setda = agency_upsert(slug="setda", name="Sekretariat Daerah", short_name="Setda",
                          kind=AgencyKind.SECRETARIAT)[0]
    bupati = User.objects.create_user(username="bupati", password=PASSWORD, display_name="Haryanto",
                                      role=Role.OFFICIAL)
    official_upsert(user=bupati, title="Bupati", agency=setda)
    now = timezone.now()
    session = qa_services.session_schedule(
        actor=moderator, title="Tanya Bupati: jalan desa", officials=[bupati], agency=setda,
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    qa_services.sessions_tick(now=now)
    category, _ = Category.objects.update_or_create(slug="jalan-infrastruktur", defaults={
        "name_id": "Jalan dan infrastruktur", "name_en": "Roads and infrastructure", "default_privacy": "public",
        "position": 0, "agency": None, "active": True})
    aspiration = verify(forum_services.aspiration_submit(
        author=siti, title="Jembatan kayu Desa Sambirejo lapuk", body="Papan jembatan sudah patah dua.",
        category=category, kecamatan="tayu", privacy="public"), moderator)
    for n in range(12):  # the Bupati is not rate-limited
        speaker = budi if n == 0 else bupati
        message_send(user=speaker, room_slug="bupati", client_id=str(uuid.uuid4()),
                     body=f"Pesan ke-{n + 1}: jalan di Juwana masih berlubang, mohon ditinjau.", reply_to=None)
    return {"session": session.pk, "aspiration": aspiration.pk}


@pytest.fixture
def ids(transactional_db):
    return cast()


@pytest.fixture
async def phone(browser, live_server_url):
    """``phone(username, viewport)`` -> a page in a context of its own, signed
    in as ``username`` (``None``: a guest). Uncaught script errors fail the test."""
    contexts, errors = [], []

    async def _open(username: str | None, viewport: dict):
        context = await browser.new_context(base_url=live_server_url, locale="id-ID", viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        if username is not None:
            await sign_in(page, username)  # staff and officials through the second step
        return page

    yield _open
    for context in contexts:
        await context.close()
    assert errors == [], errors


# What covers the centre of an element: null when the element itself (or
# something inside it) is there, otherwise a description of what is.
COVERED = """(selector) => {
  const target = document.querySelector(selector);
  if (!target) { return `${selector}: not on the page`; }
  const box = target.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  if (box.width === 0 || box.height === 0) { return `${selector}: not shown`; }
  if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) {
    const at = `(${Math.round(x)}, ${Math.round(y)})`;
    return `${selector}: off screen at ${at} in ${window.innerWidth}x${window.innerHeight}`;
  }
  const found = document.elementFromPoint(x, y);
  if (found && (found === target || target.contains(found))) { return null; }
  const what = found ? `${found.tagName.toLowerCase()}#${found.id}.${[...found.classList].join(".")}` : "nothing";
  return `${selector}: covered by ${what} at (${Math.round(x)}, ${Math.round(y)})`;
}"""


async def assert_uncovered(page, *selectors: str) -> None:
    """Each selector's element is on screen and on top at its centre (waits
    for the layout to settle: a resize, a scroll, a pop-up's arrival)."""
    for selector in selectors:
        try:
            await page.wait_for_function(f"(s) => ({COVERED})(s) === null", arg=selector, timeout=3_000)
        except Exception:  # noqa: BLE001 — report what covers it
            raise AssertionError(await page.evaluate(COVERED, selector)) from None


LAST = "#messages li.msg:last-child"
SEND = "#composer-send"


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE, DESKTOP], ids=["portrait", "landscape", "desktop"])
async def test_the_newest_message_and_send_stay_uncovered(ids, phone, viewport):
    budi = await phone("budi", viewport)
    await budi.goto(ROOM)
    await expect(budi.locator("#conn-state")).to_have_attribute("data-state", "open")
    await expect(budi.locator(LAST)).to_contain_text("Pesan ke-12")
    await assert_uncovered(budi, LAST, SEND)
    await expect(budi.locator("header.site-header")).to_be_visible()

    # The keyboard opens: the composer has the focus, the screen is shorter.
    await budi.locator("#composer-body").focus()
    await budi.set_viewport_size(KEYBOARD.get(viewport["width"], viewport))
    await assert_uncovered(budi, LAST, SEND)

    # A message arrives while typing: it is the newest, and shown.
    siti = await sync_to_async(User.objects.get)(username="siti")
    await sync_to_async(message_send)(user=siti, room_slug="bupati", client_id=str(uuid.uuid4()),
                                      body="Pesan ke-13: sudah kami catat.", reply_to=None)
    await expect(budi.locator(LAST)).to_contain_text("Pesan ke-13")
    await assert_uncovered(budi, LAST, SEND)

    # A notification pops up (budi is mentioned): still uncovered.
    await sync_to_async(message_send)(user=siti, room_slug="bupati", client_id=str(uuid.uuid4()),
                                      body="Pesan ke-14: @budi, besok ditinjau.", reply_to=None)
    await expect(budi.locator("#notify-toasts .toast")).to_be_visible()
    await expect(budi.locator(LAST)).to_contain_text("Pesan ke-14")
    await assert_uncovered(budi, LAST, SEND)

    # The keyboard closes again.
    await budi.set_viewport_size(viewport)
    await assert_uncovered(budi, LAST, SEND)


# One page's defects at the current viewport, as sentences.
DEFECTS = """([headerMax, targetMin]) => {
  const found = [];
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 1 && box.height > 1 && style.visibility !== "hidden" && style.display !== "none"
      && !el.closest("[hidden], details:not([open]) > :not(summary)");
  };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
    + `${el.name ? "[name=" + el.name + "]" : ""} "${(el.innerText || el.value || "").trim().slice(0, 30)}"`;
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    found.push(`scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
  }
  const header = document.querySelector("header.site-header");
  const headerBox = header.getBoundingClientRect();
  if (headerBox.height > headerMax) { found.push(`header not folded: ${Math.round(headerBox.height)} px tall`); }
  const controls = [...document.querySelectorAll(
    "header.site-header a, header.site-header button, header.site-header select, header.site-header summary,"
    + " main button, main select, main textarea, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
    + " main a.button")].filter(shown);
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    if (el.closest(".brand") || el.classList.contains("skip-link")) { continue; }
    if (box.height < targetMin - 0.5) { found.push(`${name(el)} is ${Math.round(box.height)} px tall`); }
  }
  // Checkboxes and radios: the label is the target.
  for (const el of document.querySelectorAll("main input[type=checkbox], main input[type=radio]")) {
    if (!shown(el) && !(el.labels && [...el.labels].some(shown))) { continue; }
    const label = el.labels && [...el.labels].find(shown);
    if (!label) { found.push(`${name(el)} has no visible label`); continue; }
    const box = label.getBoundingClientRect();
    if (box.height < targetMin - 0.5) { found.push(`label of ${name(el)} is ${Math.round(box.height)} px tall`); }
  }
  for (const el of document.querySelectorAll("main input:not([type=hidden]), main select, main textarea")) {
    if (!shown(el)) { continue; }
    const labels = [...(el.labels || [])];
    if (labels.length === 0) { continue; }  // named by aria-label: nothing to place
    const label = labels.find(shown);
    if (!label) { found.push(`${name(el)}: its label is hidden`); continue; }
    if (label.contains(el)) { continue; }  // the label wraps it: beside by construction
    const c = el.getBoundingClientRect(), l = label.getBoundingClientRect();
    const above = l.bottom <= c.top + 2;
    const beside = l.top < c.bottom && l.bottom > c.top;
    if (!above && !beside) { found.push(`${name(el)}: its label is below it`); }
  }
  return found;
}"""


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
async def test_every_page_fits_a_phone(ids, phone, viewport):
    pages: dict[str | None, object] = {}
    defects = []
    for label, path, username in PAGES:
        if username not in pages:
            pages[username] = await phone(username, viewport)
        page = pages[username]
        response = await page.goto(path.format(**ids))
        assert response.ok, f"{label}: {path} answered {response.status}"
        for defect in await page.evaluate(DEFECTS, [HEADER_ROW_MAX, TARGET_MIN]):
            defects.append(f"{label} ({path}): {defect}")
        # The header's places are one tap away, in its menu.
        places = page.locator("header.site-header a[href='/ruang/']:visible")
        await expect(places, label).to_have_count(0)
        await page.locator("#nav-menu summary").click()
        await expect(places, label).to_have_count(1)
        await expect(places, label).to_be_in_viewport()
    assert defects == [], "\n".join(defects)
