"""Rate limits over Redis, through the ``limits`` library (moving window),
and one socket's own budgets in memory (``MovingWindow``).

``limits`` has no token bucket; its moving window of N hits per S seconds
allows the same bursts (at most N at once) and the same sustained rate (N per
S), and it is exact across server processes because its state is in Redis.
A socket lives in one process, so its per-socket budgets (frames, replayed
messages) need no Redis round trip.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref

from django.conf import settings
from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from common.redis import get_redis, key, sentinel_pool

_limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _limiter() -> MovingWindowRateLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        pool = sentinel_pool(asyncio_pool=True)
        if pool is None:
            storage = RedisStorage("async+" + settings.REDIS_URL, implementation="redispy", key_prefix=key("limits"))
        else:  # Sentinel: the pool follows the primary (limits' own sentinel URLs read no database)
            storage = RedisStorage("async+redis://", implementation="redispy", key_prefix=key("limits"),
                                   connection_pool=pool)
        limiter = _limiters[loop] = MovingWindowRateLimiter(storage)
    return limiter


async def hit(count: int, seconds: int, *identifiers: str) -> int | None:
    """Count one hit; ``None`` if allowed, else seconds until one is allowed."""
    item = RateLimitItemPerSecond(count, seconds)
    limiter = _limiter()
    if await limiter.hit(item, *identifiers):
        return None
    stats = await limiter.get_window_stats(item, *identifiers)
    return max(1, math.ceil(stats.reset_time - time.time()))


async def cooldown_left(seconds: int, *identifiers: str) -> int | None:
    """Slow mode: seconds until the next hit is allowed, or ``None`` if now."""
    if seconds <= 0:
        return None
    left = await get_redis().ttl(key("cooldown", *identifiers))
    return max(1, left) if left > 0 else None


async def cooldown_start(seconds: int, *identifiers: str) -> None:
    """Slow mode: a hit was allowed; the next one waits ``seconds``."""
    if seconds > 0:
        await get_redis().set(key("cooldown", *identifiers), 1, ex=seconds)


class MovingWindow:
    """At most ``count`` (weighted) hits in any ``seconds``, in memory.

    Bounded: only allowed hits are kept, so at most ``count`` entries (each
    of weight ≥ 1). ``now`` is ``time.monotonic()``. Every socket holds
    three, so the hits are a plain list (an empty ``deque`` costs ten times
    an empty list; trimming a list of at most ``count`` entries is cheap)."""

    __slots__ = ("count", "seconds", "hits", "total")

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds
        self.hits: list[tuple[float, int]] = []
        self.total = 0

    def wait(self, now: float) -> int | None:
        """``None`` if a hit is allowed now, else whole seconds until one is."""
        hits = self.hits
        expired = 0
        while expired < len(hits) and hits[expired][0] <= now - self.seconds:
            self.total -= hits[expired][1]
            expired += 1
        if expired:
            del hits[:expired]
        if self.total < self.count:
            return None
        return max(1, math.ceil(hits[0][0] + self.seconds - now))

    def add(self, now: float, weight: int = 1) -> None:
        if weight > 0:
            self.hits.append((now, weight))
            self.total += weight

    def hit(self, now: float) -> int | None:
        """Count one hit if allowed (``None``); else the seconds to wait."""
        wait = self.wait(now)
        if wait is None:
            self.add(now)
        return wait
