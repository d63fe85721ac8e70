"""Every write to Q&A sessions and their questions, as plain synchronous
functions (the console, the pages, the worker and seed_demo will call the
same ones). Each refused action raises ``AppError`` with a stable code
(``qa/errors.py``) and changes nothing.

A question is stored through chat's send path (``chat.services.message_store``)
in the session's premoderated room, so premoderation, the visible ordering,
resume and the outbox are chat's; this module adds the side table. Rows
that two people may act on at once (a session, a question) are locked
(``select_for_update``) while checked and changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chat import checks as chat_checks
from chat import rules as chat_rules
from chat import selectors as chat_selectors
from chat.models import Message, MessageStatus, PostPolicy, RoomState
from chat.services import SendPlan, message_store, room_upsert
from common.counters import add_returning
from common.errors import FORBIDDEN, INVALID, NOT_FOUND, AppError
from forum.lifecycle import REASON_REQUIRED
from forum.models import Category
from forum.services import aspiration_from_question
from notify.kinds import NotificationKind
from officials.models import Agency, Official
from officials.selectors import acts_for
from qa import events, lifecycle, notifications, ranking, selectors, wire
from qa.errors import (
    ALREADY_ANSWERED,
    CLOSED,
    NOT_AN_OFFICIAL,
    NOT_IN_SESSION,
    QUESTION_DISMISSED,
    QUESTION_NOT_VISIBLE,
    QUESTION_QUOTA,
    QUESTION_TOO_LONG,
    QUESTION_TOO_SOON,
    SESSION_PERIOD,
    WRONG_SESSION,
)
from qa.lifecycle import MODERATOR, OFFICIAL, SYSTEM
from qa.models import Follow, Question, Session, SessionStatus, Vote
from qa.notifications import session_url

QUESTION_MAX_CHARS = 280
ROOM_PREFIX = "sesi-"


def _roles(user, session: Session) -> set[str]:
    """``OFFICIAL`` for the session's officials and their delegates,
    ``MODERATOR`` for moderators and administrators."""
    roles = set()
    if user is None or not user.is_authenticated:
        return roles
    if acts_for(user) & selectors.official_ids(session=session):
        roles.add(OFFICIAL)
    if user.is_moderator:
        roles.add(MODERATOR)
    return roles


def _closed(session: Session) -> AppError:
    if session.status == SessionStatus.CANCELLED:
        return AppError(CLOSED, _("This session was cancelled."))
    return AppError(CLOSED, _("This session has ended; it is read-only now."))


def _check_open(session: Session) -> None:
    if not session.is_open_for_questions:
        raise _closed(session)


def _room_state(session: Session, state: str) -> None:
    """The session's room follows it, through chat's own service."""
    room = session.room
    if room is not None and room.state != state:
        room_upsert(slug=room.slug, title=room.title, description=room.description, state=state)


# --- sessions -------------------------------------------------------------------------
def session_schedule(*, actor, title: str, officials, starts_at, ends_at, topic: str = "",
                     agency: Agency | None = None, stream_url: str = "") -> Session:
    """Schedule a session of ``officials`` (users with an official's profile)
    from ``starts_at`` to ``ends_at``; makes its premoderated room
    ``sesi-<id>``, where only officials post directly (citizens' questions
    go through ``question_ask``). Moderators and administrators schedule any
    session; an official or a delegate those they take part in."""
    if actor is None or not actor.is_authenticated:
        raise AppError(FORBIDDEN)
    title = (title or "").strip()
    if not title or len(title) > 150:
        raise AppError(INVALID, _("A session needs a title of at most 150 characters."))
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise AppError(SESSION_PERIOD)
    official_users = list({getattr(user, "pk", user) for user in officials or []})
    if not official_users:
        raise AppError(NOT_AN_OFFICIAL)
    known = set(Official.objects.filter(user_id__in=official_users, user__is_active=True)
                .values_list("user_id", flat=True))
    if known != set(official_users):
        raise AppError(NOT_AN_OFFICIAL)
    if not actor.is_moderator and not acts_for(actor) & known:
        raise AppError(FORBIDDEN)
    with transaction.atomic():
        session = Session.objects.create(title=title, topic=(topic or "").strip()[:1000], agency=agency,
                                         starts_at=starts_at, ends_at=ends_at, stream_url=stream_url or "",
                                         created_by=actor)
        session.officials.set(official_users)
        session.room, _created = room_upsert(
            slug=f"{ROOM_PREFIX}{session.pk}", title=title[:120], description=session.topic,
            state=RoomState.OPEN, post_policy=PostPolicy.STAFF, is_public=True, premoderated=True, position=1000,
            page_url=session_url(session.pk))
        session.save(update_fields=["room"])
    return session


def _move(session: Session, to_status: str, roles: set[str], now) -> None:
    """The one place a session's status changes (on a locked row)."""
    lifecycle.check(session.status, to_status, roles)
    session.status = to_status
    fields = ["status"]
    if to_status == SessionStatus.LIVE:
        session.opened_at = now
        fields.append("opened_at")
    else:
        session.closed_at = now
        fields.append("closed_at")
        _room_state(session, RoomState.CLOSED)
    session.save(update_fields=fields)
    events.session_changed(session.pk)


def _locked_session(session_id: int) -> Session:
    session = selectors.session_by_id(pk=session_id, for_update=True)
    if session is None:
        raise AppError(NOT_FOUND)
    return session


def session_open_early(*, actor, session_id: int) -> Session:
    """One of the session's officials (or a delegate, or a moderator) opens
    it before its start; the worker then closes it at its end as usual."""
    with transaction.atomic():
        session = _locked_session(session_id)
        roles = _roles(actor, session)
        if not roles:
            raise AppError(FORBIDDEN)
        _move(session, SessionStatus.LIVE, roles, timezone.now())
    return session


def session_extend(*, actor, session_id: int, ends_at=None, minutes: int | None = None) -> Session:
    """Move a scheduled or live session's end later (its officials, their
    delegates, moderators): to ``ends_at``, or by ``minutes`` (5 to 120, the
    console's "extend") from the end read under the row's lock — two
    officials extending by 15 at once extend by 30. The worker closes it at
    the new end."""
    if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool)
                                or not 5 <= minutes <= 120):
        raise AppError(INVALID, _("Extend a session by 5 to 120 minutes."))
    with transaction.atomic():
        session = _locked_session(session_id)
        if not _roles(actor, session) & {OFFICIAL, MODERATOR}:
            raise AppError(FORBIDDEN)
        _check_open(session)
        if minutes is not None:
            ends_at = session.ends_at + timedelta(minutes=minutes)
        if ends_at is None or ends_at <= session.ends_at or ends_at <= timezone.now():
            raise AppError(SESSION_PERIOD, _("The new end must be later than the current one and than now."))
        session.ends_at = ends_at
        session.save(update_fields=["ends_at"])
        events.session_changed(session.pk)
    return session


