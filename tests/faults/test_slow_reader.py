"""A slow reader (issue 14 C): a socket in a busy room stops reading (a
phone in a tunnel). The others keep receiving every message; the server
keeps at most ``HUB_MAX_BUFFERED_BYTES`` waiting for the slow one and then
closes it with 4008 (``realtime/consumer.py:CLOSE_TOO_SLOW``, "reconnect and
resume by id"); when it reads again it finds the messages sent before the
close, then the close frame, and resumes from its last id without a gap."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from asgiref.sync import sync_to_async

from accounts.choices import Role
from chat.services import room_upsert
from common.redis import key
from realtime.consumer import CLOSE_TOO_SLOW
from tests.faults.cluster import PHASE_S, AppProcess, RoomClient, astored_check, session_cookie
from tests.hub import ROOM, check_frame, create_user, wait_until
from tests.security.test_socket_live import client_frame, raw_socket

pytestmark = pytest.mark.live

#: Long messages (about 30 KB on the wire with their HTML; the app process
#: takes up to ``CHAT_MAX_BODY``): the bytes waiting for the slow socket, in
#: the kernel's buffers (megabytes on loopback) and then in Daphne's, add up
#: in a few dozen sends.
FILLER = "Jalan di Desa Ngagel rusak parah, mohon segera diperbaiki. " * 250
BATCH = 5
#: How long the slow client stays away after the server closed it.
AWAY_S = 2


@pytest.fixture
def app(transactional_db):
    room_upsert(slug="bupati", title="Ruang Bupati")
    proc = AppProcess(extra_env={"HUB_MAX_BUFFERED_BYTES": str(64 * 1024), "CHAT_MAX_BODY": "20000"})
    yield proc
    proc.stop()


def read_until_closed(sock) -> tuple[list[dict], int]:
    """What a client that reads again finds: the frames sent before the
    close, then its code (read in large chunks: it must drain the buffers
    before the server's close handshake timeout)."""
    stream = sock.makefile("rb", buffering=1 << 20)

    def read(n: int) -> bytes:
        data = stream.read(n)
        if len(data) < n:
            raise ConnectionError("closed without a close frame")
        return data

    frames, message = [], b""
    while True:
        first, second = read(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(read(2), "big")
        elif length == 127:
            length = int.from_bytes(read(8), "big")
        payload = read(length)
        opcode = first & 0x0F
        if opcode == 0x8:
            return frames, int.from_bytes(payload[:2], "big")
        if opcode in (0x0, 0x1):  # a text message, maybe in fragments
            message += payload
            if first & 0x80:
                frames.append(json.loads(message))
                message = b""


def read_when_given_up(app: AppProcess, sock, start: int, given_up: threading.Event) -> tuple[list[dict], int]:
    deadline = time.monotonic() + PHASE_S
    while "reads too slowly" not in app.log_path.read_text()[start:]:
        assert time.monotonic() < deadline, "the server never gave up on the slow reader"
        time.sleep(0.01)
    given_up.set()
    time.sleep(AWAY_S)  # deliberate: how long it stays away is the point, no event marks it
    return read_until_closed(sock)


async def test_a_slow_reader_is_closed_and_resumes_while_the_others_receive_everything(app, redis_client):
    users = [await sync_to_async(create_user)(name, role=role) for name, role in
             (("pejabat", Role.OFFICIAL), ("warga1", Role.CITIZEN), ("warga2", Role.CITIZEN))]
    cookies = [await sync_to_async(session_cookie)(user) for user in users]
    sender = RoomClient("pejabat", [app.url], cookie=cookies[0])
    readers = [RoomClient(f"warga{n}", [app.url], cookie=cookie) for n, cookie in enumerate(cookies[1:], 1)]
    for client in (sender, *readers):
        await client.connect()
        await client.sync()

    slow = await asyncio.to_thread(raw_socket, app.port)  # the only guest: counted in the guests' set
    guests = key("guests", "127.0.0.1")
    await wait_until(lambda: redis_client.zcard(guests) == 1, what="the slow socket counted")
    slow.sendall(client_frame(json.dumps({"type": "join", "topic": ROOM, "since": 0, "ref": "j"}).encode()))

    # It reads again a while after the server gave up on it (a phone out of a
    # tunnel): what was queued before the close, then the close frame, are
    # still there (realtime/daphne.py: CLOSE_HANDSHAKE_TIMEOUT_S; autobahn's
    # own 1 s reset the connection first).
    given_up = threading.Event()
    reads_again = asyncio.create_task(asyncio.to_thread(
        read_when_given_up, app, slow, len(app.log_path.read_text()), given_up))
    sent = 0
    while not given_up.is_set():  # until the server gives up on the slow socket
        assert sent < 300, "9 MB sent and the socket that does not read is still open"
        sender.write(BATCH, FILLER)
        sent += BATCH
        await asyncio.gather(sender.run_until(sent), *(reader.run_until(sent) for reader in readers))
    frames, code = await reads_again
    await wait_until(lambda: redis_client.zcard(guests) == 0, what="the slow socket forgotten")
    slow.close()
    assert code == CLOSE_TOO_SLOW
    for frame in frames:
        check_frame(frame, "server")
    assert frames[0]["type"] == "joined"
    got = [f["message"]["id"] for f in frames if f["type"] == "message"]
    assert got == list(range(1, len(got) + 1)), "what it was sent before the close came in order"
    assert len(got) < sent, "it was closed before it was sent everything"

    resumed = RoomClient("slow", [app.url])
    resumed.ids = list(got)
    resumed.bodies = {f["message"]["id"]: f["message"]["body"] for f in frames if f["type"] == "message"}
    await resumed.connect()  # from its last id
    await resumed.run_until(sent)
    for client in (sender, *readers, resumed):
        await client.close()
    await astored_check([sender, *readers, resumed])
