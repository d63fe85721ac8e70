"""Stored XSS in a real browser (issue 14 B): the corpus of
``tests/security/xss_payloads.txt`` stored through every path that renders
user text, then each page opened the way its reader opens it — the room
(history and live frames, with the mention toasts), the notifications page,
an aspiration's thread (replies live), a session's page and the officials'
console, the moderators' console showing an item. Every payload would set
``window.__pwned`` or open a dialog if it ran: a dialog, the mark, or an
uncaught script error fails the test. ``tests/security/test_xss.py`` checks
the same paths' markup without a browser."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.services import message_send, room_upsert
from forum import services as forum_services
from forum.models import Category, Privacy
from officials.models import AgencyKind
from officials.services import agency_upsert, official_upsert
from qa import services as qa_services
from tests.e2e.helpers import PASSWORD, TIMEOUT_MS, sign_in
from tests.forum.conftest import starter_data  # noqa: F401  (autouse: categories and reasons)
from tests.forum.factories import verify
from tests.qa.helpers import approve
from tests.security.attacks import xss_payloads

pytestmark = pytest.mark.e2e

PAYLOADS = xss_payloads()
#: Replaces the dialogs before any script of the page runs: a payload calling
#: one marks the page instead of blocking it (the dialog handler below is the
#: second net).
TRAP = "for (const f of ['alert', 'confirm', 'prompt', 'print']) window[f] = () => { window.__pwned = f; };"


def _user(username: str, role: str = Role.CITIZEN, **fields) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role,
                                    display_name=username.title(), **fields)


@pytest.fixture
def stored(transactional_db, settings):
    """Every payload stored through each path, as its author would store it."""
    settings.QA_QUESTION_INTERVAL_SECONDS, settings.QA_QUESTIONS_PER_SESSION = 0, len(PAYLOADS)
    settings.CHAT_RATE_COUNT = 10 * len(PAYLOADS)
    room_upsert(slug="bupati", title="Ruang Bupati")
    setda = agency_upsert(slug="setda", name="Sekretariat Daerah", short_name="SETDA", kind=AgencyKind.DINAS)[0]
    bupati = _user("bupati", Role.OFFICIAL)
    official_upsert(user=bupati, title="Bupati", agency=setda)
    siti, budi, moderator = _user("siti"), _user("budi"), _user("moderator", Role.MODERATOR)
    for payload in PAYLOADS:
        message_send(user=bupati, room_slug="bupati", client_id=str(uuid.uuid4()), body=f"@siti {payload}")
    category = Category.objects.get(slug="jalan-infrastruktur")
    aspiration = verify(forum_services.aspiration_submit(
        author=siti, title=f"Aduan {PAYLOADS[0]}"[:150], body="\n".join(PAYLOADS)[:5000], category=category,
        kecamatan="tayu", privacy=Privacy.PUBLIC), moderator)
    for payload in PAYLOADS[:40]:
        forum_services.reply_post(user=budi, aspiration_id=aspiration.pk, body=payload)
    # waiting for the moderators' console: one item carrying the whole corpus
    forum_services.aspiration_submit(author=budi, title=PAYLOADS[1][:150], body="\n".join(PAYLOADS)[:5000],
                                     category=category, kecamatan="pati", privacy=Privacy.PUBLIC)
    now = timezone.now()
    session = qa_services.session_schedule(actor=moderator, title="Tanya Bupati", officials=[bupati], agency=setda,
                                           starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
    qa_services.sessions_tick(now=now)
    for payload in PAYLOADS[:30]:
        question = approve(qa_services.question_ask(user=budi, session_id=session.pk, body=payload), moderator)
        qa_services.question_answer(user=bupati, session_id=session.pk, question_id=question.pk,
                                    text=f"Jawaban {payload}")
    for payload in PAYLOADS[30:60]:
        approve(qa_services.question_ask(user=siti, session_id=session.pk, body=payload), moderator)
    return {"aspiration": aspiration.pk, "session": session.pk, "bupati": bupati, "budi": budi}


@pytest.fixture
async def watched(browser, live_server_url):
    """``watched(username, path)`` -> ``(page, dialogs)``: a tab of its own
    (signed in as ``username``, or a guest) with the trap in place before any
    script of the page runs, every dialog recorded and dismissed; uncaught
    script errors fail the test."""
    contexts, errors = [], []

    async def _open(username: str | None, path: str, *, bypass_csp: bool = False):
        context = await browser.new_context(base_url=live_server_url, locale="id-ID", bypass_csp=bypass_csp)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        await context.add_init_script(TRAP)
        page = await context.new_page()
        dialogs: list[str] = []

        async def refuse(dialog):
            dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", refuse)
        page.on("pageerror", lambda error: errors.append(f"{path}: {error}"))
        if username is not None:
            await sign_in(page, username, path)
        else:
            await page.goto(path)
        return page, dialogs

    yield _open
    for context in contexts:
        await context.close()
    assert errors == [], errors


async def _assert_nothing_ran(page, dialogs: list[str]) -> None:
    await page.wait_for_load_state("load")
    pwned = await page.evaluate("() => window.__pwned")
    assert pwned is None and dialogs == [], f"{page.url}: a payload ran (window.__pwned={pwned!r}, {dialogs!r})"


async def test_no_payload_runs_on_any_page_that_shows_user_text(stored, watched):
    # the room: history from the socket, then live messages and their mention toasts
    room, dialogs = await watched("siti", "/ruang/bupati/")
    await expect(room.locator("#messages li.msg").last).to_contain_text("__pwned")
    for payload in PAYLOADS[:15]:
        await sync_to_async(message_send)(user=stored["bupati"], room_slug="bupati", client_id=str(uuid.uuid4()),
                                          body=f"@siti {payload} (langsung)")
    await expect(room.locator("#messages li.msg", has_text="(langsung)")).to_have_count(15)
    await _assert_nothing_ran(room, dialogs)

    inbox, dialogs = await watched("siti", "/notifikasi/")
    await expect(inbox.locator("main")).to_contain_text("__pwned")
    await _assert_nothing_ran(inbox, dialogs)

    thread_path = f"/aspirasi/{stored['aspiration']}/"
    thread, dialogs = await watched(None, thread_path)
    await expect(thread.locator("main")).to_contain_text("__pwned")
    for payload in PAYLOADS[40:55]:
        await sync_to_async(forum_services.reply_post)(user=stored["budi"], aspiration_id=stored["aspiration"],
                                                       body=f"{payload} (langsung)")
    await expect(thread.locator("main", has_text="(langsung)")).to_have_count(1)
    await _assert_nothing_ran(thread, dialogs)

    session, dialogs = await watched(None, f"/sesi/{stored['session']}/")
    await expect(session.locator("#answered li.q").first).to_contain_text("__pwned")
    await _assert_nothing_ran(session, dialogs)

    konsol, dialogs = await watched("bupati", f"/konsol/{stored['session']}/")
    await expect(konsol.locator("#questions li.q").first).to_contain_text("__pwned")
    await _assert_nothing_ran(konsol, dialogs)

    console, dialogs = await watched("moderator", "/moderasi/")
    await console.locator('button[data-claim="forum"]').click()
    await expect(console.locator("#item-text")).to_contain_text("__pwned")
    await _assert_nothing_ran(console, dialogs)


async def test_the_check_catches_a_payload_that_runs(transactional_db, watched):
    """The net is not vacuous: the same payloads written into a page as
    markup (what a template's ``|safe`` would do) are caught — with the
    Content-Security-Policy bypassed, since the policy alone already stops
    inline handlers (tests/e2e/test_content_security_policy.py)."""
    await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati")
    page, dialogs = await watched(None, "/ruang/bupati/", bypass_csp=True)
    await page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)",
                        "<img src=x onerror=alert(1)>")
    await page.wait_for_function("() => window.__pwned === 'alert'")
    with pytest.raises(AssertionError, match="a payload ran"):
        await _assert_nothing_ran(page, dialogs)
