"""This process's sockets: heartbeats for presence and connection counts, and
throttled presence broadcasts."""

from __future__ import annotations

import asyncio
import logging
import weakref

from realtime import presence
from realtime.events import apublish

log = logging.getLogger(__name__)

#: At most one presence frame per topic per this many seconds from a process.
PRESENCE_THROTTLE_S = 1.0
#: How often sockets' sessions are looked up in the session cache.
SESSION_WATCH_S = 4.0


class LocalSockets:
    def __init__(self) -> None:
        self.sockets: set = set()
        self._heartbeat: asyncio.Task | None = None
        self._watch: asyncio.Task | None = None
        self._recounts: dict[str, asyncio.Task] = {}

    def add(self, socket) -> None:
        self.sockets.add(socket)
        loop = asyncio.get_running_loop()
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = loop.create_task(self._beat(), name="hub-heartbeat")
        if self._watch is None or self._watch.done():
            self._watch = loop.create_task(self._watch_sessions(), name="hub-session-watch")

    def remove(self, socket) -> None:
        self.sockets.discard(socket)

    def schedule_recount(self, topic: str) -> None:
        """Broadcast the topic's count soon, once, if it changed."""
        if topic in self._recounts:
            return
        self._recounts[topic] = asyncio.get_running_loop().create_task(self._recount(topic))

    async def _recount(self, topic: str) -> None:
        try:
            await asyncio.sleep(PRESENCE_THROTTLE_S)
            self._recounts.pop(topic, None)
            count = await presence.count(topic)
            if await presence.last_broadcast_swap(topic, count) != count:
                await apublish(topic, {"type": "presence", "topic": topic, "count": count})
        except Exception:
            self._recounts.pop(topic, None)
            log.warning("presence recount of %s failed", topic, exc_info=True)

    async def _watch_sessions(self) -> None:
        """Every ``SESSION_WATCH_S``: sockets whose session is no longer in the
        session cache re-read it from the database, and close if it is gone.
        Sign-out normally closes them at once through a control event; this
        bounds the delay when that event was lost, for sockets that only listen
        too (those that send are re-checked on their frames). One Redis round
        trip per process; the database only for cache misses."""
        from django.conf import settings
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX
        from django.core.cache import caches

        cache = caches[settings.SESSION_CACHE_ALIAS]
        while self.sockets:
            await asyncio.sleep(SESSION_WATCH_S)
            try:
                watched = [s for s in list(self.sockets) if s.user_id and s.session_key and not s.closing]
                if not watched:
                    continue
                keys = {s: KEY_PREFIX + s.session_key for s in watched}
                cached = await cache.aget_many(list(keys.values()))
                for socket, cache_key in keys.items():
                    if cache_key not in cached:
                        await socket._still_authorized(force=True)
            except Exception:
                log.warning("session watch failed", exc_info=True)

    async def _beat(self) -> None:
        while self.sockets:
            await asyncio.sleep(presence.HEARTBEAT_S)
            try:
                entries, connections, guests, topics = [], [], [], set()
                for socket in list(self.sockets):
                    for topic in socket.presence_topics():
                        entries.append((topic, socket.member))
                        topics.add(topic)
                    if socket.user_id:
                        connections.append((socket.user_id, socket.connection_id))
                    elif socket.guest_address:
                        guests.append((socket.guest_address, socket.connection_id))
                await presence.heartbeat(entries, connections, guests)
                for topic in topics:
                    # Catches sockets that expired elsewhere (a crashed process).
                    self.schedule_recount(topic)
            except Exception:
                log.warning("hub heartbeat failed", exc_info=True)


_locals: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_local() -> LocalSockets:
    loop = asyncio.get_running_loop()
    local = _locals.get(loop)
    if local is None:
        local = _locals[loop] = LocalSockets()
    return local
