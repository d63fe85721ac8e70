"""Revoked access reaches sockets that only listen, at once (issue 14 A5):
a password change and deleting the account close the user's sockets; a role
change and a room made private make the sockets ask each topic again and
leave the ones they lost with a ``left`` frame.

"At once" is shorter than the session watch's interval
(``realtime.local.SESSION_WATCH_S``, 4 s) and the per-frame re-check (5 s):
these sockets send nothing, and their sessions stay in the cache, so neither
would catch them (the password change left them open for 150 s and more)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.test import Client

from accounts.choices import Role
from accounts.models import User
from chat.services import message_send, room_upsert
from realtime.consumer import CLOSE_AUTH_LOST
from tests.hub import ROOM, assert_quiet

CONSOLE = "modq.console"
AT_ONCE = 3  # seconds: under the 4 s session watch and the 5 s per-frame re-check


async def _listening(connect, user, topic=ROOM, client=None):
    sock = await connect(user) if client is None else await connect(client=client)
    await sock.join(topic)
    return sock


async def test_a_password_change_closes_every_listening_socket_of_the_user(room, make_user, connect):
    alice = await make_user("alice")
    browsers = [await _listening(connect, alice), await _listening(connect, alice)]
    bob = await _listening(connect, await make_user("bob"))

    def change_password():  # as the admin's "change password" form and the password reset do
        user = User.objects.get(pk=alice.pk)
        user.set_password("a-new-long-passphrase")
        user.save()

    await sync_to_async(change_password)()
    for sock in browsers:
        assert await sock.wait_closed(timeout=AT_ONCE) == CLOSE_AUTH_LOST
    assert await bob.ping() is not None
    # The old session cannot come back either.
    again = await connect(client=browsers[0].client)
    assert (await again.request({"type": "join", "topic": f"notify.{alice.pk}", "ref": "n"}))["code"] == "forbidden"


async def test_the_browser_that_changed_the_password_reconnects_with_its_new_session(make_user, connect):
    """Django's ``update_session_auth_hash`` keeps the changing browser signed
    in under a new session key: its old sockets close with the others, a new
    socket with the new cookie is signed in; the other browser's is not."""
    mod = await make_user("ani", role=Role.MODERATOR)
    here, there = Client(), Client()
    for client in (here, there):
        await sync_to_async(client.force_login)(mod)
    here_sock = await _listening(connect, None, CONSOLE, client=here)
    there_sock = await _listening(connect, None, CONSOLE, client=there)

    response = await sync_to_async(here.post)("/admin/password_change/", {
        "old_password": "pw-ani", "new_password1": "a-new-long-passphrase",
        "new_password2": "a-new-long-passphrase"})
    assert response.status_code == 302, response.content[:500]
    for sock in (here_sock, there_sock):
        assert await sock.wait_closed(timeout=AT_ONCE) == CLOSE_AUTH_LOST
    joined, _ = await (await connect(client=here)).join(CONSOLE)
    assert joined["type"] == "joined"
    refused = await (await connect(client=there)).request({"type": "join", "topic": CONSOLE, "ref": "c"})
    assert refused["code"] == "forbidden"


async def test_deleting_the_account_closes_its_sockets(room, make_user, connect):
    alice = await make_user("alice")
    socks = [await _listening(connect, alice), await _listening(connect, alice, f"notify.{alice.pk}")]
    bob = await _listening(connect, await make_user("bob"))
    await sync_to_async(User.objects.filter(pk=alice.pk).delete)()
    for sock in socks:
        assert await sock.wait_closed(timeout=AT_ONCE) == CLOSE_AUTH_LOST
    assert await bob.ping() is not None


