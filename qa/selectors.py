"""Reads of Q&A sessions and their questions."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from chat.models import MessageStatus
from officials.selectors import acts_for
from qa.models import Follow, Question, Session, SessionStatus


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


# --- followers and reminders ----------------------------------------------------------------
def is_following(*, user, session_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(session_id=session_id, user=user).exists()


def follow_state(*, user, session: Session) -> dict:
    """What ``qa/_follow.html`` needs: ``session``, ``following``, ``followers`` (a count)."""
    return {"session": session, "following": is_following(user=user, session_id=session.pk),
            "followers": Follow.objects.filter(session=session).count()}


def follower_ids(*, session_id: int, exclude: int | None = None) -> list[int]:
    """Active followers of a session, by id."""
    rows = Follow.objects.filter(session_id=session_id, user__is_active=True)
    if exclude is not None:
        rows = rows.exclude(user_id=exclude)
    return list(rows.order_by("user_id").values_list("user_id", flat=True))


def sessions_to_remind(*, stamp: str, moment, day: timedelta, soon: timedelta) -> list[int]:
    """Sessions in the window of the reminder stamped ``stamp`` (``day_sent_at``,
    ``soon_sent_at``, ``open_sent_at``) at ``moment`` with a follower not yet
    reminded (one probe of the session's follows). A first cut only:
    ``services.reminders_send`` decides again on the locked row."""
    if stamp == "day_sent_at":
        sessions = Session.objects.filter(status=SessionStatus.SCHEDULED, starts_at__lte=moment + day,
                                          starts_at__gt=moment + soon)
    elif stamp == "soon_sent_at":
        sessions = Session.objects.filter(status=SessionStatus.SCHEDULED, starts_at__lte=moment + soon)
    else:
        sessions = Session.objects.filter(status=SessionStatus.LIVE)
    waiting = Follow.objects.filter(session=OuterRef("pk"), **{f"{stamp}__isnull": True})
    return list(sessions.filter(Exists(waiting)).order_by("starts_at", "pk").values_list("pk", flat=True))


def follows_to_remind(*, session_id: int, stamp: str, limit: int) -> list[tuple[int, int, bool]]:
    """``(follow id, user id, user active)`` of followers not yet reminded, at most ``limit``."""
    return list(Follow.objects.filter(session_id=session_id, **{f"{stamp}__isnull": True})
                .order_by("pk").values_list("pk", "user_id", "user__is_active")[:limit])
