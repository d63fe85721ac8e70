"""WebSocket load generator for the hub and the tutorial baseline.

N sockets sit in one room; S of them (the first S) also send at a fixed total
rate. Every message body carries ``~b~<tag>~<n>~<unix time>~``; receivers find
it with ``str.find`` (no JSON parsing on the hot path), so each delivery costs
the client a few microseconds and the end-to-end latency is receipt time minus
send time, both read from this machine's clock (``time.time()``; the
receivers may sit in other processes: ``bench.spread``).

Loops are bounded by a message count and by deadlines, and only loopback
addresses are accepted.

Standalone use (a server already running)::

    .venv/bin/python -m bench.loadgen --kind baseline --url ws://127.0.0.1:8001/ws/chat/bench/ \
        --sockets 100 --rate 50 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import ipaddress
import json
import math
import resource
import time
import uuid
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

MARK = "~b~"
# Digits go on the wire as letters: the hub masks digit runs that look like a
# NIK or a phone number in chat text (common/pii.py).
_TO_LETTERS = str.maketrans("0123456789", "abcdefghij")
_FROM_LETTERS = str.maketrans("abcdefghij", "0123456789")
_hex = uuid.uuid4().hex
_ID_PREFIX = f"{_hex[:8]}-{_hex[8:12]}-4{_hex[13:16]}-8{_hex[17:20]}-"


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"refusing to load a non-loopback address: {host!r}")


def raise_fd_limit(wanted: int = 16384) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    index = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


@dataclass
class Target:
    """What to load. ``kind``: ``hub`` (the Balai Warga wire protocol),
    ``baseline`` (the tutorial's ``{"message": ...}``) or ``bare`` (the same
    frames, ``bench.bare``'s broadcast server)."""

    kind: str
    url: str
    topic: str = ""
    sender_cookie: str | None = None
    server_pid: int | None = None
    #: Further server-side processes whose CPU counts as the server's (name ->
    #: pid; their child processes too, e.g. nginx's workers): several app
    #: processes behind a proxy.
    extra_pids: dict[str, int] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"http://{parts.netloc}"

    def send_frame(self, body: str, n: int) -> str:
        if self.kind == "hub":
            # client_id must be a UUID, unique per (user, message): a random
            # prefix per process and the message number.
            client_id = f"{_ID_PREFIX}{n & 0xFFFFFFFFFFFF:012x}"
            return json.dumps({"type": "send", "topic": self.topic, "client_id": client_id, "body": body})
        return json.dumps({"message": body})


@dataclass
class StepResult:
    kind: str
    sockets: int
    senders: int
    rate: float
    seconds: float
    sent: int
    expected: int
    delivered: int
    lost: int
    deliveries_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    server_cpu_pct: float
    client_cpu_pct: float
    send_errors: int
    send_rate: float = 0.0
    p999_ms: float = math.nan
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.send_errors == 0

    def row(self) -> dict:
        return asdict(self)


class ServerMeter:
    """CPU seconds of the server's processes (``server_pid``, every
    ``extra_pids`` and their children) between ``__init__`` and ``pct``."""

    def __init__(self, target: Target) -> None:
        named = {target.kind: target.server_pid} if target.server_pid else {}
        named.update(target.extra_pids)
        self.procs: dict[str, list[psutil.Process]] = {}
        for name, pid in named.items():
            proc = psutil.Process(pid)
            self.procs[name] = [proc, *proc.children(recursive=True)]
        self.start = self._seconds()

    def _seconds(self) -> dict[str, float]:
        out = {}
        for name, procs in self.procs.items():
            total = 0.0
            for proc in procs:
                try:
                    total += sum(proc.cpu_times()[:2])
                except psutil.NoSuchProcess:
                    pass
            out[name] = total
        return out

    def pct(self, elapsed: float) -> tuple[float, dict[str, float]]:
        """Percent of one core over ``elapsed`` seconds: all together, and per name."""
        end = self._seconds()
        each = {name: 100 * (end[name] - self.start[name]) / elapsed for name in end}
        return sum(each.values()), each


def own_cpu_seconds() -> float:
    return sum(psutil.Process().cpu_times()[:2])


def new_tag(label: str) -> str:
    return f"{label}{time.monotonic_ns() % 10**9}".translate(_TO_LETTERS)


class Room:
    """N connected, joined sockets and their readers (``local_host``: the
    loopback address they connect from, e.g. ``127.0.0.2``)."""

    #: Messages numbered so far in this process: keeps hub client ids unique.
    issued = 0

    def __init__(self, target: Target, sockets: int, senders: int, local_host: str | None = None) -> None:
        self.target = target
        self.n = sockets
        self.s = min(senders, sockets)
        self.local_host = local_host
        self.sockets: list = []
        self.readers: list[asyncio.Task] = []
        self.tag = ""
        self.got: list[set[int]] = []
        self.latencies: list[float] = []
        self.last_receipt = 0.0
        self.errors = 0
        self.last_any = 0.0

    # --- connecting -------------------------------------------------------
    async def _open(self, index: int):
        sender = index < self.s
        headers = {}
        if sender and self.target.sender_cookie:
            headers["Cookie"] = f"sessionid={self.target.sender_cookie}"
        where = {"local_addr": (self.local_host, 0)} if self.local_host else {}
        ws = await connect(self.target.url, origin=self.target.origin, additional_headers=headers,
                           compression=None, ping_interval=None, open_timeout=30, close_timeout=2,
                           max_queue=None, **where)
        if self.target.kind == "hub":
            await ws.send(json.dumps({"type": "join", "topic": self.target.topic, "ref": "j"}))
            deadline = time.monotonic() + 30
            while True:
                raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                if '"type":"joined"' in raw:
                    break
                if '"type":"error"' in raw:
                    raise RuntimeError(f"join refused: {raw[:200]}")
        return ws

    async def open(self, batch: int = 50) -> None:
        for start in range(0, self.n, batch):
            stop = min(self.n, start + batch)
            self.sockets += await asyncio.gather(*(self._open(i) for i in range(start, stop)))
        self.got = [set() for _ in range(self.n)]
        self.readers = [asyncio.create_task(self._read(i, ws)) for i, ws in enumerate(self.sockets)]

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        self.sockets.clear()

    # --- the hot path ----------------------------------------------------------
    async def _read(self, index: int, ws) -> None:
        clock = time.time
        sender = index < self.s and self.target.kind == "hub"
        try:
            async for raw in ws:
                i = raw.find(MARK)
                if i < 0:
                    if sender and '"type":"error"' in raw:
                        self.errors += 1
                    continue
                j = raw.find("~", i + 3)
                self.last_any = clock()
                if raw[i + 3:j] != self.tag:
                    continue  # a late copy from an earlier step, or a replay on join
                k = raw.find("~", j + 1)
                now = clock()
                self.got[index].add(int(raw[j + 1:k].translate(_FROM_LETTERS)))
                self.latencies.append(now - float(raw[k + 1:raw.find("~", k + 1)].translate(_FROM_LETTERS)))
                self.last_receipt = now
        except ConnectionClosed:  # the step reports the loss
            return

    # --- one step ------------------------------------------------------------------
    async def settle(self, quiet_s: float = 1.0, max_s: float = 30.0) -> float:
        """Wait until no bench message (of any step) has arrived for
        ``quiet_s``, so a backlog left by an overloaded step cannot spill into
        the next one; at most ``max_s``. Returns the seconds waited."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < max_s and time.time() - self.last_any < quiet_s:
            await asyncio.sleep(0.1)
        return time.monotonic() - t0

    def begin(self, tag: str) -> None:
        """Count only messages of step ``tag`` from now on."""
        self.tag = tag
        self.got = [set() for _ in range(self.n)]
        self.latencies = []
        self.errors = 0
        self.last_any = 0.0
        self.last_receipt = 0.0
        gc.collect()

    def delivered(self) -> int:
        return sum(map(len, self.got))

    async def send(self, rate: float, count: int) -> tuple[int, float, float]:
        """Send ``count`` messages at ``rate`` per second in total from the
        senders; returns ``(sent, unix time of the first, unix time after the last)``."""
        loop = asyncio.get_running_loop()
        t0 = loop.time() + 0.05
        wall0 = time.time() + 0.05
        base = Room.issued
        Room.issued += count
        interval = 1.0 / rate

        async def send_from(sender_index: int) -> int:
            ws = self.sockets[sender_index]
            sent = 0
            for n in range(sender_index, count, self.s):
                delay = t0 + n * interval - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                body = f"{MARK}{self.tag}~{n}~{time.time():.6f}~".translate(_TO_LETTERS)
                await ws.send(self.target.send_frame(body, base + n))
                sent += 1
            return sent

        sent = sum(await asyncio.gather(*(send_from(s) for s in range(self.s))))
        return sent, wall0, time.time()

    async def wait(self, expected: int, until: float) -> int:
        """Wait until ``expected`` deliveries arrived or the unix time ``until``."""
        while time.time() < until and self.delivered() < expected:
            await asyncio.sleep(0.05)
        return self.delivered()

    async def step(self, rate: float, seconds: float, drain_s: float = 3.0, label: str = "") -> StepResult:
        """Send ``rate`` messages per second in total for ``seconds`` from the
        senders, then wait up to ``drain_s`` for the last deliveries."""
        count = max(self.s, round(rate * seconds))
        settled = await self.settle()
        self.begin(new_tag(label))
        server = ServerMeter(self.target)
        me0 = own_cpu_seconds()
        sent, wall0, send_end = await self.send(rate, count)
        expected = sent * self.n
        delivered = await self.wait(expected, time.time() + drain_s)
        me1 = own_cpu_seconds()
        elapsed = max(1e-6, max(self.last_receipt, send_end) - wall0)
        server_pct, by_process = server.pct(elapsed)
        lat = sorted(self.latencies)
        extra = {"settle_s": settled}
        if len(by_process) > 1:
            extra["server_cpu_by_process"] = by_process
        return StepResult(
            kind=self.target.kind, sockets=self.n, senders=self.s, rate=rate, seconds=seconds, sent=sent,
            expected=expected, delivered=delivered, lost=expected - delivered,
            deliveries_per_s=delivered / elapsed,
            p50_ms=1000 * percentile(lat, 0.50), p95_ms=1000 * percentile(lat, 0.95),
            p99_ms=1000 * percentile(lat, 0.99), max_ms=1000 * (lat[-1] if lat else math.nan),
            server_cpu_pct=server_pct, client_cpu_pct=100 * (me1 - me0) / elapsed,
            send_errors=self.errors, send_rate=sent / max(1e-6, send_end - wall0),
            p999_ms=1000 * percentile(lat, 0.999),
            extra=extra,
        )


async def max_sustained(room: Room, *, start: float, p99_bound_ms: float, step_s: float, budget_s: float,
                        factor: float = 1.6, precision: float = 1.15, log=print) -> tuple[StepResult | None, list]:
    """Step the rate up by ``factor`` until a step loses a message or its p99
    exceeds the bound, then bisect (geometrically) to ``precision``. Returns
    the best passing step and every step run. Stops at ``budget_s``."""
    deadline = time.monotonic() + budget_s
    good: StepResult | None = None
    bad_rate: float | None = None
    rate = start
    steps = []
    while time.monotonic() + step_s + 3 < deadline:
        result = await room.step(rate, step_s, label="s")
        steps.append(result)
        passed = result.ok and result.p99_ms <= p99_bound_ms
        log(f"  {room.target.kind:8} rate {rate:8.1f}/s  delivered {result.delivered}/{result.expected}"
            f"  {result.deliveries_per_s:9.0f} deliveries/s  p99 {result.p99_ms:8.1f} ms"
            f"  server cpu {result.server_cpu_pct:4.0f}%  client cpu {result.client_cpu_pct:4.0f}%"
            f"  {'ok' if passed else 'FAIL'}")
        if passed:
            if good is None or result.rate > good.rate:
                good = result
        else:
            bad_rate = rate if bad_rate is None else min(bad_rate, rate)
            # Let queues from an overloaded step empty before the next one.
            await asyncio.sleep(2.0)
        if bad_rate is None:
            rate *= factor
        elif good is None:
            rate /= factor * factor
            if rate < 0.1:
                break
        elif bad_rate / good.rate <= precision:
            break
        else:
            rate = math.sqrt(good.rate * bad_rate)
    return good, steps


async def _main(args) -> None:
    require_loopback(args.url)
    raise_fd_limit()
    target = Target(kind=args.kind, url=args.url, topic=args.topic, sender_cookie=args.cookie,
                    server_pid=args.server_pid)
    room = Room(target, args.sockets, args.senders)
    await room.open()
    try:
        result = await room.step(args.rate, args.seconds)
        print(json.dumps(result.row(), indent=2))
    finally:
        await room.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["hub", "baseline"], required=True)
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/ws/ (hub) or .../ws/chat/ROOM/ (baseline)")
    parser.add_argument("--topic", default="room.bench")
    parser.add_argument("--cookie", help="sessionid of the (official) sender, hub only")
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second, all senders together")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if args.seconds > 120 or args.sockets > 5000:
        parser.error("keep a run bounded: --seconds <= 120, --sockets <= 5000")
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
