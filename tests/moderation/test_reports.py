"""Reports: once per person; once reports weighing three established
accounts' came in, the message is hidden pending review; a moderator keeps
(restores) or removes it. New accounts weigh less; a regency voice's message
is never hidden by reports, only queued for review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from accounts.choices import Role
from chat.models import Message
from moderation.models import AuditEntry, QueueItem, Report
from tests.hub import assert_quiet, seed_messages
from tests.moderation.helpers import ROOM, aclaim, adecide, call, claim, decide, moderator, snapshot, the_room, user

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
    """A published message reported by three established people, a reader watching the room."""
    siti = await make_user("siti")
    await sync_to_async(seed_messages)(room, siti, 3)
    message = await sync_to_async(Message.objects.get)(room=room, seq=2)
    reader = await connect(None)
    await reader.join(ROOM)
    reporters = [await make_user(f"warga{n}", established=True) for n in range(3)]
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


# --- Weight by standing (issue 14, A4) ---------------------------------------

def _reported_by(reporters, author_role: str = Role.CITIZEN) -> Message:
    """A published message by an author of ``author_role``, reported by each of ``reporters``."""
    room = the_room()
    seed_messages(room, user("penulis", role=author_role), 1)
    message = Message.objects.get()
    for n, reporter in enumerate(reporters):
        assert _report(reporter, message.pk, reason=("kasar", "sara", "spam")[n % 3]) == (201, {"reported": True})
    message.refresh_from_db()
    return message


def _fresh(count: int) -> list:
    return [user(f"baru{n}") for n in range(count)]


def test_three_fresh_sign_ups_do_not_hide_a_citizens_message():
    message = _reported_by(_fresh(3))
    assert message.hidden_at is None and message.body == "pesan 1"
    assert not AuditEntry.objects.filter(action="hide").exists()
    item = QueueItem.objects.get(queue="reports")
    assert item.is_open and item.reasons == ["report:kasar", "report:sara", "report:spam"]
    assert sorted(Report.objects.values_list("weight", flat=True)) == [25, 25, 25]


def test_three_established_accounts_hide_a_citizens_message():
    message = _reported_by([user(f"lama{n}", established=True) for n in range(3)])
    assert message.hidden_at is not None and message.body == "pesan 1"
    assert AuditEntry.objects.get(action="hide").reason == "reports weigh 3"


def test_accounts_older_than_the_minimum_age_weigh_one_each(settings):
    settings.MODERATION_REPORTER_MIN_AGE_DAYS = 14
    old = timezone.now() - timedelta(days=15)
    message = _reported_by([user(f"lama{n}", date_joined=old) for n in range(3)])
    assert message.hidden_at is not None


def test_fresh_sign_ups_hide_only_once_they_weigh_the_threshold():
    reporters = _fresh(12)
    message = _reported_by(reporters[:11])
    assert message.hidden_at is None
    assert _report(reporters[11], message.pk)[0] == 201
    message.refresh_from_db()
    assert message.hidden_at is not None
    assert AuditEntry.objects.filter(action="hide").count() == 1


def test_a_moderators_report_hides_at_once():
    message = _reported_by([moderator()])
    assert message.hidden_at is not None
    assert QueueItem.objects.get(queue="reports").is_open


def test_reports_after_a_moderator_kept_the_message_do_not_hide_it():
    room = the_room()
    seed_messages(room, user("penulis"), 1)
    message = Message.objects.get()
    assert _report(user("lama0", established=True), message.pk)[0] == 201
    mod = moderator()
    status, body = claim(mod, "reports")
    assert decide(mod, body["item"]["id"], "approve")[1]["status"] == "approved"
    for n in (1, 2):
        assert _report(user(f"lama{n}", established=True), message.pk)[0] == 201
    message.refresh_from_db()
    assert message.hidden_at is None


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.MODERATOR, Role.ADMIN])
def test_no_number_of_reports_hides_a_regency_voices_message(role):
    reporters = [user(f"lama{n}", established=True) for n in range(6)] + _fresh(12) + [moderator("mod2")]
    message = _reported_by(reporters, author_role=role)
    assert message.hidden_at is None and message.body == "pesan 1"
    assert not AuditEntry.objects.filter(action="hide").exists()
    assert AuditEntry.objects.filter(action="report").count() == len(reporters)
    item = QueueItem.objects.get(queue="reports")
    assert item.is_open and item.target_id == message.pk


async def test_an_officials_message_stays_visible_to_readers_and_waits_for_a_moderator(make_user, room, connect):
    bupati = await make_user("bupati", role=Role.OFFICIAL)
    await sync_to_async(seed_messages)(room, bupati, 1)
    message = await sync_to_async(Message.objects.get)(room=room)
    reader = await connect(None)
    await reader.join(ROOM)
    for n in range(3):
        assert (await areport(await make_user(f"lama{n}", established=True), message.pk))[0] == 201
    await assert_quiet(reader, 0.4)
    late = await connect(None)
    _joined, frames = await late.join(ROOM, since=0)
    shown = [f["message"] for f in frames if f["type"] == "message"]
    assert [(m["id"], m["deleted"], m["body"]) for m in shown] == [(1, False, "pesan 1")]
    mod = await make_user("mod", role=Role.MODERATOR)
    status, body = await aclaim(mod, "reports")
    assert status == 200 and body["item"]["target_id"] == message.pk
