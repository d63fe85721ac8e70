"""Reads of Q&A sessions and their questions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chat.models import MessageStatus
from officials.selectors import acts_for
from qa.models import Question, Session, SessionStatus, Vote


def session_by_id(*, pk: int, for_update: bool = False) -> Session | None:
    sessions = Session.objects.select_related("room", "agency")
    if for_update:
        sessions = sessions.select_for_update(of=("self",))
    return sessions.filter(pk=pk).first()


def official_ids(*, session: Session) -> set[int]:
    return set(session.officials.values_list("pk", flat=True))


def sessions_of(*, user) -> list[Session]:
    """The schedule of the sessions ``user`` takes part in, themselves or as a delegate."""
    ids = acts_for(user)
    if not ids:
        return []
    return list(Session.objects.filter(officials__in=ids).distinct().select_related("agency", "room"))


def sessions_due_to_open(*, moment) -> QuerySet[Session]:
    return Session.objects.filter(status=SessionStatus.SCHEDULED, starts_at__lte=moment).order_by("starts_at")


def sessions_due_to_close(*, moment) -> QuerySet[Session]:
    return Session.objects.filter(status=SessionStatus.LIVE, ends_at__lte=moment).order_by("ends_at")


def _public_q() -> Q:
    """Approved by moderation, still shown, not dismissed."""
    return Q(message__status=MessageStatus.PUBLISHED, message__deleted_at__isnull=True,
             message__hidden_at__isnull=True, dismissed_at__isnull=True)


def questions_ranked(*, session_id: int) -> list[Question]:
    """The public questions of a session: highlighted first, then by votes, then oldest first."""
    return list(Question.objects.filter(_public_q(), session_id=session_id).select_related("message", "message__author")
                .order_by("-highlighted", "-votes", "created_at", "pk"))


def questions_waiting(*, session_id: int) -> int:
    """How many questions wait in moderation."""
    return Question.objects.filter(session_id=session_id, message__status=MessageStatus.HELD).count()


def question_counts(*, user_id: int, session_id: int, since) -> tuple[int, int]:
    """``(questions in the session, questions since ``since``)`` of one asker;
    rejected ones count too (every attempt that reached the queue)."""
    mine = Question.objects.filter(session_id=session_id, message__author_id=user_id)
    return mine.count(), mine.filter(created_at__gte=since).count()


# --- the live topic (qa/topic.py, qa/events.py) -------------------------------------------
#: What ``events.question_to_wire`` reads.
QUESTION_RELATED = ("message", "message__author", "answered_by", "answered_for__official", "handed_to_official",
                    "handed_to_agency")


def question_for_wire(*, pk: int) -> Question:
    return Question.objects.select_related(*QUESTION_RELATED).get(pk=pk)


def session_for_wire(*, pk: int) -> Session | None:
    return (Session.objects.prefetch_related("officials__official__agency").filter(pk=pk).first())


def session_rev(*, pk: int) -> int | None:
    return Session.objects.filter(pk=pk).values_list("rev", flat=True).first()


def questions_shown(*, session_id: int) -> list[Question]:
    """What the audience sees: the public questions and the answered ones,
    ranked (highlighted first, then by votes, then oldest first)."""
    return list(Question.objects.filter(_public_q(), session_id=session_id).select_related(*QUESTION_RELATED)
                .order_by("-highlighted", "-votes", "created_at", "pk"))


def questions_of(*, session_id: int, user_id: int) -> list[Question]:
    """One asker's questions in a session, in every state, oldest first."""
    return list(Question.objects.filter(session_id=session_id, message__author_id=user_id)
                .select_related(*QUESTION_RELATED).order_by("created_at", "pk"))


def voted_ids(*, session_id: int, user_id: int) -> list[int]:
    return list(Vote.objects.filter(question__session_id=session_id, user_id=user_id)
                .values_list("question_id", flat=True).order_by("question_id"))


def vote_counts(*, question_ids) -> tuple[int, list[tuple[int, int]]]:
    """``(the session's revision, [(question id, votes)])`` read now (after
    commit): the revision first, so the counts are at least as new as it."""
    ids = sorted(set(question_ids))
    if not ids:
        return 0, []
    session_id = Question.objects.filter(pk=ids[0]).values_list("session_id", flat=True).first()
    rev = (session_rev(pk=session_id) or 0) if session_id is not None else 0
    return rev, list(Question.objects.filter(pk__in=ids).values_list("pk", "votes").order_by("pk"))


def question_of_message(*, message_id: int) -> int | None:
    """The question a room message is, if any (moderation decided on it)."""
    return Question.objects.filter(message_id=message_id).values_list("pk", flat=True).first()
