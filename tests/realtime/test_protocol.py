"""The wire protocol: every frame type, and the frame-level error codes.

Every error echoes the frame's ``ref`` and leaves the socket open (each test
ends with a ping answered by pong)."""

from __future__ import annotations

import json
import uuid

from asgiref.sync import sync_to_async

from realtime.protocol import MAX_FRAME_BYTES
from tests.hub import ROOM, assert_quiet, message_ids, seed_messages


def without_presence(frames: list[dict]) -> list[dict]:
    return [f for f in frames if f["type"] != "presence"]  # presence events may come at any time


async def assert_error(sock, code: str, ref: str | None = "r1", sent=None) -> dict:
    while (frame := await sock.recv())["type"] == "presence":
        pass
    assert frame["type"] == "error", (sent, frame)
    assert frame["code"] == code, (sent, frame)
    assert frame.get("ref") == ref, (sent, frame)
    assert isinstance(frame["detail"], str) and frame["detail"]
    return frame


async def assert_open(sock) -> None:
    assert without_presence(await sock.ping(ref=f"alive-{uuid.uuid4().hex[:8]}")) == []


async def test_ping_pong_echoes_ref(connect):
    sock = await connect()
    assert await sock.request({"type": "ping", "ref": "abc"}) == {"type": "pong", "ref": "abc"}
    assert await sock.request({"type": "ping"}) == {"type": "pong"}
    assert await sock.request({"type": "ping", "ref": None}) == {"type": "pong"}


async def test_join_leave_history_send_round_trip(room, make_user, connect):
    alice = await make_user("alice")
    sock = await connect(alice)
    joined, replay = await sock.join(ROOM)
    assert replay == []
    assert joined == {
        "type": "joined", "ref": "j", "topic": ROOM, "last_id": 0, "last_rev": 0, "has_more": False, "presence": 1,
        "room": {"slug": "bupati", "title": "Ruang Bupati", "description": "", "state": "open",
                 "post_policy": "signed_in", "premoderated": False, "slow_mode": 0,
                 "can_post": True, "cannot_post_reason": None},
    }
    client_id = str(uuid.uuid4())
    # The ack comes first: the event is published only once the handler that
    # sent the ack has returned (``deferred_publish``).
    ack = await sock.request({"type": "send", "topic": ROOM, "body": "Selamat pagi", "client_id": client_id,
                              "ref": "s1"})
    while (event := await sock.recv())["type"] == "presence":
        pass
    assert ack == {"type": "ack", "ref": "s1", "topic": ROOM, "client_id": client_id, "status": "published", "id": 1,
                   "reason": None}
    assert event["topic"] == ROOM and event["message"]["id"] == 1
    assert event["message"]["author"] == {"id": alice.pk, "name": "Alice", "role": "citizen", "title": ""}
    assert event["message"]["body"] == "Selamat pagi" and event["message"]["deleted"] is False

    history = await sock.request({"type": "history", "topic": ROOM, "before": 2, "ref": "h"})
    assert history["ref"] == "h" and history["topic"] == ROOM and history["has_more"] is False
    assert [m["id"] for m in history["messages"]] == [1]

    left = await sock.request({"type": "leave", "topic": ROOM, "ref": "l"})
    assert left == {"type": "left", "topic": ROOM, "ref": "l"}
    await assert_open(sock)


async def test_reply_to_names_the_parent(room, make_user, connect):
    alice = await make_user("alice")
    sock = await connect(alice)
    await sock.join(ROOM)
    first = await sock.say(ROOM, "pertanyaan")
    second = await sock.say(ROOM, "jawaban", reply_to=first["id"])
    assert second["status"] == "published"
    event = await sock.recv_until("message")
    while event["message"]["id"] != second["id"]:
        event = await sock.recv_until("message")
    assert event["message"]["reply_to"] == first["id"]
    await sock.send({"type": "send", "topic": ROOM, "body": "x", "client_id": str(uuid.uuid4()),
                     "reply_to": 99, "ref": "r1"})
    await assert_error(sock, "invalid")


async def test_initial_join_sends_latest_page(room, make_user, connect):
    alice = await make_user("alice")
    sock = await connect(alice)
    for n in range(3):
        await sock.join(ROOM)
        await sock.say(ROOM, f"pesan {n}")
    other = await connect(None)
    joined, replay = await other.join(ROOM)
    assert joined["last_id"] == 3 and joined["has_more"] is False
    assert message_ids(replay) == [1, 2, 3]
    joined, replay = await other.join(ROOM, since=2)  # joining again replays from since
    assert message_ids(replay) == [3]


