"""ORM work from async code.

Channels' ``database_sync_to_async`` runs every ORM call of a process in one
thread, so one slow query (or a burst of joins after a deploy) queues every
socket behind it. Each call here is self-contained — its own transaction,
nothing kept between calls — so it can run in the executor's thread pool
(``thread_sensitive=False``), each thread with its own connection; stale
connections are still closed before and after every call.
"""

from __future__ import annotations

from channels.db import DatabaseSyncToAsync


def db_async(func):
    """``await db_async(fn)(*args, **kwargs)``, or use it as a decorator."""
    return DatabaseSyncToAsync(func, thread_sensitive=False)
