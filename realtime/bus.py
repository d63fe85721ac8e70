"""Hub events between server processes, over Redis Pub/Sub.

Each topic has one Redis channel (``<prefix>:hub:t:<topic>``). A server
process subscribes to the channels of the topics its sockets are on
(``realtime/fanout.py``); publishing is one ``PUBLISH`` per topic, and
the events of one flush travel in one pipelined round trip. Events of one
topic published together go as one message (``hub.batch``).

Why not the channel layer. channels-redis's ``RedisChannelLayer`` spends
three round trips and a Lua script per ``group_send`` and a ``BRPOP`` per
message received; at 200 held messages a second those were a third of the
event loop. Its ``RedisPubSubChannelLayer`` neither confirms a subscription
nor tells the process that its connection dropped (it re-subscribes
silently), so a process could not know it missed events. Here
``Subscription.subscribe`` returns once Redis confirmed it, and after a lost
connection every channel is subscribed again and ``on_lost`` tells the
sockets to re-read from the database. Delivery is at-most-once either way:
the database is the record and sockets catch up by id.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable

import msgpack
from redis.backoff import NoBackoff
from redis.retry import Retry

from common.metrics import REDIS_RECONNECTS
from common.redis import get_redis, get_sync_redis, key, new_async_client

log = logging.getLogger(__name__)

#: One Pub/Sub message carries at most this many events of one topic.
BATCH_MAX = 100
#: Several events of one topic in one message (``events``).
BATCH = "hub.batch"
#: How long ``subscribe`` waits for Redis to confirm.
CONFIRM_TIMEOUT_S = 10.0


_subscriptions = itertools.count(1)
REDIS_RECONNECTS_HUB = REDIS_RECONNECTS.labels("hub_subscription")


def channel_for(topic: str) -> str:
    """The Redis channel of a topic (``room.bupati`` -> ``balai:hub:t:room.bupati``)."""
    return key("t", topic)


def _payloads(events: list[dict]) -> list[tuple[str, bytes]]:
    """``(channel, message)`` pairs: the events grouped by topic, in order,
    at most ``BATCH_MAX`` to a message."""
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        by_topic[event["topic"]].append(event)
    pairs = []
    for topic, topic_events in by_topic.items():
        for start in range(0, len(topic_events), BATCH_MAX):
            chunk = topic_events[start:start + BATCH_MAX]
            message = chunk[0] if len(chunk) == 1 else {"type": BATCH, "events": chunk}
            pairs.append((channel_for(topic), msgpack.packb(message, use_bin_type=True)))
    return pairs


def unpack(data: bytes) -> list[dict]:
    """The events of one received message."""
    message = msgpack.unpackb(data, raw=False)
    return message["events"] if message.get("type") == BATCH else [message]


#: An outbox entry that is a Redis write to run, not an event to publish.
COMMAND = "redis.command"


def command_entry(*command) -> dict:
    """A Redis write (``("XADD", key, "*", ...)``) to send with the events."""
    return {"type": COMMAND, "command": command}


def _fill(pipe, entries: list[dict]) -> None:
    """Commands first (the console must not hear of an item before it is on
    its stream), then one ``PUBLISH`` per topic."""
    for entry in entries:
        if entry["type"] == COMMAND:
            pipe.execute_command(*entry["command"])
    for channel, payload in _payloads([entry for entry in entries if entry["type"] != COMMAND]):
        pipe.publish(channel, payload)


async def publish(entries: list[dict]) -> None:
    """Publish from the event loop: one round trip for the lot."""
    pipe = get_redis().pipeline(transaction=False)
    _fill(pipe, entries)
    await pipe.execute()


def publish_sync(entries: list[dict]) -> None:
    """Publish from synchronous code (views, the worker)."""
    pipe = get_sync_redis().pipeline(transaction=False)
    _fill(pipe, entries)
    pipe.execute()


class Subscription:
    """One process's Pub/Sub connection. ``on_message`` gets each event;
    ``on_lost`` is called once the connection failed and every channel has
    been subscribed again (whatever was published meanwhile is gone)."""

    def __init__(self, on_message: Callable[[dict], Awaitable[None]], on_lost: Callable[[], None]) -> None:
        self.on_message = on_message
        self.on_lost = on_lost
        #: Its Redis client name, as ``CLIENT LIST`` shows it.
        self.name = "-".join((key("subscriber").replace(":", "-"), str(os.getpid()), str(next(_subscriptions))))
        # No retries inside redis-py: a failure must reach the reader, which
        # knows that events were lost.
        self.client = new_async_client(socket_keepalive=True, client_name=self.name, retry=Retry(NoBackoff(), 0))
        self.pubsub = self.client.pubsub()
        self.channels: set[str] = set()
        self._confirming: dict[str, list[asyncio.Future]] = defaultdict(list)
        self._resubscribing: set[str] = set()
        self._broken = False
        self._task: asyncio.Task | None = None
        # One command at a time: redis-py's PubSub takes a connection from the
        # pool on its first command, and concurrent first commands would each
        # take one, so the confirmations of all but one would never be read.
        self._sending = asyncio.Lock()

    async def subscribe(self, channel: str) -> None:
        """Returns once Redis confirmed the subscription: an event published
        after that reaches this process."""
        confirmed = asyncio.get_running_loop().create_future()
        self._confirming[channel].append(confirmed)
        try:
            async with self._sending:
                await self.pubsub.subscribe(channel)
        except Exception:
            self._confirming[channel].remove(confirmed)
            raise
        self.channels.add(channel)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._read(), name="hub-subscription")
        await asyncio.wait_for(confirmed, CONFIRM_TIMEOUT_S)

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)
        self._resubscribing.discard(channel)
        async with self._sending:
            await self.pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        backoff = 0.1
        while True:
            try:
                if self._broken and not await self._subscribe_again():
                    return  # nothing to listen to: the next subscribe starts a reader
                response = await self.pubsub.get_message(timeout=None)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("hub subscription failed; subscribing again in %.1fs", backoff, exc_info=True)
                if not self._broken:
                    REDIS_RECONNECTS_HUB.inc()
                self._broken = True
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if response is not None:
                await self._handle(response)

    async def _subscribe_again(self) -> bool:
        """A fresh connection, subscribed to every channel; ``False`` when
        there is none to subscribe to. With ``REDIS_URL=redis+sentinel://…``
        the fresh connection asks the sentinels first, so after a failover
        it is to the new primary (Sentinel closes the clients of the
        instances it reconfigures, which brings the reader here)."""
        try:
            await self.pubsub.aclose()
        except Exception:
            log.debug("closing the broken subscription failed", exc_info=True)
        self.pubsub = self.client.pubsub()
        channels = set(self.channels)
        if not channels:
            self._broken = False
            return False
        self._resubscribing = channels
        async with self._sending:
            await self.pubsub.subscribe(*channels)
        self._broken = False
        return True

    async def _handle(self, response: dict) -> None:
        kind = response.get("type")
        channel = response.get("channel")
        if isinstance(channel, bytes):
            channel = channel.decode()
        if kind == "message":
            try:
                events = unpack(response["data"])
            except Exception:
                # Not ours (something else published on the channel): skip it,
                # the subscription itself is fine.
                log.warning("undecodable message on %s dropped", channel, exc_info=True)
                return
            for event in events:
                await self.on_message(event)
        elif kind == "subscribe":
            for confirmed in self._confirming.pop(channel, []):
                if not confirmed.done():
                    confirmed.set_result(None)
            if channel in self._resubscribing:
                self._resubscribing.discard(channel)
                if not self._resubscribing:
                    self.on_lost()
