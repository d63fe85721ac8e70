"""Q&A sessions in a real browser: a citizen asks on the session page
(js/session.js), a moderator approves in the moderation console, the
Bupati answers from the officials' console (js/konsol.js, from the
keyboard) and the citizen sees the question and then the answer arrive
without reloading; an answer hidden after reports leaving the page live and
coming back; and the session page on a 360 × 740 phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from playwright.async_api import expect

from accounts.choices import Role
from accounts.models import User
from chat.models import Message
from chat.services import message_hide, message_restore
from officials.models import AgencyKind
from officials.services import agency_upsert, official_upsert
from qa import selectors, services
from qa.models import Question, Session
from tests.e2e.helpers import CONSOLE, PASSWORD, moderation_cast, pending
from tests.qa.helpers import approve, ask

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def live_session() -> int:
    """siti, budi, a moderator (``moderation_cast``), the Bupati, and a session of his, open now."""
    moderation_cast()
    setda = agency_upsert(slug="setda", name="Sekretariat Daerah", short_name="Setda",
                          kind=AgencyKind.SECRETARIAT)[0]
    bupati = User.objects.create_user(username="bupati", password=PASSWORD, display_name="Haryanto",
                                      role=Role.OFFICIAL)
    official_upsert(user=bupati, title="Bupati", agency=setda)
    now = timezone.now()
    session = services.session_schedule(
        actor=User.objects.get(username="moderator"), title="Tanya Bupati: jalan desa", officials=[bupati],
        agency=setda, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    services.sessions_tick(now=now)
    return session.pk


@pytest.fixture
def session_id(transactional_db):
    return live_session()


async def joined(page) -> None:
    """The page follows the session's topic (its forms go over the socket)."""
    await expect(page.locator("article.sesi")).to_have_attribute("data-live", "joined")


async def mark_no_reload(page) -> None:
    await joined(page)
    await page.evaluate("window.__sameDocument = true")


async def still_same_document(page) -> bool:
    return await page.evaluate("window.__sameDocument === true")


async def test_a_question_asked_approved_and_answered_reaches_the_citizen_live(session_id, open_page):
    konsol = await open_page("bupati", f"/konsol/{session_id}/")
    siti = await open_page("siti", f"/sesi/{session_id}/")
    await mark_no_reload(siti)
    await mark_no_reload(konsol)

    await siti.locator("#ask-body").fill("Kapan jalan Tayu–Dukuhseti diperbaiki?")
    await expect(siti.locator("#ask-counter")).to_have_text("38/280")
    await siti.locator("#ask-send").click()
    mine = siti.locator("#mine-list li", has_text="Dukuhseti")
    await expect(mine).to_contain_text("Menunggu tinjauan")
    await expect(siti.locator("#ask-body")).to_have_value("")
    await expect(konsol.locator("#konsol-waiting")).to_have_text("1")

    moderator = await open_page("moderator", CONSOLE)
    await expect(pending(moderator)).to_have_text("1")
    await moderator.locator('button[data-claim="chat"]').click()
    await expect(moderator.locator("#item-text")).to_have_text("Kapan jalan Tayu–Dukuhseti diperbaiki?")
    await moderator.keyboard.press("a")
    await expect(pending(moderator)).to_have_text("0")

    # Approved: in the citizen's list, live, and no longer "waiting".
    await expect(siti.locator("#questions li.q", has_text="Dukuhseti")).to_be_visible()
    await expect(mine).to_have_count(0)
    # In the console, live; answered from the keyboard.
    item = konsol.locator("#questions li.q", has_text="Dukuhseti")
    await expect(item).to_be_visible()
    await expect(item.locator(".q-author")).to_have_text("Siti Aminah")
    await expect(konsol.locator("#konsol-waiting")).to_have_text("0")
    await konsol.locator("body").click()
    await konsol.keyboard.press("j")
    await expect(item).to_be_focused()
    await konsol.keyboard.press("a")
    answer_box = item.locator(".act-answer textarea")
    await expect(answer_box).to_be_focused()
    await konsol.keyboard.type("Perbaikan dimulai bulan depan.")
    await item.locator(".act-answer button[type=submit]").click()
    answered = konsol.locator("#answered li.q", has_text="Dukuhseti")
    await expect(answered.locator(".q-answer")).to_contain_text("Perbaikan dimulai bulan depan.")

    # The citizen sees the answer without reloading, said to be the Bupati's.
    answer = siti.locator("#answered li.q", has_text="Dukuhseti").locator(".q-answer")
    await expect(answer).to_contain_text("Perbaikan dimulai bulan depan.")
    await expect(answer).to_contain_text("Dijawab oleh Bupati Haryanto")
    await expect(siti.locator("#questions li.q")).to_have_count(0)
    assert await still_same_document(siti) and await still_same_document(konsol)
    question = await sync_to_async(lambda: Question.objects.select_related("answered_by").get())()
    assert question.answered_by.username == "bupati"


