"""A slow reader under each ASGI server: does one socket that stops reading
hold up everyone else's deliveries?

    .venv/bin/python -m bench.slow_reader --variants hub,hub-uvicorn,hub-granian

The process fan-out (``realtime/fanout.py``) awaits each local socket's
``deliver`` in turn. Under Daphne a send never waits (Twisted buffers it)
and ``realtime/daphne.py`` caps what a socket that does not read may hold
(``HUB_MAX_BUFFERED_BYTES``, then close 4008). Under another server the
consumer falls back to ASGI ``send``; if that awaits the transport draining,
one reader in a tunnel stalls the whole process's fan-out.

For each server (``bench.servers``), one process: ``--members`` sockets of the
load generator join the bench room and read everything; an official sends
``--rate`` long messages/s (about 30 KB on the wire each, ``CHAT_MAX_BODY``
raised for the run) for ``--seconds``:

1. ``alone``: nobody else in the room;
2. ``slow``: a raw socket with a 4 KiB receive buffer has joined too and
   never reads;

then a fresh socket opens and the server gets SIGTERM (a rolling restart):
the close code that socket reads (Daphne: 1001 "going away",
``realtime/daphne.py``), and whether the port still accepted connections
right after.

Per phase: delivered / expected to the members that read, p50 / p99 / max
latency, and the slow socket's fate afterwards, read for 3 s (closed by the
server with a code; reset: the server closed it and, the close handshake
unanswered, aborted it — Daphne's 4008 after ``CLOSE_HANDSHAKE_TIMEOUT_S``;
or still open, the server still writing to it). Bounded: at most ``--seconds`` + ``--drain`` per
phase; loopback only; Redis ``--redis-url`` (flushed, never DB 0).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil

from bench.loadgen import _TO_LETTERS, MARK, Room, Target, percentile, raise_fd_limit
from bench.run import PY, ROOT, flush, hub_env, say
from bench.servers import hub_process

#: A long chat message: the bytes waiting for the slow socket add up in a
#: few seconds (no digits: the hub masks digit runs).
FILLER = " Jalan di Desa Ngagel rusak parah, mohon segera diperbaiki." * 250
#: What a socket that does not read may hold under Daphne before it is closed (4008) in this run.
MAX_BUFFERED = 1024 * 1024


def slow_socket(port: int, topic: str | None, receive_buffer: int | None = 4096) -> socket.socket:
    """A WebSocket opened by hand with a small receive buffer, joined to
    ``topic`` (if any); the caller never reads it (until the end)."""
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Origin: http://127.0.0.1:{port}\r\n\r\n").encode())
    response = b""
    while not response.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        response += chunk
    if response.split(b"\r\n")[0].split(b" ")[1] != b"101":
        raise ConnectionError(response[:200])
    if topic is None:
        return sock
    payload = json.dumps({"type": "join", "topic": topic, "ref": "j"}).encode()
    mask = os.urandom(4)
    sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return sock


def fate(sock: socket.socket, seconds: float) -> str:
    """Read what the server sent the slow socket, for up to ``seconds``:
    its close code, ``reset``, or ``open``."""
    deadline = time.monotonic() + seconds
    buf = b""

    def need(n: int) -> bytes:
        nonlocal buf
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise ConnectionResetError
            buf += chunk
        out, buf = buf[:n], buf[n:]
        return out

    frames = 0
    try:
        while True:
            first, second = need(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(need(2), "big")
            elif length == 127:
                length = int.from_bytes(need(8), "big")
            payload = need(length)
            if first & 0x0F == 0x8:
                return f"closed {int.from_bytes(payload[:2], 'big')} after {frames} frames"
            frames += 1
    except TimeoutError:
        return f"open ({frames} frames read in {seconds:g} s)"
    except (ConnectionResetError, OSError):
        return f"reset (the server aborted it) after {frames} frames"


async def phase(room: Room, rate: float, seconds: float, drain: float, label: str) -> dict:
    """Send ``rate`` long messages/s for ``seconds`` from the room's sender;
    wait up to ``drain`` for the members' deliveries."""
    count = max(1, round(rate * seconds))
    await room.settle()
    room.tag = f"{label}{time.monotonic_ns() % 10**9}".translate(_TO_LETTERS)
    room.got = [set() for _ in range(room.n)]
    room.latencies = []
    gc.collect()
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.05
    base = Room.issued
    Room.issued += count
    ws = room.sockets[0]
    for n in range(count):
        delay = t0 + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        body = f"{MARK}{room.tag}~{n}~{time.time():.6f}~".translate(_TO_LETTERS) + FILLER
        await ws.send(room.target.send_frame(body, base + n))
    expected = count * room.n
    deadline = time.monotonic() + drain
    while time.monotonic() < deadline and sum(map(len, room.got)) < expected:
        await asyncio.sleep(0.05)
    delivered = sum(map(len, room.got))
    lat = sorted(room.latencies)
    return {"expected": expected, "delivered": delivered, "p50_ms": 1000 * percentile(lat, 0.5),
            "p99_ms": 1000 * percentile(lat, 0.99), "max_ms": 1000 * (lat[-1] if lat else float("nan"))}