async def test_leave_stops_events(room, make_user, connect):
    alice = await make_user("alice")
    speaker = await connect(alice)
    listener = await connect(None)
    await speaker.join(ROOM)
    await listener.join(ROOM)
    await speaker.say(ROOM, "satu")
    assert (await listener.recv_until("message"))["message"]["id"] == 1
    assert await listener.request({"type": "leave", "topic": ROOM, "ref": "l"}) == {
        "type": "left", "topic": ROOM, "ref": "l"}
    await speaker.say(ROOM, "dua")
    await speaker.say(ROOM, "tiga")
    # The speaker's own copy of "tiga" has been fanned out in this process: a
    # listener still subscribed would have it by now; it gets nothing at all.
    await speaker.until_message(3)
    await assert_quiet(listener, 0.3, ignoring=())
    assert without_presence(await listener.ping()) == []
    # and a leave of a topic not joined
    await listener.send({"type": "leave", "topic": ROOM, "ref": "r1"})
    await assert_error(listener, "not_joined")


# --- frame-level errors ------------------------------------------------------
# Each test sends a whole list of bad frames down ONE socket: the same socket
# must answer every one of them and still answer ping at the end.

NOT_JSON_OBJECTS = [
    "not json", "{", "", "[1, 2]", '"ping"', "42", "null", "true", '{"type": ping}', "NaN",
    "[" * 5000 + "]" * 5000, '{"type": "ping", "ref": "' + "9" * 5000 + '"',
]


async def test_not_a_json_object_is_invalid(connect):
    sock = await connect()
    for text in NOT_JSON_OBJECTS:
        await sock.send_raw(text)
        await assert_error(sock, "invalid", ref=None, sent=text[:40])
    await sock.send_raw('{"type": "ping", "n": ' + "9" * 5000 + "}")  # int too long for Python to parse
    await assert_error(sock, "invalid", ref=None)
    await assert_open(sock)


BAD_FRAMES = [
    {"ref": "r1"},
    {"type": None, "ref": "r1"},
    {"type": 7, "ref": "r1"},
    {"type": ["ping"], "ref": "r1"},
    {"type": "join", "ref": "r1"},
    {"type": "join", "topic": 5, "ref": "r1"},
    {"type": "join", "topic": "room", "ref": "r1"},
    {"type": "join", "topic": "room.", "ref": "r1"},
    {"type": "join", "topic": "Room.bupati", "ref": "r1"},
    {"type": "join", "topic": "room.Bupati", "ref": "r1"},
    {"type": "join", "topic": "room:bupati", "ref": "r1"},
    {"type": "join", "topic": "room.-bupati", "ref": "r1"},
    {"type": "join", "topic": "room.bu pati", "ref": "r1"},
    {"type": "join", "topic": "room.bupati\n", "ref": "r1"},
    {"type": "join", "topic": "room." + "a" * 65, "ref": "r1"},
    {"type": "join", "topic": "a" * 21 + ".x", "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": True, "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": False, "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": -1, "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": 1.5, "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": 2.0, "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": "3", "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": 2**53 + 1, "ref": "r1"},
    {"type": "join", "topic": ROOM, "since": 10**30, "ref": "r1"},
    {"type": "leave", "topic": None, "ref": "r1"},
]


async def test_bad_fields_and_topics_are_invalid(room, connect):
    sock = await connect()
    for frame in BAD_FRAMES:
        await sock.send_unchecked(frame)
        await assert_error(sock, "invalid", sent=frame)
    await assert_open(sock)


async def test_unusable_ref_is_invalid_and_not_echoed(connect):
    sock = await connect()
    for ref in (5, True, ["x"], {"a": 1}, "x" * 65, "\ud800", "ok\udfff"):
        await sock.send_unchecked({"type": "ping", "ref": ref})
        await assert_error(sock, "invalid", ref=None, sent=ref)
    await assert_open(sock)


BAD_SEND_FIELDS = [
    {"client_id": None}, {"client_id": "not-a-uuid"}, {"client_id": 12345}, {"client_id": "1234-5678"},
    {"client_id": True}, {"body": None}, {"body": 42}, {"body": ["x"]}, {"body": "   "}, {"body": "a\x00b"},
    {"body": "x\x1bb"}, {"body": "x\x85y"}, {"body": "x" * 2001}, {"reply_to": True}, {"reply_to": "1"},
    {"reply_to": -3}, {"reply_to": 0}, {"reply_to": 99},
]


async def test_bad_send_fields_are_invalid(room, make_user, connect):
    sock = await connect(await make_user("alice"))
    await sock.join(ROOM)
    for patch in BAD_SEND_FIELDS:
        frame = {"type": "send", "topic": ROOM, "body": "halo", "client_id": str(uuid.uuid4()), "ref": "r1", **patch}
        await sock.send_unchecked(frame)
        await assert_error(sock, "invalid", sent=patch)
    await assert_open(sock)


