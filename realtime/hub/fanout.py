"""Process-level fan-out.

Instead of one channel-layer channel per socket (the Channels tutorial
pattern, where ``group_send`` costs one Redis write per socket and every
socket decodes its own copy), each server process owns one channel. That
channel joins a topic's group while at least one local socket is on the
topic; an event is written to Redis once per *process*, decoded once per
process, and handed to the local sockets as the same pre-encoded text.

Delivery stays at-most-once (a full channel drops), so sockets detect gaps by
sequence number and read the missing messages from the database.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import defaultdict

from channels.layers import get_channel_layer

from realtime.hub.events import BATCH, CONTROL, EVENT, group_for

log = logging.getLogger(__name__)

#: Re-add this process's channel to its groups this often, well inside the
#: layer's ``group_expiry`` (a day), so a long-lived topic never expires.
GROUP_REFRESH_S = 3600


class Fanout:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.members: dict[str, set] = defaultdict(set)
        self._task: asyncio.Task | None = None
        self._start_lock = asyncio.Lock()
        self._locks: dict[str, asyncio.Lock] = {}
        self._refreshed = time.monotonic()

    async def _ensure_started(self) -> None:
        if self._task is not None and not self._task.done():
            return
        async with self._start_lock:
            if self._task is not None and not self._task.done():
                return
            self.channel = await self.layer.new_channel("hub.")
            self._task = asyncio.get_running_loop().create_task(self._run(), name="hub-fanout")

    def _lock(self, topic: str) -> asyncio.Lock:
        lock = self._locks.get(topic)
        if lock is None:
            lock = self._locks[topic] = asyncio.Lock()
        return lock

    async def subscribe(self, topic: str, socket) -> None:
        """Returns once this process's channel is in the topic's group, so an
        event published after a subscriber reads history cannot miss it."""
        await self._ensure_started()
        # One membership change per topic at a time: a second subscriber must
        # not return before the first one's group_add has completed, and a
        # group_discard must not overtake a later group_add.
        async with self._lock(topic):
            if not self.members.get(topic):
                await self.layer.group_add(group_for(topic), self.channel)
            self.members[topic].add(socket)

    async def unsubscribe(self, topic: str, socket) -> None:
        async with self._lock(topic):
            members = self.members.get(topic)
            if not members:
                return
            members.discard(socket)
            if members:
                return
            del self.members[topic]
            try:
                await self.layer.group_discard(group_for(topic), self.channel)
            except Exception:
                log.warning("group_discard %s failed", topic, exc_info=True)
        if not self.members.get(topic) and not self._lock(topic).locked():
            self._locks.pop(topic, None)

    def local_topics(self) -> list[str]:
        return [topic for topic in self.members if not topic.startswith("_")]

    async def refresh_groups(self) -> None:
        if time.monotonic() - self._refreshed < GROUP_REFRESH_S or self.channel is None:
            return
        self._refreshed = time.monotonic()
        for topic in list(self.members):
            await self.layer.group_add(group_for(topic), self.channel)

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                message = await self.layer.receive(self.channel)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis went away: whatever was published meanwhile is lost to
                # this process, so every local socket re-reads from the database.
                log.warning("fan-out receive failed; retrying in %.1fs", backoff, exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                for sockets in list(self.members.values()):
                    for socket in list(sockets):
                        socket.enqueue({"type": "hub.resync"})
                continue
            await self.dispatch(message)

    async def dispatch(self, message: dict) -> None:
        kind = message.get("type")
        if kind == BATCH:
            for event in message.get("events", ()):
                await self.dispatch(event)
            return
        if kind not in (EVENT, CONTROL):
            return
        for socket in list(self.members.get(message.get("topic"), ())):
            try:
                await socket.deliver(message)
            except Exception:
                # One broken socket must not stop the others' deliveries.
                log.warning("delivery to a socket failed", exc_info=True)


_fanouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_fanout() -> Fanout:
    """The fan-out of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is None:
        fanout = Fanout()
        _fanouts[loop] = fanout
    return fanout