async def measure(variant: str, args) -> dict:
    flush(args.redis_url)
    env = dict(hub_env(args), CHAT_MAX_BODY="20000", HUB_MAX_BUFFERED_BYTES=str(MAX_BUFFERED))
    out = subprocess.run([PY, "-m", "bench.hub_setup"], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True, timeout=300)
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    row: dict = {"variant": variant}
    with hub_process(variant, env, f"slow-{variant}") as (port, pid):
        target = Target(kind="hub", url=f"ws://127.0.0.1:{port}/ws/", topic=setup["topic"],
                        sender_cookie=setup["sessionid"], server_pid=pid)
        room = Room(target, args.members, 1)
        await room.open()
        try:
            row["alone"] = await phase(room, args.rate, args.seconds, args.drain, "a")
            say(f"{variant}: alone {row['alone']}")
            sock = await asyncio.to_thread(slow_socket, port, setup["topic"])
            try:
                await asyncio.sleep(0.5)
                row["slow"] = await phase(room, args.rate, args.seconds, args.drain, "s")
                row["slow_socket"] = await asyncio.to_thread(fate, sock, 3.0)
            finally:
                sock.close()
            say(f"{variant}: with a slow reader {row['slow']}; the slow socket: {row['slow_socket']}")
        finally:
            await room.close()
        row["shutdown"] = await asyncio.to_thread(shutdown, variant, port, pid)
        say(f"{variant}: on SIGTERM an open socket is {row['shutdown']}")
    return row


def shutdown(variant: str, port: int, pid: int) -> str:
    """What an open socket sees when the server is told to stop (SIGTERM,
    what systemd and a rolling restart send): its close code, or a reset;
    then whether the port still accepts connections. (Not joined: a join
    would replay the room's long messages.)"""
    sock = slow_socket(port, None, receive_buffer=None)
    main_pid = psutil.Process(pid).parent().pid if variant == "hub-granian" else pid
    time.sleep(0.5)
    os.kill(main_pid, signal.SIGTERM)
    seen = fate(sock, 5.0)
    sock.close()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        listening = "the port still accepted a connection"
    except OSError:
        listening = "the port refused connections"
    return f"{seen}; {listening}"


def summary(rows: list[dict], args) -> str:
    lines = [f"{args.members} members reading, {args.rate:g} messages/s of ~30 KB for {args.seconds:g} s "
             f"(drain {args.drain:g} s); Daphne's cap HUB_MAX_BUFFERED_BYTES = {MAX_BUFFERED // 1024} KiB", "",
             "| server | alone: delivered / expected, p99 / max ms | with a slow reader: delivered / expected, "
             "p99 / max ms | the slow socket afterwards | a socket on SIGTERM |", "|---|---|---|---|---|"]
    for row in rows:
        cells = []
        for key in ("alone", "slow"):
            r = row.get(key)
            cells.append(f"{r['delivered']} / {r['expected']}, {r['p99_ms']:.0f} / {r['max_ms']:.0f}" if r else "-")
        lines.append(f"| {row['variant']} | {cells[0]} | {cells[1]} | {row.get('slow_socket', '-')} "
                     f"| {row.get('shutdown', '-')} |")
    return "\n".join(lines)


async def main_async(args) -> list[dict]:
    raise_fd_limit()
    rows = []
    for variant in args.variants:
        try:
            rows.append(await measure(variant, args))
        except Exception as exc:  # noqa: BLE001 - reported, the other servers still run
            say(f"{variant}: not measured: {type(exc).__name__}: {exc}")
            rows.append({"variant": variant, "slow_socket": f"not measured: {type(exc).__name__}"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default="hub,hub-uvicorn,hub-uvicorn-websockets,hub-uvicorn-wsproto,"
                                              "hub-granian")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--drain", type=float, default=10.0)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--database-url")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "slow_reader.json"))
    args = parser.parse_args()
    if args.seconds > 30 or args.drain > 60 or args.members > 500:
        parser.error("keep a run bounded: --seconds <= 30, --drain <= 60, --members <= 500")
    args.variants = args.variants.split(",")
    rows = asyncio.run(main_async(args))
    Path(args.json).write_text(json.dumps(rows, indent=2))
    print()
    print(summary(rows, args))


if __name__ == "__main__":
    main()