def answered_question(session_id: int) -> int:
    """siti's question, approved, and the Bupati's answer to it; the answer's room message id."""
    session = Session.objects.get(pk=session_id)
    question = approve(ask(User.objects.get(username="siti"), session), User.objects.get(username="moderator"))
    services.question_answer(user=User.objects.get(username="bupati"), session_id=session_id,
                             question_id=question.pk, text="Perbaikan dimulai bulan depan.")
    return Question.objects.get(pk=question.pk).answer_message_id


async def test_an_answer_hidden_after_reports_disappears_live_and_comes_back(session_id, open_page):
    reply_id = await sync_to_async(answered_question)(session_id)
    siti = await open_page("siti", f"/sesi/{session_id}/")
    await mark_no_reload(siti)
    answer = siti.locator("#answered li.q", has_text="Dukuhseti").locator(".q-answer")
    await expect(answer).to_contain_text("Perbaikan dimulai bulan depan.")

    await sync_to_async(lambda: message_hide(message=Message.objects.get(pk=reply_id)))()
    await expect(answer).to_contain_text("Jawaban ini disembunyikan selama ditinjau moderator.")
    await expect(answer).not_to_contain_text("Perbaikan dimulai")
    await expect(answer).to_contain_text("Dijawab oleh Bupati Haryanto")

    await sync_to_async(lambda: message_restore(message=Message.objects.get(pk=reply_id)))()
    await expect(answer).to_contain_text("Perbaikan dimulai bulan depan.")
    assert await still_same_document(siti)


async def test_the_session_page_on_a_phone_keeps_the_form_and_the_newest_question_in_view(session_id, open_page):
    siti = await open_page("siti", f"/sesi/{session_id}/", viewport=PHONE)
    await joined(siti)
    await siti.locator("#ask-body").fill("Bagaimana jadwal posyandu di Desa Ngagel?")
    await siti.locator("#ask-anonymous").check()
    await siti.locator("#ask-send").click()
    newest = siti.locator("#mine-list li").first
    await expect(newest).to_contain_text("posyandu")

    async def in_view(locator) -> None:
        box = await locator.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box

    await siti.evaluate("window.scrollTo(0, 0)")
    await in_view(siti.locator("#ask-body"))
    await in_view(siti.locator("#ask-send"))
    await in_view(newest)
    assert await siti.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for control in ("#ask-send", "#ask-anonymous + *, label.check"):
        box = await siti.locator(control).first.bounding_box()
        assert box["height"] >= 44, (control, box)
    # Nothing covers the composer: the element at its centre is the composer itself.
    covered = await siti.evaluate("""() => {
        const box = document.getElementById('ask-body').getBoundingClientRect();
        const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return top && top.id;
    }""")
    assert covered == "ask-body"


