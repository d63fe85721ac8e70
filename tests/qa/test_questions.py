"""Asking and voting: through chat's premoderated send path, the limits, one
vote per user toggled and exact under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from chat.models import MessageStatus
from common.errors import AppError
from moderation.models import QueueItem
from qa import services
from qa.models import Question, Vote
from qa.selectors import questions_ranked, questions_waiting
from tests.hub import create_user
from tests.qa.helpers import approve, ask, asked_and_approved


def test_a_question_is_a_held_message_of_the_session_room(cast, live_session):
    question = ask(cast["siti"], live_session, anonymous=True)
    message = question.message
    assert (message.room_id, message.status, message.seq) == (live_session.room_id, MessageStatus.HELD, None)
    assert question.anonymous and question.session_id == live_session.pk
    item = QueueItem.objects.get(target_kind="chat.message", target_id=message.pk)
    assert (item.queue, item.reasons[0]) == ("chat", "premoderated")
    assert questions_waiting(session_id=live_session.pk) == 1 and questions_ranked(session_id=live_session.pk) == []
    approve(question, cast["moderator"])
    assert question.message.seq == 1 and questions_waiting(session_id=live_session.pk) == 0
    assert [q.pk for q in questions_ranked(session_id=live_session.pk)] == [question.pk]


def test_a_retry_with_the_same_client_id_stores_one_question(cast, live_session):
    first = ask(cast["siti"], live_session, client_id="6b1f1c9e-0000-4000-8000-000000000001")
    again = ask(cast["siti"], live_session, client_id="6b1f1c9e-0000-4000-8000-000000000001")
    assert first.pk == again.pk and Question.objects.count() == 1


def test_questions_are_at_most_280_characters(cast, live_session):
    with pytest.raises(AppError) as refused:
        ask(cast["siti"], live_session, "a" * 281)
    assert refused.value.code == "question_too_long"
    assert ask(cast["siti"], live_session, "a" * 280).pk
    with pytest.raises(AppError) as empty:
        ask(cast["budi"], live_session, "   ")
    assert empty.value.code == "invalid"
    assert Question.objects.count() == 1


def test_one_question_a_minute_and_a_number_per_session(cast, live_session, settings):
    ask(cast["siti"], live_session)
    with pytest.raises(AppError) as soon:
        ask(cast["siti"], live_session, "Pertanyaan kedua")
    assert soon.value.code == "question_too_soon" and soon.value.extra["retry_after"] == 60
    settings.QA_QUESTION_INTERVAL_SECONDS = 0
    settings.QA_QUESTIONS_PER_SESSION = 2
    ask(cast["siti"], live_session, "Pertanyaan kedua")
    with pytest.raises(AppError) as quota:
        ask(cast["siti"], live_session, "Pertanyaan ketiga")
    assert quota.value.code == "question_quota_reached"
    assert Question.objects.filter(message__author=cast["siti"]).count() == 2
    ask(cast["budi"], live_session)  # the limits are per citizen


def test_questions_are_gathered_before_the_session_opens(cast):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(days=1)
    session = services.session_schedule(actor=cast["moderator"], title="Sesi besok", officials=[cast["bupati"]],
                                        starts_at=start, ends_at=start + timedelta(hours=1))
    assert ask(cast["siti"], session).message.status == MessageStatus.HELD


def test_votes_are_toggled_one_per_user(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    assert services.vote_toggle(user=cast["budi"], question_id=question.pk) == (True, 1)
    assert services.vote_toggle(user=cast["siti"], question_id=question.pk) == (True, 2)
    assert services.vote_toggle(user=cast["budi"], question_id=question.pk) == (False, 1)
    assert Vote.objects.filter(question=question).count() == 1


def test_voting_on_a_pending_or_dismissed_question_is_refused(cast, live_session):
    pending = ask(cast["siti"], live_session)
    with pytest.raises(AppError) as waiting:
        services.vote_toggle(user=cast["budi"], question_id=pending.pk)
    assert waiting.value.code == "question_not_visible"
    approve(pending, cast["moderator"])
    services.question_dismiss(user=cast["bupati"], session_id=live_session.pk, question_id=pending.pk,
                              reason="Di luar topik")
    with pytest.raises(AppError) as dismissed:
        services.vote_toggle(user=cast["budi"], question_id=pending.pk)
    assert dismissed.value.code == "question_not_visible"
    pending.refresh_from_db()
    assert pending.votes == 0 and not Vote.objects.exists()
    assert questions_ranked(session_id=live_session.pk) == []


def test_voting_in_an_ended_session_is_refused(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    services.sessions_tick(now=live_session.ends_at)
    with pytest.raises(AppError) as closed:
        services.vote_toggle(user=cast["budi"], question_id=question.pk)
    assert closed.value.code == "closed"


def test_votes_are_exact_under_concurrency(cast, live_session):
    question = asked_and_approved(cast["siti"], live_session, cast["moderator"])
    voters = [create_user(f"warga{n}") for n in range(12)]

    def toggle(user):
        try:
            return services.vote_toggle(user=user, question_id=question.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        first = list(pool.map(toggle, voters))
    assert all(voted for voted, _count in first)
    # Each vote was told the count it made: one each, 1 to 12, none twice.
    assert sorted(count for _voted, count in first) == list(range(1, 13))
    question.refresh_from_db()
    assert question.votes == Vote.objects.filter(question=question).count() == 12
    with ThreadPoolExecutor(max_workers=6) as pool:
        second = list(pool.map(toggle, voters[:5]))
    assert not any(voted for voted, _count in second)
    assert sorted(count for _voted, count in second) == list(range(7, 12))
    question.refresh_from_db()
    assert question.votes == Vote.objects.filter(question=question).count() == 7


def test_the_ranking_is_highlight_then_votes_then_age(cast, live_session, settings):
    settings.QA_QUESTION_INTERVAL_SECONDS = 0
    old = asked_and_approved(cast["siti"], live_session, cast["moderator"], "Pertanyaan lama")
    new = asked_and_approved(cast["budi"], live_session, cast["moderator"], "Pertanyaan baru")
    voted = asked_and_approved(cast["siti"], live_session, cast["moderator"], "Pertanyaan didukung")
    services.vote_toggle(user=cast["budi"], question_id=voted.pk)
    assert [q.pk for q in questions_ranked(session_id=live_session.pk)] == [voted.pk, old.pk, new.pk]
    services.question_highlight(user=cast["wabup"], session_id=live_session.pk, question_id=new.pk)
    assert [q.pk for q in questions_ranked(session_id=live_session.pk)] == [new.pk, voted.pk, old.pk]
