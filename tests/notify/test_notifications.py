"""Live notifications: inbox, push to every tab, resume, read-state sync,
languages, preferences, e-mail digests, announcements."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import Client

from accounts.choices import Kecamatan, Role
from asgi import application
from common.jobs import Worker
from notify.models import Announcement, Notification
from notify.services import (
    announcement_deliver,
    notification_digest_send,
    notification_send,
    preference_set,
)
from tests.hub import Socket, assert_quiet, create_user

ROOM = "room.bupati"


async def _reply_to(sock_author, sock_replier, body="Pertanyaan saya", reply_body="Jawaban"):
    first = await sock_author.say(ROOM, body)
    return await sock_replier.say(ROOM, reply_body, reply_to=first["id"])


async def test_a_reply_reaches_every_tab_of_the_author_and_nobody_else(room, make_user, connect):
    siti = await make_user("siti")
    budi = await make_user("budi", display_name="Budi Hartono")
    other = await make_user("other")
    tab1, tab2 = await connect(siti), await connect(siti)
    budi_sock, other_sock = await connect(budi), await connect(other)
    for sock in (tab1, budi_sock):
        await sock.join(ROOM)
    await _reply_to(tab1, budi_sock)
    for tab in (tab1, tab2):
        frame = await tab.recv_until("notification")
        assert frame["topic"] == f"notify.{siti.pk}"
        note = frame["notification"]
        assert note["kind"] == "chat.reply" and note["read"] is False
        assert "Budi Hartono membalas pesan Anda" in note["text"]
        assert note["url"] == "/ruang/bupati/#m-2", "links to the reply on the room page"
    await assert_quiet(other_sock, 0.5)
    assert await sync_to_async(Notification.objects.filter(recipient=siti).count)() == 1


async def test_nobody_may_join_another_users_notifications(room, make_user, connect):
    siti = await make_user("siti")
    budi = await make_user("budi")
    sock = await connect(budi)
    reply = await sock.request({"type": "join", "topic": f"notify.{siti.pk}", "since": None, "ref": "x"})
    assert reply["type"] == "error" and reply["code"] == "forbidden" and reply["ref"] == "x"
    guest = await connect(None)
    reply = await guest.request({"type": "join", "topic": f"notify.{siti.pk}", "since": None})
    assert reply["code"] == "forbidden"


async def test_a_reconnecting_tab_receives_what_it_missed_by_id(room, make_user, connect):
    siti = await make_user("siti")
    budi = await make_user("budi")
    tab, budi_sock = await connect(siti), await connect(budi)
    await tab.join(ROOM)
    await budi_sock.join(ROOM)
    first = await tab.say(ROOM, "pertanyaan")
    await budi_sock.say(ROOM, "balasan satu", reply_to=first["id"])
    seen = (await tab.recv_until("notification"))["notification"]["id"]
    await tab.close()
    await budi_sock.say(ROOM, "@siti lihat ini")
    await budi_sock.say(ROOM, "balasan dua", reply_to=first["id"])
    back = await connect(siti)
    joined, replay = await back.join(f"notify.{siti.pk}", since=seen)
    assert joined["type"] == "joined" and joined["unread"] == 3
    ids = [f["notification"]["id"] for f in replay]
    assert len(ids) == len(set(ids)), "a notification was replayed twice"
    missed = await sync_to_async(list)(
        Notification.objects.filter(recipient=siti, id__gt=seen).values_list("id", flat=True))
    assert len(missed) == 2
    # The last one seen comes again (notifications created up to
    # RESUME_OVERLAP before it are resent; the client drops ids it has),
    # then exactly the missed ones, in id order.
    assert ids == [seen, *sorted(missed)]
    assert {f["notification"]["kind"] for f in replay if f["notification"]["id"] in missed} == {
        "chat.mention", "chat.reply"}


async def test_marking_read_in_one_tab_updates_the_count_in_every_tab(room, make_user, connect):
    siti = await make_user("siti")
    budi = await make_user("budi")
    tab1, tab2, budi_sock = await connect(siti), await connect(siti), await connect(budi)
    await tab1.join(ROOM)
    await budi_sock.join(ROOM)
    await _reply_to(tab1, budi_sock)
    note_id = (await tab1.recv_until("notification"))["notification"]["id"]
    await tab2.recv_until("notification")
    client = Client()
    await sync_to_async(client.force_login)(siti)
    response = await sync_to_async(client.post)("/notifikasi/baca/", {"ids": [note_id]},
                                                HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json() == {"unread": 0}
    for tab in (tab1, tab2):
        frame = await tab.recv_until("notification.read")
        assert frame["ids"] == [note_id] and frame["unread"] == 0 and frame["all"] is False


@pytest.mark.django_db(transaction=True)
def test_marking_someone_elses_notification_is_refused_and_changes_nothing(django_user_model):

    siti, budi = create_user("siti"), create_user("budi")
    note, = notification_send(recipients=[siti.pk], kind="chat.mention", params={"actor": "x", "where": "y",
                                                                                  "excerpt": "z"})
    client = Client()
    client.force_login(budi)
    assert client.post("/notifikasi/baca/", {"ids": [note.pk]}).status_code == 403
    assert client.post(f"/notifikasi/{note.pk}/buka/").status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


async def _socket_with_cookies(user, cookie: str):
    client = Client()
    await sync_to_async(client.force_login)(user)
    session = client.cookies["sessionid"].value
    comm = WebsocketCommunicator(application, "/ws/", headers=[
        (b"origin", b"http://testserver"), (b"host", b"testserver"),
        (b"cookie", f"sessionid={session}; {cookie}".encode())])
    connected, _ = await comm.connect()
    assert connected
    return Socket(comm)


async def test_text_is_in_the_readers_language(room, make_user, connect):
    siti = await make_user("siti")
    budi = await make_user("budi", display_name="Budi")
    english_tab = await _socket_with_cookies(siti, "django_language=en")
    indonesian_tab = await connect(siti)
    budi_sock = await connect(budi)
    await budi_sock.join(ROOM)
    try:
        await budi_sock.say(ROOM, "@siti selamat pagi")
        english = (await english_tab.recv_until("notification"))["notification"]["text"]
        indonesian = (await indonesian_tab.recv_until("notification"))["notification"]["text"]
        assert english == "Budi mentioned you in Ruang Bupati: “@siti selamat pagi”"
        assert indonesian == "Budi menyebut Anda di Ruang Bupati: “@siti selamat pagi”"
        # The inbox page renders the same record in the page's language.
        client = Client()
        await sync_to_async(client.force_login)(siti)
        page_id = await sync_to_async(client.get)("/notifikasi/")
        assert "Budi menyebut Anda" in page_id.content.decode()
        client.cookies["django_language"] = "en"
        page_en = await sync_to_async(client.get)("/notifikasi/")
        assert "Budi mentioned you" in page_en.content.decode()
    finally:
        await english_tab.close()


@pytest.mark.django_db(transaction=True)
def test_kinds_turned_off_are_not_stored_and_email_comes_as_one_digest():

    siti = create_user("siti", email="siti@example.id")
    budi = create_user("budi", email="budi@example.id")
    preference_set(user=siti, kind="chat.mention", channel="off")
    preference_set(user=budi, kind="chat.mention", channel="email")
    params = {"actor": "Dewi", "where": "Lobi", "excerpt": "halo"}
    notification_send(recipients=[siti.pk, budi.pk], kind="chat.mention", params=params)
    notification_send(recipients=[siti.pk, budi.pk], kind="chat.mention", params={**params, "excerpt": "lagi"})
    assert Notification.objects.filter(recipient=siti).count() == 0
    assert Notification.objects.filter(recipient=budi).count() == 2
    assert notification_digest_send() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["budi@example.id"]
    assert "“halo”" in digest.body and "“lagi”" in digest.body
    assert notification_digest_send() == 0, "a digest never repeats a notification"


@pytest.mark.django_db(transaction=True)
def test_an_announcement_is_delivered_by_the_worker_once_to_its_audience():

    admin = create_user("admin", role=Role.ADMIN)
    juwana = [create_user(f"juwana{i}", kecamatan=Kecamatan.JUWANA) for i in range(3)]
    create_user("tayu", kecamatan=Kecamatan.TAYU)
    citizen = create_user("citizen")
    client = Client()
    client.force_login(citizen)
    assert client.post("/notifikasi/umumkan/", {"title": "x", "body": "y"}).status_code == 403
    assert Announcement.objects.count() == 0
    client.force_login(admin)
    response = client.post("/notifikasi/umumkan/", {"title": "Jalan ditutup", "body": "Perbaikan jembatan",
                                                     "kecamatan": Kecamatan.JUWANA})
    assert response.status_code == 302
    assert Notification.objects.count() == 0, "the request must not do the fan-out itself"
    worker = Worker("test")
    try:
        assert worker.drain() == 1
    finally:
        worker.close()
    announcement = Announcement.objects.get()
    assert announcement.finished_at is not None and announcement.delivered == 3
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {u.pk for u in juwana}
    # Running the job again (a crashed worker's retry) notifies nobody twice.
    announcement.finished_at = None
    announcement.save()
    announcement_deliver({"id": announcement.pk})
    assert Notification.objects.count() == 3
