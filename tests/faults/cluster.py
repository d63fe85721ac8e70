"""The fault suite's pieces: app processes (Daphne), a worker process and a
private Redis that a test may kill, and protocol clients that behave as the
browser's hub does after a fault — reconnect (to another app process when
theirs is gone), rejoin from the last id they have, resend what was not
answered with the same ``client_id`` — and keep what they sent and received,
so that a test can compare it with what the database holds.

Each test runs against the test database (``transactional_db``): the
processes share it and Redis, as app processes do in production.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import deque
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from asgiref.sync import sync_to_async
from django.test import Client
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from chat.models import Message, MessageStatus
from tests.hub import ROOM, check_frame
from tests.live import ROOT, database_url_for, free_port, stop_process, wait_for_port

#: How long a fault test may take for any one phase; a phase that needs more
#: is a failure (lost message, stuck client), not a slow machine.
PHASE_S = 60


def process_env(extra: dict | None) -> dict:
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings.test", PYTHONUNBUFFERED="1",
               DATABASE_URL=database_url_for(connection.settings_dict), REDIS_URL=settings.REDIS_URL)
    env.update(extra or {})
    return env


class AppProcess:
    """One Daphne serving the test database on ``port`` (a free one unless
    given: a process started again on the port of a dead one)."""

    def __init__(self, port: int | None = None, extra_env: dict | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ROOT / "var" / f"daphne-fault-{self.port}.log"
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "--websocket-max-message-size", "65536", "--websocket-max-frame-size", "65536", "asgi:application"],
            cwd=ROOT, env=process_env(extra_env), stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)

    def kill(self) -> None:
        """``kill -9``: no close frame, no cleanup, events in flight lost."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@contextmanager
def app_processes(count: int, extra_env: dict | None = None):
    procs: list[AppProcess] = []
    try:
        for _ in range(count):
            procs.append(AppProcess(extra_env=extra_env))
        yield procs
    finally:
        for proc in procs:
            proc.stop()


@contextmanager
def worker_process(extra_env: dict | None = None):
    """``manage.py run_worker`` against the test database and Redis; yields the process."""
    log_path = ROOT / "var" / f"worker-fault-{os.getpid()}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_worker"], cwd=ROOT,
                                env=process_env(extra_env), stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = log_path
        try:
            yield proc
        finally:
            if proc.poll() is None:
                stop_process(proc)


