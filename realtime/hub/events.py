"""Publishing events to topics: after commit, through channels-redis.

The database is the record; an event only tells live sockets that something
happened. Events carry their frame already encoded, so each server process
encodes nothing per recipient. Sequenced events (new visible messages) carry
``seq`` so every socket can drop duplicates and fill gaps from the database.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from realtime.hub.protocol import encode

log = logging.getLogger(__name__)

EVENT = "hub.event"
CONTROL = "hub.control"


def group_for(topic: str) -> str:
    """Channels group of a topic (``room.bupati`` -> ``t.room.bupati``)."""
    return f"t.{topic}"


def user_topic(user_id: int) -> str:
    """Internal control topic of one user's sockets."""
    return f"_u.{user_id}"


def session_topic(session_hash: str) -> str:
    """Internal control topic of one browser session's sockets."""
    return f"_s.{session_hash}"


def event_message(topic: str, frame: dict, *, seq: int | None = None, user_id: int | None = None) -> dict:
    """``user_id``: deliver only to that user's sockets on the topic."""
    return {"type": EVENT, "topic": topic, "seq": seq, "frame": encode(frame), "user": user_id}


def _send(topic: str, message: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group_for(topic), message)


async def _send_many(messages: list[dict]) -> None:
    layer = get_channel_layer()
    for message in messages:
        await layer.group_send(group_for(message["topic"]), message)


def localized_event(topic: str, frames: dict[str, dict], *, seq: int | None = None) -> dict:
    """An event whose frame differs by language (``{"id": frame, "en": frame}``);
    each socket gets the one in its language."""
    return {"type": EVENT, "topic": topic, "seq": seq, "user": None,
            "frames": {language: encode(frame) for language, frame in frames.items()}}


def publish_many_on_commit(messages: list[dict]) -> None:
    """Send many prepared events (``event_message``/``localized_event``) after
    commit, in one go."""
    if messages:
        transaction.on_commit(lambda: async_to_sync(_send_many)(messages), robust=True)


def publish_on_commit(topic: str, frame: dict, *, seq: int | None = None, user_id: int | None = None) -> None:
    """Emit ``frame`` to ``topic`` once the current transaction commits.

    Outside a transaction it is sent at once. A failure to publish is logged,
    never raised: the write has happened and clients catch up by id.
    """
    message = event_message(topic, frame, seq=seq, user_id=user_id)
    transaction.on_commit(lambda: _send(topic, message), robust=True)


def publish_to_user_on_commit(user_id: int, frame: dict) -> None:
    """Emit ``frame`` to every socket of one user, whatever they joined."""
    publish_on_commit(user_topic(user_id), frame)


def control_on_commit(topic: str, action: str) -> None:
    """Send a control action (``close``) to every socket of a control topic."""
    message = {"type": CONTROL, "topic": topic, "action": action}
    transaction.on_commit(lambda: _send(topic, message), robust=True)


async def apublish(topic: str, frame: dict, *, seq: int | None = None, user_id: int | None = None) -> None:
    """Async publish for events with no database write behind them (presence)."""
    try:
        await get_channel_layer().group_send(group_for(topic), event_message(topic, frame, seq=seq, user_id=user_id))
    except Exception:
        log.warning("publishing to %s failed", topic, exc_info=True)
