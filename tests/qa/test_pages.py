"""The public session pages without JavaScript: the schedule's groups, one
session (ranked questions, anonymous askers, answers by staff, asking and
"dukung" as plain forms), the ended session's transcript and figures, the
.ics file, and the home page."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from chat.models import MessageStatus
from qa import services
from qa.models import Question, SessionStatus, Vote
from tests.hub import create_user
from tests.qa.helpers import ask, asked_and_approved


def section(html: str, element_id: str) -> str:
    """The text of the element with ``id`` up to its section's end."""
    match = re.search(rf'id="{element_id}".*?(</section>|</ol>)', html, re.S)
    assert match, f"#{element_id} not on the page"
    return match.group(0)


def page(client, url: str, user=None, status: int = 200) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def schedule(cast, title: str, start_in: timedelta, hours: int = 1, officials=None):
    now = timezone.now()
    return services.session_schedule(actor=cast["moderator"], title=title,
                                     officials=officials or [cast["bupati"]], agency=cast["setda"],
                                     starts_at=now + start_in, ends_at=now + start_in + timedelta(hours=hours))


def end(session):
    services.sessions_tick(now=session.ends_at + timedelta(seconds=1))
    session.refresh_from_db()
    assert session.status == SessionStatus.ENDED
    return session


# --- the schedule ----------------------------------------------------------------------------
def test_the_schedule_groups_sessions_live_upcoming_and_past(client, cast, live_session):
    upcoming = schedule(cast, "Tanya Wakil Bupati: pasar", timedelta(days=2), officials=[cast["wabup"]])
    past = end(schedule(cast, "Sesi lalu: banjir", timedelta(hours=-3)))
    services.sessions_tick(now=past.starts_at + timedelta(seconds=1))
    cancelled = schedule(cast, "Sesi batal: sampah", timedelta(days=1))
    services.session_cancel(actor=cast["moderator"], session_id=cancelled.pk, reason="Bupati berhalangan")

    html = page(client, "/sesi/")
    assert live_session.title in section(html, "sched-live")
    assert upcoming.title in section(html, "sched-upcoming")
    assert "Wakil Bupati" in section(html, "sched-upcoming")
    assert past.title in section(html, "sched-past") and cancelled.title in section(html, "sched-past")
    assert cancelled.title not in section(html, "sched-upcoming")
    # Times in WIB with Indonesian dates.
    wib = timezone.localtime(upcoming.starts_at, ZoneInfo("Asia/Jakarta"))
    assert f"{wib:%H.%M}" in section(html, "sched-upcoming")
    assert "WIB" in section(html, "sched-upcoming")
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember"]
    assert f"{wib.day} {months[wib.month - 1]} {wib.year}" in section(html, "sched-upcoming")


# --- one session ----------------------------------------------------------------------------
def test_the_session_page_ranks_questions_and_never_names_an_anonymous_asker(client, cast, live_session):
    mod, siti, budi = cast["moderator"], cast["siti"], cast["budi"]
    first = asked_and_approved(siti, live_session, mod, "Pertanyaan pertama tentang jalan Tayu?", anonymous=True)
    second = asked_and_approved(budi, live_session, mod, "Pertanyaan kedua tentang pasar Juwana?")
    services.vote_toggle(user=siti, question_id=second.pk)

    html = page(client, f"/sesi/{live_session.pk}/")
    questions = section(html, "questions")
    assert questions.index("pasar Juwana") < questions.index("jalan Tayu")  # most supported first
    assert "Warga (anonim)" in questions and "Budi" in questions
    assert "Siti" not in html  # the anonymous asker is named nowhere on the page
    # Highlighted goes on top, whatever the votes.
    services.question_highlight(user=cast["bupati"], session_id=live_session.pk, question_id=first.pk)
    questions = section(page(client, f"/sesi/{live_session.pk}/"), "questions")
    assert questions.index("jalan Tayu") < questions.index("pasar Juwana")
    assert "Disorot" in questions


