"""A socket that only listens still closes when its session ends, even if
the sign-out event never reached its server process."""

import asyncio

from asgiref.sync import sync_to_async
from django.contrib.sessions.models import Session
from django.core.cache import cache

from realtime.consumer import CLOSE_AUTH_LOST


async def test_a_listening_socket_closes_within_seconds_when_its_session_disappears(room, make_user, connect):
    alice = await make_user("alice")
    sock = await connect(alice)
    await sock.join("room.bupati")
    key = sock.client.cookies["sessionid"].value
    # The session ends behind the hub's back: no sign-out signal, no event.
    await sync_to_async(Session.objects.filter(session_key=key).delete)()
    await cache.adelete("django.contrib.sessions.cached_db" + key)
    assert await sock.wait_closed(timeout=10) == CLOSE_AUTH_LOST


async def test_a_listening_socket_with_a_live_session_stays_open(room, make_user, connect):
    sock = await connect(await make_user("alice"))
    await sock.join("room.bupati")
    await asyncio.sleep(5.0)  # more than one session-watch round
    reply = await sock.request({"type": "ping", "ref": "p"})
    assert reply["type"] == "pong"
