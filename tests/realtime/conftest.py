"""Hub test helpers: real Redis, real database (committed rows, since the
consumer reads through other threads), sockets over WebsocketCommunicator."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.choices import Role
from accounts.models import User
from asgi import application
from realtime.chat.services import room_upsert

ORIGIN = (b"origin", b"http://testserver")


class Socket:
    """A test client speaking the hub protocol over one WebSocket."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.comm = communicator

    async def send(self, frame: dict) -> None:
        await self.comm.send_to(text_data=json.dumps(frame))

    async def recv(self, timeout: float = 3) -> dict:
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def request(self, frame: dict, timeout: float = 3) -> dict:
        await self.send(frame)
        return await self.recv(timeout)

    async def recv_until(self, frame_type: str, timeout: float = 3) -> dict:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == frame_type:
                return frame

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.comm.receive_nothing(timeout=timeout)

    async def join(self, topic: str, since=None) -> tuple[dict, list[dict]]:
        """Join and collect the replayed messages (the joined frame says how many follow? no: read until quiet)."""
        joined = await self.request({"type": "join", "topic": topic, "since": since, "ref": "j"})
        replay = []
        while not await self.comm.receive_nothing(timeout=0.15):
            replay.append(await self.recv())
        return joined, replay

    async def say(self, topic: str, body: str, client_id: str | None = None, **extra) -> dict:
        return await self.recv_ack({"type": "send", "topic": topic, "body": body,
                                    "client_id": client_id or str(uuid.uuid4()), **extra})

    async def recv_ack(self, frame: dict) -> dict:
        await self.send(frame)
        while True:
            reply = await self.recv()
            if reply["type"] in ("ack", "error"):
                return reply

    async def close(self) -> None:
        await self.comm.disconnect()


def create_user(username: str, role: str = Role.CITIZEN, **fields) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, role=role,
                                    display_name=fields.pop("display_name", username.title()), **fields)


@pytest.fixture
def make_user(transactional_db):
    """``await make_user("alice", role=...)`` -> a committed ``User``."""
    return sync_to_async(create_user)


@pytest.fixture
def room(transactional_db):
    room, _ = room_upsert(slug="bupati", title="Ruang Bupati")
    return room


@pytest.fixture
async def connect():
    """``await connect(user_or_None)`` -> connected ``Socket``; all closed at the end."""
    opened: list[Socket] = []

    async def open_socket(user=None, origin: tuple = ORIGIN) -> Socket:
        headers = [origin]
        if user is not None:
            client = Client()
            await sync_to_async(client.force_login)(user)
            cookie = client.cookies["sessionid"].value
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        comm = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await comm.connect()
        assert connected
        socket = Socket(comm)
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        await socket.close()
