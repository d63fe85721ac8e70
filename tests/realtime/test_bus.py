"""Hub events between processes over Redis Pub/Sub (``realtime/hub/bus.py``),
on the test run's real Redis."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async

from realtime.hub import bus
from realtime.hub.events import _send_many, event_message
from realtime.hub.fanout import get_fanout
from realtime.hub.redis import get_redis
from tests.realtime.conftest import ROOM, message_ids, seed_messages


async def _kill_subscriber() -> int:
    """Drop this process's subscription connection, as a Redis restart or a
    network fault would; the number of connections killed."""
    redis, name = get_redis(), get_fanout().subscription.name
    killed = 0
    for client in await redis.client_list():
        if client.get("name") == name:
            killed += await redis.client_kill_filter(_id=client["id"])
    return killed


async def test_a_burst_of_events_arrives_complete_and_in_order():
    received: list[int] = []
    lost: list[bool] = []

    async def on_message(event):
        received.append(event["seq"])

    subscription = bus.Subscription(on_message=on_message, on_lost=lambda: lost.append(True))
    await subscription.subscribe(bus.channel_for("room.burst"))
    # 250 events handed in by 50 concurrent callers: they travel in batches.
    await asyncio.gather(*(_send_many([event_message("room.burst", {"type": "x"}, seq=n * 5 + k) for k in range(5)])
                           for n in range(50)))
    for _ in range(100):
        if len(received) == 250:
            break
        await asyncio.sleep(0.02)
    assert received == list(range(250)) and not lost
    await subscription.unsubscribe(bus.channel_for("room.burst"))


async def test_many_first_subscriptions_at_once_are_all_confirmed():
    """A freshly started process whose first sockets all join at once (after a
    deploy, every browser reconnects)."""
    received: list[str] = []

    async def on_message(event):
        received.append(event["topic"])

    subscription = bus.Subscription(on_message=on_message, on_lost=lambda: None)
    topics = [f"room.r{n}" for n in range(30)]
    await asyncio.wait_for(asyncio.gather(*(subscription.subscribe(bus.channel_for(t)) for t in topics)), 5)
    await bus.publish([event_message(t, {"type": "x"}) for t in topics])
    for _ in range(100):
        if len(received) == len(topics):
            break
        await asyncio.sleep(0.02)
    assert sorted(received) == sorted(topics)


async def test_after_a_lost_redis_connection_open_sockets_catch_up_from_the_database(room, speaker_and_listener):
    alice, speaker, listener = speaker_and_listener
    await speaker.say(ROOM, "satu")
    assert message_ids(await listener.drain(0.3)) == [1]

    # Messages whose events were lost with the connection: nothing later
    # shows the gap, yet the listener gets them once the hub is subscribed again.
    await sync_to_async(seed_messages)(room, alice, 3, prefix="terlewat")
    assert await _kill_subscriber() == 1
    assert message_ids(await listener.drain(1.0)) == [2, 3, 4]

    # And live events flow again.
    await speaker.say(ROOM, "lima")
    assert message_ids(await listener.drain(0.5)) == [5]
