"""Rules apply to edits too, and only what everyone sees can be reported."""

from __future__ import annotations

from asgiref.sync import sync_to_async

from chat.models import Message
from moderation.models import Report
from tests.moderation.helpers import ROOM, call, hold, user


async def test_an_edit_that_adds_a_blocked_word_or_personal_data_is_refused(room, make_user, connect):
    siti = await make_user("siti")
    sock = await connect(siti)
    await sock.join(ROOM)
    sent = await sock.say(ROOM, "Pelayanan di puskesmas lambat")
    for bad in ("Pelayanan di puskesmas lambat, dasar b4ngs4t", "Hubungi saya 0812-3456-7890"):
        reply = await sock.recv_ack({"type": "edit", "topic": ROOM, "id": sent["id"], "body": bad})
        assert reply["type"] == "error" and reply["code"] == "forbidden"
    stored = await sync_to_async(Message.objects.get)(seq=sent["id"])
    assert stored.body == "Pelayanan di puskesmas lambat" and stored.edited_at is None
    fine = await sock.recv_ack({"type": "edit", "topic": ROOM, "id": sent["id"],
                                "body": "Pelayanan di puskesmas sangat lambat"})
    assert fine["status"] == "updated"


def test_a_held_message_cannot_be_reported_nor_its_existence_probed():
    author, reporter = user("siti"), user("budi")
    item = hold(author, "masih menunggu moderasi")
    status, body = call(reporter, "post", "/moderasi/laporkan/",
                        {"target_kind": "chat.message", "target_id": item.target_id, "reason": "spam"})
    assert status == 404 and body["code"] == "not_found"
    assert Report.objects.count() == 0
