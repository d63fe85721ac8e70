"""Fixtures for tests that use the hub: real Redis, real database (committed
rows, since the consumer reads through other threads). Loaded for the whole
suite by ``tests/conftest.py``; the helpers they use are in ``tests/hub.py``."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from accounts.choices import Role
from chat.models import Room
from chat.services import room_upsert
from tests.hub import ORIGIN, ROOM, Socket, create_user, open_socket


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


@pytest.fixture
async def connect():
    """``await connect(user_or_None)`` -> connected ``Socket``; all closed at the end.
    ``client=`` reuses a Django test client's session (another tab of the same browser);
    ``peer=`` and ``headers=`` as ``open_socket``."""
    opened: list[Socket] = []

    async def open_and_track(user=None, origin: tuple = ORIGIN, client: Client | None = None, **options) -> Socket:
        socket = await open_socket(user, origin, client, **options)
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