def session_cancel(*, actor, session_id: int, reason: str = "") -> Session:
    """Cancel a scheduled or live session (its officials, their delegates,
    moderators); its room is closed."""
    with transaction.atomic():
        session = _locked_session(session_id)
        roles = _roles(actor, session)
        if not roles:
            raise AppError(FORBIDDEN)
        if not session.is_open_for_questions:
            raise _closed(session)
        session.cancel_reason = (reason or "").strip()[:300]
        session.save(update_fields=["cancel_reason"])
        _move(session, SessionStatus.CANCELLED, roles, timezone.now())
        # Its followers are told (no reminder follows: the scan reminds only
        # scheduled and live sessions).
        notifications.tell(session=session, kind=notifications.CANCELLED, reason=session.cancel_reason,
                           recipients=selectors.follower_ids(session_id=session.pk, exclude=actor.pk))
    return session


def session_reschedule(*, actor, session_id: int, starts_at, ends_at) -> Session:
    """Move a session that has not opened yet to a new start and end (its
    officials, their delegates, moderators: ``lifecycle.CHANGES``). Its
    reminders move with it — the worker reads the times afresh; the
    reminders still ahead under the new time will be sent again, those
    already due are not (the followers are told the new time now)."""
    with transaction.atomic():
        session = _locked_session(session_id)
        roles = _roles(actor, session)
        if not roles:
            raise AppError(FORBIDDEN)
        _check_open(session)
        if session.status == SessionStatus.LIVE:
            raise AppError(lifecycle.ILLEGAL_TRANSITION, _("A live session cannot be moved; extend it instead."))
        lifecycle.check_change(lifecycle.RESCHEDULE, session.status, roles)
        now = timezone.now()
        if starts_at is None or ends_at is None or ends_at <= starts_at:
            raise AppError(SESSION_PERIOD)
        if starts_at <= now:
            raise AppError(SESSION_PERIOD, _("The new start must be in the future."))
        if (starts_at, ends_at) == (session.starts_at, session.ends_at):
            return session
        session.starts_at, session.ends_at = starts_at, ends_at
        session.save(update_fields=["starts_at", "ends_at"])
        events.session_changed(session.pk)
        Follow.objects.filter(session=session).update(**_stamps(session, now))
        notifications.tell(session=session, kind=notifications.RESCHEDULED,
                           recipients=selectors.follower_ids(session_id=session.pk, exclude=actor.pk))
    return session


