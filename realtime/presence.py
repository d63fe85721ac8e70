"""Presence and connection counts, kept in Redis with expiry.

Each socket is a member ``<who>|<connection>`` of a sorted set per topic,
scored by when it expires; ``<who>`` is ``u<user id>`` for a signed-in user
(so several tabs count once) and ``g<connection>`` for a guest. Every server
process refreshes its own sockets' scores every ``HEARTBEAT_S``; a crashed
process stops refreshing and its sockets fall out within ``TTL_S``, leaving
no ghosts. The same scheme counts a user's open sockets, and the guest
sockets of one client address, across processes.

Beside each topic's set, a hash counts the live members per ``<who>``, so
that the number of people is the hash's length: one O(1) call, whatever the
audience. Reading the whole set on every join (as before) made joining N
sockets cost O(N²) — a third of the server's CPU while 2,000 sockets joined
a session (docs/performance.md, "Joins"). The two are only ever changed
together, by the Lua scripts below (atomic in Redis), and every script first
drops the expired members and their counts (``SWEEP``), so a crashed
process's sockets leave both.
"""

from __future__ import annotations

import time
import weakref

from common.redis import get_redis, get_sync_redis, key

HEARTBEAT_S = 15
TTL_S = 45


def member(user_id: int | None, connection: str) -> str:
    who = f"u{user_id}" if user_id else f"g{connection}"
    return f"{who}|{connection}"


def _presence_key(topic: str) -> str:
    return key("presence", topic)


def _people_key(topic: str) -> str:
    return key("presence-who", topic)


def _connections_key(user_id: int) -> str:
    return key("conns", str(user_id))


def _guests_key(address: str) -> str:
    return key("guests", address)


# KEYS[1]: the topic's members (member -> expiry), KEYS[2]: live members per <who>.
SWEEP = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, member in ipairs(expired) do
  local who = string.match(member, '^[^|]*')
  if redis.call('HINCRBY', KEYS[2], who, -1) <= 0 then redis.call('HDEL', KEYS[2], who) end
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) end
"""
#: ARGV: now, then (member, expiry) pairs: add or refresh each.
ENTER = SWEEP + """
for i = 2, #ARGV, 2 do
  if redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i]) == 1 then
    redis.call('HINCRBY', KEYS[2], string.match(ARGV[i], '^[^|]*'), 1)
  end
end
"""
#: ARGV: now, member.
LEAVE = SWEEP + """
if redis.call('ZREM', KEYS[1], ARGV[2]) == 1 then
  local who = string.match(ARGV[2], '^[^|]*')
  if redis.call('HINCRBY', KEYS[2], who, -1) <= 0 then redis.call('HDEL', KEYS[2], who) end
end
"""
#: ARGV: now. The number of people.
COUNT = SWEEP + """
return redis.call('HLEN', KEYS[2])
"""

_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _script(client, source: str):
    """``source`` registered on ``client`` (EVALSHA, loaded again if Redis lost it)."""
    registered = _scripts.get(client)
    if registered is None:
        registered = _scripts[client] = {}
    script = registered.get(source)
    if script is None:
        script = registered[source] = client.register_script(source)
    return script


def _keys(topic: str) -> list[str]:
    return [_presence_key(topic), _people_key(topic)]


async def enter(topic: str, member_id: str, expires: float | None = None) -> None:
    """``member_id`` is on ``topic`` until ``expires`` (default: ``TTL_S`` from now)."""
    now = time.time()
    await _script(get_redis(), ENTER)(keys=_keys(topic), args=[now, member_id, expires or now + TTL_S])


async def leave(topic: str, member_id: str) -> None:
    await _script(get_redis(), LEAVE)(keys=_keys(topic), args=[time.time(), member_id])


async def count(topic: str) -> int:
    """People on the topic now: signed-in users once, each guest socket once."""
    return int(await _script(get_redis(), COUNT)(keys=_keys(topic), args=[time.time()]))


async def last_broadcast_swap(topic: str, value: int) -> int | None:
    """Store the count last broadcast for ``topic``; return the previous one."""
    previous = await get_redis().set(key("presence-last", topic), value, get=True, ex=TTL_S * 4)
    return int(previous) if previous is not None else None


async def connection_open(user_id: int, connection: str, limit: int) -> bool:
    """Count a user's socket; ``False`` (and nothing counted) past ``limit``."""
    return await _open(_connections_key(user_id), connection, limit)


async def guest_open(address: str, connection: str, limit: int) -> bool:
    """Count a guest socket of a client address; ``False`` (nothing counted) past ``limit``."""
    return await _open(_guests_key(address), connection, limit)


async def guest_close(address: str, connection: str) -> None:
    await get_redis().zrem(_guests_key(address), connection)


async def _open(set_key: str, connection: str, limit: int) -> bool:
    client = get_redis()
    now = time.time()
    # Add, then count, in one transaction: sockets connecting at the same
    # moment each see the others (count-then-add let them all pass).
    pipe = client.pipeline(transaction=True)
    pipe.zremrangebyscore(set_key, 0, now)
    pipe.zadd(set_key, {connection: now + TTL_S})
    pipe.zcard(set_key)
    pipe.expire(set_key, TTL_S * 2)
    _, _, open_now, _ = await pipe.execute()
    if open_now > limit:
        await client.zrem(set_key, connection)
        return False
    return True


async def connection_close(user_id: int, connection: str) -> None:
    await get_redis().zrem(_connections_key(user_id), connection)


async def heartbeat(entries: list[tuple[str, str]], connections: list[tuple[int, str]],
                    guests: list[tuple[str, str]] = ()) -> None:
    """Refresh the expiry of this process's sockets: ``(topic, member)`` pairs,
    ``(user id, connection)`` and ``(address, connection)`` pairs, in one round trip."""
    if not entries and not connections and not guests:
        return
    now = time.time()
    expires = now + TTL_S
    client = get_redis()
    pipe = client.pipeline(transaction=False)
    by_topic: dict[str, list] = {}
    for topic, member_id in entries:
        by_topic.setdefault(topic, []).extend((member_id, expires))
    enter_script = _script(client, ENTER)
    for topic, pairs in by_topic.items():
        for start in range(0, len(pairs), 2000):  # a few thousand arguments per call
            await enter_script(keys=_keys(topic), args=[now, *pairs[start:start + 2000]], client=pipe)
    for user_id, connection in connections:
        pipe.zadd(_connections_key(user_id), {connection: expires})
        pipe.expire(_connections_key(user_id), TTL_S * 2)
    for address, connection in guests:
        pipe.zadd(_guests_key(address), {connection: expires})
        pipe.expire(_guests_key(address), TTL_S * 2)
    await pipe.execute()


def _online(user_ids: list[int], counts: list[int]) -> set[int]:
    return {user_id for user_id, open_now in zip(user_ids, counts, strict=True) if open_now}


def users_with_sockets(user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` have a socket open now, on any server process
    (from synchronous code, outside any transaction)."""
    if not user_ids:
        return set()
    now = time.time()
    pipe = get_sync_redis().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.zcount(_connections_key(user_id), now, "+inf")
    return _online(user_ids, pipe.execute())


async def ausers_with_sockets(user_ids: list[int]) -> set[int]:
    """``users_with_sockets`` from the event loop."""
    if not user_ids:
        return set()
    now = time.time()
    pipe = get_redis().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.zcount(_connections_key(user_id), now, "+inf")
    return _online(user_ids, await pipe.execute())
