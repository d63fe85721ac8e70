"""Room rules on the wire: who may read and post, closed rooms, rate limits
and slow mode (errors: forbidden, not_found, closed, rate_limited)."""

from __future__ import annotations

import uuid

from accounts.choices import Role
from tests.hub import ROOM


def send_frame(topic: str, body: str = "halo", **extra) -> dict:
    return {"type": "send", "topic": topic, "body": body, "client_id": str(uuid.uuid4()), "ref": "r1", **extra}


async def expect_error(sock, frame: dict, code: str) -> dict:
    reply = await sock.recv_ack(frame)
    assert reply["type"] == "error" and reply["code"] == code and reply["ref"] == "r1", (frame, reply)
    assert await sock.ping() is not None  # the socket is still open
    return reply


async def test_guest_may_read_a_public_room_but_not_post(room, connect):
    guest = await connect(None)
    joined, _ = await guest.join(ROOM)
    assert joined["room"]["can_post"] is False and joined["room"]["cannot_post_reason"]
    await expect_error(guest, send_frame(ROOM), "forbidden")


async def test_non_public_room_is_for_signed_in_users_only(make_room, make_user, connect):
    await make_room("internal", is_public=False)
    guest = await connect(None)
    await guest.send({"type": "join", "topic": "room.internal", "ref": "r1"})
    reply = await guest.recv()
    assert reply["type"] == "error" and reply["code"] == "forbidden" and reply["ref"] == "r1"
    citizen = await connect(await make_user("warga"))
    joined, _ = await citizen.join("room.internal")
    assert joined["type"] == "joined" and joined["room"]["can_post"] is True


async def test_staff_only_room(make_room, make_user, connect):
    await make_room("pengumuman", post_policy="staff")
    citizen = await connect(await make_user("warga"))
    official = await connect(await make_user("bupati", role=Role.OFFICIAL, title="Bupati Pati"))
    moderator = await connect(await make_user("mod", role=Role.MODERATOR))
    joined, _ = await citizen.join("room.pengumuman")
    assert joined["room"]["can_post"] is False and joined["room"]["post_policy"] == "staff"
    await expect_error(citizen, send_frame("room.pengumuman"), "forbidden")
    for sock in (official, moderator):
        joined, _ = await sock.join("room.pengumuman")
        assert joined["room"]["can_post"] is True
    ack = await official.say("room.pengumuman", "Pengumuman resmi")
    assert ack["status"] == "published" and ack["id"] == 1
    event = await citizen.recv_until("message")
    assert event["message"]["author"]["role"] == "official"
    assert event["message"]["author"]["title"] == "Bupati Pati"
    assert (await moderator.say("room.pengumuman", "Catatan moderator"))["status"] == "published"


async def test_read_only_room_refuses_citizens_while_officials_post(make_room, make_user, connect):
    await make_room("arsip", state="read_only")
    citizen = await connect(await make_user("warga"))
    official = await connect(await make_user("kadinkes", role=Role.OFFICIAL))
    joined, _ = await citizen.join("room.arsip")
    assert joined["room"]["state"] == "read_only" and joined["room"]["can_post"] is False
    await expect_error(citizen, send_frame("room.arsip"), "forbidden")
    await official.join("room.arsip")
    assert (await official.say("room.arsip", "Jadwal vaksinasi"))["status"] == "published"


async def test_closed_room_refuses_everyone(make_room, make_user, connect):
    await make_room("tutup", state="closed")
    citizen = await connect(await make_user("warga"))
    official = await connect(await make_user("sekda", role=Role.OFFICIAL))
    for sock in (citizen, official):
        joined, _ = await sock.join("room.tutup")
        assert joined["room"]["state"] == "closed" and joined["room"]["can_post"] is False
        await expect_error(sock, send_frame("room.tutup"), "closed")


async def test_sixth_message_in_ten_seconds_is_rate_limited(room, make_user, connect):
    citizen = await connect(await make_user("warga"))
    await citizen.join(ROOM)
    for n in range(5):
        assert (await citizen.say(ROOM, f"pesan {n}"))["status"] == "published"
    reply = await expect_error(citizen, send_frame(ROOM), "rate_limited")
    assert 1 <= reply["retry_after"] <= 10
    # the limit is per user: another citizen still posts
    other = await connect(await make_user("warga2"))
    await other.join(ROOM)
    assert (await other.say(ROOM, "saya juga"))["status"] == "published"


async def test_officials_are_exempt_from_the_rate_limit(room, make_user, connect):
    official = await connect(await make_user("bupati", role=Role.OFFICIAL))
    await official.join(ROOM)
    for n in range(12):
        assert (await official.say(ROOM, f"jawaban {n}"))["status"] == "published"


async def test_slow_mode(make_room, make_user, connect):
    await make_room("lambat", slow_mode_seconds=30)
    citizen = await connect(await make_user("warga"))
    official = await connect(await make_user("bupati", role=Role.OFFICIAL))
    joined, _ = await citizen.join("room.lambat")
    assert joined["room"]["slow_mode"] == 30
    assert (await citizen.say("room.lambat", "pertama"))["status"] == "published"
    reply = await expect_error(citizen, send_frame("room.lambat"), "rate_limited")
    assert 1 <= reply["retry_after"] <= 30
    await official.join("room.lambat")
    for n in range(3):
        assert (await official.say("room.lambat", f"jawaban {n}"))["status"] == "published"


async def test_edit_window_passed(room, make_user, connect, settings):
    settings.CHAT_EDIT_WINDOW_SECONDS = 0
    citizen = await connect(await make_user("warga"))
    await citizen.join(ROOM)
    ack = await citizen.say(ROOM, "salah ketik")
    await expect_error(citizen, {"type": "edit", "topic": ROOM, "id": ack["id"], "body": "benar", "ref": "r1"},
                       "edit_window_passed")


async def test_edit_or_delete_of_unknown_id_is_not_found(room, make_user, connect):
    citizen = await connect(await make_user("warga"))
    await citizen.join(ROOM)
    await expect_error(citizen, {"type": "edit", "topic": ROOM, "id": 42, "body": "x", "ref": "r1"}, "not_found")
    await expect_error(citizen, {"type": "delete", "topic": ROOM, "id": 42, "ref": "r1"}, "not_found")
