"""The project's one Redis client factory: ``new_client``/``new_async_client``
make a client with the project's settings (``REDIS_URL``, timeouts); the
shared ones are one asyncio client per event loop (``get_redis``) and one
blocking client per thread (``get_sync_redis``). Only what needs a
connection of its own (the hub's Pub/Sub subscriber, the worker's blocking
reads, a health probe) makes a new one. Keys are named under
``CHANNEL_PREFIX`` (``prefixed``)."""

from __future__ import annotations

import asyncio
import threading
import weakref

import redis
import redis.asyncio as aioredis
from django.conf import settings

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

CONNECT_TIMEOUT_S = 5


def new_client(**options) -> redis.Redis:
    """A blocking client of its own (close it when done)."""
    return redis.Redis.from_url(settings.REDIS_URL, **{"socket_connect_timeout": CONNECT_TIMEOUT_S, **options})


def new_async_client(**options) -> aioredis.Redis:
    """An asyncio client of its own (``await client.aclose()`` when done)."""
    return aioredis.Redis.from_url(settings.REDIS_URL, **{"socket_connect_timeout": CONNECT_TIMEOUT_S, **options})


def get_redis() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = new_async_client(health_check_interval=30)
        _clients[loop] = client
    return client


_thread = threading.local()


def get_sync_redis() -> redis.Redis:
    """This thread's blocking client (made again if ``REDIS_URL`` changed, as in tests)."""
    client = getattr(_thread, "client", None)
    if client is None or getattr(_thread, "url", None) != settings.REDIS_URL:
        client = new_client()
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
    client = new_client()
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
