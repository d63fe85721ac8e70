"""Where an idle joined socket's memory goes: the hub under tracemalloc.

    .venv/bin/python -m bench.socket_memory --sockets 1000

Serves the hub as ``make run`` does (Daphne on uvloop, ``settings.dev``, a
fresh SQLite file under ``var/bench/``) but with ``tracemalloc`` tracing
from the start (``python -m bench.socket_memory serve``: on SIGUSR1 it
writes a snapshot to the file named by ``BENCH_TRACEMALLOC_OUT``). Opens 50
guest sockets joined to room ``bench`` and closes them (warm-up), takes a
snapshot, opens ``--sockets`` more and joins them, waits, takes another,
and prints the growth per socket by package (Daphne, autobahn, Twisted,
Channels, asyncio, the hub's own code …) and by source line. What
``bench.idle`` measures as RSS per socket, this says the make-up of (the
Python heap only: the C library's and the kernel's share are not in it).
Loopback only, bounded by counts and deadlines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from argparse import Namespace
from collections import Counter
from pathlib import Path

from websockets.asyncio.client import connect

from bench.loadgen import raise_fd_limit
from bench.run import PY, ROOT, flush, hub_env, say, server_process

OPEN_AT_ONCE = 25


def serve() -> None:
    """Daphne on uvloop, traced (``python -m bench.socket_memory serve <daphne's arguments>``)."""
    tracemalloc.start(1)

    def dump(*_args) -> None:
        tracemalloc.take_snapshot().dump(os.environ["BENCH_TRACEMALLOC_OUT"])

    signal.signal(signal.SIGUSR1, dump)
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    from daphne.cli import CommandLineInterface

    sys.argv = ["daphne", *sys.argv[2:]]
    CommandLineInterface.entrypoint()


def package(filename: str) -> str:
    """A short name for the code that allocated: its package, or the hub's app."""
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    try:
        return f"project: {path.relative_to(ROOT).parts[0]}"
    except ValueError:
        return f"stdlib: {path.stem}" if "python3" in filename else filename


async def open_joined(url: str, topic: str, n: int) -> list:
    origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
    sockets = []

    async def one():
        ws = await connect(url, origin=origin, compression=None, ping_interval=None, open_timeout=30)
        await ws.send(json.dumps({"type": "join", "topic": topic, "ref": "j"}))
        deadline = time.monotonic() + 30
        while '"type":"joined"' not in (raw := await asyncio.wait_for(ws.recv(), deadline - time.monotonic())):
            if '"type":"error"' in raw:
                raise RuntimeError(raw[:200])
        return ws

    for start in range(0, n, OPEN_AT_ONCE):
        sockets += await asyncio.gather(*(one() for _ in range(start, min(n, start + OPEN_AT_ONCE))))
    return sockets


def snapshot(pid: int, out: Path) -> tracemalloc.Snapshot:
    out.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists():
            time.sleep(0.5)  # written in one call; let it finish
            return tracemalloc.Snapshot.load(str(out))
        time.sleep(0.2)
    raise TimeoutError("the server wrote no snapshot")


async def measure(args) -> dict:
    raise_fd_limit()
    flush(args.redis_url)
    env = hub_env(Namespace(redis_url=args.redis_url, database_url=None))
    out = ROOT / "var" / "bench" / "socket-memory.snapshot"
    env["BENCH_TRACEMALLOC_OUT"] = str(out)
    setup = json.loads(subprocess.run([PY, "-m", "bench.hub_setup"], cwd=ROOT, env=env, check=True, text=True,
                                      capture_output=True, timeout=300).stdout.strip().splitlines()[-1])
    argv = [PY, "-m", "bench.socket_memory", "serve", "-b", "127.0.0.1", "-p", "PORT",
            "--websocket-max-message-size", "65536", "--websocket-max-frame-size", "65536", "asgi:application"]
    with server_process(lambda port: [a.replace("PORT", str(port)) for a in argv], env, "socket-memory") as (port,
                                                                                                          pid):
        url = f"ws://127.0.0.1:{port}/ws/"
        warm = await open_joined(url, setup["topic"], 50)
        await asyncio.gather(*(ws.close() for ws in warm))
        await asyncio.sleep(2)
        before = snapshot(pid, out)
        t = time.monotonic()
        sockets = await open_joined(url, setup["topic"], args.sockets)
        say(f"{args.sockets} sockets joined in {time.monotonic() - t:.1f}s")
        await asyncio.sleep(3)
        after = snapshot(pid, out)
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    by_package: Counter = Counter()
    for stat in after.compare_to(before, "filename"):
        by_package[package(stat.traceback[0].filename)] += stat.size_diff
    lines = [(stat.size_diff, f"{stat.traceback[0].filename.split('site-packages/')[-1]}:{stat.traceback[0].lineno}")
             for stat in after.compare_to(before, "lineno")[:25]]
    n = args.sockets
    return {"sockets": n, "total_kib_per_socket": sum(by_package.values()) / n / 1024,
            "by_package_kib": {k: v / n / 1024 for k, v in by_package.most_common(15)},
            "top_lines_kib": [(where, size / n / 1024) for size, where in lines]}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve()
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    if args.sockets > 5000:
        parser.error("keep it bounded: --sockets <= 5000")
    result = asyncio.run(measure(args))
    print(f"Python heap growth per joined idle socket: {result['total_kib_per_socket']:.1f} KiB "
          f"({result['sockets']} sockets)")
    for name, kib in result["by_package_kib"].items():
        print(f"  {kib:6.2f} KiB  {name}")
    print("top lines:")
    for where, kib in result["top_lines_kib"]:
        print(f"  {kib:6.2f} KiB  {where}")


if __name__ == "__main__":
    main()
