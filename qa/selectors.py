"""Reads of Q&A sessions and their questions."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from chat.models import MessageStatus
from officials.selectors import acts_for
from qa.models import Follow, Question, Session, SessionStatus, Vote


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
    return list(Session.objects.filter(officials__in=ids).distinct().select_related("agency", "room")
                .prefetch_related("officials__official"))


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


# --- the live topic (qa/topic.py, qa/wire.py) ---------------------------------------------
#: What ``wire.question_to_wire`` reads.
QUESTION_RELATED = ("message", "message__author", "answered_by", "answered_for__official", "answer_message",
                    "handed_to_official", "handed_to_agency")


def question_for_wire(*, pk: int) -> Question:
    return Question.objects.select_related(*QUESTION_RELATED).get(pk=pk)


def question_for_wire_by_message(*, message_id: int) -> Question:
    return Question.objects.select_related(*QUESTION_RELATED).get(message_id=message_id)


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


def vote_counts(*, question_ids) -> list[tuple[int, int]]:
    """``[(question id, votes)]`` read now."""
    return list(Question.objects.filter(pk__in=sorted(set(question_ids))).values_list("pk", "votes").order_by("pk"))


def question_of_message(*, message_id: int) -> tuple[int, bool] | None:
    """The question a room message is or answers, if any (moderation decided
    on it, hid or showed it): ``(question id, the message is its answer)``."""
    found = (Question.objects.filter(Q(message_id=message_id) | Q(answer_message_id=message_id))
             .values_list("pk", "answer_message_id").first())
    return None if found is None else (found[0], found[1] == message_id)


# --- what the pages and the console show (docs/sessions.md, "Pages") -----------------------
def schedule_groups(sessions) -> dict[str, list[Session]]:
    """The live sessions, the upcoming ones (soonest first) and the past ones
    (ended or cancelled, latest first)."""
    sessions = sorted(sessions, key=lambda s: (s.starts_at, s.pk))
    return {
        "live": [s for s in sessions if s.status == SessionStatus.LIVE],
        "upcoming": [s for s in sessions if s.status == SessionStatus.SCHEDULED],
        "past": sorted((s for s in sessions if s.status in (SessionStatus.ENDED, SessionStatus.CANCELLED)),
                       key=lambda s: (s.starts_at, s.pk), reverse=True),
    }


def schedule() -> dict[str, list[Session]]:
    """``/sesi/``: every session, grouped."""
    return schedule_groups(Session.objects.select_related("agency").prefetch_related("officials__official"))


def home_sessions(*, upcoming: int = 3) -> dict:
    """The home page: the live sessions, if any, and the next ``upcoming`` ones."""
    sessions = Session.objects.select_related("agency").prefetch_related("officials__official")
    return {"live": list(sessions.filter(status=SessionStatus.LIVE)),
            "upcoming": list(sessions.filter(status=SessionStatus.SCHEDULED)[:upcoming])}


def session_with_officials(*, pk: int) -> Session | None:
    return (Session.objects.select_related("room", "agency").prefetch_related("officials__official__agency")
            .filter(pk=pk).first())


def figures(*, session: Session) -> dict[str, int]:
    """An ended session's figures: questions asked (every one that reached
    moderation), approved, answered, carried over into the forum, and the
    largest audience seen."""
    counts = Question.objects.filter(session=session).aggregate(
        asked=Count("pk"),
        approved=Count("pk", filter=Q(message__status=MessageStatus.PUBLISHED)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        carried_over=Count("pk", filter=Q(aspiration__isnull=False)),
    )
    counts["peak_audience"] = session.peak_audience
    return counts
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
