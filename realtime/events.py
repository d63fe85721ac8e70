"""Publishing events to topics: after commit, over Redis Pub/Sub (``bus``).

The database is the record; an event only tells live sockets that something
happened. Events carry their frame already encoded, so each server process
encodes nothing per recipient. Sequenced events (new visible messages) carry
``seq`` so every socket can drop duplicates and fill gaps from the database.

Where the write was made on behalf of a socket, the events committed during it
are handed back to the event loop (``deferred_publish``) and sent from there:
the single database thread never waits on Redis. Elsewhere (views, the worker)
they are sent from the committing thread.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from contextlib import asynccontextmanager
from contextvars import ContextVar

from django.db import transaction

from realtime import bus, presence
from realtime.protocol import encode

log = logging.getLogger(__name__)

EVENT = "hub.event"
CONTROL = "hub.control"
#: An outbox entry for an event to send only if its user has a socket open
#: (decided after commit, when it is sent).
IF_ONLINE = "hub.if_online"


def user_topic(user_id: int) -> str:
    """Internal control topic of one user's sockets."""
    return f"_u.{user_id}"


def session_topic(session_hash: str) -> str:
    """Internal control topic of one browser session's sockets."""
    return f"_s.{session_hash}"


def event_message(topic: str, frame: dict, *, seq: int | None = None, user_id: int | None = None,
                  mark: str | None = None) -> dict:
    """``user_id``: deliver only to that user's sockets on the topic.
    ``mark``: the process that published it is told when its own fan-out
    has written the event to every local socket (``Fanout.expect``)."""
    message = {"type": EVENT, "topic": topic, "seq": seq, "frame": encode(frame), "user": user_id}
    if mark is not None:
        message["mark"] = mark
    return message


#: Set by ``deferred_publish``: committed events wait here for the event loop.
#: ``sync_to_async`` copies the context into the database thread, so the
#: thread appends to the very list the coroutine will send.
_outbox: ContextVar[list | None] = ContextVar("hub_outbox", default=None)


