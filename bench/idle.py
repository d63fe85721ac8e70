"""Idle capacity: memory per socket and server CPU with thousands of idle joined sockets.

    .venv/bin/python -m bench.idle --sizes 5000,20000 --servers hub,baseline,bare

For each server (the hub in a chat room, as ``bench.hub_setup`` prepares it;
the Channels-tutorial baseline, whose connect is its group join; the bare
``websockets`` server), one after the other, in one run: a warm-up opens and
closes 50 sockets; after a settle the server's RSS is the zero point; then
the sockets are opened up to each size in turn (5,000, then 15,000 more for
20,000), joined (hub: ``join`` answered by ``joined``), spread over
``--workers`` load-generator processes, each from a loopback address of its
own. After each size, a settle (``--settle`` s), then over ``--window`` s the
server's CPU (idle: Daphne's WebSocket pings every 20 s and its once-a-second
timeout check over every connection; the hub's own timers; the bare server
pings nothing) and of the load generator; then the RSS.

Memory per socket = (RSS with N − RSS with 0) / N, in KiB (target ≤ 30).

Every step has a deadline (``--connect-s``, per size): a server that joins
too slowly is measured at the count it reached, and the figures say so
(``open`` of ``wanted``, and the join rate). One process cannot hold more
sockets than its file-descriptor limit (the hard limit here is 20,000, so the
largest size is capped a little below it and the row says how many).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

import psutil
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.fleet import Fleet, bounded, drop, handshake, scenario_main
from bench.qa import spread

#: File descriptors a server process keeps for itself (listening socket,
#: Redis, the database, logs, libraries); the rest may be sockets.
RESERVED_FDS = 100
#: Handshakes in flight per worker process.
IN_FLIGHT = 32


def say(text: str) -> None:
    from bench.run import say as run_say

    run_say(text)


# --- the worker -------------------------------------------------------------------------------
class Sockets:
    """One worker's idle sockets."""

    def __init__(self, local_host: str) -> None:
        self.local_host = local_host
        self.sockets: list = []
        self.readers: list[asyncio.Task] = []
        self.failed = 0
        self.cut = 0  # handshakes or joins still under way at the deadline
        self.retries = 0
        self.closed_by_server = 0

    async def _drain(self, ws) -> None:
        try:
            async for _ in ws:  # presence frames; pings are answered by the library
                pass
        except ConnectionClosed:
            pass
        if ws in self.sockets:
            self.closed_by_server += 1

    def failed_or_cut(self, deadline: float) -> None:
        if time.monotonic() >= deadline - 0.1:
            self.cut += 1
        else:
            self.failed += 1

    async def _open_one(self, command: dict, deadline: float) -> None:
        try:
            ws, _seconds, retries = await handshake(command["url"], self.local_host, deadline=deadline)
        except (OSError, InvalidHandshake, TimeoutError):
            self.failed_or_cut(deadline)
            return
        self.retries += retries
        try:
            if command["kind"] == "hub":
                await ws.send(json.dumps({"type": "join", "topic": command["topic"], "since": None, "ref": "j"}))
                while True:
                    raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                    if '"type":"joined"' in raw:
                        break
                    if '"type":"error"' in raw:
                        raise RuntimeError(raw[:200])
        except (ConnectionClosed, TimeoutError, RuntimeError):
            self.failed_or_cut(deadline)
            drop(ws, reset=False)
            return
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._drain(ws)))

    async def open(self, command: dict) -> dict:
        t0 = time.monotonic()
        deadline = t0 + command["deadline_s"]
        failed0, cut0 = self.failed, self.cut
        await bounded(command["total"] - len(self.sockets), lambda _i: self._open_one(command, deadline), deadline,
                      IN_FLIGHT)
        return {"open": len(self.sockets), "failed": self.failed - failed0, "cut": self.cut - cut0,
                "retries": self.retries,
                "closed_by_server": self.closed_by_server, "seconds": time.monotonic() - t0}

    async def close(self) -> dict:
        sockets, self.sockets = self.sockets, []
        for ws in sockets:
            drop(ws, reset=False)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        self.readers = []
        return {"open": 0}


