"""A send while Redis is unreachable is answered ``unavailable`` with
``retry_after`` (retryable; the outbox sends the same ``client_id`` again),
not ``internal`` (issue 14 A9)."""

from __future__ import annotations

import uuid

from django.conf import settings

from accounts.choices import Role
from common import redis as common_redis
from realtime import ratelimit
from tests.hub import ROOM
from tests.live import free_port


async def test_a_send_during_a_redis_outage_is_unavailable_and_retryable(room, make_user, connect, monkeypatch):
    citizen = await connect(await make_user("alice", role=Role.CITIZEN))
    await citizen.join(ROOM)
    # Redis goes away: the clients made from now on reach a port nobody listens on.
    monkeypatch.setattr(settings, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    saved_clients, saved_limiters = dict(common_redis._clients), dict(ratelimit._limiters)
    common_redis._clients.clear()
    ratelimit._limiters.clear()
    client_id = str(uuid.uuid4())
    try:
        reply = await citizen.recv_ack({"type": "send", "topic": ROOM, "body": "halo", "client_id": client_id,
                                        "ref": "s1"})
    finally:
        common_redis._clients.clear()
        common_redis._clients.update(saved_clients)
        ratelimit._limiters.clear()
        ratelimit._limiters.update(saved_limiters)
        monkeypatch.undo()
    assert reply["type"] == "error" and reply["code"] == "unavailable", reply
    assert reply["retry_after"] >= 1 and reply["ref"] == "s1"
    # Redis is back: the same client_id goes through, once.
    ack = await citizen.say(ROOM, "halo", client_id=client_id)
    assert ack["status"] == "published", ack
