"""Helpers for moderation tests: users, held messages, the JSON API."""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from django.test import Client

from accounts.choices import Role
from chat.models import Message, MessageStatus, Room
from chat.services import room_upsert
from common.sanitize import render_text
from moderation import streams
from moderation.models import AuditEntry, QueueItem, Report, Sanction
from moderation.services import item_enqueue
from tests.hub import create_user

ROOM = "room.bupati"


def user(username: str, role: str = Role.CITIZEN, **fields):
    return create_user(username, role=role, **fields)


def moderator(username: str = "mod"):
    return create_user(username, role=Role.MODERATOR)


def admin(username: str = "admin"):
    return create_user(username, role=Role.ADMIN)


def the_room(slug: str = "bupati", **options) -> Room:
    return room_upsert(slug=slug, title=f"Ruang {slug.title()}", **options)[0]


def hold(author, text: str = "Mohon jalan diperbaiki", *, room: Room | None = None,
         reasons: tuple[str, ...] = ("premoderated",)) -> QueueItem:
    """A message held for review, handed to moderation the way chat does it."""
    room = room or the_room()
    message = Message.objects.create(room=room, author=author, body=text, html=render_text(text),
                                     status=MessageStatus.HELD, hold_reason=", ".join(reasons))
    item_enqueue(queue="chat", target_kind="chat.message", target_id=message.pk, author_id=author.pk,
                 reasons=list(reasons))
    return QueueItem.objects.get(target_kind="chat.message", target_id=message.pk, queue="chat")


def age_claims(queue: str, seconds: float) -> None:
    """Make every claimed entry of ``queue`` look idle for ``seconds``, as if
    its moderator had left it that long: Redis's idle clock of each pending
    entry is set (``XCLAIM … IDLE``, same owner, delivery count unchanged)
    instead of waited for."""
    stream = streams.stream_name(queue)
    conn = streams.client()
    for entry in conn.xpending_range(stream, streams.GROUP, min="-", max="+", count=10_000):
        conn.xclaim(stream, streams.GROUP, entry["consumer"], 0, [entry["message_id"]],
                    idle=int(seconds * 1000), justid=True)


def call(who, method: str, path: str, payload=None, *, raw: bytes | str | None = None):
    """``(status, body)`` of one API call as ``who`` (``None``: signed out).
    ``body`` is the decoded JSON, or the raw text when it is not JSON."""
    client = Client()
    if who is not None:
        client.force_login(who)
    if method == "GET":
        response = client.get(path, payload or {})
    else:
        data = raw if raw is not None else json.dumps(payload if payload is not None else {})
        response = client.post(path, data, content_type="application/json")
    try:
        body = json.loads(response.content)
    except ValueError:
        body = response.content.decode(errors="replace")
    return response.status_code, body


acall = sync_to_async(call)


def claim(who, queue: str = "chat"):
    return call(who, "POST", "/moderasi/api/klaim/", {"queue": queue})


def decide(who, item_id, action: str = "approve", **extra):
    return call(who, "POST", "/moderasi/api/putuskan/", {"item": item_id, "action": action, **extra})


def snapshot() -> dict:
    """Everything moderation keeps, to show that a refused request changed nothing."""
    return {
        "items": list(QueueItem.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
        "messages": list(Message.objects.order_by("pk").values()),
        "reports": list(Report.objects.order_by("pk").values()),
        "sanctions": list(Sanction.objects.order_by("pk").values()),
    }


aclaim = sync_to_async(claim)
adecide = sync_to_async(decide)
