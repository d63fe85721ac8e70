"""Hub test helpers: sockets over WebsocketCommunicator, users, seeded
messages. Fixtures built on them are in ``tests/fixtures.py``.

Every server frame a ``Socket`` receives is validated against the protocol's
schema (``realtime/schema.json`` and the topic kinds' fragments), and so is every client frame it sends through
``send`` (malformed frames go through ``send_raw``/``send_unchecked``).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
import uuid

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from jsonschema.exceptions import best_match

from accounts.choices import Role
from accounts.models import User
from asgi import application
from chat.models import Message, MessageStatus, Room
from common.sanitize import render_text
from realtime import schema

ORIGIN = (b"origin", b"http://testserver")
#: Browsers always send it; the origin check compares the Origin with it.
HOST = (b"host", b"testserver")
ROOM = "room.bupati"

SCHEMA = schema.core()


def _own_definition(frame, direction: str):
    """The validator of the definition of the frame's own type, wherever it is."""
    kind = frame.get("type") if isinstance(frame, dict) else None
    for document in schema.documents():
        if isinstance(kind, str) and schema.has_definition(document, f"{direction}.{kind}"):
            return schema.definition_validator(document, f"{direction}.{kind}")
    return None


def _joined_fields_errors(frame) -> list:
    """A ``joined`` frame's fields beyond the core's must each be described
    by a topic kind's ``joined`` definition, and match it."""
    core_fields = set(SCHEMA["$defs"]["server.joined"]["properties"])
    errors = []
    described = set()
    for document in schema.documents():
        if schema.has_definition(document, "joined"):
            described |= set(document["$defs"]["joined"]["properties"])
            errors += list(schema.definition_validator(document, "joined").iter_errors(frame))
    unknown = set(frame) - core_fields - described
    if unknown:
        raise AssertionError(f"joined frame has fields no schema describes: {sorted(unknown)}\n{frame!r}")
    return errors


def check_frame(frame, direction: str) -> None:
    """Raise ``AssertionError`` naming the first schema violation of ``frame``."""
    # Asked each time: a test may register a kind (and its fragment) of its own.
    validator = schema.server_frame_validator() if direction == "server" else schema.client_frame_validator()
    errors = list(validator.iter_errors(frame))
    if not errors and direction == "server" and isinstance(frame, dict) and frame.get("type") == "joined":
        errors = _joined_fields_errors(frame)
    if not errors:
        return
    # Point at the definition of the frame's own type, not at the anyOf noise.
    own = _own_definition(frame, direction)
    if own is not None:
        errors = list(own.iter_errors(frame)) or errors
    error = best_match(errors)
    raise AssertionError(f"{direction} frame violates the protocol schema at {list(error.absolute_path)}: "
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
        # a reply for seconds; a test expecting silence uses ``assert_quiet``.
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
        return await self._reply(timeout)

    async def request_unchecked(self, frame, timeout: float = 10) -> dict:
        """``request`` for a frame the schema refuses (what the hub answers to it)."""
        await self.send_unchecked(frame)
        return await self._reply(timeout)

    async def _reply(self, timeout: float) -> dict:
        while (reply := await self.recv(timeout))["type"] == "presence":
            pass
        return reply

    async def recv_until(self, frame_type: str, timeout: float = 10, **match) -> dict:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame

    async def until_message(self, last_id: int, topic: str = ROOM, timeout: float = 10) -> list[dict]:
        """Every frame received up to and including the ``message`` frame of
        ``topic`` with id ``last_id``; fails if it does not come within
        ``timeout`` s of the previous frame."""
        frames = []
        while True:
            try:
                frame = await self.recv(timeout)
            except TimeoutError:
                raise AssertionError(f"message {last_id} of {topic} did not arrive within {timeout} s; "
                                     f"received before it: {frames!r}") from None
            frames.append(frame)
            if frame["type"] == "message" and frame["topic"] == topic and frame["message"]["id"] == last_id:
                return frames

    async def join(self, topic: str = ROOM, since=None, **extra) -> tuple[dict, list[dict]]:
        """Join; the ``joined`` frame and the frames that follow it up to the
        pong of a ping sent right after (the server handles a socket's frames
        in order, so the whole replay comes before that pong)."""
        joined = await self.request({"type": "join", "topic": topic, "since": since, "ref": "j", **extra})
        return joined, await self.ping(ref=f"after-join-{uuid.uuid4().hex[:8]}")

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


async def assert_quiet(socket: Socket, seconds: float, *, ignoring: tuple[str, ...] = ("presence",)) -> None:
    """Assert that ``socket`` receives no frame (other than the types in
    ``ignoring``; presence counts come at any time) for ``seconds``.

    The one deliberate wall-clock wait of the hub tests: it proves that
    something does *not* happen, which no frame can signal. Wait for what
    must happen first (a frame, an ack) so the window covers only the
    absence."""
    frames = []
    while not await socket.comm.receive_nothing(timeout=seconds):
        frame = await socket.recv()
        if frame["type"] not in ignoring:
            frames.append(frame)
    assert frames == [], f"expected no frame for {seconds} s, got {frames!r}"


async def wait_until(condition, *, what, timeout: float = 10, interval: float = 0.02):
    """Poll ``condition`` (a function, sync or async, returning a truthy
    value) until it holds; its value. After ``timeout`` s, fail naming
    ``what`` (a string, or a function giving one at that moment)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what() if callable(what) else what}")
        await asyncio.sleep(interval)


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


async def open_socket(user=None, origin: tuple = ORIGIN, client: Client | None = None,
                      peer: str | None = None, headers: list | None = None) -> Socket:
    """``peer``: the TCP peer's address in the scope (``client``), as Daphne
    gives it; ``headers``: more request headers."""
    headers = [origin, HOST, *(headers or [])]
    if user is not None or client is not None:
        if client is None:
            client = Client()
            await sync_to_async(client.force_login)(user)
        cookie = client.cookies["sessionid"].value
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    comm = WebsocketCommunicator(application, "/ws/", headers=headers)
    if peer is not None:
        comm.scope["client"] = [peer, 50000]
    connected, _ = await comm.connect()
    assert connected
    return Socket(comm, user=user, client=client)


