"""Hub test helpers: real Redis, real database (committed rows, since the
consumer reads through other threads), sockets over WebsocketCommunicator.

Every server frame a ``Socket`` receives is validated against
``realtime/hub/schema.json``, and so is every client frame it sends through
``send`` (malformed frames go through ``send_raw``/``send_unchecked``).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

from accounts.choices import Role
from accounts.models import User
from asgi import application
from realtime.chat.models import Message, MessageStatus, Room
from realtime.chat.services import room_upsert
from realtime.sanitize import render_text

ORIGIN = (b"origin", b"http://testserver")
ROOM = "room.bupati"

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "realtime" / "hub" / "schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
_registry = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))


def _validator(definition: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{SCHEMA['$id']}#/$defs/{definition}"}, registry=_registry)


SERVER_FRAME = _validator("serverFrame")
CLIENT_FRAME = _validator("clientFrame")


def check_frame(frame, direction: str) -> None:
    """Raise ``AssertionError`` naming the first schema violation of ``frame``."""
    validator = SERVER_FRAME if direction == "server" else CLIENT_FRAME
    errors = list(validator.iter_errors(frame))
    if not errors:
        return
    # Point at the definition of the frame's own type, not at the oneOf noise.
    kind = frame.get("type") if isinstance(frame, dict) else None
    if isinstance(kind, str) and f"{direction}.{kind}" in SCHEMA["$defs"]:
        specific = list(_validator(f"{direction}.{kind}").iter_errors(frame))
        errors = specific or errors
    error = best_match(errors)
    raise AssertionError(f"{direction} frame violates schema.json at {list(error.absolute_path)}: "
                         f"{error.message}\n{frame!r}")


class Closed(Exception):
    """The server closed the socket while a frame was expected."""

    def __init__(self, code):
        super().__init__(f"socket closed with code {code}")
        self.code = code


class Socket:
    """A test client speaking the hub protocol over one WebSocket."""

    def __init__(self, communicator: WebsocketCommunicator, user=None, client: Client | None = None):
        self.comm = communicator
        self.user = user
        self.client = client  # the Django test client holding this socket's session

    async def send(self, frame: dict) -> None:
        check_frame(frame, "client")
        await self.send_unchecked(frame)

    async def send_unchecked(self, frame) -> None:
        await self.comm.send_to(text_data=json.dumps(frame))

    async def send_raw(self, text: str | None = None, binary: bytes | None = None) -> None:
        """One WebSocket message as is (``send_to`` refuses empty ones)."""
        message = {"type": "websocket.receive"}
        if binary is not None:
            message["bytes"] = binary
        else:
            message["text"] = text
        await self.comm.send_input(message)

    async def recv(self, timeout: float = 10) -> dict:
        # Generous: a loaded machine (two CPUs, other suites running) can stall
        # a reply for seconds; a test expecting silence uses ``nothing``.
        message = await self.comm.receive_output(timeout)
        if message["type"] == "websocket.close":
            raise Closed(message.get("code"))
        assert message["type"] == "websocket.send" and message.get("text") is not None, message
        frame = json.loads(message["text"])
        check_frame(frame, "server")
        return frame

    async def request(self, frame: dict, timeout: float = 10) -> dict:
        """Send ``frame``; the next frame that is not a ``presence`` event (those come any time)."""
        await self.send(frame)
        while (reply := await self.recv(timeout))["type"] == "presence":
            pass
        return reply

    async def recv_until(self, frame_type: str, timeout: float = 10, **match) -> dict:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame

    async def drain(self, quiet: float = 0.15) -> list[dict]:
        """Every frame that arrives until the socket is quiet for ``quiet`` s."""
        frames = []
        while not await self.comm.receive_nothing(timeout=quiet):
            frames.append(await self.recv())
        return frames

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.comm.receive_nothing(timeout=timeout)

    async def join(self, topic: str = ROOM, since=None, **extra) -> tuple[dict, list[dict]]:
        """Join and collect what follows the ``joined`` frame until the socket is quiet."""
        joined = await self.request({"type": "join", "topic": topic, "since": since, "ref": "j", **extra})
        return joined, await self.drain()

    async def say(self, topic: str, body: str, client_id: str | None = None, **extra) -> dict:
        return await self.recv_ack({"type": "send", "topic": topic, "body": body,
                                    "client_id": client_id or str(uuid.uuid4()), **extra})

    async def recv_ack(self, frame: dict) -> dict:
        """Send ``frame``; the ``ack`` or ``error`` that answers it (other frames skipped)."""
        await self.send(frame)
        while True:
            reply = await self.recv()
            if reply["type"] in ("ack", "error"):
                return reply

    async def ping(self, ref: str = "p", timeout: float = 10) -> list[dict]:
        """Ping and wait for the pong with ``ref``; returns the frames that came before it."""
        await self.send({"type": "ping", "ref": ref})
        before = []
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == "pong" and frame.get("ref") == ref:
                return before
            before.append(frame)

    async def wait_closed(self, timeout: float = 10) -> int | None:
        """Skip frames until the server closes; return the close code."""
        try:
            while True:
                await self.recv(timeout)
        except Closed as closed:
            return closed.code

    async def close(self) -> None:
        await self.comm.disconnect()


def create_user(username: str, role: str = Role.CITIZEN, **fields) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, role=role,
                                    display_name=fields.pop("display_name", username.title()), **fields)


def seed_messages(room: Room, author: User, count: int, prefix: str = "pesan") -> int:
    """Append ``count`` visible messages to ``room`` directly (no events); the last id."""
    room.refresh_from_db()
    first = room.last_seq + 1
    Message.objects.bulk_create(
        Message(room=room, author=author, seq=seq, status=MessageStatus.PUBLISHED,
                body=f"{prefix} {seq}", html=render_text(f"{prefix} {seq}"))
        for seq in range(first, first + count)
    )
    Room.objects.filter(pk=room.pk).update(last_seq=first + count - 1)
    return first + count - 1


def message_ids(frames: list[dict], topic: str = ROOM) -> list[int]:
    return [f["message"]["id"] for f in frames if f["type"] == "message" and f["topic"] == topic]


@pytest.fixture
def make_user(transactional_db):
    """``await make_user("alice", role=...)`` -> a committed ``User``."""
    return sync_to_async(create_user)


@pytest.fixture
def make_room(transactional_db):
    """``await make_room("slug", **options)`` -> a committed ``Room``."""

    async def make(slug: str, title: str | None = None, **options) -> Room:
        room, _ = await sync_to_async(room_upsert)(slug=slug, title=title or slug.title(), **options)
        return room

    return make


@pytest.fixture
def room(transactional_db):
    room, _ = room_upsert(slug="bupati", title="Ruang Bupati")
    return room


async def open_socket(user=None, origin: tuple = ORIGIN, client: Client | None = None) -> Socket:
    headers = [origin]
    if user is not None or client is not None:
        if client is None:
            client = Client()
            await sync_to_async(client.force_login)(user)
        cookie = client.cookies["sessionid"].value
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    comm = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await comm.connect()
    assert connected
    return Socket(comm, user=user, client=client)


@pytest.fixture
async def connect():
    """``await connect(user_or_None)`` -> connected ``Socket``; all closed at the end.
    ``client=`` reuses a Django test client's session (another tab of the same browser)."""
    opened: list[Socket] = []

    async def open_and_track(user=None, origin: tuple = ORIGIN, client: Client | None = None) -> Socket:
        socket = await open_socket(user, origin, client)
        opened.append(socket)
        return socket

    yield open_and_track
    for socket in opened:
        try:
            await socket.close()
        except (Exception, asyncio.CancelledError):  # noqa: BLE001 - a failed test must still tear down the rest
            pass


@pytest.fixture
async def speaker_and_listener(room, make_user, connect):
    """``(alice, speaker, listener)``: a citizen who writes nothing herself (for
    seeding), an official's socket and a guest's socket, both joined to ``ROOM``."""
    alice = await make_user("alice")
    speaker = await connect(await make_user("bupati", role=Role.OFFICIAL))
    listener = await connect(None)
    await speaker.join(ROOM)
    await listener.join(ROOM)
    return alice, speaker, listener
