"""Vote re-ranking, coalesced: at most one ``ranking`` frame per session per
``QA_RANKING_INTERVAL_MS`` from each server process, carrying the absolute
counts of the questions whose votes changed, read after commit, and the
number of questions waiting in moderation (a question asked moves it and
marks the session too: the console's count rides on the frames the whole
audience gets anyway, instead of a whole ``session`` frame to every socket
per question asked — docs/performance.md, "The session's frames"). A vote does
not touch the session's row: each ranking frame bumps ``Session.rev`` once,
for its whole batch, and reads the counts after (``wire.ranking_changed``),
so a client resuming from an older revision gets a snapshot with counts at
least as new as the frames it missed.

A vote's transaction registers ``changed`` to run after commit. In the hub's
process (the vote came over a socket, or anything else running next to an
event loop that has a ``sesi`` socket) the question is marked in that loop's
``Coalescer``: the first mark after a quiet interval is flushed at once (a
lone vote is on the audience's screens in one round trip), later ones wait
for the rest of the interval and go out together. Counts are read when the
frame is made, so a frame never carries a count older than the votes that
asked for it, and the last frame after the last vote carries the final,
exact counts. Elsewhere (a page's form, a command, the worker) the frame is
sent at once after commit, uncoalesced.

A frame waits, besides, until this process's fan-out has written the
session's previous ranking frame to every local socket (``Fanout.expect``,
at most ``SETTLE_MAX_S``): where the audience is too large for the server
to write a frame per interval, frames come further apart, each with the
counts of every vote before it, instead of queueing behind each other
(docs/performance.md, "Frames that wait for the previous one").

Per process, on purpose: no shared state to keep in Redis; with N server
processes a session gets at most N frames per interval, each exact.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import weakref

from django.conf import settings
from django.db import transaction

from qa import wire
from realtime.db import db_async
from realtime.events import apublish, publish_on_commit
from realtime.fanout import get_fanout

log = logging.getLogger(__name__)

#: The longest a ranking frame waits for the previous one's local fan-out
#: (an event lost with a Redis connection never comes back).
SETTLE_MAX_S = 2.0


class Coalescer:
    """One per event loop: questions with changed votes, by session."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: dict[int, set[int]] = {}
        self.tasks: dict[int, asyncio.Task] = {}
        self.sent_at: dict[int, float] = {}
        #: The last frame's fan-out here, by session (``Fanout.expect``).
        self.in_flight: dict[int, asyncio.Future] = {}

    def mark(self, session_id: int, question_id: int | None) -> None:
        """In the loop: ``question_id`` of ``session_id`` has new votes
        (``None``: only the waiting count moved)."""
        pending = self.pending.setdefault(session_id, set())
        if question_id is not None:
            pending.add(question_id)
        if session_id not in self.tasks:
            # A context of its own: not the committing thread's (``db_async`` would think it re-entered).
            self.tasks[session_id] = self.loop.create_task(self._flush(session_id), name=f"qa-ranking-{session_id}",
                                                           context=contextvars.Context())

    async def _flush(self, session_id: int) -> None:
        try:
            interval = settings.QA_RANKING_INTERVAL_MS / 1000
            wait = self.sent_at.get(session_id, 0.0) + interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            previous = self.in_flight.pop(session_id, None)
            if previous is not None and not previous.done():
                try:  # this frame would queue behind it: wait, and take the votes that come meanwhile
                    await asyncio.wait_for(previous, SETTLE_MAX_S)
                except TimeoutError:
                    pass
            ids = self.pending.pop(session_id, None)
            if ids is not None:
                self.sent_at[session_id] = time.monotonic()
                frame = await db_async(wire.ranking_changed)(session_id, ids)
                topic = wire.topic_of(session_id)
                expected = get_fanout().expect(topic)
                if expected is not None:
                    self.in_flight[session_id] = expected[1]
                await apublish(topic, frame, mark=expected[0] if expected is not None else None)
        except Exception:
            log.warning("ranking of session %s failed", session_id, exc_info=True)
        finally:
            self.tasks.pop(session_id, None)
            if session_id in self.pending:
                self.mark(session_id, None)


_coalescers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: The loop whose coalescer takes marks from other threads (the hub's; set by the topic kind).
_current: list = [None]


def attach() -> Coalescer:
    """From the event loop (``qa/topic.py`` at join): votes committed in
    this process are coalesced in this loop."""
    loop = asyncio.get_running_loop()
    coalescer = _coalescers.get(loop)
    if coalescer is None:
        coalescer = _coalescers[loop] = Coalescer(loop)
    _current[0] = coalescer
    return coalescer


def _mark_or_send(session_id: int, question_id: int | None) -> None:
    coalescer = _current[0]
    if coalescer is not None and not coalescer.loop.is_closed() and coalescer.loop.is_running():
        coalescer.loop.call_soon_threadsafe(coalescer.mark, session_id, question_id, context=contextvars.Context())
        return
    with transaction.atomic():
        publish_on_commit(wire.topic_of(session_id), wire.ranking_changed(
            session_id, [question_id] if question_id is not None else []))


def changed(session_id: int, question_id: int | None = None) -> None:
    """Inside the transaction of a vote (``question_id``) or of a change of
    the waiting count (``None``): the session's counters go out after
    commit, in the next ranking frame."""
    transaction.on_commit(lambda: _mark_or_send(session_id, question_id), robust=True)
