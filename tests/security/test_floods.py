"""Floods that write (issue 14 B): what gets through a flood is exactly what
the limits allow, and the rest changes nothing. The frame budget with pings,
guest sockets and sign-ups per address (with a forged ``X-Forwarded-For``)
are in ``test_socket_abuse.py`` and ``tests/accounts/test_throttling.py``."""

from __future__ import annotations

import uuid

from asgiref.sync import sync_to_async

from chat.models import Message
from realtime.consumer import CLOSE_FLOODING
from tests.hub import ROOM, Closed, assert_quiet, message_ids


async def test_a_send_flood_stores_what_the_limits_allow_and_nothing_more(room, make_user, connect, settings):
    """200 sends from one citizen's socket at production budgets: 5 messages
    (the room's rate), the frames past the socket's budget refused, the socket
    closed for flooding; a listener receives those 5 and nothing else."""
    settings.HUB_FRAME_RATE_COUNT, settings.HUB_FRAME_RATE_SECONDS = 60, 10
    settings.CHAT_RATE_COUNT, settings.CHAT_RATE_SECONDS = 5, 10
    siti = await make_user("siti")
    flooder = await connect(siti)
    listener = await connect(None)
    await flooder.join(ROOM)
    await listener.join(ROOM)
    for n in range(200):
        await flooder.send({"type": "send", "topic": ROOM, "body": f"banjir {n}", "client_id": str(uuid.uuid4()),
                            "ref": f"s{n}"})
    replies = []
    try:
        while True:
            replies.append(await flooder.recv())
    except Closed as closed:
        assert closed.code == CLOSE_FLOODING
    acks = [r for r in replies if r["type"] == "ack"]
    refusals = [r["code"] for r in replies if r["type"] == "error"]
    assert len(acks) == 5 and set(refusals) == {"rate_limited"}, (acks, set(refusals))
    stored = await sync_to_async(lambda: list(Message.objects.order_by("seq").values_list("body", "seq")))()
    assert [body for body, _seq in stored] == [f"banjir {n}" for n in range(5)]
    frames = await listener.until_message(stored[-1][1])
    assert message_ids(frames) == [seq for _body, seq in stored]
    await assert_quiet(listener, 0.3)
