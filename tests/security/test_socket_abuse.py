"""One socket, or one address, cannot take what the hub has (issue 14 A1):
a per-socket frame budget, joins and history that cannot amplify, guest
sockets capped per client address, and presence counting only sockets that
were let in. Memory is asserted through the bounded structures, not RSS;
the slow reader (bytes waiting in Daphne) is in ``test_socket_live.py``."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from accounts.choices import Role
from common.redis import key
from realtime import presence
from realtime.consumer import CLOSE_FLOODING, CLOSE_TOO_MANY
from realtime.ratelimit import MovingWindow
from tests.hub import ROOM, Closed, seed_messages


@pytest.fixture
def budget(settings):
    settings.HUB_FRAME_RATE_COUNT = 60  # the production default (settings/test.py raises it)
    settings.HUB_FRAME_RATE_SECONDS = 10
    return settings


async def test_two_hundred_pings_get_sixty_pongs_then_rate_limited_then_the_socket_is_closed(room, connect, budget):
    guest = await connect(None)
    for n in range(200):
        await guest.send({"type": "ping", "ref": f"p{n}"})
    pongs, refusals = [], []
    with pytest.raises(Closed) as closed:
        while True:
            frame = await guest.recv()
            (pongs if frame["type"] == "pong" else refusals).append(frame)
    assert closed.value.code == CLOSE_FLOODING == 1008
    assert len(pongs) == 60 and [p["ref"] for p in pongs] == [f"p{n}" for n in range(60)]
    # then as many refusals again (each rate_limited with when to retry, its ref echoed), then the close
    assert len(refusals) == 60
    assert all(r["type"] == "error" and r["code"] == "rate_limited" and 1 <= r["retry_after"] <= 10
               for r in refusals), refusals[:3]
    assert refusals[0]["ref"] == "p60"


async def test_the_frame_budget_is_a_moving_window(room, connect, settings):
    settings.HUB_FRAME_RATE_COUNT, settings.HUB_FRAME_RATE_SECONDS = 5, 1
    guest = await connect(None)
    for n in range(5):
        await guest.ping(ref=f"p{n}")
    refusal = await guest.request({"type": "ping", "ref": "over"})
    assert refusal["code"] == "rate_limited" and refusal["retry_after"] == 1 and refusal["ref"] == "over"
    await asyncio.sleep(1.05)
    assert await guest.ping(ref="again") == []  # the window moved on: allowed, socket open


def test_a_moving_window_keeps_at_most_count_entries():
    window = MovingWindow(60, 10)
    refused = sum(window.hit(now=0.001 * n) is not None for n in range(10_000))
    assert refused == 10_000 - 60 and len(window.hits) == 60


async def test_repeated_joins_cannot_amplify_replays(room, make_user, connect):
    """A join replays up to 200 messages: the socket's replay budget (1000 per
    60 s) refuses further joins and history once spent, before reading."""
    alice = await make_user("alice")
    await sync_to_async(seed_messages)(room, alice, 300)
    guest = await connect(None)
    replayed = 0
    for _ in range(5):
        joined, frames = await guest.join(ROOM, since=0)
        assert joined["type"] == "joined", joined
        replayed += sum(f["type"] == "message" for f in frames)
    assert replayed == 1000
    refusal = await guest.request({"type": "join", "topic": ROOM, "since": 0, "ref": "j6"})
    assert refusal["type"] == "error" and refusal["code"] == "rate_limited" and refusal["retry_after"] >= 1
    refusal = await guest.request({"type": "history", "topic": ROOM, "before": 300, "limit": 100, "ref": "h"})
    assert refusal["type"] == "error" and refusal["code"] == "rate_limited"
    assert await guest.ping() == []  # nothing was replayed after the refusals; the socket stays open


@pytest.fixture
def two_guests_per_address(settings):
    settings.HUB_MAX_GUEST_SOCKETS_PER_ADDRESS = 2
    return settings


async def refused(socket) -> None:
    error = await socket.recv()
    assert error["type"] == "error" and error["code"] == "rate_limited" and error["retry_after"] == 30, error
    assert await socket.wait_closed() == CLOSE_TOO_MANY


async def test_guest_sockets_are_capped_per_address(room, connect, two_guests_per_address):
    first = await connect(None, peer="203.0.113.7")
    await connect(None, peer="203.0.113.7")
    await refused(await connect(None, peer="203.0.113.7"))
    # a header the client wrote changes nothing without a trusted proxy
    await refused(await connect(None, peer="203.0.113.7", headers=[(b"x-forwarded-for", b"198.51.100.1")]))
    # another address, and a signed-in user from the same one, are not affected
    other = await connect(None, peer="198.51.100.1")
    assert (await other.join(ROOM))[0]["type"] == "joined"
    # a closed socket frees its place
    await first.close()
    again = await connect(None, peer="203.0.113.7")
    assert (await again.join(ROOM))[0]["type"] == "joined"


async def test_behind_a_trusted_proxy_the_address_comes_from_its_header_only(room, connect, two_guests_per_address):
    two_guests_per_address.TRUSTED_PROXIES = ["10.0.0.0/8"]
    via_proxy = {"peer": "10.0.0.2"}
    for _ in range(2):
        await connect(None, **via_proxy, headers=[(b"x-forwarded-for", b"203.0.113.7")])
    # the proxy appended the client's address; a client-written entry on its left is ignored
    await refused(await connect(None, **via_proxy, headers=[(b"x-forwarded-for", b"1.2.3.4, 203.0.113.7")]))
    # another client behind the same proxy is another address
    other = await connect(None, **via_proxy, headers=[(b"x-forwarded-for", b"198.51.100.9")])
    assert (await other.join(ROOM))[0]["type"] == "joined"


async def test_a_refused_socket_is_never_counted_present(room, make_user, connect, settings, redis_client):
    settings.HUB_MAX_GUEST_SOCKETS_PER_ADDRESS = 1
    settings.HUB_MAX_SOCKETS_PER_USER = 1
    guest = await connect(None, peer="203.0.113.7")
    assert (await guest.join(ROOM))[0]["presence"] == 1
    alice = await make_user("alice", role=Role.CITIZEN)
    assert (await (await connect(alice)).join(ROOM))[0]["presence"] == 2
    # refused sockets that ask to join at once, before the close reaches them
    late = [await connect(None, peer="203.0.113.7"), await connect(alice)]
    for socket in late:
        await socket.send({"type": "join", "topic": ROOM, "since": None, "ref": "sneak"})
    for socket in late:
        await refused(socket)
    await asyncio.sleep(0.3)  # what a join would have done, it would have done by now
    assert await presence.count(ROOM) == 2
    assert len(redis_client.zrange(key("presence", ROOM), 0, -1)) == 2
    assert redis_client.zcard(key("guests", "203.0.113.7")) == 1