def test_an_answer_by_a_delegate_says_so_and_moves_to_the_answered(client, cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    services.question_answer(user=cast["staf1"], session_id=live_session.pk, question_id=question.pk,
                             text="Perbaikan dimulai bulan depan.")
    html = page(client, f"/sesi/{live_session.pk}/")
    answered = section(html, "answered")
    assert "Perbaikan dimulai bulan depan." in answered
    assert "Dijawab oleh staf Staf1 untuk Bupati Bupati" in answered
    assert "Tayu" not in section(html, "questions")


def test_asking_without_script_holds_the_question_and_shows_it_waiting_to_its_author(client, cast, live_session):
    client.force_login(cast["siti"])
    response = client.post(f"/sesi/{live_session.pk}/tanya/", {"body": "Kapan pasar Pati dibenahi?",
                                                                "anonymous": "on"})
    assert response.status_code == 302
    question = Question.objects.get(session=live_session)
    assert question.anonymous and question.message.status == MessageStatus.HELD
    html = page(client, f"/sesi/{live_session.pk}/")
    assert "Menunggu tinjauan" in section(html, "mine-list") and "pasar Pati" in section(html, "mine-list")
    assert "pasar Pati" not in section(html, "questions")
    # Nobody else sees it.
    client.force_login(cast["budi"])
    assert "pasar Pati" not in page(client, f"/sesi/{live_session.pk}/")


def test_a_question_over_280_characters_is_refused_with_its_reason_and_kept_in_the_form(client, cast, live_session):
    client.force_login(cast["siti"])
    long = "a" * 281
    response = client.post(f"/sesi/{live_session.pk}/tanya/", {"body": long})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-code="question_too_long"' in html and long in html
    assert not Question.objects.exists()


def test_guests_see_the_questions_and_are_asked_to_sign_in(client, cast, live_session):
    asked_and_approved(cast["siti"], live_session, cast["moderator"], "Apakah ada bantuan bibit?")
    html = page(client, f"/sesi/{live_session.pk}/")
    assert "bantuan bibit" in html and 'id="ask-form"' not in html and "/akun/" in section(html, "ask")
    assert "vote-form" not in html  # votes need an account: no button that leads nowhere
    assert client.post(f"/sesi/{live_session.pk}/tanya/", {"body": "x"}).status_code == 302  # to sign-in


def test_dukung_without_script_toggles_one_vote(client, cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    client.force_login(cast["budi"])
    url = f"/sesi/{live_session.pk}/dukung/{question.pk}/"
    assert client.post(url).status_code == 302
    question.refresh_from_db()
    assert question.votes == 1 and Vote.objects.filter(user=cast["budi"]).count() == 1
    assert 'aria-pressed="true"' in section(page(client, f"/sesi/{live_session.pk}/"), "questions")
    client.post(url)
    question.refresh_from_db()
    assert question.votes == 0


def test_voting_on_a_pending_question_is_refused_and_changes_nothing(client, cast, live_session):
    question = ask(cast["siti"], live_session)
    client.force_login(cast["budi"])
    response = client.post(f"/sesi/{live_session.pk}/dukung/{question.pk}/")
    assert response.status_code == 409 and 'data-code="question_not_visible"' in response.content.decode()
    assert not Vote.objects.exists()
    # A question of another session is refused through this one.
    other = schedule(cast, "Sesi lain", timedelta(days=1))
    response = client.post(f"/sesi/{other.pk}/dukung/{question.pk}/")
    assert response.status_code == 400 and 'data-code="question_of_another_session"' in response.content.decode()


def test_a_cancelled_session_says_so_and_takes_no_questions(client, cast):
    session = schedule(cast, "Sesi batal", timedelta(days=1))
    services.session_cancel(actor=cast["moderator"], session_id=session.pk, reason="Bupati berhalangan hadir")
    client.force_login(cast["siti"])
    html = page(client, f"/sesi/{session.pk}/")
    assert "Sesi ini dibatalkan." in html and "Bupati berhalangan hadir" in html and 'id="ask-form"' not in html
    response = client.post(f"/sesi/{session.pk}/tanya/", {"body": "Masih bisa bertanya?"})
    assert response.status_code == 403 and 'data-code="closed"' in response.content.decode()


# --- the transcript and the figures -------------------------------------------------------
def test_an_ended_session_shows_what_happened_and_its_figures(client, cast, live_session):
    mod, siti, budi, bupati = cast["moderator"], cast["siti"], cast["budi"], cast["bupati"]
    answered = asked_and_approved(siti, live_session, mod, "Kapan jalan Tayu diperbaiki?", anonymous=True)
    later = asked_and_approved(budi, live_session, mod, "Bagaimana air bersih di Gembong?")
    handed = asked_and_approved(create_user("ani"), live_session, mod, "Jembatan Sukolilo kapan?")
    dismissed = asked_and_approved(create_user("dewi"), live_session, mod, "Pertanyaan di luar topik sama sekali")
    ask(create_user("eko"), live_session, "Masih menunggu tinjauan ketika sesi usai")  # never approved
    ids = {"session_id": live_session.pk}
    services.question_answer(user=cast["staf1"], question_id=answered.pk, text="Bulan depan dimulai.", **ids)
    services.question_hand_over(user=bupati, question_id=handed.pk, to_official_id=cast["wabup"].pk, **ids)
    services.question_dismiss(user=bupati, question_id=dismissed.pk, reason="Di luar topik", **ids)
    services.session_audience_record(session_id=live_session.pk, count=37)
    end(live_session)
    services.question_answer_later(user=bupati, question_id=later.pk, agency_id=cast["dpupr"].pk, **ids)
    later.refresh_from_db()

    html = page(client, f"/sesi/{live_session.pk}/")
    assert "Sesi ini sudah selesai" in html and 'id="ask-form"' not in html and "vote-form" not in html
    transcript = section(html, "transcript")
    # In the order asked, each with what became of it.
    assert transcript.index("jalan Tayu") < transcript.index("Gembong") < transcript.index("Sukolilo")
    assert "Bulan depan dimulai." in transcript and "Dijawab oleh staf Staf1 untuk Bupati Bupati" in transcript
    assert "Diserahkan kepada Wabup" in transcript
    assert f'href="/aspirasi/{later.aspiration_id}/"' in transcript
    assert "di luar topik" not in transcript.lower() and "menunggu tinjauan ketika" not in transcript
    assert "Siti" not in transcript and "Warga (anonim)" in transcript
    figures = section(html, "figures")
    for key, value in {"asked": 5, "approved": 4, "answered": 1, "carried": 1, "peak": 37}.items():
        assert re.search(rf'id="fig-{key}">{value}<', figures), key


# --- the calendar file ----------------------------------------------------------------------
def test_the_ics_file_parses_and_has_the_times_in_wib(client, cast):
    session = schedule(cast, "Tanya Bupati: pertanian", timedelta(days=3))
    response = client.get(f"/sesi/{session.pk}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    start, finish = event.decoded("dtstart"), event.decoded("dtend")
    assert start == session.starts_at.replace(microsecond=0) and finish == session.ends_at.replace(microsecond=0)
    assert str(start.tzinfo) == "Asia/Jakarta" and start.utcoffset() == timedelta(hours=7)
    assert str(event["summary"]) == "Tanya Bupati: pertanian"
    assert str(event["url"]).endswith(f"/sesi/{session.pk}/")
    assert "Bupati Bupati" in str(event["description"])
    assert calendar.walk("VTIMEZONE")  # the zone is in the file
    assert client.get("/sesi/999999.ics").status_code == 404


# --- the home page and the navigation -------------------------------------------------------
def test_home_shows_the_live_session_and_the_next_ones_and_everyone_finds_the_sessions(client, cast, live_session):
    upcoming = schedule(cast, "Tanya Wakil Bupati: pasar", timedelta(days=2), officials=[cast["wabup"]])
    html = page(client, "/")
    live = section(html, "home-sessions")
    assert live_session.title in live and upcoming.title in live and f"/sesi/{live_session.pk}/" in live
    assert 'href="/sesi/"' in html and "Sesi Tanya Jawab" in html
    assert "/konsol/" not in html
    assert "/konsol/" not in page(client, "/", cast["siti"])
    assert "/konsol/" in page(client, "/", cast["staf1"]) and "/konsol/" in page(client, "/", cast["bupati"])


pytestmark = pytest.mark.usefixtures("cast")
