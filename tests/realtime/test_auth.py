"""Who is on a socket: the session decides, never the frame; sign-out and
deactivation close sockets (4001); a user has a bounded number of sockets (4029)."""

from __future__ import annotations

import asyncio
import uuid

from asgiref.sync import sync_to_async
from django.test import Client

from accounts.choices import Role
from chat.models import Message
from realtime.consumer import CLOSE_AUTH_LOST, CLOSE_TOO_MANY
from tests.hub import ROOM, Closed


async def test_author_and_role_come_from_the_session_not_the_frame(make_room, make_user, connect):
    await make_room("bupati", title="Ruang Bupati")
    await make_room("arsip", state="read_only")
    citizen = await make_user("warga")
    bupati = await make_user("bupati", role=Role.OFFICIAL, title="Bupati Pati")
    sock = await connect(citizen)
    listener = await connect(None)
    await sock.join(ROOM)
    await listener.join(ROOM)
    forged = {"author": {"id": bupati.pk, "name": "Bupati", "role": "official", "title": "Bupati Pati"},
              "role": "official", "user_id": bupati.pk, "user": bupati.pk, "is_staff": True}
    ack = await sock.recv_ack({"type": "send", "topic": ROOM, "body": "Saya Bupati", "ref": "s",
                               "client_id": str(uuid.uuid4()), **forged})
    assert ack["status"] == "published"
    event = (await listener.recv_until("message"))["message"]
    assert event["author"] == {"id": citizen.pk, "name": "Warga", "role": "citizen", "title": ""}
    assert await sync_to_async(Message.objects.filter(author=citizen).count)() == 1
    assert await sync_to_async(Message.objects.filter(author=bupati).count)() == 0

    # a forged role opens no read-only room either
    await sock.join("room.arsip")
    reply = await sock.recv_ack({"type": "send", "topic": "room.arsip", "body": "x", "ref": "r",
                                 "client_id": str(uuid.uuid4()), **forged})
    assert reply["type"] == "error" and reply["code"] == "forbidden"
    # and no rate-limit exemption: the sixth message is refused
    for n in range(4):
        assert (await sock.say(ROOM, f"pesan {n}", **forged))["status"] == "published"
    assert (await sock.say(ROOM, "keenam", **forged))["code"] == "rate_limited"


async def test_sign_out_closes_that_sessions_sockets(room, make_user, connect):
    alice = await make_user("alice")
    tab1 = await connect(alice)
    tab2 = await connect(client=tab1.client)  # same browser session
    other_browser = await connect(alice)  # another session of the same user
    bob = await connect(await make_user("bob"))
    for sock in (tab1, tab2, other_browser, bob):
        await sock.join(ROOM)

    response = await sync_to_async(tab1.client.post)("/akun/keluar/")
    assert response.status_code == 302

    for tab in (tab1, tab2):
        await tab.send({"type": "ping", "ref": "after"})  # must not keep the socket alive
        frames = []
        try:
            while True:
                frames.append(await tab.recv(timeout=10))
        except Exception as closed:  # noqa: BLE001 - Closed carries the code
            assert getattr(closed, "code", None) == CLOSE_AUTH_LOST, (closed, frames)
        errors = [f for f in frames if f["type"] == "error"]
        assert errors and errors[-1]["code"] == "auth_lost"
    for sock in (other_browser, bob):
        assert await sock.ping() is not None


async def test_sign_out_through_django_logout_on_a_request_with_that_session(room, make_user, connect):
    from django.contrib.auth import logout
    from django.test import RequestFactory

    alice = await make_user("alice")
    sock = await connect(alice)
    await sock.ping()  # the socket has finished connecting (subscribed to its session)

    def sign_out():
        from importlib import import_module

        from django.conf import settings

        request = RequestFactory().post("/akun/keluar/")
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(
            sock.client.cookies["sessionid"].value)
        request.user = alice
        logout(request)

    await sync_to_async(sign_out)()
    assert await sock.wait_closed(timeout=10) == CLOSE_AUTH_LOST


async def test_deactivation_closes_every_socket_of_the_user(room, make_user, connect):
    alice = await make_user("alice")
    tabs = [await connect(alice), await connect(alice)]
    bob = await connect(await make_user("bob"))
    await tabs[0].join(ROOM)
    await tabs[1].ping()  # finished connecting

    def deactivate():
        alice.is_active = False
        alice.save()

    await sync_to_async(deactivate)()
    for tab in tabs:
        assert await tab.wait_closed(timeout=10) == CLOSE_AUTH_LOST
    assert await bob.ping() is not None


async def test_socket_limit_per_user(room, make_user, connect, settings):
    settings.HUB_MAX_SOCKETS_PER_USER = 3
    alice = await make_user("alice")
    tabs = [await connect(alice) for _ in range(3)]
    extra = await connect(alice)
    error = await extra.recv()
    assert error["type"] == "error" and error["code"] == "rate_limited" and error["retry_after"] >= 1
    assert await extra.wait_closed() == CLOSE_TOO_MANY
    # other users are not affected, guests neither
    assert await (await connect(await make_user("bob"))).ping() is not None
    assert await (await connect(None)).ping() is not None
    # closing a tab frees its place
    await tabs[0].close()
    replacement = await connect(alice)
    assert await replacement.ping() is not None
    for tab in tabs[1:]:
        assert await tab.ping() is not None


async def test_socket_limit_holds_for_simultaneous_connects(room, make_user, connect, settings):
    """Sockets connecting at the same moment never pass the limit together."""
    settings.HUB_MAX_SOCKETS_PER_USER = 2
    alice = await make_user("alice")
    client = Client()
    await sync_to_async(client.force_login)(alice)
    socks = await asyncio.gather(*(connect(client=client) for _ in range(6)))
    kept, refused = 0, 0
    for n, sock in enumerate(socks):
        # A refused socket says why and closes before it reads any frame; a
        # kept one answers the ping.
        await sock.send({"type": "ping", "ref": f"p{n}"})
        frames = []
        try:
            while (frame := await sock.recv())["type"] != "pong":
                frames.append(frame)
        except Closed as closed:
            assert closed.code == CLOSE_TOO_MANY, closed
            assert [(f["type"], f["code"]) for f in frames] == [("error", "rate_limited")], frames
            refused += 1
            continue
        assert frames == [], frames
        kept += 1
    # The limit is taken atomically: exactly as many as it allows get in.
    assert (kept, refused) == (2, 4)


async def test_sign_out_right_after_connect_still_closes_the_socket(room, make_user, connect):
    alice = await make_user("alice")
    sock = await connect(alice)  # no round trip after the handshake
    response = await sync_to_async(sock.client.post)("/akun/keluar/")
    assert response.status_code == 302
    assert await sock.wait_closed(timeout=3) == CLOSE_AUTH_LOST
