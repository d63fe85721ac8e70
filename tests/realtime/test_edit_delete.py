"""Edits and deletes: only the author edits (within the window), the author or
a moderator deletes; others see message.updated / message.deleted; a deleted
message stays a tombstone in replays and history."""

from __future__ import annotations

from asgiref.sync import sync_to_async

from accounts.choices import Role
from chat.models import Message, MessageRevision
from tests.hub import ROOM


async def _edit(sock, seq: int, body: str) -> dict:
    return await sock.recv_ack({"type": "edit", "topic": ROOM, "id": seq, "body": body, "ref": "e"})


async def _delete(sock, seq: int) -> dict:
    return await sock.recv_ack({"type": "delete", "topic": ROOM, "id": seq, "ref": "d"})


async def test_author_edits_and_others_see_message_updated(room, make_user, connect):
    alice = await make_user("alice")
    author = await connect(alice)
    reader = await connect(None)
    await author.join(ROOM)
    await reader.join(ROOM)
    seq = (await author.say(ROOM, "Jalan rusak di Juwana"))["id"]
    original = (await reader.recv_until("message"))["message"]
    assert original["edited_at"] is None

    ack = await _edit(author, seq, "Jalan rusak di Juwana, dekat pasar")
    assert ack == {"type": "ack", "ref": "e", "topic": ROOM, "status": "updated", "id": seq, "client_id": None,
                   "reason": None}
    updated = await reader.recv_until("message.updated")
    assert updated["topic"] == ROOM
    assert updated["message"]["id"] == seq
    assert updated["message"]["body"] == "Jalan rusak di Juwana, dekat pasar"
    assert updated["message"]["edited_at"] is not None
    assert updated["message"]["created_at"] == original["created_at"]
    revisions = await sync_to_async(list)(
        MessageRevision.objects.filter(message__seq=seq).values_list("body", flat=True))
    assert revisions == ["Jalan rusak di Juwana"]

    # an edit to the same text changes nothing and stores no revision
    assert (await _edit(author, seq, "Jalan rusak di Juwana, dekat pasar"))["status"] == "updated"
    assert await sync_to_async(MessageRevision.objects.count)() == 1

    # the edit is what a later reader gets
    late = await connect(None)
    _, replay = await late.join(ROOM)
    replayed = next(f["message"] for f in replay if f["type"] == "message")
    assert replayed["body"] == "Jalan rusak di Juwana, dekat pasar"
    assert replayed["edited_at"] == updated["message"]["edited_at"]


async def test_only_the_author_edits(room, make_user, connect):
    alice, budi = await make_user("alice"), await make_user("budi")
    moderator = await make_user("mod", role=Role.MODERATOR)
    socks = [await connect(user) for user in (alice, budi, moderator)]
    for sock in socks:
        await sock.join(ROOM)
    seq = (await socks[0].say(ROOM, "asli"))["id"]
    for other in socks[1:]:
        reply = await _edit(other, seq, "diubah orang lain")
        assert reply["type"] == "error" and reply["code"] == "forbidden" and reply["ref"] == "e"
    guest = await connect(None)
    await guest.join(ROOM)
    reply = await _edit(guest, seq, "tamu")
    assert reply["code"] == "forbidden"
    message = await sync_to_async(Message.objects.get)(seq=seq)
    assert message.body == "asli" and message.edited_at is None


async def test_author_deletes_and_replay_shows_a_tombstone(room, make_user, connect):
    alice = await make_user("alice")
    author = await connect(alice)
    reader = await connect(None)
    await author.join(ROOM)
    await reader.join(ROOM)
    first = (await author.say(ROOM, "Lampu jalan di Tayu mati"))["id"]
    second = (await author.say(ROOM, "pesan kedua"))["id"]
    await _edit(author, first, "Lampu jalan di Tayu mati sejak Senin")

    ack = await _delete(author, first)
    assert ack == {"type": "ack", "ref": "d", "topic": ROOM, "status": "deleted", "id": first, "client_id": None,
                   "reason": None}
    deleted = await reader.recv_until("message.deleted")
    # rev 4: two sends, an edit, a delete
    assert deleted == {"type": "message.deleted", "topic": ROOM, "id": first, "rev": 4}

    late = await connect(None)
    _, replay = await late.join(ROOM, since=0)
    tombstone, kept = (f["message"] for f in replay if f["type"] == "message")
    assert tombstone["id"] == first and tombstone["deleted"] is True
    assert tombstone["body"] == "" and tombstone["html"] == ""
    assert kept["id"] == second and kept["deleted"] is False
    history = await late.request({"type": "history", "topic": ROOM, "before": second, "ref": "h"})
    assert history["messages"][0]["deleted"] is True and history["messages"][0]["body"] == ""
    # the old text is gone from the database too, revisions included
    row = await sync_to_async(Message.objects.get)(seq=first)
    assert row.body == "" and row.html == "" and row.deleted_by_id == alice.pk
    assert await sync_to_async(MessageRevision.objects.filter(message=row).count)() == 0

    # a deleted message can be neither edited nor deleted again
    assert (await _edit(author, first, "hidup lagi"))["code"] == "not_found"
    assert (await _delete(author, first))["code"] == "not_found"


