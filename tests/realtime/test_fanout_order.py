"""The order in which one process's fan-out writes an event to its sockets:
the regency's staff first (``Fanout.leading``), each socket once."""

from __future__ import annotations

import uuid

from realtime.events import event_message
from realtime.fanout import Fanout, get_fanout

TOPIC = "sesi.7"


class Socket:
    user_id = None

    def __init__(self, written: list, *, leads: bool = False) -> None:
        self.written = written
        self.leads = leads

    async def deliver(self, message: dict) -> None:
        self.written.append(self)


async def test_staff_sockets_are_written_first_and_every_socket_once():
    fanout = Fanout()
    written: list[Socket] = []
    audience = [Socket(written) for _ in range(300)]
    console, moderator = Socket(written, leads=True), Socket(written, leads=True)
    for socket in [*audience[:150], console, *audience[150:], moderator]:
        fanout.members[TOPIC].add(socket)  # what ``subscribe`` does, without Redis
        if socket.leads:
            fanout.leading[TOPIC].add(socket)

    await fanout.dispatch(event_message(TOPIC, {"type": "ranking"}))

    assert set(written[:2]) == {console, moderator}
    assert sorted(map(id, written)) == sorted(map(id, [*audience, console, moderator]))  # each once


async def test_a_staff_socket_that_leaves_is_no_longer_written():
    fanout = get_fanout()  # this process's, subscribed on Redis for real
    topic = f"sesi.{uuid.uuid4().int % 10**9}"
    written: list[Socket] = []
    guest, console = Socket(written), Socket(written, leads=True)
    await fanout.subscribe(topic, guest)
    await fanout.subscribe(topic, console)
    assert fanout.leading[topic] == {console}

    await fanout.unsubscribe(topic, console)
    await fanout.dispatch(event_message(topic, {"type": "ranking"}))
    assert written == [guest] and topic not in fanout.leading

    await fanout.unsubscribe(topic, guest)
    assert topic not in fanout.members
