"""A moderator vanishes mid-claim (issue 14 C): their console's socket dies
(the connection cut, no close frame) while they hold claimed items. A claim
lives in the queue's stream (the consumer group's pending list), not in the
socket: after ``MODERATION_CLAIM_TIMEOUT_SECONDS`` another moderator is
handed each of them, and each is decided exactly once — the one who
vanished, back later, is refused (``not_claimed``) and changes nothing."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message, MessageStatus
from moderation.models import AuditEntry, ItemStatus, QueueItem
from tests.faults.cluster import AppProcess, RoomClient, session_cookie
from tests.hub import wait_until
from tests.moderation.helpers import aclaim, adecide, hold, moderator, the_room, user

pytestmark = pytest.mark.live


@pytest.fixture
def app(transactional_db):
    the_room(premoderated=True)
    proc = AppProcess()
    yield proc
    proc.stop()


def _cast():
    author, ani, budi = user("siti"), moderator("ani"), moderator("budi")
    items = [hold(author, f"Mohon lampu jalan nomor {n} diganti").pk for n in range(4)]
    return ani, budi, items, session_cookie(ani)


async def test_items_of_a_moderator_who_vanished_return_after_the_timeout_and_are_decided_once(app, settings):
    settings.MODERATION_CLAIM_TIMEOUT_SECONDS = 1
    ani, budi, items, ani_cookie = await sync_to_async(_cast)()
    console = RoomClient("ani-console", [app.url], cookie=ani_cookie)
    await console.connect()
    await console._send({"type": "join", "topic": "modq.console", "ref": "console"})
    await console.sync()
    claimed_by_ani = []
    for _ in range(3):
        status, body = await aclaim(ani)
        assert status == 200 and body["item"] is not None
        claimed_by_ani.append(body["item"]["id"])
    console.ws.transport.abort()  # the socket dies: no close frame, the moderator gone

    reader = RoomClient("reader", [app.url])
    await reader.connect()

    handed_to_budi: list[int] = []

    async def budi_has_every_item():
        status, body = await aclaim(budi)
        assert status == 200, body
        if body["item"] is not None:
            handed_to_budi.append(body["item"]["id"])
        return set(handed_to_budi) == set(items)  # (his own claims time out too: he may get one again)

    await wait_until(budi_has_every_item, what=lambda: f"budi was handed {handed_to_budi} of {items}",
                     timeout=30, interval=0.2)

    for item_id in claimed_by_ani:  # back too late: the items are budi's now
        status, body = await adecide(ani, item_id, "approve")
        assert (status, body["code"]) == (409, "not_claimed")
    for item_id in items:
        status, body = await adecide(budi, item_id, "approve")
        assert (status, body["status"]) == (200, "approved")
        status, body = await adecide(budi, item_id, "approve")
        assert (status, body["code"]) == (409, "already_decided")

    await reader.run_until(len(items))
    await reader.close()

    def decisions():
        rows = list(QueueItem.objects.filter(pk__in=items).values_list("status", "decided_by__username"))
        audit = list(AuditEntry.objects.filter(action="approve").values_list("target", flat=True))
        messages = list(Message.objects.order_by("seq").values_list("status", "seq"))
        return rows, audit, messages

    rows, audit, messages = await sync_to_async(decisions)()
    assert rows == [(ItemStatus.APPROVED, "budi")] * len(items)
    assert len(audit) == len(set(audit)) == len(items), "each item decided exactly once"
    assert messages == [(MessageStatus.PUBLISHED, seq) for seq in range(1, len(items) + 1)]
    assert reader.ids == list(range(1, len(items) + 1)), "each published once, in order"
