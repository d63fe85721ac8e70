"""The queue engine on Redis Streams: one stream per queue, one consumer group
of moderators, each moderator a consumer.

The stream carries item ids only; ``QueueItem`` rows are the truth. Entries
leave a stream by ``XACK`` + ``XDEL`` once their item is decided, never by
``MAXLEN``/``XTRIM``, so nothing still pending is ever trimmed.
"""

from __future__ import annotations

import logging

import redis

from common.redis import get_sync_redis, prefixed

log = logging.getLogger(__name__)

GROUP = "moderators"


def client() -> redis.Redis:
    return get_sync_redis()


def stream_name(queue: str) -> str:
    return prefixed("modq", queue)


def ensure_group(stream: str) -> None:
    try:
        client().xgroup_create(stream, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def add_command(stream: str, item_id: int) -> tuple:
    """The Redis command that appends an item (the consumer group is created
    on first claim, from id 0, so nothing added before it is missed)."""
    return ("XADD", stream, "*", "item", item_id)


def add(stream: str, item_id: int) -> str:
    """Append an item now; its entry id."""
    return client().execute_command(*add_command(stream, item_id)).decode()


def items(stream: str) -> dict[int, list[str]]:
    """Every entry of ``stream``: ``{item id: [entry ids]}`` (a stream holds
    only undecided items, so this stays as small as the queue)."""
    found: dict[int, list[str]] = {}
    start = "-"
    while True:
        rows = client().xrange(stream, min=start, max="+", count=1000)
        for entry_id, fields in rows:
            found.setdefault(int(fields.get(b"item", 0)), []).append(entry_id.decode())
        if len(rows) < 1000:
            return found
        start = "(" + rows[-1][0].decode()


def _with_group(stream: str, call):
    try:
        return call()
    except redis.ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        ensure_group(stream)  # Redis lost its data; the reconciler re-adds the items
        return call()


def claim(stream: str, consumer: str, idle_ms: int) -> tuple[str, int, int] | None:
    """The next entry for ``consumer``: one idle past ``idle_ms`` in another
    consumer's hands first (``XAUTOCLAIM``), else a new one (``XREADGROUP``).
    Returns ``(entry id, item id, times delivered)`` or ``None``."""
    conn = client()
    entries: list = []
    cursor = "0-0"
    while not entries:
        # XAUTOCLAIM looks at no more than 10 × COUNT pending entries per call:
        # follow its cursor, or an idle entry behind ten busy ones is never found.
        cursor, claimed, *_ = _with_group(stream, lambda start=cursor: conn.xautoclaim(
            stream, GROUP, consumer, min_idle_time=idle_ms, start_id=start, count=1))
        entries = [(entry_id, fields) for entry_id, fields in claimed if fields]
        if cursor in (b"0-0", "0-0"):
            break
    if not entries:
        response = _with_group(stream, lambda: conn.xreadgroup(GROUP, consumer, {stream: ">"}, count=1))
        entries = [(entry_id, fields) for _name, rows in response or [] for entry_id, fields in rows]
    if not entries:
        return None
    entry_id, fields = entries[0]
    pending = conn.xpending_range(stream, GROUP, min=entry_id, max=entry_id, count=1)
    delivered = pending[0]["times_delivered"] if pending else 1
    return entry_id.decode(), int(fields[b"item"]), delivered


def done(stream: str, entry_id: str) -> None:
    """Remove a decided item's entry: acknowledged and deleted."""
    if not entry_id:
        return
    pipe = client().pipeline(transaction=False)
    pipe.xack(stream, GROUP, entry_id)
    pipe.xdel(stream, entry_id)
    pipe.execute()


def eviction_policy() -> str:
    return client().config_get("maxmemory-policy").get("maxmemory-policy", "")
