"""Every write to rooms and messages, as plain synchronous functions:
callable alike from the room's topic kind (``chat/topic.py``, which runs them
in the database thread), a view, the admin, a command or a job.

Each write persists, then publishes after commit (``publish_on_commit``); a
client that missed the event reads it back by id. Sending is in two parts:
``send_check`` (may this user post this now? guards, rate limit, slow mode;
``chat/checks.py``) and ``message_store``; ``message_send`` runs both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat import checks, rules, selectors, signals
from chat.errors import EDIT_WINDOW
from chat.models import HELD_QUEUE, MESSAGE_TARGET, Message, MessageRevision, MessageStatus, Room
from chat.notifications import notify_chat_message
from chat.serializers import ack_frame, deleted_frame, held_frame, message_frame
from common.counters import add_returning
from common.errors import AppError
from common.sanitize import render_text
from moderation.screening import screen
from moderation.services import item_enqueue
from realtime.errors import FORBIDDEN, INVALID, NOT_FOUND
from realtime.events import publish_on_commit


def room_upsert(*, slug: str, title: str, description: str = "", **options) -> tuple[Room, bool]:
    """Create or update a room by slug (idempotent). ``options``: ``state``,
    ``post_policy``, ``is_public``, ``premoderated``, ``slow_mode_seconds``, ``position``."""
    return Room.objects.update_or_create(slug=slug, defaults={"title": title, "description": description, **options})


def _advance(room_id: int, *, new_message: bool) -> tuple[int | None, int]:
    """The room's next revision, and for a message becoming visible its next
    visible id. Call inside a transaction: the room row stays locked until
    commit, so both are strictly increasing and gap-free (one statement:
    ``common.counters.add_returning``)."""
    last_seq, last_rev = add_returning(Room, room_id, last_seq=1 if new_message else 0, last_rev=1)
    return (last_seq if new_message else None), last_rev


def _changed_on_commit(message: Message, *, decided: bool) -> None:
    """Tell the apps embedding the room (``signals.message_changed``) after commit."""
    transaction.on_commit(lambda: signals.message_changed.send(
        sender=Message, message_id=message.pk, room_id=message.room_id, decided=decided), robust=True)


def _touch(message: Message) -> None:
    """Record a visible change of ``message`` (edit, delete, hide, restore)."""
    _seq, message.rev = _advance(message.room_id, new_message=False)
    Message.objects.filter(pk=message.pk).update(rev=message.rev)


def message_make_visible(*, message: Message) -> Message:
    """Give a message its visible id and publish it (after commit).
    Emits ``message`` to ``room.<slug>``.

    Here and in the other services that run inside a caller's transaction,
    ``savepoint=False``: nothing catches a failure half-way, and on
    PostgreSQL each savepoint is two more round trips."""
    with transaction.atomic(savepoint=False):
        message.seq, message.rev = _advance(message.room_id, new_message=True)
        message.status = MessageStatus.PUBLISHED
        message.save(update_fields=["seq", "rev", "status"])
        _published(message)
    return message


def _published(message: Message) -> None:
    """A message has just become visible: ``message`` to the room after commit, and its notifications."""
    publish_on_commit(message.room.topic, message_frame(message), seq=message.seq)
    notify_chat_message(message)


def _hold(message: Message, reasons: list[str]) -> None:
    """Tell the author alone that the message waits for review (emits
    ``message.held`` to the author's sockets on the room), and put it in
    front of the moderators (queue ``chat``)."""
    publish_on_commit(message.room.topic, held_frame(message), user_id=message.author_id)
    item_enqueue(queue=HELD_QUEUE, target_kind=MESSAGE_TARGET, target_id=message.pk, author_id=message.author_id,
                 reasons=reasons, fresh=True)


def message_decide(*, message: Message, approve: bool, reason: str = "", body: str | None = None) -> Message:
    """Publish a held message (optionally with a replacement ``body``, e.g.
    personal data masked) or reject it. The author's sockets get an ``ack``
    with the outcome; an approved message gets its visible id now."""
    with transaction.atomic(savepoint=False):
        if body is not None:
            message.body = body
            message.html = render_text(body)
            message.save(update_fields=["body", "html"])
        if approve:
            message_make_visible(message=message)
        else:
            message.status = MessageStatus.REJECTED
            message.hold_reason = reason[:200]
            message.save(update_fields=["status", "hold_reason"])
        publish_on_commit(message.room.topic, ack_frame(message), user_id=message.author_id)
        _changed_on_commit(message, decided=True)
    return message


@dataclass(frozen=True)
class SendPlan:
    """What ``send_prepare`` found: the message already stored under this
    ``client_id`` (a retry: nothing more to do), else the room (its post
    rules passed) and the message replied to."""

    stored: Message | None
    room: Room | None = None
    parent: Message | None = None


def send_prepare(*, user, room_slug: str, client_id: str, reply_to: int | None) -> SendPlan:
    """One trip to the database before a send: raises ``AppError``
    (forbidden, not_found, closed, invalid) when the user may not post there."""
    if not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to take part."))
    room, stored_id = selectors.room_for_send(slug=room_slug, author_id=user.pk, client_id=client_id)
    if room is None:
        raise AppError(NOT_FOUND)
    if stored_id is not None:
        return SendPlan(stored=selectors.message_full(pk=stored_id))
    rules.check_can_post(room, user)
    parent = None
    if reply_to is not None:
        parent = selectors.message_by_seq(room_id=room.pk, seq=reply_to)
        if parent is None:
            raise AppError(INVALID, _("The message you reply to does not exist."))
    return SendPlan(stored=None, room=room, parent=parent)


def message_store(*, plan: SendPlan, user, client_id: str, body: str) -> Message:
    """Store a message whose send passed ``send_prepare`` and ``checks.send_check``.
    Idempotent by ``(room, user, client_id)``: a retry racing in from another
    socket returns the message stored first. Screened by moderation's rules
    (officials and moderators exempt): held for review, or visible at once —
    emits ``message`` to ``room.<slug>`` after commit."""
    if plan.stored is not None:
        return plan.stored
    room, text, exempt = plan.room, rules.clean_body(body), rules.speaks_for_regency(user)
    try:
        with transaction.atomic():
            reasons = [] if exempt else screen(kind=MESSAGE_TARGET, author=user, text=text)
            if room.premoderated and not exempt:
                reasons.insert(0, "premoderated")
            # Visible at once: its id and revision first, so that the row is
            # written once (the room stays locked until commit, as in
            # message_make_visible; a retry's IntegrityError rolls both back).
            seq, rev = (None, 0) if reasons else _advance(room.pk, new_message=True)
            message = Message.objects.create(
                room=room, author=user, client_id=client_id, body=text, html=render_text(text),
                reply_to=plan.parent, status=MessageStatus.HELD if reasons else MessageStatus.PUBLISHED,
                hold_reason=", ".join(reasons)[:200], seq=seq, rev=rev,
            )
            if reasons:
                _hold(message, reasons)
            else:
                _published(message)
            return message
    except IntegrityError:
        existing = selectors.message_by_client_id(room_id=room.pk, author_id=user.pk, client_id=client_id)
        if existing is None:
            raise
        return existing


def message_send(*, user, room_slug: str, client_id: str, body: str, reply_to: int | None = None) -> Message:
    """Post ``body`` to a room as ``user`` from synchronous code: prepare,
    check, store (the socket path, ``chat/topic.py``, runs the same three
    steps with the database work in the database thread). Raises ``AppError``
    (forbidden, closed, muted, invalid, rate_limited) and then stores nothing."""
    plan = send_prepare(user=user, room_slug=room_slug, client_id=client_id, reply_to=reply_to)
    if plan.stored is None:
        rules.clean_body(body)  # an invalid body costs no rate-limit hit
        async_to_sync(checks.send_check)(user, plan.room)
    return message_store(plan=plan, user=user, client_id=client_id, body=body)


def _own_visible_message(*, user, room_id: int, seq: int) -> Message:
    if not user.is_authenticated:
        raise AppError(FORBIDDEN, _("Sign in to take part."))
    rows = list(Message.objects.select_for_update(of=("self",)).select_related("author", "reply_to", "room")
                .filter(room_id=room_id, seq=seq).order_by()[:1])
    message = rows[0] if rows else None
    if message is None or not message.is_shown:
        raise AppError(NOT_FOUND)
    return message


def message_edit(*, user, room_id: int, seq: int, body: str) -> Message:
    """The author edits within ``CHAT_EDIT_WINDOW_SECONDS``, where they may
    post now (a closed room, a read-only one for citizens: refused as a send
    is; the mute is checked before, ``checks.mute_check``); the old text is
    kept as a revision. Emits ``message.updated`` after commit."""
    text = rules.clean_body(body)
    with transaction.atomic():
        message = _own_visible_message(user=user, room_id=room_id, seq=seq)
        if message.author_id != user.pk:
            raise AppError(FORBIDDEN, _("Only the author may edit a message."))
        rules.check_can_post(message.room, user)
        if timezone.now() - message.created_at > timedelta(seconds=settings.CHAT_EDIT_WINDOW_SECONDS):
            raise AppError(EDIT_WINDOW)
        if text == message.body:
            return message
        if not rules.speaks_for_regency(user) and screen(kind=MESSAGE_TARGET, author=user, text=text, editing=True):
            # A published message cannot wait for review again: the edit is refused.
            raise AppError(FORBIDDEN, _("This change would need a moderator's review; send it as a new message."))
        MessageRevision.objects.create(message=message, body=message.body)
        message.body = text
        message.html = render_text(text)
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "html", "edited_at"])
        _touch(message)
        publish_on_commit(message.room.topic, message_frame(message, "message.updated"))
    return message


def _tombstone(message: Message, by) -> None:
    message.deleted_at = timezone.now()
    message.deleted_by = by
    message.body = ""
    message.html = ""
    message.save(update_fields=["deleted_at", "deleted_by", "body", "html"])
    message.revisions.all().delete()
    if message.seq is not None:
        _touch(message)
    publish_on_commit(message.room.topic, deleted_frame(message))
    _changed_on_commit(message, decided=False)


def message_delete(*, user, room_id: int, seq: int) -> Message:
    """The author, or a moderator, removes a message; a tombstone keeps its id.
    Emits ``message.deleted`` after commit."""
    with transaction.atomic():
        message = _own_visible_message(user=user, room_id=room_id, seq=seq)
        if message.author_id != user.pk and not user.is_moderator:
            raise AppError(FORBIDDEN, _("Only the author or a moderator may delete a message."))
        _tombstone(message, user)
    return message


def message_remove(*, message: Message, moderator) -> Message:
    """A moderator upholds a report: the message becomes a tombstone for good.
    Emits ``message.deleted`` after commit."""
    with transaction.atomic(savepoint=False):
        if message.deleted_at is None:
            _tombstone(message, moderator)
    return message


def message_hide(*, message: Message) -> Message:
    """Hide a reported message pending review (it looks deleted to everyone).
    Emits ``message.deleted`` after commit."""
    with transaction.atomic(savepoint=False):
        if message.hidden_at is None and message.deleted_at is None:
            message.hidden_at = timezone.now()
            message.save(update_fields=["hidden_at"])
            if message.seq is not None:
                _touch(message)
                publish_on_commit(message.room.topic, deleted_frame(message))
            _changed_on_commit(message, decided=False)
    return message


def message_restore(*, message: Message) -> Message:
    """Show a hidden message again (a moderator kept it). Emits
    ``message.updated`` with its text after commit."""
    with transaction.atomic(savepoint=False):
        if message.hidden_at is not None:
            message.hidden_at = None
            message.save(update_fields=["hidden_at"])
            if message.seq is not None and message.deleted_at is None:
                _touch(message)
                publish_on_commit(message.room.topic, message_frame(message, "message.updated"))
            _changed_on_commit(message, decided=False)
    return message
