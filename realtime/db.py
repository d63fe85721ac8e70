"""ORM work from async code.

Channels' ``database_sync_to_async`` runs every ORM call of a process in one
thread, so one slow query (or a burst of joins after a deploy) queues every
socket behind it. Each call here is self-contained — its own transaction,
nothing kept between calls — so on PostgreSQL it runs in the executor's thread
pool (``thread_sensitive=False``), each thread with its own connection.

SQLite allows one writer at a time, and writers that collide wait in SQLite's
busy handler, which sleeps in growing steps (up to 100 ms): there the single
thread *is* the fastest queue, so the zero-setup default keeps it. Stale
connections are closed before and after every call either way.

**Health checks.** With ``CONN_HEALTH_CHECKS`` on, Django checks a
persistent connection (``SELECT 1``) at its first use after each
``close_old_connections`` — for a socket's frames, before every call: one
more round trip for every vote and join, and one more wait for the GIL in a
busy server (docs/performance.md, "The session's frames"). A connection that
finished a call without an error less than ``HEALTHY_FOR_S`` ago is taken as
healthy instead; one idle for longer, or after an error, is checked as
before. What that costs: a connection that died within that second (the
database restarted) fails one call instead of being replaced before it —
that frame gets an error reply, the client's outbox sends it again, and the
connection is replaced on the next call (``errors_occurred``).
"""

from __future__ import annotations

import time
import weakref
from functools import cache

from asgiref.sync import SyncToAsync
from channels.db import DatabaseSyncToAsync
from django.db import close_old_connections, connections

#: How long after a call that ended well a connection is used without a health check.
HEALTHY_FOR_S = 1.0

#: Connection wrapper (one per thread and alias) -> when its last call ended well.
_healthy_at: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@cache
def _single_thread() -> bool:
    return connections["default"].vendor == "sqlite"


def db_async(func):
    """``await db_async(fn)(*args, **kwargs)``, or use it as a decorator."""
    return _Call(func)


class _Call:
    """Decides thread or pool at call time (settings are loaded by then)."""

    def __init__(self, func):
        self.func = func

    def __call__(self, *args, **kwargs):
        return _DatabaseCall(self.func, thread_sensitive=_single_thread())(*args, **kwargs)


class _DatabaseCall(DatabaseSyncToAsync):
    """Channels' call (stale connections closed before and after) that
    spares a recently healthy connection its health check."""

    def thread_handler(self, loop, *args, **kwargs):
        close_old_connections()
        _trust_recently_healthy()
        try:
            return SyncToAsync.thread_handler(self, loop, *args, **kwargs)
        finally:
            close_old_connections()
            _note_healthy()


def _trust_recently_healthy() -> None:
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and now - _healthy_at.get(connection, -HEALTHY_FOR_S) < HEALTHY_FOR_S:
            connection.health_check_done = True


def _note_healthy() -> None:
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.errors_occurred:
            _healthy_at[connection] = now
        else:
            _healthy_at.pop(connection, None)
