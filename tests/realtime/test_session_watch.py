"""A socket that only listens still closes when its session ends, even if
the sign-out event never reached its server process.

The watch's interval (``realtime.local.SESSION_WATCH_S``, 4 s) is shortened
here: the tests wait for the watch's rounds, not for the clock."""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

from realtime import local
from realtime.consumer import CLOSE_AUTH_LOST, HubConsumer
from tests.hub import wait_until


@pytest.fixture(autouse=True)
def fast_watch(monkeypatch):
    monkeypatch.setattr(local, "SESSION_WATCH_S", 0.05)


async def test_a_listening_socket_closes_within_seconds_when_its_session_disappears(room, make_user, connect):
    alice = await make_user("alice")
    sock = await connect(alice)
    await sock.join("room.bupati")
    key = sock.client.cookies["sessionid"].value
    # The session ends behind the hub's back: no sign-out signal, no event.
    await sync_to_async(Session.objects.filter(session_key=key).delete)()
    await cache.adelete(KEY_PREFIX + key)
    assert await sock.wait_closed(timeout=10) == CLOSE_AUTH_LOST


async def test_a_listening_socket_with_a_live_session_stays_open(room, make_user, connect, monkeypatch):
    rounds: list[list[str]] = []  # the session keys each watch round looked up
    rechecks: list[bool] = []  # the outcome of each re-read the watch forced
    look_up, recheck = RedisCache.aget_many, HubConsumer._still_authorized

    async def counted_look_up(self, keys, *args, **kwargs):
        if keys and all(k.startswith(KEY_PREFIX) for k in keys):
            rounds.append(list(keys))
        return await look_up(self, keys, *args, **kwargs)

    async def counted_recheck(self, force=False):
        result = await recheck(self, force)
        if force:
            rechecks.append(result)
        return result

    monkeypatch.setattr(RedisCache, "aget_many", counted_look_up)
    monkeypatch.setattr(HubConsumer, "_still_authorized", counted_recheck)
    sock = await connect(await make_user("alice"))
    await sock.join("room.bupati")
    key = sock.client.cookies["sessionid"].value
    # Rounds that find the session in the cache leave the socket alone.
    await wait_until(lambda: len(rounds) >= 2, what="two session-watch rounds")
    assert rechecks == []
    # One that misses it (evicted from the cache) re-reads it from the
    # database, finds it alive and keeps the socket.
    await cache.adelete(KEY_PREFIX + key)
    await wait_until(lambda: rechecks, what="the watch re-reading a session missing from the cache")
    assert rechecks == [True]
    reply = await sock.request({"type": "ping", "ref": "p"})
    assert reply["type"] == "pong"