class _Publisher:
    """Sends events from one event loop. While a publish is in flight, the
    events handed in meanwhile gather and go out together in the next one
    (``bus.publish``: one round trip, one message per topic): under load each
    Redis write, and each read on the receiving processes, carries many
    events; an idle hub sends each event at once. Events of one topic leave
    in the order they were handed in."""

    def __init__(self) -> None:
        self.waiting: list[tuple[list[dict], asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    async def send(self, messages: list[dict]) -> None:
        """Returns once ``messages`` have been handed to Redis (or failed and
        were logged). A cancelled caller does not cancel the sending."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self.waiting.append((messages, done))
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._run(), name="hub-publish")
        await done

    async def _run(self) -> None:
        while self.waiting:
            taken, self.waiting = self.waiting, []
            try:
                await bus.publish(await _online_only([message for messages, _done in taken for message in messages]))
            except Exception:
                log.warning("publishing %d events failed", sum(len(m) for m, _d in taken), exc_info=True)
            for _messages, done in taken:
                if not done.done():
                    done.set_result(None)


_publishers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _send_many(messages: list[dict]) -> None:
    loop = asyncio.get_running_loop()
    publisher = _publishers.get(loop)
    if publisher is None:
        publisher = _publishers[loop] = _Publisher()
    await publisher.send(messages)


def _kept(entries: list[dict], online: set[int]) -> list[dict]:
    return [entry["event"] if entry["type"] == IF_ONLINE else entry for entry in entries
            if entry["type"] != IF_ONLINE or entry["user"] in online]


async def _online_only(entries: list[dict]) -> list[dict]:
    """The entries to publish: ``IF_ONLINE`` ones become their event when
    their user has a socket open, and are dropped otherwise."""
    users = [entry["user"] for entry in entries if entry["type"] == IF_ONLINE]
    return _kept(entries, await presence.ausers_with_sockets(users)) if users else entries


def _online_only_sync(entries: list[dict]) -> list[dict]:
    users = [entry["user"] for entry in entries if entry["type"] == IF_ONLINE]
    return _kept(entries, presence.users_with_sockets(users)) if users else entries


def _dispatch(messages: list[dict]) -> None:
    """At commit: hand the events to the waiting coroutine, or send them now."""
    outbox = _outbox.get()
    if outbox is not None:
        outbox.extend(messages)
    else:
        try:
            bus.publish_sync(_online_only_sync(messages))
        except Exception:
            log.warning("publishing %d events failed", len(messages), exc_info=True)


@asynccontextmanager
async def deferred_publish():
    """Collect the events committed by database work awaited inside the block
    and publish them from the event loop when it ends."""
    outbox: list = []
    token = _outbox.set(outbox)
    try:
        yield
    finally:
        _outbox.reset(token)
        if outbox:
            await _send_many(outbox)


def localized_event(topic: str, frames: dict[str, dict], *, seq: int | None = None) -> dict:
    """An event whose frame differs by language (``{"id": frame, "en": frame}``);
    each socket gets the one in its language."""
    return {"type": EVENT, "topic": topic, "seq": seq, "user": None,
            "frames": {language: encode(frame) for language, frame in frames.items()}}


def publish_many_on_commit(messages: list[dict]) -> None:
    """Send many prepared events (``event_message``/``localized_event``) after
    commit, in one go."""
    if messages:
        transaction.on_commit(lambda: _dispatch(messages), robust=True)


def publish_if_online_on_commit(messages: list[tuple[int, dict]]) -> None:
    """Send each prepared event ``(user id, event)`` after commit, only if that
    user has a socket open then (who is online is asked after commit, in one
    round trip, never inside the transaction). For events addressed to many
    users, most of them offline (a notification to every citizen)."""
    if messages:
        entries = [{"type": IF_ONLINE, "user": user_id, "event": event} for user_id, event in messages]
        transaction.on_commit(lambda: _dispatch(entries), robust=True)


def publish_on_commit(topic: str, frame: dict, *, seq: int | None = None, user_id: int | None = None) -> None:
    """Emit ``frame`` to ``topic`` once the current transaction commits.

    Outside a transaction it is sent at once. A failure to publish is logged,
    never raised: the write has happened and clients catch up by id.
    """
    message = event_message(topic, frame, seq=seq, user_id=user_id)
    transaction.on_commit(lambda: _dispatch([message]), robust=True)


def redis_on_commit(*command) -> None:
    """Run a Redis write once the current transaction commits, in the same
    round trip as the events it commits (from the event loop when the write
    was made on behalf of a socket: the database thread never waits on
    Redis). A failure is logged, never raised."""
    entry = bus.command_entry(*command)
    transaction.on_commit(lambda: _dispatch([entry]), robust=True)


def publish_to_user_on_commit(user_id: int, frame: dict) -> None:
    """Emit ``frame`` to every socket of one user, whatever they joined."""
    publish_on_commit(user_topic(user_id), frame)


#: Control actions (``control_on_commit``): ``close`` ends the sockets with
#: ``auth_lost`` (4001); ``reauthorize`` makes each socket re-read its user
#: and ask each topic's kind again whether it may stay (``join``), leaving
#: with a ``left`` frame the topics it lost. Sent to a user's or a session's
#: control topic it concerns every topic of the socket; sent to an ordinary
#: topic (``room.bupati``), only that one.
CLOSE = "close"
REAUTHORIZE = "reauthorize"


def control_on_commit(topic: str, action: str) -> None:
    """Send a control action (``CLOSE``, ``REAUTHORIZE``) to every socket on
    ``topic`` (a control topic or an ordinary one), after commit."""
    message = {"type": CONTROL, "topic": topic, "action": action}
    transaction.on_commit(lambda: _dispatch([message]), robust=True)


async def apublish(topic: str, frame: dict, *, seq: int | None = None, user_id: int | None = None,
                   mark: str | None = None) -> None:
    """Async publish for events with no database write behind them (presence)."""
    await _send_many([event_message(topic, frame, seq=seq, user_id=user_id, mark=mark)])
