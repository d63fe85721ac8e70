"""Profile the hub's fan-out: one Daphne, a room of N, a fixed rate, py-spy.

    .venv/bin/python -m bench.profile_hub --sockets 100 --rate 80 --seconds 12
    .venv/bin/python -m bench.profile_hub --sockets 1000 --rate 4 --seconds 12

Needs ``py-spy`` (``pip install py-spy``; a profiling tool, not a project
dependency). Prints py-spy's top functions by own time and by total time
(``var/bench/profile-<N>.txt``) and the step's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import subprocess
from argparse import Namespace

from bench.loadgen import Room, raise_fd_limit
from bench.run import ROOT, flush, say
from bench.suite import server, with_db


def top(raw: str, limit: int = 25) -> str:
    """py-spy ``--format raw`` (collapsed stacks) to own-time and total-time tables."""
    own: collections.Counter = collections.Counter()
    total: collections.Counter = collections.Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        samples += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    lines = [f"{samples} samples", "", "own time:"]
    lines += [f"{100 * n / samples:5.1f}%  {f}" for f, n in own.most_common(limit)]
    lines += ["", "total time (frame on the stack):"]
    lines += [f"{100 * n / samples:5.1f}%  {f}" for f, n in total.most_common(limit + 15)]
    return "\n".join(lines)


async def run(args) -> None:
    raise_fd_limit()
    flush(args.redis_url)
    ns = Namespace(redis_url=args.redis_url, database_url=None)
    with server(args.kind, ns) as target:
        room = Room(target, args.sockets, 1)
        await room.open()
        say(f"{args.sockets} sockets joined; warm-up")
        await room.step(args.rate, 2.0, label="w")
        raw = ROOT / "var" / "bench" / f"profile-{args.kind}-{args.sockets}.raw"
        spy = subprocess.Popen([shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy"), "record",
                                "--pid", str(target.server_pid), "--format", "raw", "--rate", "200",
                                "--duration", str(int(args.seconds)), "--nonblocking", "-o", str(raw)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = await room.step(args.rate, args.seconds, label="p")
        spy.wait(timeout=60)
        await room.close()
    say(f"{result.delivered}/{result.expected} delivered, p50 {result.p50_ms:.1f} p99 {result.p99_ms:.1f} ms, "
        f"server CPU {result.server_cpu_pct:.0f}%, client {result.client_cpu_pct:.0f}%")
    text = top(raw.read_text())
    out = raw.with_suffix(".txt")
    out.write_text(text + "\n")
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", default="hub")
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--redis-url", default=with_db("redis://127.0.0.1:6379/14", 14))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
