"""Sockets of officials and staff who have not passed the second sign-in
step (issue 14 D): such a socket is a guest's — no console feed, no
notifications, nothing posted with the regency's voice — until the session
passes the step (``realtime/auth.py``)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.test import Client

from accounts.choices import Role
from tests.hub import ROOM
from tests.signin import force_login_unverified, pass_second_step

CONSOLE = "modq.console"


async def _unverified_client(user) -> Client:
    client = Client()
    await sync_to_async(force_login_unverified)(client, user)
    return client


async def test_a_moderator_who_has_not_passed_the_step_is_a_guest_on_the_socket(room, make_user, connect):
    moderator = await make_user("moderator", role=Role.MODERATOR)
    client = await _unverified_client(moderator)
    sock = await connect(client=client)
    refused = await sock.request({"type": "join", "topic": CONSOLE, "ref": "c"})
    assert (refused["type"], refused["code"]) == ("error", "forbidden")
    refused = await sock.request({"type": "join", "topic": f"notify.{moderator.pk}", "ref": "n"})
    assert refused["code"] == "forbidden"

    # The same browser, once the step is passed: the console opens.
    await sync_to_async(pass_second_step)(client, moderator)
    verified = await connect(client=client)
    joined, _ = await verified.join(CONSOLE)
    assert joined["type"] == "joined"


async def test_an_official_who_has_not_passed_the_step_cannot_speak_for_the_regency(make_room, make_user, connect):
    await make_room("pengumuman", post_policy="staff")
    official = await make_user("bupati", role=Role.OFFICIAL)
    sock = await connect(client=await _unverified_client(official))
    await sock.join("room.pengumuman")
    refused = await sock.say("room.pengumuman", "Pengumuman palsu")
    assert refused["type"] == "error"

    verified = await connect(official)  # force_login: with the step passed
    await verified.join("room.pengumuman")
    assert (await verified.say("room.pengumuman", "Pengumuman resmi"))["type"] == "ack"


async def test_citizens_sockets_are_unaffected(room, make_user, connect):
    siti = await make_user("siti")
    sock = await connect(client=await _unverified_client(siti))
    joined, _ = await sock.join(f"notify.{siti.pk}")
    assert joined["type"] == "joined"
    await sock.join(ROOM)
    assert (await sock.say(ROOM, "Halo"))["type"] == "ack"
