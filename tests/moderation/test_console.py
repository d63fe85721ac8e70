"""The moderators' live console topic ``modq.console``: moderators only; the
queue statistics on join, then a ``queue.event`` for each arrival, claim and
decision."""

from __future__ import annotations

from accounts.choices import Role
from tests.moderation.helpers import ROOM, aclaim, adecide

CONSOLE = "modq.console"


async def test_citizens_and_guests_cannot_join_the_console(make_user, connect):
    for who in (await make_user("siti"), None):
        socket = await connect(who)
        refused = await socket.request({"type": "join", "topic": CONSOLE, "ref": "c"})
        assert (refused["type"], refused["code"]) == ("error", "forbidden")
    mod = await connect(await make_user("mod", role=Role.MODERATOR))
    refused = await mod.request({"type": "join", "topic": "modq.lain", "ref": "c"})
    assert (refused["type"], refused["code"]) == ("error", "not_found")


async def test_a_moderator_sees_the_queues_and_every_event_live(make_user, make_room, connect):
    await make_room("bupati", "Ruang Bupati", premoderated=True)
    siti = await make_user("siti")
    ani = await make_user("ani", role=Role.MODERATOR)
    author, console = await connect(siti), await connect(ani)
    joined, _ = await console.join(CONSOLE)
    assert joined["queues"]["chat"] == {"pending": 0, "oldest_age": None}
    assert set(joined["queues"]) >= {"chat", "reports", "escalated"}

    await author.join(ROOM)
    ack = await author.say(ROOM, "Mohon perhatian Pak Bupati")
    assert ack["status"] == "held"
    arrived = await console.recv_until("queue.event")
    assert (arrived["event"], arrived["queue"], arrived["status"], arrived["by"]) == ("arrived", "chat", "pending",
                                                                                      None)
    item_id = arrived["item_id"]

    status, body = await aclaim(ani)
    assert body["item"]["id"] == item_id
    claimed = await console.recv_until("queue.event", event="claimed")
    assert (claimed["item_id"], claimed["by"]) == (item_id, "ani")
    await adecide(ani, item_id, "approve")
    decided = await console.recv_until("queue.event", event="decided")
    assert (decided["item_id"], decided["status"]) == (item_id, "approved")