async def test_a_demoted_moderator_leaves_the_console_at_once_and_keeps_the_rest(room, make_user, connect):
    ani = await make_user("ani", role=Role.MODERATOR)
    citizen = await make_user("siti")
    console = await _listening(connect, ani, CONSOLE)
    await console.join(ROOM)
    colleague = await _listening(connect, await make_user("budi", role=Role.MODERATOR), CONSOLE)

    def demote():
        user = User.objects.get(pk=ani.pk)
        user.role = Role.CITIZEN
        user.save()

    await sync_to_async(demote)()
    left = await console.recv_until("left", timeout=AT_ONCE)
    assert (left["topic"], left["code"]) == (CONSOLE, "forbidden") and "ref" not in left
    # The console's feed stops for her and goes on for the others; the room
    # (which she may still read) goes on for her.
    await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati", premoderated=True)
    await sync_to_async(message_send)(user=citizen, room_slug="bupati", body="Mohon perhatian",
                                      client_id="6f1c2a8e-0d9b-4a5e-9b1e-3f2a7c9d8e10")
    arrived = await colleague.recv_until("queue.event")
    assert arrived["event"] == "arrived"
    await assert_quiet(console, 0.5)
    refused = await console.request({"type": "join", "topic": CONSOLE, "ref": "c"})
    assert refused["code"] == "forbidden"
    joined, _ = await console.join(ROOM, since=0)
    assert joined["type"] == "joined"


async def test_another_field_changes_nothing_on_the_socket(room, make_user, connect):
    siti = await make_user("siti")
    sock = await _listening(connect, siti)

    def edit():
        user = User.objects.get(pk=siti.pk)
        user.display_name = "Siti Aminah"
        user.save()

    await sync_to_async(edit)()
    await assert_quiet(sock, 0.5)


async def test_a_promotion_asks_for_the_second_sign_in_step_first(room, make_user, connect):
    """A promoted citizen's sockets do not carry the new role before the
    session passes the second step (issue 14 D): they close (4001); the
    browser comes back as a guest until the step is passed."""
    siti = await make_user("siti")
    sock = await _listening(connect, siti)

    def promote():
        user = User.objects.get(pk=siti.pk)
        user.role = Role.MODERATOR
        user.save()

    await sync_to_async(promote)()
    assert await sock.wait_closed(timeout=AT_ONCE) == CLOSE_AUTH_LOST
    # Signed in again with the step passed (force_login: tests/signin.py), the console opens.
    verified = await connect(await sync_to_async(User.objects.get)(pk=siti.pk))
    joined, _ = await verified.join(CONSOLE)
    assert joined["type"] == "joined"


async def test_a_room_made_private_removes_its_guests_at_once(make_room, make_user, connect):
    await make_room("bupati", title="Ruang Bupati")
    await make_room("umum", title="Ruang Umum")
    guest = await _listening(connect, None)
    await guest.join("room.umum")
    alice = await make_user("alice")
    member = await _listening(connect, alice)

    await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati", is_public=False)
    left = await guest.recv_until("left", timeout=AT_ONCE)
    assert (left["topic"], left["code"]) == (ROOM, "forbidden")
    # What is said afterwards reaches the signed-in member, never the guest.
    await sync_to_async(message_send)(user=alice, room_slug="bupati", body="Hanya untuk warga terdaftar",
                                      client_id="6f1c2a8e-0d9b-4a5e-9b1e-3f2a7c9d8e11")
    assert (await member.recv_until("message"))["message"]["body"] == "Hanya untuk warga terdaftar"
    await assert_quiet(guest, 0.5)
    # The guest's other room is untouched, and the private one refuses it again.
    assert (await guest.join("room.umum"))[0]["type"] == "joined"
    assert (await guest.request({"type": "join", "topic": ROOM, "ref": "j"}))["code"] == "forbidden"


async def test_a_room_changed_otherwise_keeps_its_sockets(make_room, connect):
    await make_room("bupati", title="Ruang Bupati")
    guest = await _listening(connect, None)
    await sync_to_async(room_upsert)(slug="bupati", title="Ruang Bupati Pati", slow_mode_seconds=5)
    await assert_quiet(guest, 0.5)
    assert await guest.ping() is not None
