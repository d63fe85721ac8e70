"""The fan-out load generator over several processes (issue 12 item 1).

One Python process reading every socket of a 1,000-member room saturates a
core before a fast server does, and then the benchmark measures the client.
``SpreadRoom`` has ``Room``'s interface (``open``, ``step``, ``settle``,
``close``; ``max_sustained`` drives either) but keeps only the senders in this
process: the other members are spread over ``receivers`` child processes
(``python -m bench.spread receivers``), each connecting from a loopback
address of its own (127.0.0.2, .3, …), as ``bench.qa`` spreads its audience.

Latency stays on one clock: every process runs on this machine and reads
``time.time()``, and each message carries its unix send time. Per step the
parent tells each child the step's tag (and waits for its answer) before the
first message; after the last one it asks each child for its figures, which
the child gives once its sockets have every message or the drain deadline
has passed: per message the number of its sockets that received it, how many
of its sockets received every message, a latency histogram (0.1 ms buckets)
and its own CPU seconds over the step. The parent merges them: loss and
p50/p95/p99/p99.9 as ``Room.step`` computes them (to the bucket).

``StepResult.client_cpu_pct`` is the **sum** over the load generator's
processes, in percent of one core; ``extra["client_cpu_max_pct"]`` is the
busiest single process (the one that says whether the client saturated).

The protocol between parent and child is one JSON object per line: commands
on the child's stdin, answers on its stdout. Every wait has a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from collections import Counter

from bench.loadgen import (
    Room,
    ServerMeter,
    StepResult,
    Target,
    new_tag,
    own_cpu_seconds,
    raise_fd_limit,
    require_loopback,
)

#: Latency histogram bucket: 0.1 ms.
BUCKETS_PER_S = 10_000
#: A child's answer to any command but a step's collect arrives within this.
ANSWER_S = 120.0


def shares(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal positive shares."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)] if total else []


def histogram(latencies: list[float]) -> Counter:
    return Counter(max(0, int(lat * BUCKETS_PER_S)) for lat in latencies)


def hist_percentile(hist: Counter, q: float) -> float:
    """The ``q`` quantile in seconds (the bucket's middle), as ``percentile``
    picks its rank: the ceil(q·N)-th smallest."""
    total = sum(hist.values())
    if not total:
        return math.nan
    rank = min(total, max(1, math.ceil(q * total)))
    seen = 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= rank:
            return (bucket + 0.5) / BUCKETS_PER_S
    return math.nan  # not reached


def receipt_report(room: Room, sent: int) -> dict:
    """What one process's sockets received of messages ``0 .. sent-1``."""
    per_message = [0] * sent
    complete = 0
    for got in room.got:
        for n in got:
            if n < sent:
                per_message[n] += 1
        complete += len(got) >= sent
    return {"per_message": per_message, "complete": complete, "sockets": room.n,
            "hist": {str(k): v for k, v in histogram(room.latencies).items()},
            "last_receipt": room.last_receipt, "errors": room.errors}


# --- the receiver processes ------------------------------------------------------------
async def receivers(args) -> None:
    require_loopback(args.url)
    raise_fd_limit()
    room = Room(Target(kind=args.kind, url=args.url, topic=args.topic), args.sockets, 0, local_host=args.local_host)
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    def answer(obj: dict) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    t0 = time.monotonic()
    await room.open()
    answer({"ready": room.n, "join_s": time.monotonic() - t0})
    cpu0 = own_cpu_seconds()
    try:
        while True:
            line = await asyncio.wait_for(stdin.readline(), args.idle_timeout)
            if not line:
                break  # the parent is gone
            cmd = json.loads(line)
            op = cmd["op"]
            if op == "settle":
                answer({"settled": await room.settle(cmd["quiet"], cmd["max"])})
            elif op == "begin":
                room.begin(cmd["tag"])
                cpu0 = own_cpu_seconds()
                answer({"begun": True})
            elif op == "collect":
                sent = cmd["sent"]
                await room.wait(sent * room.n, cmd["until"])
                answer({**receipt_report(room, sent), "cpu_s": own_cpu_seconds() - cpu0})
            elif op == "close":
                break
    finally:
        await room.close()
    answer({"closed": True})


# --- the parent ----------------------------------------------------------------------
class SpreadRoom:
    """A ``Room`` whose members but the senders live in ``receivers`` child processes."""

    def __init__(self, target: Target, sockets: int, senders: int, receivers: int) -> None:
        self.target = target
        self.n = sockets
        self.s = max(1, min(senders, sockets))
        self.local = Room(target, self.s, self.s)
        self.shares = shares(self.n - self.s, receivers)
        self.children: list[asyncio.subprocess.Process] = []

    @property
    def processes(self) -> int:
        """Load-generator processes in all: this one and its receivers."""
        return 1 + len(self.shares)

    async def open(self) -> None:
        from bench.run import PY, ROOT

        await self.local.open()
        try:
            for i, count in enumerate(self.shares):
                self.children.append(await asyncio.create_subprocess_exec(
                    PY, "-m", "bench.spread", "receivers", "--kind", self.target.kind, "--url", self.target.url,
                    "--topic", self.target.topic, "--sockets", str(count), "--local-host", f"127.0.0.{2 + i}",
                    cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**26))
            for child in self.children:
                await self._read(child, 300.0)
        except BaseException:
            await self.close()
            raise

    async def _read(self, child, timeout: float) -> dict:
        line = await asyncio.wait_for(child.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"a load-generator process (pid {child.pid}) exited; see its stderr above")
        return json.loads(line)

    async def _ask_all(self, cmd: dict, timeout: float = ANSWER_S) -> list[dict]:
        data = (json.dumps(cmd) + "\n").encode()
        for child in self.children:
            child.stdin.write(data)
        await asyncio.gather(*(child.stdin.drain() for child in self.children))
        return list(await asyncio.gather(*(self._read(child, timeout) for child in self.children)))

    async def settle(self, quiet_s: float = 1.0, max_s: float = 30.0) -> float:
        waited = await asyncio.gather(self.local.settle(quiet_s, max_s),
                                      self._ask_all({"op": "settle", "quiet": quiet_s, "max": max_s}, max_s + 30))
        return max([waited[0], *(a["settled"] for a in waited[1])])

    async def step(self, rate: float, seconds: float, drain_s: float = 3.0, label: str = "") -> StepResult:
        """``Room.step`` over every process: the same sending, the same loss
        and latency figures, merged."""
        count = max(self.s, round(rate * seconds))
        settled = await self.settle()
        tag = new_tag(label)
        await self._ask_all({"op": "begin", "tag": tag})
        self.local.begin(tag)
        server = ServerMeter(self.target)
        me0 = own_cpu_seconds()
        sent, wall0, send_end = await self.local.send(rate, count)
        until = time.time() + drain_s
        answers, _ = await asyncio.gather(self._ask_all({"op": "collect", "sent": sent, "until": until},
                                                        drain_s + ANSWER_S),
                                          self.local.wait(sent * self.s, until))
        me1 = own_cpu_seconds()
        mine = receipt_report(self.local, sent)
        reports = [mine, *answers]
        last = max([send_end, *(r["last_receipt"] for r in reports)])
        elapsed = max(1e-6, last - wall0)
        server_pct, by_process = server.pct(elapsed)
        hist: Counter = Counter()
        per_message = [0] * sent
        for report in reports:
            hist.update({int(k): v for k, v in report["hist"].items()})
            per_message = [a + b for a, b in zip(per_message, report["per_message"], strict=True)]
        delivered = sum(per_message)
        expected = sent * self.n
        client = [100 * (me1 - me0) / elapsed, *(100 * a["cpu_s"] / elapsed for a in answers)]
        extra = {"settle_s": settled, "loadgen_processes": len(client), "client_cpu_by_process": client,
                 "client_cpu_max_pct": max(client), "members_complete": sum(r["complete"] for r in reports),
                 "messages_complete": sum(c == self.n for c in per_message)}
        if len(by_process) > 1:
            extra["server_cpu_by_process"] = by_process
        return StepResult(
            kind=self.target.kind, sockets=self.n, senders=self.s, rate=rate, seconds=seconds, sent=sent,
            expected=expected, delivered=delivered, lost=expected - delivered, deliveries_per_s=delivered / elapsed,
            p50_ms=1000 * hist_percentile(hist, 0.50), p95_ms=1000 * hist_percentile(hist, 0.95),
            p99_ms=1000 * hist_percentile(hist, 0.99),
            max_ms=1000 * ((max(hist) + 0.5) / BUCKETS_PER_S if hist else math.nan),
            server_cpu_pct=server_pct, client_cpu_pct=sum(client),
            send_errors=self.local.errors + sum(a["errors"] for a in answers),
            send_rate=sent / max(1e-6, send_end - wall0), p999_ms=1000 * hist_percentile(hist, 0.999), extra=extra)

    async def close(self) -> None:
        for child in self.children:
            if child.returncode is None:
                try:
                    child.stdin.write(b'{"op": "close"}\n')
                    await child.stdin.drain()
                except (BrokenPipeError, ConnectionResetError):
                    pass
        for child in self.children:
            try:
                await asyncio.wait_for(child.wait(), 30)
            except TimeoutError:
                child.kill()
                await child.wait()
        self.children.clear()
        await self.local.close()


def room(target: Target, sockets: int, senders: int, processes: int) -> Room | SpreadRoom:
    """A ``Room`` in this process when ``processes`` is 1, else a ``SpreadRoom``
    with ``processes - 1`` receiver processes besides this one."""
    if processes <= 1 or sockets - senders < 2:
        return Room(target, sockets, senders)
    return SpreadRoom(target, sockets, senders, processes - 1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.spread receivers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("receivers", choices=["receivers"])
    parser.add_argument("--kind", choices=["hub", "baseline", "bare"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--topic", default="")
    parser.add_argument("--sockets", type=int, required=True)
    parser.add_argument("--local-host", help="the loopback address to connect from, e.g. 127.0.0.2")
    parser.add_argument("--idle-timeout", type=float, default=1800.0,
                        help="exit when no command came for this long (seconds)")
    args = parser.parse_args()
    if args.sockets > 20000:
        parser.error("keep a run bounded: --sockets <= 20000")
    asyncio.run(receivers(args))


if __name__ == "__main__":
    main()