class PrivateRedis:
    """A ``redis-server`` of the test's own on a free port, with its
    append-only file (a restart keeps the data, as production's does)."""

    def __init__(self, data_dir: Path):
        from ops.launch import redis_args

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.args = redis_args(data_dir, self.port, persistent=True)
        self.proc = None
        self.start()

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except (redis.ConnectionError, redis.ResponseError):  # refused, or loading the append-only file
                assert self.proc.poll() is None, "redis-server exited at start"
                assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class RoomClient:
    """One tab in ``room.bupati``, speaking the hub protocol over a real
    WebSocket as the browser's client does after a fault: a closed socket
    is opened again (on the next of ``urls`` when its own refuses), the room
    joined again from the last id received, and the oldest unanswered send
    sent again with its ``client_id`` (one at a time, in order, like
    ``outbox.js``); an error carrying ``retry_after`` is retried.

    ``ids``: the room's message ids in the order received (replays included);
    ``bodies``: id -> body; ``acked``: client_id -> id; ``closes``: the close
    codes it saw."""

    def __init__(self, name: str, urls: list[str], *, cookie: str | None = None, to_send: int = 0,
                 pace_s: float = 0.0):
        self.name = name
        self.urls = list(urls)
        self.at = 0
        self.cookie = cookie
        self.sent: list[tuple[str, str]] = []
        self.outbox: deque[tuple[str, str]] = deque()
        self.write(to_send)
        self.pace_s = pace_s
        self.ws = None
        self.inflight: str | None = None
        self.retry_at = 0.0
        self.ids: list[int] = []
        self.bodies: dict[int, str] = {}
        self.acked: dict[str, int] = {}
        self.closes: list[int | None] = []
        self.reconnects = 0
        self.errors: list[dict] = []

    def write(self, count: int, filler: str = "") -> None:
        """Queue ``count`` more messages to send (each text unique, then ``filler``)."""
        start = len(self.sent)
        new = [(str(uuid.uuid4()), f"{self.name} pesan {n} {filler}".strip()) for n in range(start, start + count)]
        self.sent += new
        self.outbox.extend(new)

    @property
    def url(self) -> str:
        return self.urls[self.at]

    async def connect(self) -> None:
        """Open and join (from the last id received); tries each URL in
        turn, with a short back-off, until one answers."""
        deadline = time.monotonic() + PHASE_S
        attempt = 0
        while True:
            headers = {"Cookie": f"sessionid={self.cookie}"} if self.cookie else {}
            try:
                ws = await ws_connect(self.url.replace("http://", "ws://") + "/ws/", origin=self.url,
                                      additional_headers=headers, proxy=None, open_timeout=5)
                break
            except (OSError, InvalidHandshake, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                self.at = (self.at + 1) % len(self.urls)
                attempt += 1
                await asyncio.sleep(min(0.5, 0.05 * attempt))
        self.ws = ws
        since = self.ids[-1] if self.ids else 0
        await self._send({"type": "join", "topic": ROOM, "since": since, "ref": "join"})
        self.inflight = None  # what was in flight is sent again

    async def _send(self, frame: dict) -> None:
        check_frame(frame, "client")
        await self.ws.send(json.dumps(frame))

    def _handle(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message" and frame["topic"] == ROOM:
            self.ids.append(frame["message"]["id"])
            self.bodies[frame["message"]["id"]] = frame["message"]["body"]
        elif kind == "ack" and frame.get("client_id") == self.inflight:
            assert frame["status"] == MessageStatus.PUBLISHED, frame
            self.acked[self.inflight] = frame["id"]
            self.outbox.popleft()
            self.inflight = None
            self.retry_at = time.monotonic() + self.pace_s
        elif kind == "error":
            self.errors.append(frame)
            if frame.get("ref") == self.inflight and self.inflight is not None:
                assert frame.get("retry_after") is not None, f"{self.name}: a send refused for good: {frame}"
                self.inflight = None
                self.retry_at = time.monotonic() + 0.2  # outbox.js waits retry_after; a test need not
            else:
                assert frame.get("ref") is None or frame.get("retry_after") is not None, frame

    async def step(self, timeout: float = 0.2) -> None:
        """Send the head of the outbox when due, then handle one frame (or
        notice the socket closed and open it again)."""
        if self.ws is None:
            self.reconnects += 1
            await self.connect()
        try:
            if self.outbox and self.inflight is None and time.monotonic() >= self.retry_at:
                client_id, body = self.outbox[0]
                self.inflight = client_id
                await self._send({"type": "send", "topic": ROOM, "body": body, "client_id": client_id,
                                  "ref": client_id})
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        except TimeoutError:
            return
        except ConnectionClosed as closed:
            self.closes.append(closed.rcvd.code if closed.rcvd else None)
            self.ws = None
            return
        check_frame(frame, "server")
        self._handle(frame)

    async def sync(self) -> None:
        """Ping and handle every frame up to the pong (the server answers a
        socket's frames in order)."""
        await self._send({"type": "ping", "ref": "sync"})
        while (frame := json.loads(await asyncio.wait_for(self.ws.recv(), PHASE_S)))["type"] != "pong":
            check_frame(frame, "server")
            self._handle(frame)

    async def run_until(self, last_id: int) -> None:
        """Until everything it had to send is answered and it received up to ``last_id``."""
        deadline = time.monotonic() + PHASE_S
        while self.outbox or not self.ids or self.ids[-1] < last_id:
            assert time.monotonic() < deadline, (
                f"{self.name}: not done within {PHASE_S} s: {len(self.outbox)} unsent, "
                f"last id {self.ids[-1] if self.ids else None} of {last_id}")
            await self.step()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None


def room_crowd(ways: list[list[str]], cookies: list[str], *, per_sender: int, readers: int,
               pace_s: float) -> tuple[list[RoomClient], list[RoomClient]]:
    """Signed-in senders (one per session cookie) and guest readers, spread
    over ``ways`` (each a list of URLs, the first one theirs)."""
    senders = [RoomClient(f"s{n}", ways[n % len(ways)], cookie=cookie, to_send=per_sender, pace_s=pace_s)
               for n, cookie in enumerate(cookies)]
    return senders, [RoomClient(f"r{n}", ways[n % len(ways)]) for n in range(readers)]


@asynccontextmanager
async def all_running(clients: list[RoomClient], last_id: int):
    """Connect every client and run each until ``last_id`` in a task of its
    own; the block makes the fault; leaving it waits for every client to be
    done (``PHASE_S`` each), then closes them."""
    for client in clients:
        await client.connect()
    running = [asyncio.create_task(client.run_until(last_id)) for client in clients]
    try:
        yield
        await asyncio.gather(*running)
    finally:
        for task in running:
            task.cancel()
        for client in clients:
            await client.close()


def acked(senders: list[RoomClient]) -> int:
    return sum(len(sender.acked) for sender in senders)


def assert_nothing_lost_nor_repeated(clients: list[RoomClient]) -> list[Message]:
    """What the clients sent, what the database holds and what each client
    received are the same: every ``client_id`` stored once, the room's ids
    1..n without a gap, and every client received each id once, in order,
    with its text. Returns the stored messages."""
    stored = list(Message.objects.filter(room__slug="bupati").order_by("seq")
                  .values_list("client_id", "seq", "body", "status"))
    sent = {client_id: body for c in clients for client_id, body in c.sent}
    by_client_id = {str(client_id): (seq, body, status) for client_id, seq, body, status in stored}
    assert len(stored) == len(by_client_id), "a client_id stored twice"
    assert set(by_client_id) == set(sent), (
        f"lost: {sorted(set(sent) - set(by_client_id))}; unexpected: {sorted(set(by_client_id) - set(sent))}")
    assert all(by_client_id[cid][1] == body and by_client_id[cid][2] == MessageStatus.PUBLISHED
               for cid, body in sent.items())
    seqs = [seq for _cid, seq, _body, _status in stored]
    assert seqs == list(range(1, len(sent) + 1)), f"the room's ids have gaps: {seqs}"
    body_of = {seq: body for _cid, seq, body, _status in stored}
    for client in clients:
        assert client.ids == seqs, (f"{client.name} received {client.ids} (closes {client.closes}); "
                                    f"missing {sorted(set(seqs) - set(client.ids))}")
        assert client.bodies == body_of, f"{client.name} shows other texts than stored"
        assert all(client.acked[cid] == by_client_id[cid][0] for cid, _body in client.sent)
    return stored


astored_check = sync_to_async(assert_nothing_lost_nor_repeated)
