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
"""

from __future__ import annotations

from functools import cache

from channels.db import DatabaseSyncToAsync
from django.db import connections


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
        return DatabaseSyncToAsync(self.func, thread_sensitive=_single_thread())(*args, **kwargs)