def commands(local_host: str) -> dict:
    """A worker's commands (``bench.fleet.worker_main``)."""
    sockets = Sockets(local_host)

    async def cpu(_command: dict) -> dict:
        return {"open": len(sockets.sockets), "closed_by_server": sockets.closed_by_server}

    return {"open": sockets.open, "close": lambda _command: sockets.close(), "cpu": cpu}


# --- the coordinator ----------------------------------------------------------------------------
def fd_cap() -> int:
    """The most sockets one server process can hold here."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1] - RESERVED_FDS


async def measure_server(target, sizes: list[int], args) -> dict:
    """Warm up, the zero point, then each size in turn on one running server."""
    proc = psutil.Process(target.server_pid)
    command = {"cmd": "open", "kind": target.kind, "url": target.url, "topic": target.topic}
    out: dict = {"kind": target.kind, "sizes": {}}
    async with Fleet("bench.idle", args.workers) as fleet:
        await fleet.ask([dict(command, total=n, deadline_s=20) for n in spread(args.warmup, args.workers)], 60)
        await fleet.ask({"cmd": "close"}, 30)
        await asyncio.sleep(args.settle)
        rss0 = proc.memory_info().rss
        out["rss0_mib"] = rss0 / 2**20
        for size, connect_s in zip(sizes, args.connect_s, strict=False):
            wanted = min(size, fd_cap())
            t = time.monotonic()
            replies = await fleet.ask([dict(command, total=n, deadline_s=connect_s)
                                       for n in spread(wanted, args.workers)], connect_s + 60)
            connect = time.monotonic() - t
            opened = sum(r["open"] for r in replies)
            await asyncio.sleep(args.settle)
            cpu0, me0, t0 = sum(proc.cpu_times()[:2]), fleet.cpu(), time.monotonic()
            await fleet.ask({"cmd": "cpu"}, 30)
            me0 = fleet.cpu()
            await asyncio.sleep(args.window)
            replies_end = await fleet.ask({"cmd": "cpu"}, 30)
            elapsed = time.monotonic() - t0
            cpu1 = sum(proc.cpu_times()[:2])
            rss = proc.memory_info().rss
            row = {
                "wanted": size, "open": sum(r["open"] for r in replies_end), "opened": opened,
                "failed": sum(r["failed"] for r in replies), "cut": sum(r["cut"] for r in replies),
                "fd_cap": fd_cap(), "retries": sum(r["retries"] for r in replies),
                "closed_by_server": sum(r["closed_by_server"] for r in replies_end),
                "connect_s": connect, "rss_mib": rss / 2**20,
                "per_socket_kib": (rss - rss0) / max(1, opened) / 1024,
                "server_cpu_pct": 100 * (cpu1 - cpu0) / elapsed,
                "client_cpu_pct": 100 * (fleet.cpu() - me0) / elapsed, "workers": args.workers,
            }
            previous = max([0, *(r["opened"] for r in out["sizes"].values())])
            row["join_rate"] = (opened - previous) / max(1e-6, connect)
            out["sizes"][str(size)] = row
            say(f"idle {target.kind}: {opened} of {size} sockets open ({row['join_rate']:.0f}/s over "
                f"{connect:.1f}s, {row['failed']} failed, {row['cut']} under way at the deadline); "
                f"RSS {rss0 / 2**20:.1f} -> {row['rss_mib']:.1f} MiB = "
                f"{row['per_socket_kib']:.1f} KiB/socket; idle CPU server {row['server_cpu_pct']:.1f}% "
                f"load generator {row['client_cpu_pct']:.1f}% ({args.workers} processes)")
            if opened < wanted:
                break  # a larger size would not get further within its deadline
        # The server is killed, not stopped: its shutdown with thousands of
        # sockets (a disconnect handler each; the baseline's a Redis
        # group_discard each) is not measured and would outlast the measurement.
        proc.kill()
    return out


async def measure(server, args) -> dict:
    """Every server of ``args.servers`` in turn; ``server(kind, args)`` is the
    suite's context manager that starts one and yields its ``Target``."""
    from bench.loadgen import raise_fd_limit
    from bench.run import flush

    raise_fd_limit(20000)
    results = {}
    for kind in args.servers:
        flush(args.redis_url)
        flush(args.baseline_redis_url)
        t = time.monotonic()
        try:
            with server(kind, args) as target:
                results[kind] = await measure_server(target, args.sizes, args)
        except Exception as exc:  # noqa: BLE001 - reported in the row; the other servers still run
            results[kind] = {"kind": kind, "error": f"{type(exc).__name__}: {exc}", "sizes": {}}
            say(f"idle {kind}: not measured: {results[kind]['error']}")
        results[kind]["seconds"] = time.monotonic() - t
    return results


