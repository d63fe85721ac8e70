"""Presence: signed-in users count once however many tabs, each guest socket
once; presence frames follow changes; expired entries do not count."""

from __future__ import annotations

import asyncio
import time

from common.redis import key
from realtime import local, presence
from tests.hub import ROOM, assert_quiet


async def presence_count(sock, expected: int, timeout: float = 5) -> dict:
    """Wait for a presence frame with ``expected`` (earlier counts may come first)."""
    while True:
        frame = await sock.recv_until("presence", timeout=timeout)
        assert frame["topic"] == ROOM
        if frame["count"] == expected:
            return frame


async def test_two_tabs_count_once_and_a_guest_once_more(room, make_user, connect, monkeypatch):
    # Counts are broadcast at most once per PRESENCE_THROTTLE_S (1 s): shortened
    # so that the test waits for the frames, not for the throttle.
    monkeypatch.setattr(local, "PRESENCE_THROTTLE_S", 0.05)
    alice = await make_user("alice")
    tab1 = await connect(alice)
    joined, _ = await tab1.join(ROOM)
    assert joined["presence"] == 1
    tab2 = await connect(alice)
    joined, _ = await tab2.join(ROOM)
    assert joined["presence"] == 1
    guest = await connect(None)
    joined, _ = await guest.join(ROOM)
    assert joined["presence"] == 2
    await presence_count(tab1, 2)

    # a second guest socket is another person as far as the count knows
    guest2 = await connect(None)
    assert (await guest2.join(ROOM))[0]["presence"] == 3
    await presence_count(tab1, 3)

    await guest.close()
    await guest2.request({"type": "leave", "topic": ROOM, "ref": "l"})
    await presence_count(tab1, 1)
    # one of alice's two tabs leaving changes nothing: she is still there
    await tab2.close()
    await assert_quiet(tab1, 0.5, ignoring=())  # ten throttle periods: the recount sends nothing
    assert await presence.count(ROOM) == 1


async def test_expired_entries_do_not_count(room, redis_client, connect):
    now = time.time()
    # what other processes wrote: two that crashed (their entries expired), one alive
    for member, expires in (("u999|crashed-process", now - 1), ("g1|crashed", now - 100),
                            ("u998|alive-elsewhere", now + presence.TTL_S)):
        await presence.enter(ROOM, member, expires=expires)
    guest = await connect(None)
    joined, _ = await guest.join(ROOM)
    assert joined["presence"] == 2  # this guest and the live entry of another process
    members = {m.decode() for m in redis_client.zrange(key("presence", ROOM), 0, -1)}
    assert "u999|crashed-process" not in members and "g1|crashed" not in members


async def test_socket_leaving_removes_its_entry(room, make_user, redis_client, connect):
    sock = await connect(await make_user("alice"))
    await sock.join(ROOM)
    assert redis_client.zcard(key("presence", ROOM)) == 1
    await sock.request({"type": "leave", "topic": ROOM, "ref": "l"})
    assert redis_client.zcard(key("presence", ROOM)) == 0


async def test_the_count_follows_tabs_leaves_expiry_and_a_flushed_redis(redis_client):
    """The count is kept beside the members (one call per join, whatever the
    audience): it must stay equal to the distinct people among live members."""
    topic = "room:counting"
    await presence.enter(topic, "u1|tab-a")
    await presence.enter(topic, "u1|tab-b")
    await presence.enter(topic, "gc1|c1")
    await presence.enter(topic, "u2|tab-a", expires=time.time() + 0.2)
    assert await presence.count(topic) == 3  # alice once, a guest, bob
    await presence.enter(topic, "u1|tab-a")  # a heartbeat's refresh adds nobody
    await presence.leave(topic, "u1|tab-b")
    await presence.leave(topic, "u1|tab-b")  # twice: nothing more
    assert await presence.count(topic) == 3  # alice still has a tab
    await asyncio.sleep(0.3)
    assert await presence.count(topic) == 2  # bob's entry expired
    await presence.leave(topic, "u1|tab-a")
    assert await presence.count(topic) == 1
    redis_client.flushdb()  # Redis lost everything, scripts included
    assert await presence.count(topic) == 0
    await presence.heartbeat([(topic, "gc1|c1"), (topic, "u1|tab-c")], [])
    assert await presence.count(topic) == 2