BAD_ID_FRAMES = [
    {"type": "history", "topic": ROOM, "ref": "r1"},
    {"type": "history", "topic": ROOM, "before": 0, "ref": "r1"},
    {"type": "history", "topic": ROOM, "before": True, "ref": "r1"},
    {"type": "history", "topic": ROOM, "before": 5, "limit": 0, "ref": "r1"},
    {"type": "history", "topic": ROOM, "before": 5, "limit": None, "ref": "r1"},
    {"type": "history", "topic": ROOM, "before": 5, "limit": False, "ref": "r1"},
    {"type": "edit", "topic": ROOM, "body": "x", "ref": "r1"},
    {"type": "edit", "topic": ROOM, "id": True, "body": "x", "ref": "r1"},
    {"type": "edit", "topic": ROOM, "id": 1, "ref": "r1"},
    {"type": "edit", "topic": ROOM, "id": 1, "body": 1, "ref": "r1"},
    {"type": "delete", "topic": ROOM, "ref": "r1"},
    {"type": "delete", "topic": ROOM, "id": "1", "ref": "r1"},
    {"type": "delete", "topic": ROOM, "id": 0, "ref": "r1"},
    {"type": "delete", "topic": ROOM, "id": None, "ref": "r1"},
]


async def test_bad_ids_after_join_are_invalid(room, make_user, connect):
    sock = await connect(await make_user("alice"))
    await sock.join(ROOM)
    for frame in BAD_ID_FRAMES:
        await sock.send_unchecked(frame)
        await assert_error(sock, "invalid", sent=frame)
    await assert_open(sock)


async def test_history_limit_is_capped(room, make_user, connect):
    alice = await make_user("alice")
    await sync_to_async(seed_messages)(room, alice, 150)
    sock = await connect(None)
    await sock.join(ROOM)
    history = await sock.request({"type": "history", "topic": ROOM, "before": 151, "limit": 10**6, "ref": "h"})
    assert [m["id"] for m in history["messages"]] == list(range(51, 151))
    assert history["has_more"] is True


async def test_unknown_type(connect):
    sock = await connect()
    for frame_type in ("subscribe", "PING", "", "x" * 500, "message", "ack", "joined", "on_ping", "__init__"):
        await sock.send_unchecked({"type": frame_type, "ref": "r1"})
        error = await assert_error(sock, "unknown_type", sent=frame_type)
        assert len(error["detail"]) < 200
    await assert_open(sock)


async def test_oversized_text_frame_is_too_large_and_socket_stays_open(connect):
    sock = await connect()
    padding = "x" * (MAX_FRAME_BYTES + 1)
    await sock.send_raw(json.dumps({"type": "ping", "ref": "r1", "pad": padding}))
    await assert_error(sock, "too_large", ref=None)
    await assert_open(sock)
    # counted in bytes, not characters: 6000 three-byte characters are 18000 bytes
    await sock.send_raw(json.dumps({"type": "ping", "pad": "€" * 6000}, ensure_ascii=False))
    await assert_error(sock, "too_large", ref=None)
    # exactly at the limit is fine
    frame = json.dumps({"type": "ping", "ref": "edge", "pad": ""})
    await sock.send_raw(frame[:-2] + "x" * (MAX_FRAME_BYTES - len(frame)) + '"}')
    assert await sock.recv() == {"type": "pong", "ref": "edge"}
    await assert_open(sock)


async def test_binary_frames_are_invalid(connect):
    sock = await connect()
    for payload in (b'{"type": "ping", "ref": "r1"}', b"\x00\x01", b""):
        await sock.send_raw(binary=payload)
        await assert_error(sock, "invalid", ref=None, sent=payload)
    await assert_open(sock)


async def test_unknown_topic_kind_and_room_are_not_found(room, connect):
    sock = await connect()
    for topic in ("forum.umum", "room.tidak-ada", "zzz.x"):
        await sock.send({"type": "join", "topic": topic, "ref": "r1"})
        await assert_error(sock, "not_found", sent=topic)
    await assert_open(sock)


async def test_frames_on_a_topic_not_joined(room, make_user, connect):
    sock = await connect(await make_user("alice"))
    for frame in (
        {"type": "send", "topic": ROOM, "body": "halo", "client_id": str(uuid.uuid4()), "ref": "r1"},
        {"type": "history", "topic": ROOM, "before": 10, "ref": "r1"},
        {"type": "edit", "topic": ROOM, "id": 1, "body": "x", "ref": "r1"},
        {"type": "delete", "topic": ROOM, "id": 1, "ref": "r1"},
        {"type": "leave", "topic": ROOM, "ref": "r1"},
        {"type": "send", "topic": "room.lain", "body": "halo", "client_id": str(uuid.uuid4()), "ref": "r1"},
    ):
        await sock.send(frame)
        await assert_error(sock, "not_joined", sent=frame)
    await assert_open(sock)
