"""Retries with the same client_id store one message and get the same ack."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from tests.hub import ROOM, assert_quiet, message_ids


async def test_same_client_id_twice_gets_the_same_ack(room, make_user, connect):
    alice = await make_user("alice")
    sock = await connect(alice)
    listener = await connect(None)
    await sock.join(ROOM)
    await listener.join(ROOM)
    client_id = str(uuid.uuid4())
    first = await sock.say(ROOM, "Kapan jembatan diperbaiki?", client_id=client_id)
    again = await sock.say(ROOM, "Kapan jembatan diperbaiki?", client_id=client_id)
    assert first["status"] == again["status"] == "published"
    assert again["id"] == first["id"] and again["client_id"] == first["client_id"] == client_id
    # a retry after a reconnect, even with a changed body, is still the same message
    await sock.close()
    sock = await connect(alice)
    await sock.join(ROOM)
    retry = await sock.say(ROOM, "Kapan jembatannya diperbaiki?", client_id=client_id.upper())
    assert retry["id"] == first["id"]
    assert await sync_to_async(Message.objects.count)() == 1
    frames = await listener.until_message(first["id"])
    assert message_ids(frames) == [first["id"]]
    await assert_quiet(listener, 0.3)  # the retries published nothing


async def test_concurrent_retries_from_two_tabs_store_one_message(room, make_user, connect, settings):
    # Both copies of a racing retry count against the rate limit (each passes
    # the "already stored?" check before either is stored): room for them here.
    settings.CHAT_RATE_COUNT = 100
    alice = await make_user("alice")
    tab1, tab2 = await connect(alice), await connect(alice)
    for tab in (tab1, tab2):
        await tab.join(ROOM)
    for attempt in range(3):
        client_id = str(uuid.uuid4())
        frame = {"type": "send", "topic": ROOM, "body": f"percobaan {attempt}", "client_id": client_id}
        acks = await asyncio.gather(tab1.recv_ack({**frame, "ref": "a"}), tab2.recv_ack({**frame, "ref": "b"}))
        assert [a["type"] for a in acks] == ["ack", "ack"], acks
        assert acks[0]["id"] == acks[1]["id"] and acks[0]["client_id"] == acks[1]["client_id"] == client_id
        assert await sync_to_async(Message.objects.filter(client_id=client_id).count)() == 1
    assert await sync_to_async(Message.objects.count)() == 3


async def test_a_client_id_reused_in_another_room_does_not_return_the_other_rooms_ack(
        room, make_room, make_user, connect):
    await make_room("kadinkes")
    sock = await connect(await make_user("alice"))
    await sock.join(ROOM)
    await sock.join("room.kadinkes")
    client_id = str(uuid.uuid4())
    first = await sock.say(ROOM, "di ruang bupati", client_id=client_id)
    other = await sock.say("room.kadinkes", "di ruang kadinkes", client_id=client_id)
    # A client_id names one message of one author in one room: in another
    # room the same id is a new message there.
    assert (first["topic"], first["status"], first["id"]) == (ROOM, "published", 1)
    assert other == {"type": "ack", "topic": "room.kadinkes", "client_id": client_id, "status": "published",
                     "id": 1, "reason": None}
    stored = await sync_to_async(list)(Message.objects.order_by("pk").values_list("room__slug", "seq", "body"))
    assert stored == [("bupati", 1, "di ruang bupati"), ("kadinkes", 1, "di ruang kadinkes")]



def test_a_rooms_ids_and_revisions_advance_with_and_without_update_returning(room, monkeypatch):
    """``chat.services._advance`` takes a room's next id and revision in one
    ``UPDATE … RETURNING`` where the database has it, by a locking read where
    it has not (SQLite before 3.35): the same numbers either way, and a
    rolled-back transaction takes none."""
    from django.db import connection, transaction

    from chat.models import Room
    from chat.services import _advance

    room_id = Room.objects.get(slug=ROOM.split(".", 1)[1]).pk
    with transaction.atomic():
        first = _advance(room_id, new_message=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        _advance(room_id, new_message=True)
        raise RuntimeError("rolled back")
    with monkeypatch.context() as patched:  # undone before the test database is flushed
        patched.setattr(connection.features, "can_return_columns_from_insert", False)
        with transaction.atomic():
            second = _advance(room_id, new_message=True)
            touched = _advance(room_id, new_message=False)
    assert (first, second, touched) == ((1, 1), (2, 2), (None, 3))
