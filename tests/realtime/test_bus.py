"""Hub events between processes over Redis Pub/Sub (``realtime/bus.py``),
on the test run's real Redis."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async

from common.redis import get_redis
from realtime import bus
from realtime.events import _send_many, event_message
from realtime.fanout import get_fanout
from tests.hub import ROOM, assert_quiet, message_ids, seed_messages, wait_until


async def _kill_subscriber() -> int:
    """Drop this process's subscription connection, as a Redis restart or a
    network fault would; the number of connections killed."""
    redis, name = get_redis(), get_fanout().subscription.name
    killed = 0
    for client in await redis.client_list():
        if client.get("name") == name:
            killed += await redis.client_kill_filter(_id=client["id"])
    return killed


class Listener:
    """A ``Subscription`` of its own that records what it receives."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.lost = 0
        self.subscription = bus.Subscription(on_message=self._received, on_lost=self._lost)

    async def _received(self, event: dict) -> None:
        self.events.append(event)

    def _lost(self) -> None:
        self.lost += 1

    async def wait_for(self, count: int, timeout: float = 10) -> list[dict]:
        """The events received, once there are ``count``."""
        await wait_until(lambda: len(self.events) >= count, timeout=timeout,
                         what=lambda: f"{count} events (received {len(self.events)})")
        return self.events


async def test_a_burst_of_events_arrives_complete_and_in_order():
    listener = Listener()
    await listener.subscription.subscribe(bus.channel_for("room.burst"))
    # 250 events handed in by 50 concurrent callers: they travel in batches.
    await asyncio.gather(*(_send_many([event_message("room.burst", {"type": "x"}, seq=n * 5 + k) for k in range(5)])
                           for n in range(50)))
    assert [event["seq"] for event in await listener.wait_for(250)] == list(range(250))
    assert listener.lost == 0


async def test_a_foreign_message_on_a_topic_channel_is_skipped_and_delivery_goes_on():
    listener = Listener()
    channel = bus.channel_for("room.asing")
    await listener.subscription.subscribe(channel)
    await get_redis().publish(channel, b"\xc1 not msgpack")
    await bus.publish([event_message("room.asing", {"type": "x"}, seq=1)])
    assert [event["seq"] for event in await listener.wait_for(1)] == [1]
    assert listener.lost == 0


async def test_many_first_subscriptions_at_once_are_all_confirmed():
    """A freshly started process whose first sockets all join at once (after a
    deploy, every browser reconnects)."""
    listener = Listener()
    topics = [f"room.r{n}" for n in range(30)]
    await asyncio.wait_for(asyncio.gather(*(listener.subscription.subscribe(bus.channel_for(t)) for t in topics)), 5)
    await bus.publish([event_message(t, {"type": "x"}) for t in topics])
    assert sorted(event["topic"] for event in await listener.wait_for(len(topics))) == sorted(topics)


async def test_after_a_lost_redis_connection_open_sockets_catch_up_from_the_database(room, speaker_and_listener):
    alice, speaker, listener = speaker_and_listener
    await speaker.say(ROOM, "satu")
    assert message_ids(await listener.until_message(1)) == [1]

    # Messages whose events were lost with the connection: nothing later
    # shows the gap, yet the listener gets them once the hub is subscribed again.
    await sync_to_async(seed_messages)(room, alice, 3, prefix="terlewat")
    assert await _kill_subscriber() == 1
    assert message_ids(await listener.until_message(4)) == [2, 3, 4]

    # And live events flow again, each once.
    await speaker.say(ROOM, "lima")
    assert message_ids(await listener.until_message(5)) == [5]
    await assert_quiet(listener, 0.3)


async def test_a_mark_is_answered_only_by_the_fan_out_of_the_process_that_made_it():
    """Every process receives every event of its topics, marks included: a
    publisher waiting for its own event to go out (``Fanout.expect``) must
    not be released by another process's event that happens to carry the
    same counter."""
    from realtime.fanout import Fanout

    class Socket:
        user_id = None
        leads = False

        def __init__(self) -> None:
            self.got: list[dict] = []

        async def deliver(self, message: dict) -> None:
            self.got.append(message)

    here, there = Fanout(), Fanout()  # two server processes' fan-outs
    here_socket, there_socket = Socket(), Socket()
    here.members["room.tanda"].add(here_socket)
    there.members["room.tanda"].add(there_socket)
    mine, waiting = here.expect("room.tanda")
    theirs, _their_future = there.expect("room.tanda")
    assert mine != theirs
    await here.dispatch(event_message("room.tanda", {"type": "x"}, mark=theirs))
    assert len(here_socket.got) == 1 and not waiting.done()
    await here.dispatch(event_message("room.tanda", {"type": "x"}, mark=mine))
    assert waiting.done() and len(here_socket.got) == 2
    assert here.expect("room.kosong") is None  # no socket here: nothing would come back
