"""Dependency checks shared by ``/healthz`` and the ``preflight`` command.

Each check returns ``None`` when the dependency answers, else one line saying
what failed (never a traceback).
"""

from __future__ import annotations

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

from common.redis import new_async_client

TIMEOUT_S = 3.0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _database_ping() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


async def check_database() -> str | None:
    try:
        await asyncio.wait_for(sync_to_async(_database_ping, thread_sensitive=False)(), TIMEOUT_S)
    except Exception as exc:
        return _first_line(exc)
    return None


async def check_redis() -> str | None:
    client = new_async_client(socket_connect_timeout=TIMEOUT_S)
    try:
        await asyncio.wait_for(client.ping(), TIMEOUT_S)
    except Exception as exc:
        return _first_line(exc)
    finally:
        await client.aclose()
    return None


async def check_channel_layer() -> str | None:
    """Round-trip one message through the channel layer."""
    layer = get_channel_layer()
    if layer is None:
        return "no channel layer configured"
    try:
        channel = await asyncio.wait_for(layer.new_channel("healthz."), TIMEOUT_S)
        token = uuid.uuid4().hex
        await asyncio.wait_for(layer.send(channel, {"type": "healthz", "token": token}), TIMEOUT_S)
        message = await asyncio.wait_for(layer.receive(channel), TIMEOUT_S)
    except Exception as exc:
        return _first_line(exc)
    if message.get("token") != token:
        return "channel layer returned a different message"
    return None


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "channel_layer": check_channel_layer,
}


async def run_checks() -> dict[str, str | None]:
    """Run every check concurrently; ``{name: None | problem}``."""
    names = list(CHECKS)
    results = await asyncio.gather(*(CHECKS[name]() for name in names))
    return dict(zip(names, results, strict=True))

