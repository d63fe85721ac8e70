"""Sign-up attempts per client address, counted in Redis through the
``limits`` library (a moving window, as the hub's chat rate limits), so the
count holds across server processes."""

from __future__ import annotations

import math
import time

from django.conf import settings
from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from common.redis import prefixed, sentinel_pool

_limiters: dict[str, MovingWindowRateLimiter] = {}


def _limiter() -> MovingWindowRateLimiter:
    url = settings.REDIS_URL
    limiter = _limiters.get(url)
    if limiter is None:
        pool = sentinel_pool(asyncio_pool=False)
        if pool is None:
            storage = RedisStorage(url, key_prefix=prefixed("accounts", "limits"), socket_connect_timeout=5)
        else:  # Sentinel: the pool follows the primary (limits' own sentinel URLs read no database)
            storage = RedisStorage("redis://", key_prefix=prefixed("accounts", "limits"), connection_pool=pool)
        limiter = _limiters[url] = MovingWindowRateLimiter(storage)
    return limiter


def signup_attempt(address: str | None) -> int | None:
    """Count one sign-up attempt from ``address``: ``None`` if allowed, else
    the seconds until the next one is."""
    item = RateLimitItemPerSecond(settings.SIGNUP_RATE_COUNT, settings.SIGNUP_RATE_SECONDS)
    limiter = _limiter()
    if limiter.hit(item, "signup", address or "unknown"):
        return None
    stats = limiter.get_window_stats(item, "signup", address or "unknown")
    return max(1, math.ceil(stats.reset_time - time.time()))
