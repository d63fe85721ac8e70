"""The held-message flow end to end: hold, claim, decide, publish, tell the author."""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from django.test import Client

from accounts.choices import Role
from chat.services import room_upsert
from moderation.models import ItemStatus, QueueItem
from tests.hub import assert_quiet

ROOM = "room.bupati"


async def _api(user, path, payload):
    client = Client()
    await sync_to_async(client.force_login)(user)
    response = await sync_to_async(client.post)(path, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


async def test_a_held_message_is_approved_and_appears_with_the_next_id(make_user, connect):
    await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati", premoderated=True)
    siti = await make_user("siti")
    mod = await make_user("mod", role=Role.MODERATOR)
    author, reader = await connect(siti), await connect(None)
    await author.join(ROOM)
    await reader.join(ROOM)
    ack = await author.say(ROOM, "Mohon jalan di Juwana diperbaiki")
    assert ack["status"] == "held" and ack["id"] is None and ack["reason"] == "premoderated"
    held = await author.recv_until("message.held")
    assert held["client_id"] == ack["client_id"]
    await assert_quiet(reader, 0.4)  # only the author sees a held message

    status, body = await _api(mod, "/moderasi/api/klaim/", {"queue": "chat"})
    assert status == 200 and body["item"]["text"] == "Mohon jalan di Juwana diperbaiki"
    item_id = body["item"]["id"]
    status, body = await _api(mod, "/moderasi/api/putuskan/", {"item": item_id, "action": "approve"})
    assert status == 200 and body["status"] == "approved"

    shown = await reader.recv_until("message")
    assert shown["message"]["id"] == 1 and shown["message"]["body"] == "Mohon jalan di Juwana diperbaiki"
    outcome = await author.recv_until("ack")
    assert outcome == {"type": "ack", "client_id": ack["client_id"], "status": "published", "id": 1,
                       "reason": "premoderated"} or (outcome["status"] == "published" and outcome["id"] == 1)
    note = await author.recv_until("notification")
    assert note["notification"]["kind"] == "moderation.approved"

    status, body = await _api(mod, "/moderasi/api/putuskan/", {"item": item_id, "action": "reject",
                                                               "reason": "spam"})
    assert status == 409 and body["code"] == "already_decided"
    item = await sync_to_async(QueueItem.objects.get)(pk=item_id)
    assert item.status == ItemStatus.APPROVED
