"""Reports: once per person; at three different reporters the message is
hidden pending review; a moderator keeps (restores) or removes it."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from accounts.choices import Role
from chat.models import Message
from moderation.models import AuditEntry, QueueItem
from tests.hub import assert_quiet, seed_messages
from tests.moderation.helpers import ROOM, aclaim, adecide, call, snapshot, the_room, user

REPORT = "/moderasi/laporkan/"


def _report(who, message_id, reason: str = "kasar", **extra):
    return call(who, "POST", REPORT, {"target_kind": "chat.message", "target_id": message_id, "reason": reason,
                                      **extra})


areport = sync_to_async(_report)


def test_a_second_report_by_the_same_person_is_refused():
    room = the_room()
    seed_messages(room, user("siti"), 1)
    message = Message.objects.get()
    budi = user("budi")
    assert _report(budi, message.pk, note="kasar sekali") == (201, {"reported": True})
    before = snapshot()
    status, body = _report(budi, message.pk, reason="spam")
    assert (status, body["code"]) == (409, "already_reported")
    assert snapshot() == before


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"target_kind": "chat.message", "target_id": 99999, "reason": "kasar"}, 404, "not_found"),
    ({"target_kind": "forum.post", "target_id": 1, "reason": "kasar"}, 404, "not_found"),
    ({"target_kind": "chat.message", "target_id": 1, "reason": "jelek"}, 400, "unknown_reason"),
    ({"target_kind": "chat.message", "target_id": "satu", "reason": "kasar"}, 400, "invalid"),
    ({"target_kind": "chat.message", "target_id": None, "reason": "kasar"}, 400, "invalid"),
    ({"target_kind": "chat.message", "target_id": 1.5, "reason": "kasar"}, 400, "invalid"),
])
def test_a_bad_report_is_refused_and_changes_nothing(payload, status, code):
    room = the_room()
    seed_messages(room, user("siti"), 1)
    payload = {**payload, "target_id": Message.objects.get().pk if payload["target_id"] == 1 else payload["target_id"]}
    before = snapshot()
    got_status, body = call(user("budi"), "POST", REPORT, payload)
    assert (got_status, body["code"]) == (status, code)
    assert snapshot() == before


def test_a_guest_cannot_report():
    room = the_room()
    seed_messages(room, user("siti"), 1)
    status, body = _report(None, Message.objects.get().pk)
    assert (status, body["code"]) == (403, "forbidden")
    assert not QueueItem.objects.exists()


@pytest.fixture
async def reported(make_user, room, connect):
    """A published message reported by three people, a reader watching the room."""
    siti = await make_user("siti")
    await sync_to_async(seed_messages)(room, siti, 3)
    message = await sync_to_async(Message.objects.get)(room=room, seq=2)
    reader = await connect(None)
    await reader.join(ROOM)
    reporters = [await make_user(f"warga{n}") for n in range(3)]
    for reporter in reporters[:2]:
        assert (await areport(reporter, message.pk))[0] == 201
    await assert_quiet(reader, 0.4)
    assert (await areport(reporters[2], message.pk, reason="sara"))[0] == 201
    gone = await reader.recv_until("message.deleted")
    assert (gone["topic"], gone["id"]) == (ROOM, 2)
    return message, reader, await make_user("mod", role=Role.MODERATOR)


async def test_three_reports_hide_the_message_for_everyone(reported, connect):
    message, _reader, _mod = reported
    late = await connect(None)
    _joined, frames = await late.join(ROOM, since=0)
    replayed = {f["message"]["id"]: f["message"] for f in frames if f["type"] == "message"}
    assert replayed[2]["deleted"] is True and replayed[2]["body"] == "" and replayed[2]["html"] == ""
    assert replayed[1]["deleted"] is False
    item = await sync_to_async(QueueItem.objects.get)(queue="reports")
    assert item.reasons == ["report:kasar", "report:sara"]
    assert await sync_to_async(AuditEntry.objects.filter(action="hide").count)() == 1


async def test_a_moderator_keeps_a_reported_message_and_it_comes_back(reported):
    message, reader, mod = reported
    status, body = await aclaim(mod, "reports")
    assert body["item"]["target_id"] == message.pk and body["item"]["text"] == "pesan 2"
    status, body = await adecide(mod, body["item"]["id"], "approve")
    assert (status, body["status"]) == (200, "approved")
    back = await reader.recv_until("message.updated")
    assert back["message"]["id"] == 2 and back["message"]["body"] == "pesan 2" and not back["message"]["deleted"]


async def test_a_moderator_removes_a_reported_message_for_good(reported):
    message, reader, mod = reported
    status, body = await aclaim(mod, "reports")
    status, body = await adecide(mod, body["item"]["id"], "reject", reason="kasar")
    assert (status, body["status"]) == (200, "rejected")
    assert (await reader.recv_until("message.deleted"))["id"] == 2
    await sync_to_async(message.refresh_from_db)()
    assert message.deleted_at is not None and message.body == ""
