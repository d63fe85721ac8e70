"""One asyncio Redis client per event loop for the hub's own keys (presence,
connection counts). Keys are prefixed with ``CHANNEL_PREFIX``."""

from __future__ import annotations

import asyncio
import weakref

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


def key(*parts: str) -> str:
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"].get("prefix", "balai")
    return ":".join((prefix, "hub", *parts))


def eviction_warning() -> str | None:
    """A loud warning when Redis may evict keys: moderation streams and the job
    queue must never lose entries to memory pressure (sync; run at start-up)."""
    import redis as sync_redis

    client = sync_redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5)
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
