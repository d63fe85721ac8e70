"""The console's actions: only the session's officials and their delegates;
two delegates never both answer; "answer later" makes exactly one
aspiration, linked both ways."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from chat.models import MessageStatus
from common.errors import AppError
from forum.models import Aspiration, Privacy, Status
from qa import services
from qa.models import Question
from tests.qa.helpers import asked_and_approved


def actions(cast, session, question):
    """Every console action on ``question``, as ``who -> call``."""
    ids = {"session_id": session.pk, "question_id": question.pk}
    return {
        "answer": lambda who: services.question_answer(user=who, text="Bulan depan.", **ids),
        "highlight": lambda who: services.question_highlight(user=who, **ids),
        "dismiss": lambda who: services.question_dismiss(user=who, reason="Di luar topik", **ids),
        "hand_over": lambda who: services.question_hand_over(user=who, to_official_id=cast["wabup"].pk, **ids),
        "answer_later": lambda who: services.question_answer_later(user=who, agency_id=cast["dpupr"].pk, **ids),
    }


def snapshot(question: Question) -> tuple:
    question.refresh_from_db()
    return (question.answer, question.answered_at, question.highlighted, question.dismissed_at,
            question.handed_to_official_id, question.handed_to_agency_id, question.aspiration_id)


@pytest.mark.parametrize("outsider", ["siti", "kadis", "staf_kadis"])
def test_every_console_action_is_refused_to_others(cast, live_session, outsider):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    before = snapshot(question)
    for name, action in actions(cast, live_session, question).items():
        with pytest.raises(AppError) as refused:
            action(cast[outsider])
        assert refused.value.code == "forbidden", name
    assert snapshot(question) == before
    assert not Aspiration.objects.exists() and live_session.room.messages.count() == 1


def test_a_delegate_answers_for_their_official_in_the_room(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    services.question_answer(user=cast["staf1"], session_id=live_session.pk, question_id=question.pk,
                             text="Perbaikan dimulai bulan depan.")
    question.refresh_from_db()
    assert (question.answer, question.answered_by_id, question.answered_for_id) == (
        "Perbaikan dimulai bulan depan.", cast["staf1"].pk, cast["bupati"].pk)
    reply = question.answer_message
    assert (reply.reply_to_id, reply.status, reply.seq, reply.author_id) == (
        question.message_id, MessageStatus.PUBLISHED, 2, cast["staf1"].pk)


def test_the_second_of_two_delegates_is_told_it_was_answered(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    services.question_answer(user=cast["staf1"], session_id=live_session.pk, question_id=question.pk, text="Ya.")
    with pytest.raises(AppError) as second:
        services.question_answer(user=cast["staf2"], session_id=live_session.pk, question_id=question.pk,
                                 text="Tidak.")
    assert second.value.code == "already_answered" and second.value.extra["answered_by"] == "Staf1"
    question.refresh_from_db()
    assert question.answer == "Ya." and live_session.room.messages.count() == 2


def test_two_delegates_answering_at_once_never_both_answer(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    barrier = threading.Barrier(2)

    def answer(who):
        barrier.wait()
        try:
            services.question_answer(user=who, session_id=live_session.pk, question_id=question.pk,
                                     text=f"Jawaban {who.username}")
            return "answered"
        except AppError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(answer, [cast["staf1"], cast["staf2"]]))
    assert outcomes == ["already_answered", "answered"]
    assert live_session.room.messages.filter(reply_to=question.message).count() == 1


def test_answer_later_makes_one_aspiration_linked_both_ways(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"], anonymous=True)
    ids = {"session_id": live_session.pk, "question_id": question.pk}
    first = services.question_answer_later(user=cast["staf1"], agency_id=cast["dpupr"].pk, **ids)
    again = services.question_answer_later(user=cast["bupati"], agency_id=cast["dpupr"].pk, **ids)
    assert first.aspiration_id == again.aspiration_id and Aspiration.objects.count() == 1
    aspiration = Aspiration.objects.get()
    assert aspiration.qa_question.pk == question.pk
    assert (aspiration.author_id, aspiration.agency_id, aspiration.status, aspiration.published) == (
        cast["siti"].pk, cast["dpupr"].pk, Status.FORWARDED, True)
    assert aspiration.due_at > timezone.now() and aspiration.kecamatan == "tayu"
    assert aspiration.privacy == Privacy.ANONYMOUS
    assert aspiration.follows.filter(user=cast["siti"]).exists()
    assert live_session.title in aspiration.body and aspiration.timeline.get().actor_id == cast["staf1"].pk


def test_answer_later_by_two_delegates_at_once_makes_one_aspiration(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    barrier = threading.Barrier(4)

    def later(who):
        barrier.wait()
        try:
            return services.question_answer_later(user=who, session_id=live_session.pk, question_id=question.pk,
                                                  agency_id=cast["dpupr"].pk).aspiration_id
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = set(pool.map(later, [cast["staf1"], cast["staf2"], cast["staf1"], cast["bupati"]]))
    assert len(made) == 1 and Aspiration.objects.count() == 1


def test_answer_later_stays_possible_after_the_end_but_nothing_else_does(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    services.sessions_tick(now=live_session.ends_at + timedelta(seconds=1))
    for name in ("answer", "highlight", "dismiss", "hand_over"):
        with pytest.raises(AppError) as closed:
            actions(cast, live_session, question)[name](cast["bupati"])
        assert closed.value.code == "closed", name
    services.question_answer_later(user=cast["staf2"], session_id=live_session.pk, question_id=question.pk,
                                   agency_id=cast["dpupr"].pk)
    assert Aspiration.objects.count() == 1


def test_bad_console_input_changes_nothing(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    other = services.session_schedule(actor=cast["moderator"], title="Sesi lain", officials=[cast["bupati"]],
                                      starts_at=live_session.starts_at, ends_at=live_session.ends_at)
    before = snapshot(question)
    with pytest.raises(AppError) as wrong:
        services.question_answer(user=cast["bupati"], session_id=other.pk, question_id=question.pk, text="Ya")
    assert wrong.value.code == "question_of_another_session"
    with pytest.raises(AppError) as outside:
        services.question_hand_over(user=cast["bupati"], session_id=live_session.pk, question_id=question.pk,
                                    to_official_id=cast["kadis"].pk)
    assert outside.value.code == "not_in_session"
    with pytest.raises(AppError) as not_theirs:
        services.question_answer(user=cast["staf1"], session_id=live_session.pk, question_id=question.pk,
                                 text="Ya", on_behalf_of=cast["wabup"].pk)
    assert not_theirs.value.code == "not_in_session"
    with pytest.raises(AppError) as no_reason:
        services.question_dismiss(user=cast["bupati"], session_id=live_session.pk, question_id=question.pk,
                                  reason=" ")
    assert no_reason.value.code == "reason_required"
    assert snapshot(question) == before


def test_hand_over_to_another_official_or_an_agency(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    ids = {"session_id": live_session.pk, "question_id": question.pk}
    services.question_hand_over(user=cast["staf1"], to_official_id=cast["wabup"].pk, **ids)
    assert snapshot(question)[4] == cast["wabup"].pk
    services.question_hand_over(user=cast["wabup"], to_agency_id=cast["dpupr"].pk, **ids)
    assert snapshot(question)[4:6] == (None, cast["dpupr"].pk)


def test_a_moderator_may_dismiss_but_not_answer(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    with pytest.raises(AppError) as refused:
        services.question_answer(user=cast["moderator"], session_id=live_session.pk, question_id=question.pk,
                                 text="Ya")
    assert refused.value.code == "forbidden"
    services.question_dismiss(user=cast["moderator"], session_id=live_session.pk, question_id=question.pk,
                              reason="Mengandung hinaan")
    with pytest.raises(AppError) as dismissed:
        services.question_answer(user=cast["bupati"], session_id=live_session.pk, question_id=question.pk,
                                 text="Ya")
    assert dismissed.value.code == "question_dismissed"
