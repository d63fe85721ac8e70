"""The aspiration forum in a real browser, end to end: a citizen composes an
aspiration, a moderator approves it in the console and forwards it to an
agency, the agency's official answers in the agency inbox, and the author
marks it done and rates it — while a second citizen watches the thread page
(js/aspiration.js on ``aspirasi.<id>``) and sees the answer and every status
change arrive without reloading."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from forum.models import Aspiration, Category, Status
from officials.models import Agency, AgencyKind
from officials.services import official_upsert
from tests.e2e.helpers import CONSOLE, PASSWORD, ROOM, moderation_cast, pending

pytestmark = pytest.mark.e2e

TITLE = "Jembatan kayu Desa Sambirejo lapuk"
ANSWER = "Tim DPUPR memperbaiki jembatan mulai Senin depan."


@pytest.fixture
def cast(transactional_db):
    """siti (author), budi (watcher), a moderator (``moderation_cast``), and
    DPUPR with its head's official profile. The categories come from a data
    migration, which a transactional flush empties: the one used is written again."""
    moderation_cast()
    dpupr = Agency.objects.create(slug="dpupr", name="Dinas Pekerjaan Umum dan Penataan Ruang", short_name="DPUPR",
                                  kind=AgencyKind.DINAS)
    Agency.objects.create(slug="setda", name="Sekretariat Daerah", short_name="Setda", kind=AgencyKind.SECRETARIAT)
    official = User.objects.create_user(username="kadpupr", password=PASSWORD, display_name="Heru Santoso",
                                        role=Role.OFFICIAL)
    official_upsert(user=official, title="Kepala Dinas PUPR", agency=dpupr)
    Category.objects.update_or_create(slug="jalan-infrastruktur", defaults={
        "name_id": "Jalan dan infrastruktur", "name_en": "Roads and infrastructure", "default_privacy": "public",
        "position": 0, "agency": None, "active": True})
    return dpupr


async def test_from_compose_to_rating_watched_live(cast, open_page):
    # The author composes (signed in from a page with the hub, then to the form).
    siti = await open_page("siti", ROOM)
    await siti.goto("/aspirasi/kirim/")
    await siti.locator("#id_title").fill(TITLE)
    await siti.locator("#id_body").fill("Papan jembatan banyak yang **patah**; anak sekolah melintas setiap pagi.")
    await siti.locator("#id_category").select_option("jalan-infrastruktur")
    await siti.locator("#id_kecamatan").select_option("gabus")
    await siti.locator("#id_desa").fill("Sambirejo")
    await siti.locator("#compose-form button[type=submit]").click()
    await expect(siti).to_have_url(re.compile(r"/aspirasi/\d+/$"))
    await expect(siti.locator(".notice.waiting")).to_have_text("Menunggu peninjauan moderator")
    pk = int(re.search(r"/aspirasi/(\d+)/$", siti.url).group(1))
    thread = f"/aspirasi/{pk}/"

    # A moderator approves it in the console's "new aspirations" queue.
    console = await open_page("moderator", CONSOLE)
    await expect(pending(console, "forum")).to_have_text("1")
    await console.locator('button[data-claim="forum"]').click()
    await expect(console.locator("#item-text")).to_contain_text(TITLE)
    await console.locator('#item button[data-action="approve"]').click()
    await expect(pending(console, "forum")).to_have_text("0")

    # A second citizen opens the now public thread and stays on it.
    budi = await open_page("budi", thread)
    await expect(budi.locator("#asp-status")).to_have_text("Terverifikasi")
    await budi.evaluate("() => { window.__sameDocument = true; }")

    # The moderator forwards it to DPUPR from the thread page.
    await console.goto(thread)
    forward = console.locator('form.status-action[data-to="forwarded"]')
    await forward.locator("select[name=agency]").select_option(str(cast.pk))
    await forward.locator("button[type=submit]").click()
    await expect(console.locator("#asp-status")).to_have_text("Diteruskan ke instansi")
    await expect(budi.locator("#asp-status")).to_have_text("Diteruskan ke instansi")
    await expect(budi.locator("#timeline li").last).to_contain_text("Dinas Pekerjaan Umum dan Penataan Ruang")

    # DPUPR's official answers from the agency inbox.
    official = await open_page("kadpupr", ROOM)
    await official.goto("/aspirasi/instansi/")
    item = official.locator(f'li.asp-card[data-id="{pk}"]')
    await expect(item).to_contain_text(TITLE)
    await item.locator("textarea[name=body]").fill(ANSWER)
    await item.locator(".answer-form button[type=submit]").click()
    await expect(official).to_have_url(re.compile(r"/aspirasi/instansi/$"))
    await expect(official.locator(f'li.asp-card[data-id="{pk}"]')).to_contain_text("Dijawab instansi")

    # The watcher sees the official answer and the status change arrive live.
    answer = budi.locator("#replies li.reply.is-official", has_text=ANSWER)
    await expect(answer).to_be_visible()
    await expect(answer.locator(".official-badge")).to_contain_text("Kepala Dinas PUPR")
    await expect(budi.locator("#asp-status")).to_have_text("Dijawab instansi")
    await expect(budi.locator("#announcer")).not_to_be_empty()

    # The author marks it done and rates the outcome.
    await siti.goto(thread)
    await expect(siti.locator("#replies")).to_contain_text(ANSWER)
    await siti.locator('form.status-action[data-to="done"] button[type=submit]').click()
    await expect(siti.locator("#asp-status")).to_have_text("Selesai")
    await expect(budi.locator("#asp-status")).to_have_text("Selesai")
    await siti.locator('input[name=rating][value="5"]').check()
    await siti.locator("#id_comment").fill("Terima kasih, cepat ditangani.")
    await siti.locator(".rate-form button[type=submit]").click()
    await expect(siti.locator("#rating")).to_contain_text("Penulis menilai hasilnya 5 dari 5.")

    # The watcher never reloaded; the stored outcome is the one shown.
    assert await budi.evaluate("() => window.__sameDocument === true")
    stored = await sync_to_async(Aspiration.objects.get)(pk=pk)
    assert (stored.status, stored.rating, stored.agency_id) == (Status.DONE, 5, cast.pk)


async def test_the_thread_and_compose_at_360_px(cast, open_page):
    small = {"width": 360, "height": 740}
    siti = await open_page("siti", ROOM, viewport=small)
    await siti.goto("/aspirasi/kirim/")
    assert await siti.evaluate("() => document.documentElement.scrollWidth") <= 360
    # Choosing a category preselects its default privacy.
    await siti.locator("#id_category").select_option("jalan-infrastruktur")
    await expect(siti.locator('input[name=privacy][value="public"]')).to_be_checked()
    await siti.goto("/aspirasi/")
    assert await siti.evaluate("() => document.documentElement.scrollWidth") <= 360
