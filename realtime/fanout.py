"""Process-level fan-out.

Instead of one channel-layer channel per socket (the Channels tutorial
pattern, where ``group_send`` costs one Redis write per socket and every
socket decodes its own copy), each server process holds one Redis Pub/Sub
connection (``realtime/bus.py``). It is subscribed to a topic's channel
while at least one local socket is on the topic; an event crosses Redis once
per *process*, is decoded once per process, and handed to the local sockets
as the same pre-encoded text.

Delivery is at-most-once, so sockets detect gaps by sequence number and read
the missing messages from the database; after a lost Redis connection every
local socket does so.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import weakref
from collections import defaultdict
from time import perf_counter

from common.metrics import FANOUT_SECONDS, FRAMES_OUT_FANOUT
from realtime.bus import Subscription, channel_for
from realtime.events import CONTROL, EVENT

log = logging.getLogger(__name__)

#: Sockets written to between two turns of the event loop in one event's fan-out.
YIELD_EVERY = 256


class Fanout:
    def __init__(self) -> None:
        self.members: dict[str, set] = defaultdict(set)
        #: The same sockets by (topic, user id), for events addressed to one
        #: user (``mine`` in a session): those visit that user's sockets
        #: only, not every socket on the topic.
        self.by_user: dict[tuple[str, int], set] = defaultdict(set)
        #: The sockets of each topic written before the others (``socket.leads``:
        #: the regency's staff — an official's console, a moderator's).
        self.leading: dict[str, set] = defaultdict(set)
        self.subscription = Subscription(on_message=self.dispatch, on_lost=self._resync_all)
        self._locks: dict[str, asyncio.Lock] = {}
        #: Futures of ``expect``, by mark: resolved once the marked event went out here.
        self._expected: dict[str, asyncio.Future] = {}
        #: Marks unique across processes (every process sees every mark on its topics).
        self._mark_prefix = secrets.token_hex(8)
        self._marks = itertools.count(1)

    def _lock(self, topic: str) -> asyncio.Lock:
        lock = self._locks.get(topic)
        if lock is None:
            lock = self._locks[topic] = asyncio.Lock()
        return lock

    async def subscribe(self, topic: str, socket) -> None:
        """Returns once Redis confirmed this process's subscription to the
        topic, so an event published after a subscriber reads history cannot
        miss it."""
        # One membership change per topic at a time: a second subscriber must
        # not return before the first one's subscription is confirmed, and an
        # unsubscribe must not overtake a later subscribe.
        async with self._lock(topic):
            if not self.members.get(topic):
                await self.subscription.subscribe(channel_for(topic))
            self.members[topic].add(socket)
            if socket.leads:
                self.leading[topic].add(socket)
            if socket.user_id is not None:
                self.by_user[(topic, socket.user_id)].add(socket)

    async def unsubscribe(self, topic: str, socket) -> None:
        async with self._lock(topic):
            members = self.members.get(topic)
            if not members:
                return
            members.discard(socket)
            self._forget_user_socket(topic, socket)
            self._forget_leading(topic, socket)
            if members:
                return
            del self.members[topic]
            try:
                await self.subscription.unsubscribe(channel_for(topic))
            except Exception:
                log.warning("unsubscribing from %s failed", topic, exc_info=True)
        if not self.members.get(topic) and not self._lock(topic).locked():
            self._locks.pop(topic, None)

    def _forget_user_socket(self, topic: str, socket) -> None:
        # A socket's user id is set when it connects and never changes after.
        _discard(self.by_user, (topic, socket.user_id), socket)

    def _forget_leading(self, topic: str, socket) -> None:
        _discard(self.leading, topic, socket)

    def _in_order(self, topic: str) -> list:
        """The topic's sockets, leading ones first: with 2,000 sockets on a
        session, the last socket of a fan-out gets an event about 100 ms
        after the first (docs/performance.md, "Where a vote's time goes"); the few
        sockets of the regency's staff — the official's console above all —
        should not be among the late ones."""
        members = self.members.get(topic, ())
        leading = self.leading.get(topic)
        if not leading:
            return list(members)
        return [*leading, *(socket for socket in members if socket not in leading)]

    def expect(self, topic: str) -> tuple[str, asyncio.Future] | None:
        """A mark for an event this process is about to publish on ``topic``
        (``apublish(..., mark=...)``), and a future resolved once this
        process's fan-out has written that event to every local socket of
        the topic: a publisher that waits for it before its next event never
        has two of its events queued behind each other here. ``None`` when
        no local socket is on the topic (nothing would come back). The
        caller bounds its wait: delivery through Redis is at most once."""
        if not self.members.get(topic):
            return None
        mark = f"{self._mark_prefix}.{next(self._marks)}"
        future = self._expected[mark] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda _: self._expected.pop(mark, None))
        return mark, future

    def local_topics(self) -> list[str]:
        return [topic for topic in self.members if not topic.startswith("_")]

    def _resync_all(self) -> None:
        """Events were lost with the Redis connection: every local socket
        re-reads its topics from the database."""
        for socket in {socket for sockets in self.members.values() for socket in sockets}:
            socket.enqueue({"type": "hub.resync"})

    async def dispatch(self, message: dict) -> None:
        kind = message.get("type")
        if kind not in (EVENT, CONTROL):
            return
        user = message.get("user")
        if user is None:
            sockets = self._in_order(message.get("topic"))
        else:  # one user's own event (each socket still checks it is theirs)
            sockets = list(self.by_user.get((message.get("topic"), user), ()))
        started = perf_counter()
        for n, socket in enumerate(sockets, 1):
            try:
                await socket.deliver(message)
            except Exception:
                # One broken socket must not stop the others' deliveries.
                log.warning("delivery to a socket failed", exc_info=True)
            if n % YIELD_EVERY == 0:
                # A large topic's event takes tens of milliseconds to write to
                # every socket: let the loop serve what waits meanwhile (a
                # frame's reply, the database thread's results) every so often.
                # Events still go out one after the other (the bus awaits this),
                # and a socket that joins meanwhile reads this event from history.
                await asyncio.sleep(0)
        # Metrics once per event, not per socket (common/metrics.py).
        FANOUT_SECONDS.observe(perf_counter() - started)
        FRAMES_OUT_FANOUT.inc(len(sockets))
        mark = message.get("mark")
        if mark is not None:
            future = self._expected.get(mark)  # another process's mark is not here
            if future is not None and not future.done():
                future.set_result(None)


def _discard(index: dict, key, socket) -> None:
    """Remove ``socket`` from ``index[key]``, and the key once its set is empty."""
    sockets = index.get(key)
    if sockets is not None:
        sockets.discard(socket)
        if not sockets:
            del index[key]


_fanouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_fanout() -> Fanout:
    """The fan-out of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is None:
        fanout = Fanout()
        _fanouts[loop] = fanout
    return fanout
