"""The project's one Redis client factory: ``new_client``/``new_async_client``
make a client with the project's settings (``REDIS_URL``, timeouts); the
shared ones are one asyncio client per event loop (``get_redis``) and one
blocking client per thread (``get_sync_redis``). Only what needs a
connection of its own (the hub's Pub/Sub subscriber, the worker's blocking
reads, a health probe) makes a new one. Keys are named under
``CHANNEL_PREFIX`` (``prefixed``).

``REDIS_URL=redis+sentinel://…`` (``settings.env.sentinel_address``): the
clients are redis-py's own ``Sentinel.master_for`` clients. Each new
connection asks the sentinels for the current primary, and a connection to
a primary that was demoted is dropped (redis-py turns its ``READONLY`` into
a ``ConnectionError``), so after a failover the next command — or the hub
subscription's next reconnect — reaches the new primary. The ``Sentinel``
objects (their own connections to the sentinels) are shared: one per
process for blocking clients, one per event loop for asyncio ones."""

from __future__ import annotations

import asyncio
import threading
import weakref

import redis
import redis.asyncio as aioredis
import redis.asyncio.sentinel as aiosentinel
import redis.sentinel
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from settings.env import SENTINEL_TIMEOUT_S, SentinelAddress, sentinel_address

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

CONNECT_TIMEOUT_S = 5


def _sentinel_kwargs() -> dict:
    # A sentinel that does not answer is skipped for the next one quickly;
    # one immediate retry covers a kept connection the sentinel has closed.
    return {"socket_connect_timeout": SENTINEL_TIMEOUT_S, "socket_timeout": SENTINEL_TIMEOUT_S,
            "retry": Retry(NoBackoff(), 1)}


def _primary_kwargs(address: SentinelAddress, options: dict) -> dict:
    credentials = {"username": address.username, "password": address.password}
    return {"db": address.db, **{k: v for k, v in credentials.items() if v is not None},
            "socket_connect_timeout": CONNECT_TIMEOUT_S, **options}


_sync_sentinels: dict[str, redis.sentinel.Sentinel] = {}
_sync_sentinels_lock = threading.Lock()


def _sync_sentinel(url: str, address: SentinelAddress) -> redis.sentinel.Sentinel:
    with _sync_sentinels_lock:
        sentinel = _sync_sentinels.get(url)
        if sentinel is None:
            sentinel = _sync_sentinels[url] = redis.sentinel.Sentinel(address.sentinels,
                                                                      sentinel_kwargs=_sentinel_kwargs())
        return sentinel


_async_sentinels: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _async_sentinel(url: str, address: SentinelAddress) -> aiosentinel.Sentinel:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # made outside a loop: a Sentinel of its own
        return aiosentinel.Sentinel(address.sentinels, sentinel_kwargs=_sentinel_kwargs())
    per_loop = _async_sentinels.setdefault(loop, {})
    if url not in per_loop:
        per_loop[url] = aiosentinel.Sentinel(address.sentinels, sentinel_kwargs=_sentinel_kwargs())
    return per_loop[url]


def new_client(**options) -> redis.Redis:
    """A blocking client of its own (close it when done)."""
    url = settings.REDIS_URL
    address = sentinel_address(url)
    if address is not None:
        return _sync_sentinel(url, address).master_for(address.master, **_primary_kwargs(address, options))
    return redis.Redis.from_url(url, **{"socket_connect_timeout": CONNECT_TIMEOUT_S, **options})


def new_async_client(**options) -> aioredis.Redis:
    """An asyncio client of its own (``await client.aclose()`` when done)."""
    url = settings.REDIS_URL
    address = sentinel_address(url)
    if address is not None:
        return _async_sentinel(url, address).master_for(address.master, **_primary_kwargs(address, options))
    return aioredis.Redis.from_url(url, **{"socket_connect_timeout": CONNECT_TIMEOUT_S, **options})


def sentinel_pool(*, asyncio_pool: bool, **options):
    """For libraries that take a connection pool (``limits``): a pool that
    follows the primary when ``REDIS_URL`` names Sentinels, else ``None``."""
    url = settings.REDIS_URL
    address = sentinel_address(url)
    if address is None:
        return None
    if asyncio_pool:
        return aiosentinel.SentinelConnectionPool(address.master, _async_sentinel(url, address),
                                                  **_primary_kwargs(address, options))
    return redis.sentinel.SentinelConnectionPool(address.master, _sync_sentinel(url, address),
                                                 **_primary_kwargs(address, options))


class SentinelCachePool(redis.sentinel.SentinelConnectionPool):
    """Django's ``RedisCache`` ``pool_class`` for a ``redis+sentinel://``
    ``LOCATION`` (``settings.env.cache_config``): Django calls
    ``from_url(LOCATION, **OPTIONS)``; the pool follows the primary."""

    @classmethod
    def from_url(cls, url: str, **options) -> SentinelCachePool:
        address = sentinel_address(url)
        if address is None:
            raise ValueError(f"{cls.__name__} needs a redis+sentinel:// LOCATION")
        return cls(address.master, _sync_sentinel(url, address), **_primary_kwargs(address, options))


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