def add_arguments(parser, quick: bool = False) -> None:
    parser.add_argument("--sizes", default="500" if quick else "5000,20000",
                        help="idle sockets, comma-separated, ascending (each step adds to the last)")
    parser.add_argument("--connect-s", default="10" if quick else "20,20",
                        help="seconds allowed to open and join each size, comma-separated")
    parser.add_argument("--workers", type=int, default=4, help="load-generator processes (one address each)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--window", type=float, default=3.0, help="seconds of idle CPU measured")
    parser.add_argument("--servers", default="hub,baseline,bare")


def options(suite_args, quick: bool, **overrides):
    """This scenario's settings for a run of ``bench.suite`` (or ``bench.run``):
    its defaults (``quick``: the smoke run's), the suite's Redis and database."""
    parser = argparse.ArgumentParser()
    add_arguments(parser, quick)
    args = parser.parse_args([])
    for name in ("redis_url", "baseline_redis_url", "database_url"):
        setattr(args, name, getattr(suite_args, name, None))
    vars(args).update(overrides)
    parse(args)
    return args


def parse(args) -> None:
    args.sizes = [int(n) for n in str(args.sizes).split(",")]
    connect_s = [float(s) for s in str(args.connect_s).split(",")]
    args.connect_s = (connect_s + [connect_s[-1]] * len(args.sizes))[:len(args.sizes)]
    if isinstance(args.servers, str):
        args.servers = [kind for kind in args.servers.split(",") if kind]


# --- the suite's rows -----------------------------------------------------------------------------
def ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "-"


def why(row: dict) -> str:
    """Why a size has fewer sockets open than wanted."""
    if row["open"] >= row["wanted"]:
        return ""
    if row["open"] >= row["fd_cap"]:
        return ", the file-descriptor limit"
    if row["failed"] or row["closed_by_server"]:
        return f", {row['failed']} failed, {row['closed_by_server']} closed by the server"
    return ", stopped by the deadline"


def rows(results: dict, num) -> list[str]:
    """Rows of ``bench.suite``'s table: per size, KiB per socket and idle CPU, hub / baseline / bare."""
    idle = results.get("idle")
    if not idle:
        return []
    sizes = sorted({int(size) for r in idle.values() for size in r.get("sizes", {})})
    out = []
    servers = ("hub", "baseline", "bare")
    for size in sizes:
        cells = [idle.get(kind, {}).get("sizes", {}).get(str(size)) for kind in servers]
        kib = [c and c["per_socket_kib"] for c in cells]
        counts = "; ".join(f"{kind} {c['open']:,} in {c['connect_s']:.0f} s ({c['join_rate']:.0f}/s{why(c)})"
                           for kind, c in zip(servers, cells, strict=True) if c)
        errors = "; ".join(f"{kind}: {idle[kind]['error']}" for kind in servers if idle.get(kind, {}).get("error"))
        note = f" — open: {counts}"
        if errors:
            note += f"; not measured: {errors}"
        out.append(
            f"| idle, {size:,} joined sockets: KiB per socket (target ≤ 30){note} | {num(kib[0], '.1f')} | "
            f"{num(kib[1], '.1f')} | {num(kib[2], '.1f')} | {ratio(kib[0], kib[1])} | {ratio(kib[0], kib[2])} | "
            f"{' / '.join(num(c and c['server_cpu_pct'], '.1f') for c in cells)} (idle) | "
            f"{' / '.join(num(c and c['client_cpu_pct'], '.1f') for c in cells)} |")
    return out


def main() -> None:
    result = scenario_main(__doc__, commands, add_arguments, measure, prepare=lambda _parser, args: parse(args))
    for row in rows({"idle": result or {}}, lambda v, spec=".0f": "-" if v is None else format(v, spec)):
        print(row)


if __name__ == "__main__":
    main()
