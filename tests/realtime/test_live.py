"""Two Daphne processes on one Redis and one database: events cross process
boundaries, and a client moving from one server to the other resumes by id
without gaps or duplicates while a sender keeps sending."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from accounts.choices import Role
from chat.services import room_upsert
from tests.hub import ROOM, check_frame, create_user, wait_until
from tests.live import daphne_server

pytestmark = pytest.mark.live


@pytest.fixture
def servers(transactional_db):
    """Two Daphne processes serving the test database; their base URLs."""
    from django.db import connection

    room_upsert(slug="bupati", title="Ruang Bupati")
    with daphne_server(connection.settings_dict) as a, daphne_server(connection.settings_dict) as b:
        yield a, b


class LiveSocket:
    """The hub protocol over a real WebSocket; frames checked against schema.json."""

    def __init__(self, ws):
        self.ws = ws

    @classmethod
    async def open(cls, base_url: str, user=None) -> LiveSocket:
        headers = {}
        if user is not None:
            client = Client()
            await sync_to_async(client.force_login)(user)
            headers["Cookie"] = f"sessionid={client.cookies['sessionid'].value}"
        ws = await ws_connect(base_url.replace("http://", "ws://") + "/ws/", origin=base_url,
                              additional_headers=headers, proxy=None, open_timeout=10)
        return cls(ws)

    async def send(self, frame: dict) -> None:
        check_frame(frame, "client")
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 10) -> dict:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        check_frame(frame, "server")
        return frame

    async def recv_until(self, frame_type: str, timeout: float = 10) -> dict:
        while (frame := await self.recv(timeout))["type"] != frame_type:
            pass
        return frame

    async def join(self, topic: str = ROOM, since=None) -> tuple[dict, list[int]]:
        """Join; the joined frame and the ids replayed right after it."""
        await self.send({"type": "join", "topic": topic, "since": since, "ref": "j"})
        joined = await self.recv_until("joined")
        await self.send({"type": "ping", "ref": "after-join"})
        ids = []
        while (frame := await self.recv())["type"] != "pong":
            if frame["type"] == "message":
                ids.append(frame["message"]["id"])
        return joined, ids

    async def say(self, body: str) -> dict:
        client_id = str(uuid.uuid4())
        await self.send({"type": "send", "topic": ROOM, "body": body, "client_id": client_id, "ref": client_id})
        while True:
            frame = await self.recv()
            if frame["type"] in ("ack", "error") and frame.get("ref") == client_id:
                return frame

    async def close(self) -> None:
        await self.ws.close()


async def test_message_sent_through_one_server_reaches_a_client_of_the_other(servers):
    url_a, url_b = servers
    bupati = await sync_to_async(create_user)("bupati", role=Role.OFFICIAL, title="Bupati Pati")
    warga = await sync_to_async(create_user)("warga")
    official = await LiveSocket.open(url_a, bupati)
    citizen = await LiveSocket.open(url_b, warga)
    guest = await LiveSocket.open(url_b)
    try:
        for sock in (official, citizen, guest):
            await sock.join()
        ack = await official.say("Selamat pagi warga Pati")
        assert ack["status"] == "published" and ack["id"] == 1
        for sock in (citizen, guest):
            event = await sock.recv_until("message")
            assert event["message"]["id"] == 1 and event["message"]["author"]["title"] == "Bupati Pati"
        reply = await citizen.say("Selamat pagi, Bu")
        assert reply["id"] == 2
        while (event := await official.recv_until("message"))["message"]["id"] < 2:
            pass  # its own message first
        assert event["message"]["id"] == 2 and event["message"]["author"]["role"] == "citizen"

        # JSON may spell a lone surrogate; echoing it back would not encode to
        # UTF-8 and Daphne would drop the socket (1011). It is refused instead.
        await guest.ws.send('{"type": "ping", "ref": "\\ud800"}')
        await guest.ws.send('{"type": "nope", "ref": "x\\udfff"}')
        try:
            replies = [await guest.recv_until("error") for _ in range(2)]
        except ConnectionClosed as closed:
            pytest.fail(f"the server closed the socket: {closed}")
        assert [r["code"] for r in replies] == ["invalid", "invalid"] and all("ref" not in r for r in replies)
        await guest.send({"type": "ping", "ref": "ok"})
        assert await guest.recv_until("pong") == {"type": "pong", "ref": "ok"}
    finally:
        for sock in (official, citizen, guest):
            await sock.close()


async def test_client_moving_between_servers_resumes_without_gap_or_duplicate(servers):
    url_a, url_b = servers
    total = 40
    senders = [await sync_to_async(create_user)(f"pejabat{n}", role=Role.OFFICIAL) for n in range(2)]
    # one sender on each server: ids are assigned by both processes at once
    sender_socks = [await LiveSocket.open(url, user) for url, user in zip((url_a, url_b), senders, strict=True)]
    receiver = await LiveSocket.open(url_a)
    acked: list[int] = []
    try:
        for sock in sender_socks:
            await sock.join()
        await receiver.join()

        async def keep_sending(sock, tag):
            for n in range(total // 2):
                ack = await sock.say(f"{tag} {n}")
                assert ack["type"] == "ack" and ack["status"] == "published", ack
                acked.append(ack["id"])
                await asyncio.sleep(0.01)

        async def move():
            nonlocal receiver
            seen: list[int] = []
            while len(seen) < total // 4:
                frame = await receiver.recv()
                if frame["type"] == "message":
                    seen.append(frame["message"]["id"])
            await receiver.close()
            # The senders keep going meanwhile: messages are published while
            # the client is between servers.
            away = len(acked)
            await wait_until(lambda: len(acked) >= min(total, away + len(sender_socks)),
                             what="messages published while the client moves")
            receiver = await LiveSocket.open(url_b)
            _, replayed = await receiver.join(since=seen[-1])
            after = list(replayed)
            while not after or after[-1] < total:
                frame = await receiver.recv()
                if frame["type"] == "message":
                    after.append(frame["message"]["id"])
            return seen, after

        (seen, after), *_ = await asyncio.gather(
            move(), *(keep_sending(sock, f"s{i}") for i, sock in enumerate(sender_socks)))
        assert sorted(acked) == list(range(1, total + 1))
        assert seen == list(range(1, len(seen) + 1))
        assert after == list(range(seen[-1] + 1, total + 1))
    finally:
        for sock in (*sender_socks, receiver):
            await sock.close()
