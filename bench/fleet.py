"""Load-generator processes, each opening its sockets from a loopback address
of its own (127.0.0.2, 127.0.0.3, …), driven by one coordinator.

One source address gives about 28,000 ephemeral ports and one process one
core, so the scenarios with thousands of sockets (``bench.idle``,
``bench.storm``) spread their clients as ``bench.qa`` spreads its audience:
``Fleet`` starts ``python -m <module> worker`` processes; the coordinator
writes one JSON command line to every worker and reads one JSON reply line
from each. A worker's commands are the scenario's own (``worker_main``); every
reply carries the worker's CPU seconds so far (``cpu_s``), so the
load generator's CPU is printed beside the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import struct
import sys
import time
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake

from bench.loadgen import raise_fd_limit, require_loopback

#: Handshake attempts before a socket is given up (back-off 0.25 s · 2^k).
CONNECT_ATTEMPTS = 6


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def origin_of(url: str) -> str:
    """The page's origin for a socket URL (the hub checks it)."""
    scheme, rest = url.split("://", 1)
    return ("https" if scheme == "wss" else "http") + "://" + rest.split("/", 1)[0]


async def handshake(url: str, local_host: str | None, *, cookie: str | None = None, deadline: float,
                    open_timeout: float = 30.0):
    """Open one WebSocket, retrying a refused or timed-out handshake with
    back-off as a browser would (Daphne drops a handshake the application has
    not accepted within 5 s). Returns ``(ws, seconds of the successful
    attempt, retries)``; raises the last error past ``CONNECT_ATTEMPTS`` or
    ``deadline`` (``time.monotonic()``)."""
    require_loopback(url)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    kwargs = {"local_addr": (local_host, 0)} if local_host else {}
    for attempt in range(CONNECT_ATTEMPTS):
        t = time.monotonic()
        try:
            ws = await connect(url, origin=origin_of(url), additional_headers=headers, compression=None,
                               ping_interval=None, open_timeout=max(0.5, min(open_timeout, deadline - t)),
                               close_timeout=2, max_queue=None, **kwargs)
            return ws, time.monotonic() - t, attempt
        except (OSError, InvalidHandshake, TimeoutError):
            pause = 0.25 * 2 ** attempt
            if attempt == CONNECT_ATTEMPTS - 1 or time.monotonic() + pause >= deadline:
                raise
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


def drop(ws, reset: bool) -> None:
    """Drop a socket client-side without a WebSocket closing handshake: a TCP
    reset (``SO_LINGER`` 0) when ``reset``, else a plain FIN."""
    transport = ws.transport
    sock = transport.get_extra_info("socket")
    if reset and sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


# --- the worker side ------------------------------------------------------------------------
def worker_main(argv: list[str], commands) -> None:
    """A worker process: ``commands(local_host)`` gives the scenario's
    handlers (command name -> ``async (command) -> dict``). One JSON command a
    line on stdin, its handler's reply written as one JSON line (with
    ``cpu_s``); ends on end of input or an unknown command."""
    parser = argparse.ArgumentParser(prog="worker")
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--local-host", required=True)
    args = parser.parse_args(argv)
    raise_fd_limit(20000)

    async def loop() -> None:
        handlers = commands(args.local_host)
        while True:
            line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command = json.loads(line)
            handler = handlers.get(command["cmd"])
            reply = await handler(command) if handler else {}
            print(json.dumps(dict(reply, cpu_s=own_cpu_seconds())), flush=True)
            if handler is None:
                return

    asyncio.run(loop())


async def bounded(count: int, start, deadline: float, in_flight: int = 32) -> None:
    """Run ``start(i)`` (a coroutine) for i in 0..count-1, at most
    ``in_flight`` at a time, none started past ``deadline``
    (``time.monotonic()``); the last ones get until a second past it."""
    running: set[asyncio.Task] = set()
    for i in range(count):
        while len(running) >= in_flight and time.monotonic() < deadline:
            _done, running = await asyncio.wait(running, timeout=max(0.01, deadline - time.monotonic()),
                                                return_when=asyncio.FIRST_COMPLETED)
        if time.monotonic() >= deadline:
            break
        running.add(asyncio.create_task(start(i)))
    if running:
        await asyncio.wait(running, timeout=max(0.1, deadline - time.monotonic()) + 1)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


def scenario_main(doc: str, commands, add_arguments, measure, prepare=None) -> dict | None:
    """A scenario's command line: ``worker …`` runs a load-generator process
    (``commands``); otherwise ``measure(server, args)`` on the suite's
    servers, its figures printed as JSON (and written to ``--json``).
    ``prepare(parser, args)`` checks and completes the arguments."""
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker_main(sys.argv[2:], commands)
        return None
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"),
                        required=not os.environ.get("BENCH_REDIS_URL"), help="a Redis DB of the bench's own (flushed)")
    parser.add_argument("--database-url", help="postgres://... for the hub (default: SQLite under var/bench/)")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    args.baseline_redis_url = args.redis_url
    if prepare is not None:
        prepare(parser, args)
    from bench.suite import server

    result = asyncio.run(measure(server, args))
    print(json.dumps(result, indent=2, default=str))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str))
    return result


# --- the coordinator side -------------------------------------------------------------------
class Fleet:
    """``workers`` processes of ``python -m <module> worker --index i --local-host 127.0.0.<2+i>``."""

    def __init__(self, module: str, workers: int, extra_argv: list[str] | None = None) -> None:
        self.module = module
        self.n = workers
        self.extra = extra_argv or []
        self.procs: list[asyncio.subprocess.Process] = []
        self.cpu_s: list[float] = []

    async def __aenter__(self) -> Fleet:
        from bench.run import PY, ROOT

        for i in range(self.n):
            self.procs.append(await asyncio.create_subprocess_exec(
                PY, "-m", self.module, "worker", "--index", str(i), "--local-host", f"127.0.0.{2 + i}",
                *self.extra, cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                limit=2**26))
        self.cpu_s = [0.0] * self.n
        return self

    async def __aexit__(self, *exc) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                try:
                    proc.stdin.close()
                    await asyncio.wait_for(proc.wait(), 10)
                except (TimeoutError, OSError):
                    proc.kill()
                    await proc.wait()

    async def ask(self, commands: list[dict] | dict, timeout: float) -> list[dict]:
        """Send each worker its command (one for all, or one each); their replies, in order."""
        if isinstance(commands, dict):
            commands = [commands] * self.n
        for proc, command in zip(self.procs, commands, strict=True):
            proc.stdin.write((json.dumps(command) + "\n").encode())
            await proc.stdin.drain()

        async def reply(proc) -> dict:
            line = await proc.stdout.readline()
            if not line:
                raise RuntimeError(f"a {self.module} worker ended without replying (see its stderr)")
            return json.loads(line)

        replies = await asyncio.wait_for(asyncio.gather(*(reply(p) for p in self.procs)), timeout)
        self.cpu_s = [r["cpu_s"] for r in replies]
        return replies

    def cpu(self) -> float:
        """CPU seconds of all workers so far (as of their last replies)."""
        return sum(self.cpu_s)