def sessions_tick(now=None) -> dict[str, int]:
    """Periodic (``qa.sessions``): open the scheduled sessions whose start has
    come, close the live ones whose end has passed (a session missed
    entirely while no worker ran opens and closes in the same tick). The
    state is on the row, re-read under a lock: running it twice, on two
    workers or after a restart does nothing twice."""
    now = now or timezone.now()
    counts = {"opened": 0, "closed": 0}
    for session_id in list(selectors.sessions_due_to_open(moment=now).values_list("pk", flat=True)):
        with transaction.atomic():
            session = _locked_session(session_id)
            if session.status == SessionStatus.SCHEDULED and session.starts_at <= now:
                _move(session, SessionStatus.LIVE, {SYSTEM}, now)
                counts["opened"] += 1
    for session_id in list(selectors.sessions_due_to_close(moment=now).values_list("pk", flat=True)):
        with transaction.atomic():
            session = _locked_session(session_id)
            if session.status == SessionStatus.LIVE and session.ends_at <= now:
                _move(session, SessionStatus.ENDED, {SYSTEM}, now)
                counts["closed"] += 1
    return counts


# --- followers and reminders -------------------------------------------------------------
REMIND_DAY = timedelta(days=1)
REMIND_SOON = timedelta(minutes=15)
REMIND_BATCH = 1000


@dataclass(frozen=True)
class Reminder:
    name: str
    #: The ``Follow`` field stamped when it was sent.
    stamp: str
    kind: NotificationKind


DAY = Reminder("day", "day_sent_at", notifications.REMINDER_DAY)
SOON = Reminder("soon", "soon_sent_at", notifications.REMINDER_SOON)
OPEN = Reminder("open", "open_sent_at", notifications.OPENED)
REMINDERS = (DAY, SOON, OPEN)


def _reminders_come(session: Session, now) -> list[Reminder]:
    """The reminders whose moment has come for ``session`` at ``now``, in
    order: a day before the start, 15 minutes before, and the opening
    (early or on time). The one rule of when each is due."""
    if session.status == SessionStatus.LIVE:
        return list(REMINDERS)
    if session.status != SessionStatus.SCHEDULED:
        return []
    come = [DAY] if now >= session.starts_at - REMIND_DAY else []
    return come + [SOON] if now >= session.starts_at - REMIND_SOON else come


def _reminder_due(session: Session, now) -> Reminder | None:
    """What the scan sends now: the last reminder that has come (one missed
    while no worker ran is skipped, not sent late beside the next), nothing
    for a scheduled session whose start has passed (it opens first:
    ``sessions_tick``), nothing for an ended or cancelled one."""
    come = _reminders_come(session, now)
    if not come or (session.status == SessionStatus.SCHEDULED and now >= session.starts_at):
        return None
    return come[-1]


def _stamps(session: Session, now) -> dict:
    """A follow's stamps for someone who follows now, or was just told of a
    new time: the reminders whose moment has come count as had; the others
    are ahead."""
    come = _reminders_come(session, now)
    return {reminder.stamp: now if reminder in come else None for reminder in REMINDERS}


def session_follow(*, user, session_id: int) -> Follow:
    """A signed-in user follows a scheduled or live session (idempotent):
    reminded a day and 15 minutes before it starts and when it opens, told
    if it moves or is cancelled. Only the reminders still ahead are sent."""
    if user is None or not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to follow a session."))
    with transaction.atomic():
        session = _locked_session(session_id)  # a reschedule cannot move the times under us
        _check_open(session)
        follow, _created = Follow.objects.get_or_create(session=session, user=user,
                                                        defaults=_stamps(session, timezone.now()))
    return follow