async def test_moderator_deletes_anyones_message_citizen_does_not(room, make_user, connect):
    alice, budi = await make_user("alice"), await make_user("budi")
    official = await make_user("kadisdik", role=Role.OFFICIAL)
    moderator = await make_user("mod", role=Role.MODERATOR)
    admin = await make_user("admin", role=Role.ADMIN)
    a, b, o, m, adm = [await connect(user) for user in (alice, budi, official, moderator, admin)]
    for sock in (a, b, o, m, adm):
        await sock.join(ROOM)
    first = (await a.say(ROOM, "pesan alice"))["id"]
    second = (await a.say(ROOM, "pesan alice lagi"))["id"]
    for other in (b, o):
        reply = await _delete(other, first)
        assert reply["type"] == "error" and reply["code"] == "forbidden", reply
    assert (await _delete(m, first))["status"] == "deleted"
    assert (await a.recv_until("message.deleted"))["id"] == first
    assert (await _delete(adm, second))["status"] == "deleted"
    rows = await sync_to_async(list)(Message.objects.order_by("seq").values_list("seq", "deleted_by_id"))
    assert rows == [(first, moderator.pk), (second, admin.pk)]


async def test_a_muted_author_cannot_edit(room, make_user, make_room, connect):
    """Issue 14 A9: a mute stops edits as it stops sends (in that room or everywhere)."""
    from tests.moderation.helpers import acall
    from tests.moderation.test_sanctions import SANCTION

    await make_room("tayu", title="Ruang Tayu")
    siti, mod = await make_user("siti"), await make_user("mod", role=Role.MODERATOR)
    sock = await connect(siti)
    await sock.join(ROOM)
    await sock.join("room.tayu")
    seq = (await sock.say(ROOM, "Jalan rusak di Juwana"))["id"]
    other = (await sock.say("room.tayu", "Pasar Tayu sepi"))["id"]
    status, _body = await acall(mod, "POST", SANCTION, {"user": siti.pk, "kind": "mute", "duration": "10m",
                                                        "scope": ROOM})
    assert status == 201
    await sock.recv_until("sanction")
    refused = await _edit(sock, seq, "Jalan rusak parah")
    assert (refused["type"], refused["code"]) == ("error", "muted") and refused["until"]
    assert (await sync_to_async(Message.objects.get)(room__slug="bupati", seq=seq)).body == "Jalan rusak di Juwana"
    # the mute is for that room only
    assert (await sock.recv_ack({"type": "edit", "topic": "room.tayu", "id": other, "body": "Pasar Tayu ramai",
                                 "ref": "e"}))["status"] == "updated"


async def test_no_edits_in_a_closed_room_nor_by_citizens_in_a_read_only_one(room, make_user, connect):
    """Issue 14 A9: an edit follows the room's state as a send does."""
    from chat.services import room_upsert

    siti = await make_user("siti")
    bupati = await make_user("bupati", role=Role.OFFICIAL)
    citizen, official = await connect(siti), await connect(bupati)
    for sock in (citizen, official):
        await sock.join(ROOM)
    mine = (await citizen.say(ROOM, "Jalan rusak di Juwana"))["id"]
    theirs = (await official.say(ROOM, "Segera kami tindak lanjuti"))["id"]

    await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati", state="read_only")
    refused = await _edit(citizen, mine, "Jalan rusak parah")
    assert (refused["type"], refused["code"]) == ("error", "forbidden")
    assert (await _edit(official, theirs, "Segera kami tindak lanjuti hari ini"))["status"] == "updated"

    await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati", state="closed")
    for sock, seq in ((citizen, mine), (official, theirs)):
        refused = await _edit(sock, seq, "teks baru")
        assert (refused["type"], refused["code"]) == ("error", "closed")
    bodies = await sync_to_async(list)(Message.objects.filter(room__slug="bupati").order_by("seq")
                                       .values_list("body", flat=True))
    assert bodies == ["Jalan rusak di Juwana", "Segera kami tindak lanjuti hari ini"]