def two_approved_questions(session_id: int) -> None:
    """siti (anonymous, first) and budi ask; the moderator approves both."""
    from tests.qa.helpers import asked_and_approved

    session = selectors.session_by_id(pk=session_id)
    moderator = User.objects.get(username="moderator")
    asked_and_approved(User.objects.get(username="siti"), session, moderator, "Kapan pasar Juwana dibenahi?",
                       anonymous=True)
    asked_and_approved(User.objects.get(username="budi"), session, moderator, "Bagaimana air bersih di Gembong?")


async def test_votes_re_rank_live_and_the_console_never_names_an_anonymous_asker(session_id, open_page):
    await sync_to_async(two_approved_questions)(session_id)
    konsol = await open_page("bupati", f"/konsol/{session_id}/")
    siti = await open_page("siti", f"/sesi/{session_id}/")
    await mark_no_reload(konsol)
    await joined(siti)
    in_order = konsol.locator("#questions > li.q")
    await expect(in_order.first).to_contain_text("pasar Juwana")  # equal votes: the older first
    await expect(in_order.first.locator(".q-author")).to_have_text("Warga (anonim)")
    await expect(konsol.locator("#questions")).not_to_contain_text("Siti")

    # siti supports budi's question: it moves up on every page, live.
    gembong = siti.locator("#questions li.q", has_text="Gembong")
    await gembong.locator("button.vote").click()
    await expect(gembong.locator("button.vote")).to_have_attribute("aria-pressed", "true")
    await expect(siti.locator("#questions > li.q").first).to_contain_text("Gembong")
    await expect(in_order.first).to_contain_text("Gembong")
    await expect(in_order.first.locator(".q-votes")).to_have_text("1")

    # Highlighted from the console's keyboard (j, j: the second; h): on top for everyone.
    await konsol.locator("body").click()
    await konsol.keyboard.press("j")
    await konsol.keyboard.press("j")
    await expect(in_order.nth(1)).to_be_focused()
    await konsol.keyboard.press("h")
    await expect(siti.locator("#questions > li.q").first).to_contain_text("pasar Juwana")
    await expect(siti.locator("#questions > li.q").first.locator(".tag-highlight")).to_have_text("Disorot")
    await expect(in_order.first).to_contain_text("pasar Juwana")
    await expect(in_order.first.locator(".act-highlight button")).to_contain_text("Hapus sorotan")
    assert await still_same_document(konsol)


def two_delegates() -> None:
    from officials.services import delegate_add

    bupati = User.objects.get(username="bupati")
    for username, name in (("staf1", "Staf Satu"), ("staf2", "Staf Dua")):
        staff = User.objects.create_user(username=username, password=PASSWORD, display_name=name,
                                         role=Role.OFFICIAL)
        delegate_add(official=bupati, staff=staff)


async def test_a_delegate_typing_an_answer_is_told_in_words_who_answered_first(session_id, open_page):
    await sync_to_async(two_approved_questions)(session_id)
    await sync_to_async(two_delegates)()
    first = await open_page("staf1", f"/konsol/{session_id}/")
    second = await open_page("staf2", f"/konsol/{session_id}/")
    await joined(first)
    await joined(second)
    question = "#questions li.q:has-text('pasar Juwana')"
    await second.locator(f"{question} .act-answer textarea").fill("Jawaban kedua yang terlambat.")
    await first.locator(f"{question} .act-answer textarea").fill("Pasar dibenahi tahun depan.")
    await first.locator(f"{question} .act-answer button[type=submit]").click()

    await expect(second.locator("#konsol-status")).to_have_text("Sudah dijawab oleh Staf Satu.")
    answered = second.locator("#answered li.q", has_text="pasar Juwana")
    await expect(answered.locator(".q-answer-by")).to_have_text("Dijawab oleh staf Staf Satu untuk Bupati Haryanto")
    await expect(first.locator("#konsol-status")).to_be_hidden()
    question_row = await sync_to_async(lambda: Question.objects.get(answered_at__isnull=False))()
    assert question_row.answer == "Pasar dibenahi tahun depan."