def session_unfollow(*, user, session_id: int) -> bool:
    """Stop following (idempotent): no reminder reaches them any more. True if they followed."""
    if user is None or not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to follow a session."))
    if not Session.objects.filter(pk=session_id).exists():
        raise AppError(NOT_FOUND)
    removed, _rows = Follow.objects.filter(session_id=session_id, user=user).delete()
    return bool(removed)


def reminders_send(now=None) -> dict[str, int]:
    """Periodic (``qa.reminders``, every ``QA_TICK_SECONDS``): send each due
    reminder to the followers not yet reminded, in batches; each batch's
    notifications and its stamps are written in one transaction under the
    session's lock, so a second worker, a second run or a restart sends
    nothing twice, and a reschedule or cancellation (same lock) cannot
    interleave. Returns how many followers were reminded of each kind."""
    now = now or timezone.now()
    counts = {reminder.name: 0 for reminder in REMINDERS}
    for reminder in REMINDERS:
        for session_id in selectors.sessions_to_remind(stamp=reminder.stamp, moment=now, day=REMIND_DAY,
                                                       soon=REMIND_SOON):
            while True:
                with transaction.atomic():
                    session = selectors.session_by_id(pk=session_id, for_update=True)
                    if session is None or _reminder_due(session, now) is not reminder:
                        break
                    batch = selectors.follows_to_remind(session_id=session_id, stamp=reminder.stamp,
                                                        limit=REMIND_BATCH)
                    active = [user_id for _pk, user_id, is_active in batch if is_active]
                    notifications.tell(session=session, kind=reminder.kind, recipients=active)
                    Follow.objects.filter(pk__in=[pk for pk, _user, _active in batch]).update(**{reminder.stamp: now})
                    counts[reminder.name] += len(active)
                if len(batch) < REMIND_BATCH:
                    break
    return counts


def session_audience_record(*, session_id: int, count: int) -> None:
    """Keep the largest audience seen (presence counts it; the figure of the transcript)."""
    Session.objects.filter(pk=session_id, peak_audience__lt=count).update(peak_audience=count)


# --- asking and voting ---------------------------------------------------------------
def _check_limits(user, session: Session, now) -> None:
    if chat_rules.speaks_for_regency(user):
        return
    total, recent = selectors.question_counts(
        user_id=user.pk, session_id=session.pk, since=now - timedelta(seconds=settings.QA_QUESTION_INTERVAL_SECONDS))
    if total >= settings.QA_QUESTIONS_PER_SESSION:
        raise AppError(QUESTION_QUOTA)
    if recent:
        raise AppError(QUESTION_TOO_SOON, retry_after=settings.QA_QUESTION_INTERVAL_SECONDS)


@dataclass(frozen=True)
class AskPlan:
    """What ``question_ask_check`` read, for ``question_ask_store``: the
    session's room, and the question already stored under the client id
    (a retry) or ``None``."""
    room: object
    stored: Question | None
    text: str
    client_id: str
    now: object


def question_ask_check(*, user, session_id: int, body: str, client_id: str | None = None) -> AskPlan:
    """The checks of ``question_ask`` that read (sign-in, length, the
    session open, a retry, the per-citizen limits), before chat's
    ``send_check``; the limits are counted again, under the session's lock,
    in ``question_ask_store`` (two asks at once)."""
    if user is None or not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to take part."))
    text = (body or "").replace("\r\n", "\n").strip()
    if len(text) > QUESTION_MAX_CHARS:
        raise AppError(QUESTION_TOO_LONG)
    text = chat_rules.clean_body(text)
    client_id = str(client_id or uuid.uuid4())
    session = selectors.session_by_id(pk=session_id)
    if session is None or session.room is None:
        raise AppError(NOT_FOUND)
    _check_open(session)
    room, stored_id = chat_selectors.room_for_send(slug=session.room.slug, author_id=user.pk, client_id=client_id)
    if stored_id is not None:  # a retry of a question already stored
        return AskPlan(room=room, stored=selectors.question_for_wire_by_message(message_id=stored_id), text=text,
                       client_id=client_id, now=None)
    if room.state == RoomState.CLOSED:
        raise _closed(session)
    now = timezone.now()
    # Read here too, so that an ask over the limits is refused before chat's
    # rate limit counts it; counted again under the lock in question_ask_store.
    _check_limits(user, session, now)
    return AskPlan(room=room, stored=None, text=text, client_id=client_id, now=now)


