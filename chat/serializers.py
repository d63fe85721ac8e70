"""Chat messages on the wire (docs/protocol.md, ``message`` frame)."""

from __future__ import annotations

from chat.models import Message
from common import pii


def author_to_wire(user) -> dict:
    return {"id": user.pk, "name": user.display_name or user.username, "role": user.role, "title": user.title}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def message_to_wire(message: Message) -> dict:
    """Needs ``author`` and ``reply_to`` loaded (``select_related``)."""
    deleted = not message.is_shown
    return {
        "id": message.seq,
        "author": author_to_wire(message.author),
        "body": "" if deleted else pii.mask(message.body),
        "html": "" if deleted else message.html,
        "created_at": _iso(message.created_at),
        "reply_to": message.reply_to.seq if message.reply_to_id and message.reply_to else None,
        "edited_at": _iso(message.edited_at),
        "deleted": deleted,
        "rev": message.rev,
    }


def message_frame(message: Message, event: str = "message") -> dict:
    return {"type": event, "topic": message.room.topic, "message": message_to_wire(message)}


def ack_frame(message: Message) -> dict:
    """The outcome of a send, keyed by the client's ``client_id``: the reply to
    ``send``, and sent again unasked to the author when a moderator decides."""
    return {"type": "ack", "topic": message.room.topic, "client_id": str(message.client_id), "status": message.status,
            "id": message.seq, "reason": message.hold_reason or None}


def held_frame(message: Message) -> dict:
    """For the author only: their message waits for review."""
    return {"type": "message.held", "topic": message.room.topic, "client_id": str(message.client_id),
            "body": message.body, "html": message.html, "created_at": _iso(message.created_at),
            "reason": message.hold_reason or None}


def deleted_frame(message: Message) -> dict:
    return {"type": "message.deleted", "topic": message.room.topic, "id": message.seq, "rev": message.rev}


def message_url(message: Message) -> str:
    """Where a message is seen: its room page, scrolled to it (``#m-<id>``,
    the anchor room.js gives each message)."""
    return message.room.url + (f"#m-{message.seq}" if message.seq else "")
