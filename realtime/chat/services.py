"""Every write to rooms and messages.

Each write persists, then publishes after commit (``publish_on_commit``); a
client that missed the event reads it back by id.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from realtime.chat import hooks, rules, selectors
from realtime.chat.models import Message, MessageRevision, MessageStatus, Room
from realtime.chat.serializers import ack_frame, deleted_frame, held_frame, message_frame
from realtime.hub import ratelimit
from realtime.hub.db import db_async
from realtime.hub.errors import EDIT_WINDOW, FORBIDDEN, INVALID, NOT_FOUND, RATE_LIMITED, HubError
from realtime.hub.events import publish_on_commit
from realtime.notify.triggers import notify_chat_message
from realtime.sanitize import render_text


def room_upsert(*, slug: str, title: str, description: str = "", **options) -> tuple[Room, bool]:
    """Create or update a room by slug (idempotent). ``options``: ``state``,
    ``post_policy``, ``is_public``, ``premoderated``, ``slow_mode_seconds``, ``position``."""
    return Room.objects.update_or_create(slug=slug, defaults={"title": title, "description": description, **options})


def _advance(room_id: int, *, new_message: bool) -> tuple[int | None, int]:
    """The room's next revision, and for a message becoming visible its next
    visible id. Call inside a transaction: the room row stays locked until
    commit, so both are strictly increasing and gap-free."""
    room = Room.objects.select_for_update().only("last_seq", "last_rev").get(pk=room_id)
    room.last_rev += 1
    if new_message:
        room.last_seq += 1
    Room.objects.filter(pk=room_id).update(last_seq=room.last_seq, last_rev=room.last_rev)
    return (room.last_seq if new_message else None), room.last_rev


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
        publish_on_commit(message.room.topic, message_frame(message), seq=message.seq)
        notify_chat_message(message)
    return message


def _announce_held(message: Message, reasons: list[str]) -> None:
    """Tell the author alone that the message waits for review (emits
    ``message.held`` to the author's sockets on the room), and hand it to
    the apps that review held messages."""
    publish_on_commit(message.room.topic, held_frame(message), user_id=message.author_id)
    for handler in hooks.on_held:
        handler(message, reasons)


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
    return message


def _store(*, room: Room, user, client_id: str, body: str, reply_to: Message | None, exempt: bool) -> Message:
    try:
        with transaction.atomic():
            reasons = [] if exempt else hooks.screen(user, room, body)
            if room.premoderated and not exempt:
                reasons.insert(0, "premoderated")
            message = Message.objects.create(
                room=room, author=user, client_id=client_id, body=body, html=render_text(body),
                reply_to=reply_to, status=MessageStatus.HELD if reasons else MessageStatus.PUBLISHED,
                hold_reason=", ".join(reasons)[:200],
            )
            if reasons:
                _announce_held(message, reasons)
            else:
                message_make_visible(message=message)
            return message
    except IntegrityError:
        # The same client_id raced in from another socket: that one won.
        existing = selectors.message_by_client_id(room_id=room.pk, author_id=user.pk, client_id=client_id)
        if existing is None:
            raise
        return existing


def _prepare_send(*, user, room_slug: str, client_id: str, reply_to: int | None):
    """One trip to the database thread before a send: the message already
    stored under this ``client_id`` if any, else the room (post rules
    checked) and the message replied to."""
    room, stored_id = selectors.room_for_send(slug=room_slug, author_id=user.pk, client_id=client_id)
    if room is None:
        raise HubError(NOT_FOUND)
    if stored_id is not None:
        return selectors.message_full(pk=stored_id), None, None
    rules.check_can_post(room, user)
    parent = None
    if reply_to is not None:
        parent = selectors.message_by_seq(room_id=room.pk, seq=reply_to)
        if parent is None:
            raise HubError(INVALID, _("The message you reply to does not exist."))
    return None, room, parent


async def message_send(*, user, room_slug: str, client_id: str, body: str, reply_to: int | None) -> Message:
    """Post ``body`` to a room as ``user``. Idempotent by ``(room, user, client_id)``:
    a retry returns the message stored the first time and stores nothing.

    Raises ``HubError`` (forbidden, closed, muted, invalid, rate_limited) and
    then stores nothing. Emits ``message`` to ``room.<slug>`` after commit when
    the message is visible at once; a held one waits for moderation. Two trips
    to the database thread: ``_prepare_send`` and ``_store``.
    """
    if not user.is_authenticated:
        raise HubError(FORBIDDEN, _("Sign in to take part."))
    existing, room, parent = await db_async(_prepare_send)(
        user=user, room_slug=room_slug, client_id=client_id, reply_to=reply_to)
    if existing is not None:
        return existing
    for guard in hooks.send_guards:
        if (refusal := await guard(user, room)) is not None:
            raise refusal
    text = rules.clean_body(body)
    exempt = rules.is_staff_voice(user)
    if not exempt:
        # Slow mode is only started once the token bucket let the message
        # through, so a refused message never costs a slow-mode wait.
        who = (room.slug, str(user.pk))
        retry = await ratelimit.cooldown_left(room.slow_mode_seconds, "slow", *who)
        if retry is None:
            retry = await ratelimit.hit(settings.CHAT_RATE_COUNT, settings.CHAT_RATE_SECONDS, "chat", *who)
        if retry is not None:
            raise HubError(RATE_LIMITED, retry_after=retry)
        await ratelimit.cooldown_start(room.slow_mode_seconds, "slow", *who)
    return await db_async(_store)(
        room=room, user=user, client_id=client_id, body=text, reply_to=parent, exempt=exempt)


def _own_visible_message(*, user, room_id: int, seq: int) -> Message:
    if not user.is_authenticated:
        raise HubError(FORBIDDEN, _("Sign in to take part."))
    rows = list(Message.objects.select_for_update(of=("self",)).select_related("author", "reply_to", "room")
                .filter(room_id=room_id, seq=seq).order_by()[:1])
    message = rows[0] if rows else None
    if message is None or not message.is_shown:
        raise HubError(NOT_FOUND)
    return message


@db_async
def message_edit(*, user, room_id: int, seq: int, body: str) -> Message:
    """The author edits within ``CHAT_EDIT_WINDOW_SECONDS``; the old text is
    kept as a revision. Emits ``message.updated`` after commit."""
    text = rules.clean_body(body)
    with transaction.atomic():
        message = _own_visible_message(user=user, room_id=room_id, seq=seq)
        if message.author_id != user.pk:
            raise HubError(FORBIDDEN, _("Only the author may edit a message."))
        if timezone.now() - message.created_at > timedelta(seconds=settings.CHAT_EDIT_WINDOW_SECONDS):
            raise HubError(EDIT_WINDOW)
        if text == message.body:
            return message
        if not rules.is_staff_voice(user) and hooks.screen(user, message.room, text, editing=True):
            # A published message cannot wait for review again: the edit is refused.
            raise HubError(FORBIDDEN, _("This change would need a moderator's review; send it as a new message."))
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


@db_async
def message_delete(*, user, room_id: int, seq: int) -> Message:
    """The author, or a moderator, removes a message; a tombstone keeps its id.
    Emits ``message.deleted`` after commit."""
    with transaction.atomic():
        message = _own_visible_message(user=user, room_id=room_id, seq=seq)
        if message.author_id != user.pk and not user.is_moderator:
            raise HubError(FORBIDDEN, _("Only the author or a moderator may delete a message."))
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
    return message