def question_ask_store(*, user, session_id: int, plan: AskPlan, anonymous: bool = False) -> Question:
    """After ``question_ask_check`` and chat's ``send_check``: the limits
    under the session's lock, the message through chat's send path and the
    ``Question`` row, published after commit. Returns the question with
    ``selectors.QUESTION_RELATED`` loaded (for the reply)."""
    if plan.stored is not None:
        return plan.stored
    with transaction.atomic():
        session = _locked_session(session_id)
        _check_open(session)
        _check_limits(user, session, plan.now)
        message = message_store(plan=SendPlan(stored=None, room=plan.room), user=user, client_id=plan.client_id,
                                body=plan.text)
        question, created = Question.objects.get_or_create(
            message=message, defaults={"session": session, "anonymous": bool(anonymous)})
        if created:
            _rev, question = events.question_changed_wire(question.pk)
            if message.status == MessageStatus.HELD:
                ranking.changed(session.pk)  # one more waiting in moderation: in the next ranking frame
        else:
            question = selectors.question_for_wire(pk=question.pk)
    return question


def question_ask(*, user, session_id: int, body: str, anonymous: bool = False,
                 client_id: str | None = None) -> Question:
    """A citizen asks, before or during the session: at most 280 characters,
    one a minute and ``QA_QUESTIONS_PER_SESSION`` per session. Stored as a
    message of the session's room through chat's send path (mute and rate
    limit, screening, premoderation: held for review in the ``chat`` queue,
    the author told; idempotent by ``client_id``), with its ``Question`` row.
    The hub runs the same three steps, ``send_check`` in its event loop
    (``qa/topic.py``)."""
    plan = question_ask_check(user=user, session_id=session_id, body=body, client_id=client_id)
    if plan.stored is None:
        async_to_sync(chat_checks.send_check)(user, plan.room)  # Redis: mute and rate limit, outside any transaction
    return question_ask_store(user=user, session_id=session_id, plan=plan, anonymous=anonymous)


def _locked_question(question_id: int) -> Question:
    question = (Question.objects.select_for_update(of=("self",)).select_related("message", "session", "session__room")
                .filter(pk=question_id).first())
    if question is None:
        raise AppError(NOT_FOUND)
    return question


def _locked_for_vote(question_id: int) -> Question:
    """``_locked_question`` for a vote, which needs only whether the question
    is public in an open session: the question's row locked and its
    message's and session's states read in one plain statement, without the
    ORM compiling a three-join query and building four models on every vote
    — a live session's most frequent write, and its database work competes
    with the fan-out for the server's one interpreter lock
    (docs/performance.md, "The session's frames"). The rules stay
    ``_check_open`` and ``_public``, on the models this builds."""
    quote = connection.ops.quote_name
    q_meta, m_meta, s_meta = Question._meta, Message._meta, Session._meta

    def col(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    lock = " FOR UPDATE OF q" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.{col(q_meta, 'session')}, q.{col(q_meta, 'dismissed_at')}, m.{col(m_meta, 'status')}, "  # noqa: S608 - names from the models, not input
            f"m.{col(m_meta, 'deleted_at')}, m.{col(m_meta, 'hidden_at')}, s.{col(s_meta, 'status')} "
            f"FROM {quote(q_meta.db_table)} q JOIN {quote(m_meta.db_table)} m ON m.{quote(m_meta.pk.column)} = "
            f"q.{col(q_meta, 'message')} JOIN {quote(s_meta.db_table)} s ON s.{quote(s_meta.pk.column)} = "
            f"q.{col(q_meta, 'session')} WHERE q.{quote(q_meta.pk.column)} = %s{lock}", [question_id])
        row = cursor.fetchone()
    if row is None:
        raise AppError(NOT_FOUND)
    session_id, dismissed_at, message_status, deleted_at, hidden_at, session_status = row
    return Question(pk=question_id, session=Session(pk=session_id, status=session_status),
                    message=Message(status=message_status, deleted_at=deleted_at, hidden_at=hidden_at),
                    dismissed_at=dismissed_at)


def _public(question: Question) -> bool:
    message = question.message
    return (message.status == MessageStatus.PUBLISHED and message.is_shown and question.dismissed_at is None)


