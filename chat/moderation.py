"""What moderating chat means: a held message (queue ``chat``) and a reported
one, as the target kind ``chat.message``. Registered with moderation's core,
which screens, queues, decides and audits without knowing chat."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat import selectors, services
from chat.models import HELD_QUEUE, MESSAGE_TARGET, Message, MessageStatus
from chat.serializers import message_url
from common import pii
from moderation.queues import TargetKind, premoderation_queue, register_queue, register_target
from moderation.services import author_tell

AROUND = 3


def _load(pk: int) -> Message | None:
    return Message.objects.select_related("author", "room", "reply_to").filter(pk=pk).first()


def _find(ref: str) -> int | None:
    """``"<room slug>/<visible id>"``, as the room page shows a message."""
    slug, _sep, seq = ref.partition("/")
    if not seq.isascii() or not seq.isdigit():
        return None
    return selectors.message_pk_by_seq(room_slug=slug, seq=int(seq))


def _public(message: Message) -> bool:
    """Shown to everyone: only such messages can be reported."""
    return message.seq is not None and message.is_shown


def _context(message: Message) -> dict:
    return {
        "title": _("Message in %(room)s") % {"room": message.room.title},
        "text": message.body,
        "masked_text": pii.mask(message.body),
        "author_id": message.author_id,
        "author": {"id": message.author_id, "name": message.author.display_name, "username": message.author.username,
                   "role": message.author.role},
        "where": message.room.title,
        "link": message_url(message),
        "scope": message.room.topic,
        "around": _around(message, selectors.messages_around(message=message, count=AROUND)),
    }


def _around(message: Message, neighbours: list[Message]) -> list[dict]:
    """The neighbours in order, with the message itself in its place (``this``)."""
    rows = [{"id": m.seq, "author": m.author.display_name, "text": pii.mask(m.body), "this": False}
            for m in neighbours]
    position = sum(1 for m in neighbours if message.seq is None or m.seq < message.seq)
    rows.insert(position, {"id": message.seq, "author": message.author.display_name,
                           "text": pii.mask(message.body), "this": True})
    return rows


def _tell_author(message: Message, kind: str, reason: str = "") -> None:
    author_tell(author_id=message.author_id, kind=kind, link=message.room.url,
                where=message.room.title, excerpt=message.body, reason=reason)


def _publish(message: Message, moderator, redact: bool) -> None:
    if message.status != MessageStatus.HELD:
        return
    services.message_decide(message=message, approve=True, body=pii.mask(message.body) if redact else None)
    _tell_author(message, "moderation.approved")


def _refuse(message: Message, moderator, reason: str) -> None:
    if message.status != MessageStatus.HELD:
        return
    services.message_decide(message=message, approve=False, reason=reason)
    _tell_author(message, "moderation.rejected", reason)


def _remove(message: Message, moderator, reason: str) -> None:
    services.message_remove(message=message, moderator=moderator)


def _author_record(author_id: int, text: str, since, count_published: bool) -> tuple[bool, int]:
    return selectors.author_record(author_id=author_id, text=text, since=since, count_published=count_published)


def register() -> None:
    register_target(TargetKind(
        key=MESSAGE_TARGET, load=_load, context=_context, publish=_publish, refuse=_refuse,
        hide=lambda message: services.message_hide(message=message),
        restore=lambda message: services.message_restore(message=message),
        remove=_remove, public=_public, find=_find, author_record=_author_record))
    register_queue(premoderation_queue(HELD_QUEUE, gettext_lazy("Held chat messages")))
