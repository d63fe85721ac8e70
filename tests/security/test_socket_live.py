"""Against a real Daphne (what ASGI test communicators cannot show): a client
that never reads is closed once HUB_MAX_BUFFERED_BYTES wait for it; an
oversized message, invalid UTF-8 and SIGTERM end the connection with close
frames 1009, 1007 and 1001, not a dropped TCP connection (issue 14 A1, A9).
``realtime/daphne.py`` is what makes each of them true."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from chat.models import Message, MessageStatus, Room
from chat.services import room_upsert
from common.redis import key
from tests.hub import ROOM, create_user
from tests.live import ROOT, database_url_for, free_port, stop_process, wait_for_port

pytestmark = pytest.mark.live


@contextmanager
def daphne(extra_env: dict | None = None):
    """One Daphne on the test database, as ``tests.live.daphne_server``; yields ``(port, process, log path)``."""
    from django.db import connection

    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings.test", PYTHONUNBUFFERED="1",
               DATABASE_URL=database_url_for(connection.settings_dict), **(extra_env or {}))
    log_path = ROOT / "var" / f"daphne-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                 "--websocket-max-message-size", "65536", "asgi:application"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, proc)
            yield port, proc, log_path
        finally:
            if proc.poll() is None:
                stop_process(proc)


def raw_socket(port: int, receive_buffer: int = 4096) -> socket.socket:
    """A WebSocket opened by hand (so that it can stop reading), past the handshake."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    ws_key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {ws_key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Origin: http://127.0.0.1:{port}\r\n\r\n").encode())
    response = b""
    while not response.endswith(b"\r\n\r\n"):
        response += sock.recv(1)  # byte by byte: nothing after the handshake is consumed
    assert response.split(b"\r\n")[0].split(b" ")[1] == b"101", response
    return sock


def client_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    mask, n = os.urandom(4), len(payload)
    if n < 126:
        header = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        header = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed without a close frame")
        data += chunk
    return data


def read_close_code(sock: socket.socket) -> int:
    """Read server frames until the close frame; its code."""
    while True:
        first, second = _read_exactly(sock, 2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(_read_exactly(sock, 2), "big")
        elif length == 127:
            length = int.from_bytes(_read_exactly(sock, 8), "big")
        payload = _read_exactly(sock, length)
        if first & 0x0F == 0x8:
            return int.from_bytes(payload[:2], "big")


def _seed_long_messages(count: int) -> None:
    room, _ = room_upsert(slug="bupati", title="Ruang Bupati")
    author = create_user("alice")
    body = "Jalan di Desa Ngagel rusak parah, mohon segera diperbaiki. " * 30
    Message.objects.bulk_create(Message(room=room, author=author, seq=seq, status=MessageStatus.PUBLISHED,
                                        body=body, html=body) for seq in range(1, count + 1))
    Room.objects.filter(pk=room.pk).update(last_seq=count)


def test_a_client_that_never_reads_is_closed_once_its_buffer_is_full(transactional_db, redis_client):
    """A never-reading guest sends small joins, each replaying 200 long
    messages (~360 KB): the bytes waiting for it stop at HUB_MAX_BUFFERED_BYTES,
    where the server closes it (4008) and forgets it."""
    _seed_long_messages(300)
    guests = key("guests", "127.0.0.1")
    with daphne({"HUB_MAX_BUFFERED_BYTES": str(256 * 1024), "HUB_REPLAY_RATE_COUNT": "1000000"}) as (port, _, log):
        sock = raw_socket(port)
        try:
            deadline = time.monotonic() + 5
            while not redis_client.zcard(guests):
                assert time.monotonic() < deadline, "the guest socket was never counted"
                time.sleep(0.05)
            join = client_frame(json.dumps({"type": "join", "topic": ROOM, "since": 0}).encode())
            for _ in range(40):  # ~14 MB of replay asked for, never read
                sock.sendall(join)
            deadline = time.monotonic() + 20
            while redis_client.zcard(guests):
                assert time.monotonic() < deadline, "the server kept the socket that does not read"
                time.sleep(0.1)
        finally:
            sock.close()
        assert "reads too slowly" in log.read_text()


def test_an_oversized_message_is_closed_with_1009(live_server_url):
    async def go():
        async with ws_connect(live_server_url.replace("http", "ws") + "/ws/", origin=live_server_url,
                              proxy=None, max_size=None) as ws:
            await ws.send("x" * 70_000)  # over Daphne's --websocket-max-message-size
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd is not None, "the connection was dropped without a close frame"
            assert closed.value.rcvd.code == 1009
    asyncio.run(go())


def test_invalid_utf8_is_closed_with_1007(live_server_url):
    port = int(live_server_url.rsplit(":", 1)[1])
    sock = raw_socket(port, receive_buffer=65536)
    try:
        sock.sendall(client_frame(b'{"type": "ping", "ref": "\xff\xfe"}'))
        assert read_close_code(sock) == 1007
    finally:
        sock.close()


def test_sigterm_closes_open_sockets_with_1001(transactional_db):
    async def go(port: int, proc: subprocess.Popen):
        url = f"ws://127.0.0.1:{port}/ws/"
        async with ws_connect(url, origin=f"http://127.0.0.1:{port}", proxy=None) as ws:
            await ws.send(json.dumps({"type": "ping", "ref": "p"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "pong"
            proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd is not None, "the connection was dropped without a close frame"
            assert closed.value.rcvd.code == 1001

    with daphne() as (port, proc, _):
        asyncio.run(go(port, proc))
        assert proc.wait(timeout=10) is not None