def vote_toggle(*, user, question_id: int, session_id: int | None = None) -> tuple[bool, int]:
    """One "dukung" per user, toggled; returns ``(voted now, count)``. Only a
    public question (approved, shown, not dismissed) of a session still open
    for questions. Exact under concurrency: the question's row is locked
    while the vote is added or removed and the count moved with it."""
    if user is None or not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to take part."))
    with transaction.atomic():
        question = _locked_for_vote(question_id)
        if session_id is not None and question.session_id != session_id:
            raise AppError(WRONG_SESSION)
        _check_open(question.session)
        if not _public(question):
            raise AppError(QUESTION_NOT_VISIBLE)
        removed, _rows = Vote.objects.filter(question=question, user=user).delete()
        if not removed:
            Vote.objects.create(question=question, user=user)
        (count,) = add_returning(Question, question.pk, votes=-1 if removed else 1)
        # No revision bump here (the session's row stays unlocked): the ranking
        # frame that follows bumps it once per coalesced batch (qa/ranking.py).
        ranking.changed(question.session_id, question.pk)
    return not removed, count


# --- the console -------------------------------------------------------------------------
def _console_question(user, session_id: int, question_id: int, *, moderators: bool = False,
                      after_end: bool = False) -> tuple[Question, set[str]]:
    """The locked question, for a console action by ``user``: the session's
    officials and their delegates (and moderators when ``moderators``); a
    question of this session, public, in a session open for questions (or
    ended, when ``after_end``)."""
    question = _locked_question(question_id)
    if question.session_id != session_id:
        raise AppError(WRONG_SESSION)
    session = question.session
    roles = _roles(user, session)
    if not roles & ({OFFICIAL, MODERATOR} if moderators else {OFFICIAL}):
        raise AppError(FORBIDDEN)
    if not (session.is_open_for_questions or (after_end and session.status == SessionStatus.ENDED)):
        raise _closed(session)
    if question.dismissed_at is not None:
        raise AppError(QUESTION_DISMISSED)
    if not _public(question):
        raise AppError(QUESTION_NOT_VISIBLE)
    return question, roles


def _on_behalf(user, question: Question, on_behalf_of: int | None) -> int:
    """The official ``user`` answers for: the one named, else themselves, else
    the official the question was handed to, else the first they act for."""
    mine = acts_for(user) & selectors.official_ids(session=question.session)
    if on_behalf_of is not None:
        if on_behalf_of not in mine:
            raise AppError(NOT_IN_SESSION)
        return on_behalf_of
    for choice in (user.pk, question.handed_to_official_id):
        if choice in mine:
            return choice
    return min(mine)


def question_answer(*, user, session_id: int, question_id: int, text: str,
                    on_behalf_of: int | None = None) -> Question:
    """An official of the session, or a delegate, answers a public question
    in a live session: the answer is attached to the question and shown in
    the room as a reply to it. Of two answering at once the second is
    refused (``already_answered``, naming who answered)."""
    text = chat_rules.clean_body(text or "")
    with transaction.atomic():
        question, _roles_ = _console_question(user, session_id, question_id)
        if question.answered_at is not None:
            raise AppError(ALREADY_ANSWERED, answered_by=question.answered_by.display_name
                           if question.answered_by else "")
        if question.session.status != SessionStatus.LIVE:
            raise AppError(INVALID, _("Questions are answered while the session is live."))
        answered_for = _on_behalf(user, question, on_behalf_of)
        room = question.session.room
        chat_rules.check_can_post(room, user)
        rev = wire.bump(session_id)  # before the room's row: locks are taken question, session, room
        reply = message_store(plan=SendPlan(stored=None, room=room, parent=question.message), user=user,
                              client_id=str(uuid.uuid4()), body=text)
        question.answer, question.answered_at = text, timezone.now()
        question.answered_by_id, question.answered_for_id, question.answer_message = user.pk, answered_for, reply
        question.save(update_fields=["answer", "answered_at", "answered_by", "answered_for", "answer_message"])
        events.question_changed(question.pk, rev=rev)
        notifications.tell_asker(question=question, kind=notifications.ANSWERED)
    return question


def question_highlight(*, user, session_id: int, question_id: int, on: bool = True) -> Question:
    """Show a public question on top for everyone (or stop)."""
    with transaction.atomic():
        question, _roles_ = _console_question(user, session_id, question_id)
        if question.highlighted != on:
            question.highlighted = on
            question.save(update_fields=["highlighted"])
            events.question_changed(question.pk)
    return question


