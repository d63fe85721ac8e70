"""Redis clients for the hub's own keys (presence, connection counts, event
channels) and for synchronous callers: one asyncio client per event loop,
one blocking client per thread. Keys are prefixed with ``CHANNEL_PREFIX``."""

from __future__ import annotations

import asyncio
import threading
import weakref

import redis
import redis.asyncio as aioredis
from django.conf import settings

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_redis() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, health_check_interval=30)
        _clients[loop] = client
    return client


_thread = threading.local()


def get_sync_redis() -> redis.Redis:
    """This thread's blocking client (made again if ``REDIS_URL`` changed, as in tests)."""
    client = getattr(_thread, "client", None)
    if client is None or getattr(_thread, "url", None) != settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5)
        _thread.client, _thread.url = client, settings.REDIS_URL
    return client


def prefixed(*parts: str) -> str:
    """A Redis key under ``CHANNEL_PREFIX`` (``prefixed("mod", "mutes", "7")``)."""
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"].get("prefix", "balai")
    return ":".join((prefix, *parts))


def key(*parts: str) -> str:
    """A key of the hub's own."""
    return prefixed("hub", *parts)


def eviction_warning() -> str | None:
    """A loud warning when Redis may evict keys: moderation streams and the job
    queue must never lose entries to memory pressure (sync; run at start-up)."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5)
    try:
        policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "")
    except Exception as exc:
        return f"WARNING: cannot read Redis maxmemory-policy ({type(exc).__name__}); it must be noeviction"
    finally:
        client.close()
    if policy != "noeviction":
        return (f"WARNING: Redis maxmemory-policy is {policy!r}, not 'noeviction': under memory pressure Redis "
                "would silently drop moderation queue entries and jobs. Set maxmemory-policy noeviction.")
    return None
