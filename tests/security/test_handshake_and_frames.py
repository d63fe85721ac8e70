"""Sockets from elsewhere and frames of the wrong shape (issue 14 B), each
refused *and* leaving no trace: no row, no Redis key (not even a presence
or guest entry), no frame to anyone else in the room.

The refusals alone are in ``tests/settings/test_asgi_origin.py`` (every
origin case), ``tests/realtime/test_protocol.py`` and ``test_fuzz.py``
(malformed frames), ``tests/security/test_socket_live.py`` (1009 and 1007
from a real Daphne)."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.choices import Role
from asgi import application
from tests.hub import HOST, ROOM, assert_quiet
from tests.security.attacks import Snapshot

ORIGINS = [
    pytest.param([(b"origin", b"https://evil.example")], id="foreign"),
    pytest.param([(b"origin", b"null")], id="null"),
    pytest.param([], id="absent"),
    pytest.param([(b"origin", b"http://testserver:8080")], id="other-port"),
    pytest.param([(b"origin", b"https://testserver")], id="other-scheme"),
    pytest.param([(b"origin", b"http://testserver.evil.example")], id="suffix"),
    pytest.param([(b"origin", b"http://testserver"), (b"origin", b"https://evil.example")], id="two-origins"),
]


@pytest.mark.parametrize("origin", ORIGINS)
async def test_a_refused_origin_leaves_no_trace(room, make_user, connect, redis_client, origin):
    """Signed in (the victim's cookie rides along, as in a cross-site socket):
    refused at the handshake, before the session is read or anything counted."""
    siti = await make_user("siti")
    listener = await connect(None)
    await listener.join(ROOM)
    victim = await connect(siti)  # only to get a signed-in session cookie
    cookie = victim.client.cookies["sessionid"].value
    await victim.close()
    await listener.ping()
    keys_between = set(redis_client.keys("*"))
    before = await sync_to_async(Snapshot.take)(redis_client)
    comm = WebsocketCommunicator(application, "/ws/", headers=[*origin, HOST,
                                                               (b"cookie", f"sessionid={cookie}".encode())])
    connected, code = await comm.connect()
    assert not connected, code
    await comm.disconnect()
    await assert_quiet(listener, 0.3)
    assert set(redis_client.keys("*")) == keys_between  # not even a presence or socket entry
    await sync_to_async(before.assert_unchanged)(redis_client, "the refused handshake")


#: Frames of the wrong shape, each answered with an error frame (the socket stays open).
MALFORMED = [
    pytest.param({"binary": b"\x00\x01\x02" * 100}, id="binary"),
    pytest.param({"text": "bukan json"}, id="non-json"),
    pytest.param({"text": "[" * 8000 + "]" * 8000}, id="nested-array"),
    pytest.param({"text": '{"a":' * 3000 + "1" + "}" * 3000}, id="nested-object"),
    pytest.param({"text": json.dumps({"type": "send", "topic": ROOM, "client_id": "c",
                                      "body": {"a": [[[[{"b": "x"}]]]]}})}, id="nested-body"),
    pytest.param({"text": json.dumps({"type": "send", "topic": ROOM, "client_id": "c", "body": "x" * 17_000})},
                 id="oversized"),
    pytest.param({"text": '{"type": "send", "topic": "room.bupati", "body": "\udcff"}'}, id="lone-surrogate"),
    pytest.param({"text": json.dumps({"type": "send", "topic": ROOM, "client_id": str(uuid.uuid4()),
                                      "body": "ok", "reply_to": {"$gt": 0}})}, id="operator-injection"),
]


@pytest.mark.parametrize("frame", MALFORMED)
async def test_a_malformed_frame_is_answered_with_an_error_and_changes_nothing(room, make_user, connect,
                                                                               redis_client, frame):
    official = await make_user("bupati", role=Role.OFFICIAL)  # no rate limit: nothing but the shape refuses it
    sender = await connect(official)
    listener = await connect(None)
    await sender.join(ROOM)
    await listener.join(ROOM)
    before = await sync_to_async(Snapshot.take)(redis_client)
    await sender.send_raw(**frame)
    error = await sender.recv()
    assert error["type"] == "error" and error["code"] in ("invalid", "too_large"), error
    assert await sender.ping() == []  # still open, nothing else came
    await assert_quiet(listener, 0.2)
    await sync_to_async(before.assert_unchanged)(redis_client, "the malformed frame")