def question_dismiss(*, user, session_id: int, question_id: int, reason: str) -> Question:
    """Set a public question aside, with a reason (the session's officials,
    their delegates, moderators). It leaves the ranking and takes no votes."""
    reason = (reason or "").strip()
    if not reason:
        raise AppError(REASON_REQUIRED)
    with transaction.atomic():
        question, _roles_ = _console_question(user, session_id, question_id, moderators=True)
        if question.answered_at is not None:
            raise AppError(ALREADY_ANSWERED)
        question.dismissed_at, question.dismiss_reason, question.highlighted = timezone.now(), reason[:300], False
        question.save(update_fields=["dismissed_at", "dismiss_reason", "highlighted"])
        events.question_changed(question.pk)
    return question


def question_hand_over(*, user, session_id: int, question_id: int, to_official_id: int | None = None,
                       to_agency_id: int | None = None) -> Question:
    """Hand a question to another official of the session, or to an agency
    (exactly one of the two)."""
    if (to_official_id is None) == (to_agency_id is None):
        raise AppError(INVALID, _("Hand the question to one official of the session or to one agency."))
    with transaction.atomic():
        question, _roles_ = _console_question(user, session_id, question_id)
        if question.answered_at is not None:
            raise AppError(ALREADY_ANSWERED)
        if to_official_id is not None:
            if to_official_id not in selectors.official_ids(session=question.session):
                raise AppError(NOT_IN_SESSION)
            question.handed_to_official_id, question.handed_to_agency_id = to_official_id, None
        else:
            if not Agency.objects.filter(pk=to_agency_id).exists():
                raise AppError(NOT_FOUND)
            question.handed_to_agency_id, question.handed_to_official_id = to_agency_id, None
        question.save(update_fields=["handed_to_official", "handed_to_agency"])
        events.question_changed(question.pk)
        notifications.tell_asker(question=question, kind=notifications.HANDED_OVER)
    return question


def question_answer_later(*, user, session_id: int, question_id: int, agency_id: int,
                          category_slug: str = "lainnya", kecamatan: str | None = None) -> Question:
    """"Answer later": the question becomes one aspiration in the forum,
    forwarded to the chosen agency with its deadline, its asker as author,
    linked both ways (``question.aspiration``, ``aspiration.qa_question``).
    Idempotent on the locked question row: clicked twice, or by two
    delegates at once, it makes one aspiration. Allowed after the session
    ended too: a question left over must not vanish."""
    with transaction.atomic():
        question, _roles_ = _console_question(user, session_id, question_id, after_end=True)
        if question.aspiration_id is not None:
            return question
        if question.answered_at is not None:
            raise AppError(ALREADY_ANSWERED)
        agency = Agency.objects.filter(pk=agency_id).first()
        if agency is None:
            raise AppError(NOT_FOUND, _("Choose the agency to forward it to."))
        category = Category.objects.filter(slug=category_slug, active=True).first()
        if category is None:
            raise AppError(INVALID, _("Choose a category."))
        author = question.message.author
        text = question.message.body
        session = question.session
        title = text if len(text) <= 150 else text[:149] + "…"
        origin = gettext("Asked in the Q&A session “%(session)s” on %(date)s.") % {
            "session": session.title, "date": timezone.localtime(session.starts_at).strftime("%d-%m-%Y")}
        question.aspiration = aspiration_from_question(
            author=author, actor=user, title=title, body=f"{text}\n\n{origin}", agency=agency, category=category,
            kecamatan=kecamatan or author.kecamatan, anonymous=question.anonymous, origin=origin)
        question.handed_to_agency = agency
        question.save(update_fields=["aspiration", "handed_to_agency"])
        events.question_changed(question.pk)
        notifications.tell_asker(question=question, kind=notifications.CARRIED_OVER)
    return question


# --- what chat's moderation did to a question's message ------------------------------------
def question_moderated(*, message_id: int, decided: bool) -> None:
    """After chat committed a moderation step on a room message (``chat.signals.
    message_changed``): when the message is a question, the watchers get it
    as it is now (approved: it appears; hidden or removed: it goes), its
    author their own copy (``mine``), and a decision moves the session's
    waiting count. When the message is a question's answer, the question
    goes out with its answer hidden or shown again."""
    found = selectors.question_of_message(message_id=message_id)
    if found is None:
        return
    question_id, is_answer = found
    with transaction.atomic():
        if is_answer:
            # Hidden after reports, removed or shown again: the question goes to
            # its watchers with the answer as it now is.
            events.question_changed(question_id)
        else:
            events.question_changed(question_id, tell_author=True, waiting=decided)
